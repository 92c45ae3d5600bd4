"""Exports of lists as filtered on their pages, within scope, masked unless allowed.

Each export kind reads its list from the same selector as its page and API endpoint (which
applies ``restrict`` and the page's filters: ``xianfeng/<app>/selectors.py``), writes an .xlsx
in write-only mode from ``iterator()`` (constant memory), and records an ``ExportRecord``
(who, what, filters, rows, whether it carried full ID numbers and phones).
Full values only when the user asks for them (``full=1``) and the role may see them; each row
is then checked against the user's sensitive scope, and the record marks the export a reveal.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from xianfeng.core.choices import Action
from xianfeng.core.jobs import enqueue
from xianfeng.core.labels import field_labels
from xianfeng.core.models import JobRun
from xianfeng.core.scope import scope_paths
from xianfeng.core.selectors import ListFilters
from xianfeng.core.validators import validate_no_controls
from xianfeng.exchange.models import ExportRecord
from xianfeng.exchange.services import home_org_id
from xianfeng.exchange.sheets import append, head_cells
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import OrganizationFilters, organization_list
from xianfeng.people.models import PartyMember, Person
from xianfeng.people.selectors import MemberFilters, member_list
from xianfeng.places.choices import CareTagCode
from xianfeng.places.models import Building, Household
from xianfeng.places.selectors import (
    BuildingFilters,
    HouseholdFilters,
    building_list,
    household_list,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User


@dataclass
class ExportKind:
    title: str
    model: type[models.Model]
    headers: list[str]
    queryset: Callable[[User, Any], models.QuerySet]
    row: Callable[[Any, Callable[[Any], bool]], list[Any]]
    filters: type[ListFilters]
    sensitive: bool = False


def _label(obj: models.Model, field: str) -> Any:
    """What ``get_FOO_display`` gives (the value itself when it is not a choice, ``None``
    included), from the per-language dict: no gettext call per row."""
    value = getattr(obj, field)
    return field_labels(type(obj), field).get(value, value)


def _members(user: User, params: Any) -> models.QuerySet:
    qs = member_list(user=user, filters=MemberFilters.from_params(params))
    # The person's organization decides, row by row, whether full numbers may be shown.
    return qs.select_related("person__organization", "residence_community")


def _member_row(m: PartyMember, full: Callable[[Any], bool]) -> list[Any]:
    p = m.person
    show = full(p)
    return [
        p.name,
        _label(p, "gender"),
        p.birth_date,
        (p.id_number or "") if show else p.id_number_masked,
        p.mobile if show else p.mobile_masked,
        m.branch.code,
        m.branch.name,
        _label(m, "kind"),
        _label(m, "category"),
        _label(m, "status"),
        m.joined_on,
        m.full_member_on,
        m.work_unit,
        m.residence_community.name if m.residence_community else "",
        m.origin,
        m.current_place,
    ]


def _buildings(user: User, params: Any) -> models.QuerySet:
    qs = building_list(user=user, filters=BuildingFilters.from_params(params))
    return qs.select_related("building_group")


def _building_row(b: Building, full: Callable[[Any], bool]) -> list[Any]:
    return [
        b.code,
        b.name,
        b.address,
        b.grid.code,
        b.building_group.code if b.building_group else "",
        _label(b, "kind"),
        b.floors,
        b.owner_name,
        b.latitude,
        b.longitude,
        _label(b, "safety_colour"),
    ]


def _households(user: User, params: Any) -> models.QuerySet:
    qs = household_list(user=user, filters=HouseholdFilters.from_params(params))
    return qs.annotate(n_residents=models.Count("residents"))


def _household_row(h: Household, full: Callable[[Any], bool]) -> list[Any]:
    return [
        h.building.code,
        h.building.name,
        h.unit,
        h.room,
        str(_("是") if h.is_rental else _("否")),
        h.n_residents,
    ]


def _organizations(user: User, params: Any) -> models.QuerySet:
    qs = organization_list(user=user, filters=OrganizationFilters.from_params(params))
    return qs.select_related("parent")


def _organization_row(o: Organization, full: Callable[[Any], bool]) -> list[Any]:
    return [
        o.code,
        o.name,
        _label(o, "kind"),
        o.parent.code if o.parent else "",
        o.short_name,
        _label(o, "category"),
        o.contact_name,
        o.contact_phone,
        o.address,
        o.established_on,
    ]


EXPORTS: dict[str, ExportKind] = {
    "members": ExportKind(
        _("党员"),
        PartyMember,
        [
            _("姓名"),
            _("性别"),
            _("出生日期"),
            _("身份证号"),
            _("手机号"),
            _("所在党组织代码"),
            _("所在党组织"),
            _("党员类型"),
            _("党员类别"),
            _("状态"),
            _("入党日期"),
            _("转正日期"),
            _("工作单位"),
            _("居住地社区"),
            _("流出地"),
            _("现居地"),
        ],
        _members,
        _member_row,
        MemberFilters,
        sensitive=True,
    ),
    "buildings": ExportKind(
        _("楼栋"),
        Building,
        [
            _("楼栋编码"),
            _("楼栋名称"),
            _("地址"),
            _("网格编码"),
            _("楼栋党小组代码"),
            _("楼栋类型"),
            _("层数"),
            _("产权单位/业主名称"),
            _("纬度"),
            _("经度"),
            _("安全等级"),
        ],
        _buildings,
        _building_row,
        BuildingFilters,
    ),
    "households": ExportKind(
        _("住户"),
        Household,
        [_("楼栋编码"), _("楼栋名称"), _("单元"), _("房号"), _("出租户"), _("成员数")],
        _households,
        _household_row,
        HouseholdFilters,
    ),
    "organizations": ExportKind(
        _("组织"),
        Organization,
        [
            _("组织代码"),
            _("组织全称"),
            _("组织类型"),
            _("上级组织代码"),
            _("简称"),
            _("组织类别"),
            _("联系人"),
            _("联系电话"),
            _("地址"),
            _("成立日期"),
        ],
        _organizations,
        _organization_row,
        OrganizationFilters,
    ),
}


def may_reveal(user: User) -> bool:
    paths = scope_paths(user, Person, Action.VIEW_SENSITIVE)
    return paths is None or bool(paths)


def background_threshold() -> int:
    """Exports of more rows than this run as a background job; smaller ones at once."""
    return settings.XIANFENG_EXPORT_BACKGROUND_ROWS


def export_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, "exports")
    os.makedirs(path, exist_ok=True)
    return path


def _filters(spec: ExportKind, params: Any) -> dict[str, Any]:
    return spec.filters.kept(params)


def _write(
    *,
    user: User,
    spec: ExportKind,
    params: Any,
    full: bool,
    target: Any,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, bool]:
    """Write the .xlsx (openpyxl write-only, rows streamed from ``iterator()``) into
    ``target`` (a path or a file object); return the number of rows and whether it revealed."""
    reveal = bool(full and spec.sensitive and may_reveal(user))
    paths = scope_paths(user, Person, Action.VIEW_SENSITIVE) if reveal else []

    def allowed(person: Person) -> bool:
        return reveal and (
            paths is None or any(person.organization.path.startswith(p) for p in paths)
        )

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(spec.title)[:31])
    append(sheet, head_cells(sheet, [str(h) for h in spec.headers]))
    n = 0
    for obj in spec.queryset(user, params).iterator(chunk_size=2000):
        # Every cell inert: no control characters, no formulas (sheets.inert).
        append(sheet, spec.row(obj, allowed))
        n += 1
        if progress and n % PROGRESS_EVERY == 0:
            progress(n)
    book.save(target)
    return n, reveal


PROGRESS_EVERY = 1000


REASON_MAX_LENGTH = 200


def check_export_allowed(user: User, kind: str, full: bool) -> None:
    """Who may export (pages and API alike): not a member or a unit liaison; full numbers only
    for a role that may see them."""
    from django.core.exceptions import PermissionDenied

    from xianfeng.core.scope import may_export

    if kind not in EXPORTS:
        raise ValidationError({"kind": _("没有这种导出内容。")})
    if not may_export(user):
        raise PermissionDenied(_("党员和共建单位联络员的角色不能导出名单。"))
    if full and not may_reveal(user):
        raise PermissionDenied(_("您的角色无权导出完整的身份证号和手机号。"))


def full_export_reason(*, user: User, kind: str, full: bool, reason: str) -> str:
    """The reason of an export that will carry full numbers (required, so the auditor's log
    says why personal data left the system); "" for a masked export."""
    if not (full and EXPORTS[kind].sensitive and may_reveal(user)):
        return ""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": _("导出完整身份证号和手机号前，请填写用途（例如：换届选举核对党员名册）。")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("用途最多%(n)d个字。") % {"n": REASON_MAX_LENGTH}})
    try:
        validate_no_controls(reason)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from exc
    return reason


def export_build(
    *, user: User, kind: str, params: Any, full: bool = False, reason: str = ""
) -> tuple[bytes, ExportRecord]:
    """The .xlsx of one list as filtered on its page, and the record of the export."""
    spec = EXPORTS[kind]
    reason = full_export_reason(user=user, kind=kind, full=full, reason=reason)
    buffer = io.BytesIO()
    rows, reveal = _write(user=user, spec=spec, params=params, full=full, target=buffer)
    record = ExportRecord.objects.create(
        kind=kind,
        filters=_filters(spec, params),
        rows=rows,
        revealed=reveal,
        reason=reason,
        user=user,
        organization_id=home_org_id(user),
    )
    return buffer.getvalue(), record


def export_count(*, user: User, kind: str, params: Any) -> int:
    return EXPORTS[kind].queryset(user, params).count()


def plain_params(params: Any) -> dict[str, str]:
    """Query parameters as JSON for a job: the last value of each key, strings only."""
    skip = ("full", "page", "reason", "csrfmiddlewaretoken")
    return {str(k): str(params.get(k)) for k in params.keys() if k not in skip}


@transaction.atomic
def export_start(
    *, user: User, kind: str, params: Any, full: bool, rows: int, reason: str = ""
) -> ExportRecord:
    """Record a large export at once (who, what, filters, masked or full, rows expected) and
    queue the job that writes its file; the record's rows are the real count once written."""
    spec = EXPORTS[kind]
    reason = full_export_reason(user=user, kind=kind, full=full, reason=reason)
    record = ExportRecord.objects.create(
        kind=kind,
        filters=_filters(spec, params),
        rows=rows,
        reason=reason,
        revealed=bool(full and spec.sensitive and may_reveal(user)),
        user=user,
        organization_id=home_org_id(user),
    )
    record.job = enqueue(
        "exchange.export",
        user=user,
        label=gettext("导出%(what)s（%(n)d行）") % {"what": spec.title, "n": rows},
        record_id=record.pk,
        params=plain_params(params),
        full=full,
    )
    record.save(update_fields=["job"])
    return record


