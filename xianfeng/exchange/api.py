"""API of the exchange app: imports (upload, preview, apply), export records, duplicates and
merging, landlords' declarations. Import runs are the uploader's own; the rest reads through
``restrict``."""

from __future__ import annotations

import enum
import os
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xianfeng.core.api import ListParams, errors_response, page_of, paginate
from xianfeng.core.choices import Action
from xianfeng.core.models import SensitiveAccess
from xianfeng.core.scope import user_can
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.exchange import selectors, services
from xianfeng.exchange.exports import EXPORTS, check_export_allowed, export_count, export_start
from xianfeng.exchange.models import ExportRecord, ImportKind, ImportRun, LandlordDeclaration
from xianfeng.exchange.sheets import XLSX
from xianfeng.people.models import Person

router = Router(tags=[gettext_lazy("数据交换")])


class ImportError_(Schema):
    row: int
    column: str
    reason: str


class ImportRunOut(Schema):
    id: int
    kind: str
    filename: str
    status: str
    status_label: str
    valid_only: bool
    total: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str
    progress: int = Field(description=gettext_lazy("百分比"))
    errors: list[ImportError_]
    created_at: datetime
    applied_at: datetime | None

    @staticmethod
    def resolve_status_label(obj: ImportRun) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_progress(obj: ImportRun) -> int:
        job = obj.job
        return 100 if not obj.busy else (job.percent if job else 0)

    @staticmethod
    def resolve_errors(obj: ImportRun) -> list[dict[str, Any]]:
        return obj.errors[:200]


ImportRunPage = page_of(ImportRunOut)


def _own(request: HttpRequest, run_id: int) -> ImportRun:
    runs = ImportRun.objects.select_related("preview_job", "apply_job")
    if not request.user.is_superuser:
        runs = runs.filter(created_by=request.user)
    run = runs.filter(pk=run_id).first()
    if run is None:
        raise Http404(_("导入记录不存在。"))
    services.import_fail_stale(run)  # a run whose process died reads as failed, as on the page
    return run


@router.get(
    "/imports",
    response=errors_response({200: ImportRunPage}),
    summary=gettext_lazy("我的导入记录"),
)
def import_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    runs = selectors.import_run_list(user=request.user)
    for busy in runs.filter(status__in=(ImportRun.Status.PREVIEWING, ImportRun.Status.APPLYING)):
        services.import_fail_stale(busy)
    return paginate(runs, params)


@router.get(
    "/imports/{run_id}",
    response=errors_response({200: ImportRunOut}),
    summary=gettext_lazy("一次导入的预检结果与进度"),
)
def import_detail(request: HttpRequest, run_id: int) -> Any:
    return _own(request, run_id)


@router.post(
    "/imports",
    response=errors_response({202: ImportRunOut}),
    summary=gettext_lazy("上传文件并开始预检（后台任务）"),
)
def import_create(request: HttpRequest, kind: Form[ImportKind], file: File[UploadedFile]) -> Any:
    """multipart/form-data：``kind``（organizations/members/grids/buildings/households）和
    ``file``（.xlsx/.csv，网格另可.geojson）。答复202，轮询 ``GET /imports/{id}`` 看预检结果。"""
    run = services.import_start(actor=request.user, kind=kind, upload=file)
    run.refresh_from_db()
    return Status(202, run)


class ApplyIn(Schema):
    valid_only: bool = Field(False, description=gettext_lazy("有被拒绝的行时只导入有效行"))


@router.post(
    "/imports/{run_id}/apply",
    response=errors_response({202: ImportRunOut}),
    summary=gettext_lazy("确认导入（后台任务，一个事务）"),
)
def import_apply(request: HttpRequest, run_id: int, payload: ApplyIn) -> Any:
    run = services.import_apply(
        actor=request.user, run=_own(request, run_id), valid_only=payload.valid_only
    )
    run.refresh_from_db()
    return Status(202, run)


@router.post(
    "/imports/{run_id}/retry",
    response=errors_response({202: ImportRunOut}),
    summary=gettext_lazy("导入失败后用同一文件重新预检（后台任务）"),
)
def import_retry(request: HttpRequest, run_id: int) -> Any:
    run = services.import_retry(actor=request.user, run=_own(request, run_id))
    run.refresh_from_db()
    return Status(202, run)


