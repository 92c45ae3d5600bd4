"""Self-declared acts (自行申报): services and selectors.

* ``kind_set``: the district names (or retires) a kind of act members may declare, with its
  weight.
* ``declaration_submit``: a member declares an act of an active kind, with a description, the
  day and one photo (checked and re-encoded by ``work.photos``); it waits for review.
* ``declaration_approve`` / ``declaration_reject``: the workflow's steps (``take``); approval
  writes the verified duty record ``self_declared.approve`` that the point rules score.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.services import save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.people.members import member_of
from xianfeng.scoring.choices import SelfDeclarationState
from xianfeng.scoring.models import SelfDeclaration, SelfDeclarationKind
from xianfeng.scoring.services import district_org
from xianfeng.work.photos import clean_photo

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_DESCRIPTION = 500
# How far back an act may be declared: the review should still be able to check it.
MAX_AGE_DAYS = 90


# --- kinds (district configuration) ----------


def may_set_kinds(actor: User) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and district_org(actor) is not None


@transaction.atomic
def kind_set(
    *,
    actor: User,
    name: str,
    description: str = "",
    weight: Any = 1,
    active: bool = True,
    kind: SelfDeclarationKind | None = None,
) -> SelfDeclarationKind:
    """Add a kind, or change one (``kind``); a kind is retired (``active=False``), never
    deleted."""
    district = district_org(actor) if getattr(actor, "is_authenticated", False) else None
    if district is None:
        raise PermissionDenied(_("只有区委组织部可以设置自行申报事项。"))
    errors: dict[str, list[str]] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = [_("请填写事项名称。")]
    elif len(name) > 60:
        errors["name"] = [_("事项名称请不超过60个字。")]
    elif SelfDeclarationKind.objects.filter(name=name).exclude(pk=getattr(kind, "pk", None)):
        errors["name"] = [_("已有同名的自行申报事项。")]
    try:
        value = Decimal(str(weight if weight not in (None, "") else 1))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value >= 1000:
        errors["weight"] = [_("分值系数应为大于0、小于1000的数。")]
    if errors:
        raise ValidationError(errors)
    obj = kind or SelfDeclarationKind(created_by=actor)
    obj.name = name
    obj.description = str(description or "").strip()[:200]
    obj.weight = value.quantize(Decimal("0.01"))
    obj.active = bool(active)
    save_with_history(instance=obj, actor=actor, reason=_("设置自行申报事项"))
    write_ledger(obj, "self_declared_kind.set", actor=actor, organization=district, note=name)
    return obj


def kinds(*, active_only: bool = True) -> QuerySet[SelfDeclarationKind]:
    """District configuration, the same for every member (like the point rules)."""
    qs = SelfDeclarationKind.objects.all()
    return qs.filter(active=True) if active_only else qs


# --- declarations ----------


@transaction.atomic
def declaration_submit(
    *,
    actor: User,
    kind: SelfDeclarationKind | None,
    description: str,
    done_on: date | None,
    photo: UploadedFile | None,
) -> SelfDeclaration:
    """A member declares an act with a photo; it waits for review in their branch. Every
    problem is answered at once, in Chinese, and nothing is stored."""
    member = member_of(actor)
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员身份，不能自行申报。"))
    errors: dict[str, list[str]] = {}
    if kind is None or not kind.active:
        errors["kind"] = [_("请选择区委组织部设定的自行申报事项。")]
    text = str(description or "").strip()
    if not text:
        errors["description"] = [_("请说明做了什么事。")]
    elif len(text) > MAX_DESCRIPTION:
        errors["description"] = [_("事项说明请不超过%(n)d个字。") % {"n": MAX_DESCRIPTION}]
    today = timezone.localdate()
    if done_on is None:
        errors["done_on"] = [_("请填写履职日期。")]
    elif done_on > today:
        errors["done_on"] = [_("履职日期不能晚于今天。")]
    elif done_on < today - timedelta(days=MAX_AGE_DAYS):
        errors["done_on"] = [_("只能申报%(n)d天内的履职事项。") % {"n": MAX_AGE_DAYS}]
    stored = None
    if photo is None:
        errors["photo"] = [_("请上传一张现场照片。")]
    else:
        try:
            stored, _kind = clean_photo(photo, "photo")
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if not errors and (
        SelfDeclaration.objects.filter(member=member, kind=kind, done_on=done_on, description=text)
        .exclude(state=SelfDeclarationState.REJECTED)
        .exists()
    ):
        errors["description"] = [_("这件事已经申报过了，请勿重复申报。")]
    if errors:
        raise ValidationError(errors)
    obj = SelfDeclaration(
        member=member,
        organization=member.branch,
        kind=kind,
        weight=kind.weight,
        description=text,
        done_on=done_on,
        submitted_by=actor,
    )
    obj.photo.save(stored.name, stored, save=False)
    save_with_history(instance=obj, actor=actor, reason=_("自行申报履职事项"))
    write_ledger(obj, "self_declared.submit", actor=actor, note=f"{kind.name}：{text}"[:500])
    return obj


def declaration_approve(*, actor: User, declaration: SelfDeclaration, note: str = "") -> Any:
    return take(declaration, "approve", actor=actor, note=note)


def declaration_reject(*, actor: User, declaration: SelfDeclaration, note: str = "") -> Any:
    return take(declaration, "reject", actor=actor, note=note)


def declarations(user: User, *, state: str = "", mine: bool = False) -> QuerySet[SelfDeclaration]:
    """The one list of declarations (page and API): those in the user's scope, or the user's
    own."""
    qs = SelfDeclaration.objects.restrict(user).select_related("member__person", "kind")
    if mine:
        member = member_of(user)
        qs = qs.filter(member=member) if member else qs.none()
    if state in SelfDeclarationState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-submitted_at", "-pk")