def export_run(run: JobRun, *, record_id: int, params: dict[str, str], full: bool) -> dict:
    """The job: write the file as the record's user (same scope, same masking) into
    ``MEDIA_ROOT/exports`` and note its path and row count on the record."""
    record = ExportRecord.objects.select_related("user").get(pk=record_id)
    user = record.user
    if user is None or not user.is_active:
        raise PermissionError(gettext("导出人的账号已停用，文件未生成。"))
    spec = EXPORTS[record.kind]
    total = record.rows
    run.report(0, total, gettext("正在生成…"))
    path = os.path.join(export_dir(), f"{uuid.uuid4().hex}.xlsx")

    def progress(done: int) -> None:
        run.report(
            done,
            max(total, done),
            gettext("已写入%(done)d / %(total)d行") % {"done": done, "total": max(total, done)},
        )

    try:
        rows, reveal = _write(
            user=user, spec=spec, params=params, full=full, target=path, progress=progress
        )
    except BaseException:
        if os.path.exists(path):
            os.remove(path)
        raise
    ExportRecord.objects.filter(pk=record.pk).update(rows=rows, revealed=reveal, stored_path=path)
    run.report(rows, rows, gettext("已完成，共%(n)d行") % {"n": rows})
    return {"rows": rows}


# Filter keys that are not a field of the exported model (or name a related row).
_FILTER_LABELS = {
    "q": _("关键词"),
    "due": _("预备期将满或已满一年"),
    "branch": _("党组织（含下级）"),
    "root": _("组织（含下级）"),
    "parent": _("上级组织"),
    "grid": _("网格"),
    "building": _("楼栋"),
    "care_tag": _("关爱标签"),
}
_FILTER_MODELS = {
    "branch": Organization,
    "root": Organization,
    "parent": Organization,
    "grid": "places.Grid",
    "building": Building,
}