ExportKindName = enum.Enum(  # the export kinds, as the API's enum
    "ExportKindName", {k: k for k in EXPORTS}, type=str
)


class ExportOut(Schema):
    id: int
    kind: str
    filters: dict[str, Any]
    rows: int
    revealed: bool
    reason: str
    user: str | None
    created_at: datetime

    @staticmethod
    def resolve_user(obj: ExportRecord) -> str | None:
        return obj.user.username if obj.user else None


ExportPage = page_of(ExportOut)


@router.get(
    "/exports",
    response=errors_response({200: ExportPage}),
    summary=gettext_lazy("导出记录（谁、导出了什么、多少行）"),
)
def export_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    return paginate(selectors.export_record_list(user=request.user), params)


class ExportJobOut(ExportOut):
    status: str
    ready: bool
    message: str

    @staticmethod
    def resolve_status(obj: ExportRecord) -> str:
        return obj.job.status if obj.job else "done"

    @staticmethod
    def resolve_message(obj: ExportRecord) -> str:
        return obj.job.message if obj.job else ""


class ExportIn(Schema):
    kind: ExportKindName
    filters: dict[Text(40), Text(200)] = Field(
        default_factory=dict,
        max_length=20,
        description=gettext_lazy('与列表页相同的筛选条件，例如 {"status": "lost_contact"}'),
    )
    full: bool = Field(
        False, description=gettext_lazy("含完整身份证号和手机号（须有权限并填写用途）")
    )
    reason: Text(200) = Field(
        "", max_length=200, description=gettext_lazy("导出完整号码的用途，记入敏感信息审计")
    )


@router.post(
    "/exports",
    response=errors_response({202: ExportJobOut}),
    summary=gettext_lazy("开始导出（后台生成文件，与页面相同的筛选和打码）"),
)
def export_create(request: HttpRequest, payload: ExportIn) -> Any:
    """The list as its page filters it, written in the background: answers 202 with the record;
    poll ``GET /exports/{id}`` until ``ready``, then fetch ``GET /exports/{id}/file``. A full
    export needs the right to see full numbers and a ``reason``."""
    kind = payload.kind.value
    check_export_allowed(request.user, kind, payload.full)
    params = dict(payload.filters)
    rows = export_count(user=request.user, kind=kind, params=params)
    record = export_start(
        user=request.user,
        kind=kind,
        params=params,
        full=payload.full,
        rows=rows,
        reason=payload.reason,
    )
    return Status(202, selectors.own_export(user=request.user, pk=record.pk))


@router.get(
    "/exports/{record_id}",
    response=errors_response({200: ExportJobOut}),
    summary=gettext_lazy("后台导出的进度"),
)
def export_detail(request: HttpRequest, record_id: int) -> Any:
    return selectors.own_export(user=request.user, pk=record_id)


@router.get(
    "/exports/{record_id}/file",
    response=errors_response({200: None}),
    summary=gettext_lazy("下载后台导出的文件（.xlsx）"),
)
def export_file(request: HttpRequest, record_id: int) -> Any:
    record = selectors.own_export(user=request.user, pk=record_id)
    if not record.ready:
        raise ValidationError(_("文件还没有生成好，请稍后再取。"), code="invalid_state")
    if not os.path.exists(record.stored_path):
        raise Http404(_("文件已超过保存期限被清理，请重新导出。"))
    title = EXPORTS[record.kind].title if record.kind in EXPORTS else record.kind
    return FileResponse(
        open(record.stored_path, "rb"),  # closed by the response
        as_attachment=True,
        filename=f"{title}-{record.created_at:%Y%m%d%H%M}.xlsx",
        content_type=XLSX,
    )


class RevealLogOut(Schema):
    id: int
    user: str
    person: int
    person_name: str
    fields: str
    channel: str
    at: datetime

    @staticmethod
    def resolve_user(obj: SensitiveAccess) -> str:
        return obj.user.username

    @staticmethod
    def resolve_person(obj: SensitiveAccess) -> int:
        return obj.person_id

    @staticmethod
    def resolve_person_name(obj: SensitiveAccess) -> str:
        return obj.person.name


RevealPage = page_of(RevealLogOut)


def _audit_reader(request: HttpRequest) -> None:
    if not selectors.may_read_audit_log(request.user):
        raise PermissionDenied(_("只有管理员和审计人员可以查看敏感信息审计记录。"))


