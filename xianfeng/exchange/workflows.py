"""The exchange app's state machines, declared in the one workflow mechanism
(``xianfeng.core.workflow``): a landlord declaration's review (房东自主申报: 待审核 → 已采纳 /
已退回) and an import run (预检中 → 待确认导入 → 导入中 → 已导入, or 文件被拒绝 / 导入失败). An
import run's user steps are the uploader's ``apply`` and ``retry`` (导入失败 → 预检中, the kept
file previewed again); the others are taken by its jobs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core.choices import Action
from xianfeng.core.workflow import Input, step

if TYPE_CHECKING:
    from xianfeng.core.models import User

SUBMITTED, ACCEPTED, REJECTED = "submitted", "accepted", "rejected"


def reviewer(declaration: Any, user: User) -> str | None:
    """A grid worker or admin whose scope holds the building."""
    model = type(declaration)
    if model.objects.restrict(user, Action.CHANGE).filter(pk=declaration.pk).exists():
        return None
    return _("只有楼栋所在网格的书记或管理员可以审核申报。")


def _reviewed(declaration: Any) -> str | None:
    return _("这份申报已经审核过了。") if declaration.status != SUBMITTED else None


class DeclarationFlow:
    """Steps of ``LandlordDeclaration``; mixed into the model."""

    duty_member = None

    @property
    def organization(self) -> Any:
        return self.building.organization

    @step(
        field="status",
        source=SUBMITTED,
        target=ACCEPTED,
        label=gettext_lazy("采纳"),
        ledger="declaration.accept",
        allowed=reviewer,
        conflict=_reviewed,
        history=gettext_lazy("采纳房东申报"),
        done=gettext_lazy("已采纳申报，住户和租户已登记。"),
    )
    def accept(self, *, actor: User) -> dict[str, Any]:
        from xianfeng.exchange.declarations import write_declared_rooms

        write_declared_rooms(actor=actor, declaration=self)
        self.reviewed_by = actor
        self.reviewed_at = timezone.now()
        return {"note": _("采纳")}

    @step(
        field="status",
        source=SUBMITTED,
        target=REJECTED,
        label=gettext_lazy("退回"),
        ledger="declaration.reject",
        allowed=reviewer,
        conflict=_reviewed,
        inputs=[Input("note", gettext_lazy("退回原因"), required=True)],
        style="secondary",
        history=gettext_lazy("退回房东申报"),
        done=gettext_lazy("已退回申报。"),
    )
    def reject(self, *, actor: User, note: str = "") -> dict[str, Any]:
        if not (note or "").strip():
            raise ValidationError({"note": _("请填写退回原因。")})
        self.review_note = note.strip()[:300]
        self.reviewed_by = actor
        self.reviewed_at = timezone.now()
        return {"note": _("退回")}


# --- import runs ------------------------------------------------------------------------------

PREVIEWING, PREVIEWED, APPLYING = "previewing", "previewed", "applying"
APPLIED, REFUSED, FAILED = "applied", "refused", "failed"


def uploader(run: Any, user: User) -> str | None:
    """Only the one who uploaded a file imports it (others do not even see the run)."""
    if run.created_by_id == user.pk or user.is_superuser:
        return None
    return _("只能导入自己上传的文件。")


def _district(run: Any) -> Any:
    """The ledger's organization of a run: the uploader's, else the top of the tree."""
    from xianfeng.orgs.models import Organization

    if run.organization_id:
        return run.organization
    return Organization.objects.filter(parent__isnull=True).order_by("pk").first()


def _outcome(run: Any, outcome: Any, message: str = "") -> dict[str, Any]:
    for name in ("total", "created", "updated", "unchanged", "rejected", "errors", "warnings"):
        setattr(run, name, getattr(outcome, name))
    run.message = message
    return {"organization": _district(run), "note": message or run.filename}


def _not_failed(run: Any) -> str | None:
    return _("只有导入失败的记录可以重新预检。") if run.status != FAILED else None


class ImportRunFlow:
    """Steps of ``ImportRun``; mixed into the model."""

    duty_member = None

    @step(
        field="status",
        source=PREVIEWED,
        target=APPLYING,
        label=gettext_lazy("确认导入"),
        ledger="import.apply",
        allowed=uploader,
        inputs=[Input("valid_only", gettext_lazy("有被拒绝的行时只导入有效行"), kind="bool")],
        history=gettext_lazy("确认导入"),
        done=gettext_lazy("已开始导入，完成后此页会显示结果。"),
    )
    def apply(self, *, actor: User, valid_only: bool = False) -> dict[str, Any]:
        from xianfeng.core.jobs import enqueue

        if self.rejected and not valid_only:
            raise ValidationError(
                _("有%(n)d行被拒绝。请修改文件后重新上传，或选择“只导入有效行”。")
                % {"n": self.rejected}
            )
        if self.rejected >= self.total:
            raise ValidationError(_("没有可以导入的有效行。"))
        self.valid_only = bool(valid_only)
        self.apply_job = enqueue(
            "exchange.import_apply",
            user=actor,
            label=_("导入：%(name)s") % {"name": self.filename},
            run_id=self.pk,
        )
        return {"organization": _district(self), "note": self.filename}

    @step(
        field="status",
        source=FAILED,
        target=PREVIEWING,
        label=gettext_lazy("重新预检"),
        ledger="import.retry",
        allowed=uploader,
        conflict=_not_failed,
        history=gettext_lazy("重新预检导入文件"),
        done=gettext_lazy("已重新开始预检，完成后可以再次确认导入。"),
    )
    def retry(self, *, actor: User) -> dict[str, Any]:
        """A failed run (its process died, or the import found errors) starts again from its
        kept file: a new preview, then the uploader applies it as before."""
        import os

        from xianfeng.core.jobs import enqueue

        if not self.stored_path or not os.path.exists(self.stored_path):
            raise ValidationError(_("上传的文件已被清理，请重新上传。"))
        self.message = ""
        self.valid_only = False
        self.preview_job = enqueue(
            "exchange.import_preview",
            user=actor,
            label=_("预检导入文件：%(name)s") % {"name": self.filename},
            run_id=self.pk,
        )
        self.apply_job = None
        return {"organization": _district(self), "note": self.filename}

    @step(
        field="status",
        source=PREVIEWING,
        target=PREVIEWED,
        label=gettext_lazy("预检完成"),
        ledger="import.preview",
        system=True,
    )
    def previewed(self, *, actor: None, outcome: Any) -> dict[str, Any]:
        return _outcome(self, outcome)

    @step(
        field="status",
        source=APPLYING,
        target=APPLIED,
        label=gettext_lazy("导入完成"),
        ledger="import.applied",
        system=True,
    )
    def applied(self, *, actor: None, outcome: Any) -> dict[str, Any]:
        self.applied_at = timezone.now()
        return _outcome(self, outcome)

    @step(
        field="status",
        source=[PREVIEWING, APPLYING],
        target=REFUSED,
        label=gettext_lazy("拒绝文件"),
        ledger="import.refuse",
        system=True,
    )
    def refuse(self, *, actor: None, message: str) -> dict[str, Any]:
        self.message = message[:500]
        return {"organization": _district(self), "note": self.message}

    @step(
        field="status",
        source=[PREVIEWING, APPLYING],
        target=FAILED,
        label=gettext_lazy("导入失败"),
        ledger="import.fail",
        system=True,
    )
    def fail(self, *, actor: None, message: str, outcome: Any = None) -> dict[str, Any]:
        if outcome is not None:
            return _outcome(self, outcome, message[:500])
        self.message = message[:500]
        return {"organization": _district(self), "note": self.message}