def _related_model(key: str) -> type[models.Model] | None:
    from django.apps import apps

    model = _FILTER_MODELS.get(key)
    return apps.get_model(model) if isinstance(model, str) else model


def describe_records(records: Any, user: User) -> None:
    """Set ``filter_rows`` (see ``describe_filters``) and ``kind_label`` on each export record
    of a page; the names of the organizations, grids and buildings filtered on come in one
    query per model, not one per record."""
    records = list(records)
    wanted: dict[type[models.Model], set[int]] = {}
    for r in records:
        for key, raw in (r.filters or {}).items():
            model = _related_model(key)
            if model is not None and str(raw).isdigit():
                wanted.setdefault(model, set()).add(int(raw))
    names: dict[tuple[type[models.Model], int], str] = {}
    for model, pks in wanted.items():
        # Only what the user may see is named; another id stays a number.
        for row in model.objects.restrict(user).filter(pk__in=pks):
            names[(model, row.pk)] = str(getattr(row, "display_name", None) or row)
    for r in records:
        spec = EXPORTS.get(r.kind)
        r.kind_label = str(spec.title) if spec else r.kind
        r.filter_rows = describe_filters(r.kind, r.filters or {}, names)


def describe_filters(
    kind: str, filters: dict[str, Any], names: dict | None = None
) -> list[tuple[str, str]]:
    """An export's filters as people read them: (label, value) in Chinese, not the query
    string's codes (``status=lost_contact`` reads 状态：失联)."""
    spec = EXPORTS.get(kind)
    out: list[tuple[str, str]] = []
    for key, raw in filters.items():
        value = str(raw)
        label: Any = _FILTER_LABELS.get(key)
        model = _related_model(key)
        if model is not None:
            if value.isdigit() and names is not None:
                value = names.get((model, int(value)), value)
        elif spec is not None and label is None:
            try:
                f = spec.model._meta.get_field(key)
            except Exception:  # not a field: shown as it came
                f = None
            if f is not None:
                label = f.verbose_name
                if f.choices:
                    value = str(dict(f.flatchoices).get(value, value))
        if key == "care_tag":
            value = str(dict(CareTagCode.choices).get(value, value))
        if key in ("due", "is_rental") and value in ("1", "true", "True", "0", "false", "False"):
            value = gettext("是") if value in ("1", "true", "True") else gettext("否")
        out.append((str(label or key), value))
    return out