@router.get(
    "/audit/reveals",
    response=errors_response({200: RevealPage}),
    summary=gettext_lazy("敏感信息审计：查看完整号码的记录"),
)
def audit_reveals(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Every reveal of a full ID number or phone in the user's scope (page or API), newest
    first. Administrators and auditors only."""
    _audit_reader(request)
    return paginate(selectors.reveal_list(user=request.user), params)


@router.get(
    "/audit/exports",
    response=errors_response({200: ExportPage}),
    summary=gettext_lazy("敏感信息审计：完整号码导出记录（含用途）"),
)
def audit_exports(request: HttpRequest, params: Query[ListParams]) -> Any:
    """Exports in the user's scope that carried full numbers, with the reason given.
    Administrators and auditors only."""
    _audit_reader(request)
    return paginate(selectors.full_export_list(user=request.user), params)


class DuplicatePerson(Schema):
    id: int
    name: str
    id_number_masked: str
    mobile_masked: str
    organization: str
    is_member: bool

    @staticmethod
    def resolve_organization(obj: Person) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_is_member(obj: Person) -> bool:
        return hasattr(obj, "member")


@router.get(
    "/duplicates",
    response=errors_response({200: list[list[DuplicatePerson]]}),
    summary=gettext_lazy("疑似重复的人员（同名同手机号）"),
)
def duplicate_list(request: HttpRequest) -> Any:
    if not user_can(request.user, Action.CHANGE, Person):
        raise PermissionDenied(_("您的角色无权合并人员记录。"))
    return services.duplicate_groups(user=request.user)


class MergeIn(Schema):
    drop: int = Field(description=gettext_lazy("被合并（删除）的人员编号"))


class MergeOut(Schema):
    id: int
    name: str


@router.post(
    "/persons/{person_id}/merge",
    response=errors_response({200: MergeOut}),
    summary=gettext_lazy("把另一条人员记录合并到此人"),
    tags=[gettext_lazy("人员")],
)
def person_merge(request: HttpRequest, person_id: int, payload: MergeIn) -> Any:
    keep = get_object_for(user=request.user, model=Person, pk=person_id, action=Action.CHANGE)
    drop = get_object_for(user=request.user, model=Person, pk=payload.drop, action=Action.CHANGE)
    return services.person_merge(actor=request.user, keep=keep, drop=drop)


class DeclarationOut(Schema):
    id: int
    building_id: int
    landlord_name: str
    rooms: list[dict[str, Any]]
    status: str
    submitted_at: datetime
    review_note: str

    @staticmethod
    def resolve_rooms(obj: LandlordDeclaration) -> list[dict[str, Any]]:
        from xianfeng.core.validators import mask_id_number, mask_phone

        return [
            {
                "unit": r["unit"],
                "room": r["room"],
                "tenants": [
                    {
                        "name": t["name"],
                        "id_number": mask_id_number(t["id_number"]),
                        "mobile": mask_phone(t.get("mobile", "")),
                    }
                    for t in r.get("tenants") or []
                ],
            }
            for r in obj.rooms
        ]


DeclarationPage = page_of(DeclarationOut)


class DeclarationDetailOut(DeclarationOut):
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: LandlordDeclaration, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)


class DeclarationFilters(ListParams):
    status: LandlordDeclaration.Status | None = None


@router.get(
    "/declarations",
    response=errors_response({200: DeclarationPage}),
    summary=gettext_lazy("房东自主申报"),
)
def declaration_list(request: HttpRequest, params: Query[DeclarationFilters]) -> Any:
    filters = selectors.DeclarationFilters.from_schema(params)
    return paginate(selectors.declaration_list(user=request.user, filters=filters), params)


def _declaration(request: HttpRequest, declaration_id: int) -> LandlordDeclaration:
    return get_object_for(user=request.user, model=LandlordDeclaration, pk=declaration_id)


# Accepting (rooms and tenants into the registry) and rejecting, from exchange/workflows.py.
add_step_endpoints(
    router,
    model=LandlordDeclaration,
    param="declaration_id",
    fetch=_declaration,
    response=DeclarationDetailOut,
    paths={
        "accept": "/declarations/{declaration_id}/accept",
        "reject": "/declarations/{declaration_id}/reject",
    },
)
