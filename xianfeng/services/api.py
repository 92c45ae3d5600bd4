"""The services API under ``/api/v1/``: the three lists (in scope, and public per community),
orders (list, the dispatch queue, 代办, detail with suggestions) with one endpoint per workflow
step (``xianfeng/services/workflows.py``), and the resident's side without an account (order,
status and rating by the signed token). Lists are paginated in the database through
``xianfeng.services.selectors``; errors answer ``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from xianfeng.core import ratelimit
from xianfeng.core.api import (
    JSON_CONTENT_TYPE,
    ListParams,
    choice_label,
    errors_response,
    json_answer,
    page_of,
    paginate,
    require_can,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions, take
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.services import complaints, menucache, selectors, services
from xianfeng.services.choices import (
    ComplaintState,
    OrderState,
    ProjectStatus,
    ResourceKind,
    open311_status,
)
from xianfeng.services.models import (
    Complaint,
    ContactAccess,
    CoProject,
    Order,
    Resource,
    Service,
)
from xianfeng.work.api import MemberRef

router = Router(tags=[gettext_lazy("服务：三张清单与群众点单")])


# --- the three lists ---------------------------------------------------------------------------


class ServiceOut(Schema):
    id: int
    code: str
    title: str
    description: str
    organization_id: int
    organization_name: str
    provider_member: MemberRef | None
    provider_name_public: bool
    available: str
    time_limit_hours: int
    is_active: bool

    @staticmethod
    def resolve_organization_name(obj: Service) -> str:
        return obj.organization.display_name


class PublicServiceOut(Schema):
    """A service as the public sees it: the organization, and a member's name only when the
    member agreed (``provider_name_public``); never a phone."""

    id: int
    code: str
    title: str
    description: str
    organization_name: str
    provider_name: str
    available: str
    time_limit_hours: int

    @staticmethod
    def resolve_organization_name(obj: Service) -> str:
        return obj.organization.display_name

    @staticmethod
    def resolve_provider_name(obj: Service) -> str:
        # The member's name only when they agreed to be named publicly.
        if obj.provider_member is None or not obj.provider_name_public:
            return ""
        return obj.provider_member.person.name


class ResourceOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    owner_name: str
    address: str
    hours: str
    booking: str
    organization_name: str
    is_active: bool

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_organization_name(obj: Resource) -> str:
        return obj.organization.display_name


class CoProjectOut(Schema):
    id: int
    title: str
    description: str
    partners: str
    status: str
    status_label: str
    organization_name: str
    work_project_id: int | None
    is_active: bool

    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_organization_name(obj: CoProject) -> str:
        return obj.organization.display_name


ServicePage = page_of(ServiceOut)
PublicServicePage = page_of(PublicServiceOut)
ResourcePage = page_of(ResourceOut)
CoProjectPage = page_of(CoProjectOut)


class ListFilters(ListParams):
    community: DbInt | None = Field(None, description=gettext_lazy("社区编号"))


class PublicFilters(ListParams):
    community: DbInt = Field(description=gettext_lazy("社区编号"))


def _public_community(pk: int) -> Organization:
    found = public_community(pk)
    if found is None:
        raise Http404
    return found


@router.get(
    "/services", response=errors_response({200: ServicePage}), summary=gettext_lazy("服务清单")
)
def service_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return paginate(
        selectors.list_items(request.user, "services", community=filters.community), filters
    )


@router.get(
    "/resources", response=errors_response({200: ResourcePage}), summary=gettext_lazy("资源清单")
)
def resource_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return paginate(
        selectors.list_items(request.user, "resources", community=filters.community), filters
    )


@router.get(
    "/coprojects",
    response=errors_response({200: CoProjectPage}),
    summary=gettext_lazy("项目清单（共建项目）"),
)
def coproject_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return paginate(
        selectors.list_items(request.user, "projects", community=filters.community), filters
    )


def _cached_public_page(kind: str, filters: PublicFilters, page: type[Schema]) -> HttpResponse:
    """A public list's page, rendered once and cached under the menu's version (menucache:
    every change to what the menu shows replaces it, so a change shows at once) with the
    community, the page and the language; a warm page reads nothing from the database. An
    unknown community answers 404 and is not cached."""
    version = menucache.menu_version()
    key = (
        f"services:public-api:{kind}:{get_language()}:{version}:"
        f"{filters.community}:{filters.page}:{filters.page_size}"
    )
    body = cache.get(key)
    if body is None:
        data = paginate(selectors.public_list(kind, _public_community(filters.community)), filters)
        # What django-ninja's operation makes of the returned page (the same schema, dump and
        # renderer), so the cached bytes are the uncached answer's.
        body = json_answer(page.model_validate(data).model_dump()).content
        cache.set(key, body, menucache.MENU_TTL)
    return HttpResponse(body, content_type=JSON_CONTENT_TYPE)


@router.get(
    "/public/services",
    auth=None,
    response=errors_response({200: PublicServicePage}),
    summary=gettext_lazy("公开：社区服务清单（无需登录）"),
)
def public_service_list(request: HttpRequest, filters: Query[PublicFilters]) -> Any:
    return _cached_public_page("services", filters, PublicServicePage)


@router.get(
    "/public/resources",
    auth=None,
    response=errors_response({200: ResourcePage}),
    summary=gettext_lazy("公开：社区资源清单（无需登录）"),
)
def public_resource_list(request: HttpRequest, filters: Query[PublicFilters]) -> Any:
    return _cached_public_page("resources", filters, ResourcePage)


@router.get(
    "/public/coprojects",
    auth=None,
    response=errors_response({200: CoProjectPage}),
    summary=gettext_lazy("公开：社区项目清单（无需登录）"),
)
def public_coproject_list(request: HttpRequest, filters: Query[PublicFilters]) -> Any:
    return _cached_public_page("projects", filters, CoProjectPage)


class ServiceIn(Schema):
    organization: DbInt
    code: Text(40) = Field(max_length=40)
    title: Text(60) = Field(max_length=60)
    description: Text(1000) = ""
    provider_member: DbInt | None = None
    provider_name_public: bool = Field(
        False, description=gettext_lazy("党员本人同意后，公开页面显示其姓名")
    )
    available: Text(100) = ""
    time_limit_hours: int = Field(48, ge=1, le=32767)
    is_active: bool = True


class ResourceIn(Schema):
    organization: DbInt
    kind: ResourceKind
    title: Text(60) = Field(max_length=60)
    owner_name: Text(60) = ""
    address: Text(120) = Field(max_length=120)
    hours: Text(100) = ""
    booking: Text(LINE_MAX_LENGTH) = ""
    is_active: bool = True


class CoProjectIn(Schema):
    organization: DbInt
    title: Text(80) = Field(max_length=80)
    description: Text(2000) = ""
    partners: Text(LINE_MAX_LENGTH) = ""
    status: ProjectStatus = ProjectStatus.PLANNED
    work_project: DbInt | None = None
    is_active: bool = True


def _save_item(request: HttpRequest, model: type, payload: Schema, pk: int | None) -> Any:
    from xianfeng.core.api import visible_one
    from xianfeng.people.models import PartyMember
    from xianfeng.work.models import Project

    require_can(request.user, Action.CHANGE if pk else Action.ADD, model)
    instance = (
        get_object_for(user=request.user, model=model, pk=pk, action=Action.CHANGE) if pk else None
    )
    data = payload.model_dump()
    org = visible_one(
        Organization, data.pop("organization"), user=request.user, field="organization"
    )
    extra: dict[str, Any] = {}
    if model is Service:
        extra["provider_member"] = visible_one(
            PartyMember, data.pop("provider_member"), user=request.user, field="provider_member"
        )
    if model is CoProject:
        extra["work_project"] = visible_one(
            Project, data.pop("work_project"), user=request.user, field="work_project"
        )
    return services.list_item_save(
        actor=request.user, model=model, organization=org, values=data, instance=instance, **extra
    )


@router.post(
    "/services", response=errors_response({201: ServiceOut}), summary=gettext_lazy("新增服务")
)
def service_create(request: HttpRequest, payload: ServiceIn) -> Any:
    return Status(201, _save_item(request, Service, payload, None))


@router.put(
    "/services/{item_id}",
    response=errors_response({200: ServiceOut}),
    summary=gettext_lazy("修改服务"),
)
def service_update(request: HttpRequest, item_id: int, payload: ServiceIn) -> Any:
    return _save_item(request, Service, payload, item_id)


@router.post(
    "/resources", response=errors_response({201: ResourceOut}), summary=gettext_lazy("新增资源")
)
def resource_create(request: HttpRequest, payload: ResourceIn) -> Any:
    return Status(201, _save_item(request, Resource, payload, None))


@router.put(
    "/resources/{item_id}",
    response=errors_response({200: ResourceOut}),
    summary=gettext_lazy("修改资源"),
)
def resource_update(request: HttpRequest, item_id: int, payload: ResourceIn) -> Any:
    return _save_item(request, Resource, payload, item_id)


@router.post(
    "/coprojects",
    response=errors_response({201: CoProjectOut}),
    summary=gettext_lazy("新增共建项目"),
)
def coproject_create(request: HttpRequest, payload: CoProjectIn) -> Any:
    return Status(201, _save_item(request, CoProject, payload, None))


@router.put(
    "/coprojects/{item_id}",
    response=errors_response({200: CoProjectOut}),
    summary=gettext_lazy("修改共建项目"),
)
def coproject_update(request: HttpRequest, item_id: int, payload: CoProjectIn) -> Any:
    return _save_item(request, CoProject, payload, item_id)


# --- orders ------------------------------------------------------------------------------------


class OrderOut(Schema):
    id: int
    code: str
    community_id: int
    service_id: int | None
    summary: str
    source: str
    source_label: str
    state: str
    state_label: str
    open311_status: str = Field(description=gettext_lazy("Open311 状态：open 或 closed"))
    deadline: datetime
    created_at: datetime
    assignee: MemberRef | None
    escalated: bool

    resolve_source_label = choice_label("source")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_open311_status(obj: Order) -> str:
        return open311_status(obj.state)

    @staticmethod
    def resolve_escalated(obj: Order) -> bool:
        return obj.escalated_to_id is not None


class TeamRef(Schema):
    id: int
    name: str


class SuggestionOut(Schema):
    member: MemberRef
    reason: str


class OrderDetailOut(OrderOut):
    content: str
    name: str
    phone: str = Field(description=gettext_lazy("联系电话（仅接单党员看到完整号码）"))
    address: str
    building_id: int | None
    visit_id: int | None
    team: TeamRef | None = Field(description=gettext_lazy("接单队伍（派给队伍时，由队长接单）"))
    participants: list[MemberRef] = Field(
        description=gettext_lazy("队伍接的点单办结后，参加办理的队员（含办结的队员）")
    )
    decline_reason: str
    done_note: str
    done_at: datetime | None
    rating: int | None
    rating_comment: str
    rated_at: datetime | None
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))
    suggestions: list[SuggestionOut] = Field(
        description=gettext_lazy("派单推荐（按责任区），仅可派单时")
    )


OrderPage = page_of(OrderOut)


class OrderFilters(ListParams):
    state: OrderState | None = Field(None, description=gettext_lazy("状态"))
    open: bool = Field(False, description=gettext_lazy("只看办理中的"))
    overdue: bool = Field(False, description=gettext_lazy("只看超过办理时限的"))
    community: DbInt | None = Field(None, description=gettext_lazy("社区编号"))
    mine: bool = Field(False, description=gettext_lazy("只看派给我的和我所在队伍接的"))


class QueueFilters(ListParams):
    community: DbInt | None = Field(None, description=gettext_lazy("社区编号"))


@router.get("/orders", response=errors_response({200: OrderPage}), summary=gettext_lazy("群众点单"))
def order_list(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    qs = selectors.orders(
        request.user,
        state=filters.state,
        open_only=filters.open,
        overdue=filters.overdue,
        community=filters.community,
        mine=filters.mine,
    )
    return paginate(qs, filters)


@router.get(
    "/orders/queue",
    response=errors_response({200: OrderPage}),
    summary=gettext_lazy("待派单（社区下单的队列）"),
)
def order_queue(request: HttpRequest, filters: Query[QueueFilters]) -> Any:
    return paginate(
        selectors.queue(request.user, community=filters.community).select_related(
            "assignee__person"
        ),
        filters,
    )


def _order_for(request: HttpRequest, order_id: int) -> Order:
    return get_object_for(
        user=request.user,
        model=Order,
        pk=order_id,
        queryset=Order.objects.select_related(
            "service", "community", "organization", "assignee__person", "team"
        ),
    )


def _order_detail(request: HttpRequest, order_id: int) -> Order:
    order = _order_for(request, order_id)
    order.actions = actions(request.user, order)
    order.suggestions = (
        selectors.suggestions(request.user, order) if "dispatch" in order.actions else []
    )
    order.participants = selectors.order_participants(order)
    # Full phone and address to the assigned member and staff only, each look logged.
    contact = services.order_contact(user=request.user, order=order, channel="api")
    order.phone, order.address = contact["phone"], contact["address"]
    return order


class ContactAccessOut(Schema):
    id: int
    at: datetime = Field(description=gettext_lazy("当天首次查看的时间"))
    last_at: datetime = Field(description=gettext_lazy("当天最后一次查看的时间"))
    day: date
    count: int = Field(description=gettext_lazy("当天查看的次数"))
    user: str
    order_id: int
    order_code: str
    resident_name: str
    fields: str
    channel: str

    @staticmethod
    def resolve_user(obj: ContactAccess) -> str:
        return obj.user.username

    @staticmethod
    def resolve_order_code(obj: ContactAccess) -> str:
        return obj.order.code

    @staticmethod
    def resolve_resident_name(obj: ContactAccess) -> str:
        return obj.order.name


class ContactLogFilters(ListParams):
    order: DbInt | None = Field(None, description=gettext_lazy("点单编号"))


@router.get(
    "/orders/contact-log",
    response=errors_response({200: page_of(ContactAccessOut)}),
    summary=gettext_lazy("群众联系方式查看记录"),
)
def contact_log(request: HttpRequest, filters: Query[ContactLogFilters]) -> Any:
    """Who saw a resident's full phone and address on which order (the reason), when and by
    which way (page, api); newest first. For the community's admins and the auditor (403
    for the others), in their scope."""
    if not selectors.may_read_contact_log(request.user):
        raise PermissionDenied(_("只有社区管理员和审计人员可以查看群众联系方式查看记录。"))
    return paginate(selectors.contact_log(user=request.user, order=filters.order), filters)


@router.get(
    "/orders/{order_id}",
    response=errors_response({200: OrderDetailOut}),
    summary=gettext_lazy("点单详情"),
)
def order_detail(request: HttpRequest, order_id: int) -> Any:
    return _order_detail(request, order_id)


class ProxyOrderIn(Schema):
    community: DbInt
    service: DbInt | None = None
    content: Text(TEXT_MAX_LENGTH) = ""
    name: Text(services.MAX_NAME) = Field(max_length=services.MAX_NAME)
    phone: Text(20) = ""
    address: Text(services.MAX_ADDRESS) = Field(max_length=services.MAX_ADDRESS)


@router.post(
    "/orders", response=errors_response({201: OrderDetailOut}), summary=gettext_lazy("代办点单")
)
def order_create(request: HttpRequest, payload: ProxyOrderIn) -> Any:
    require_can(request.user, Action.ADD, Order)
    order = services.order_create_proxy(actor=request.user, **payload.model_dump())
    return Status(201, _order_detail(request, order.pk))


def _given_back(request: HttpRequest, order: Order) -> Order:
    """退单's answer: the order as ``GET /orders/{id}`` shows it, or, to a member who no longer
    sees it (an order back in the queue is its staff's to read), as it now stands with no
    actions and neither phone nor address (the step itself succeeded)."""
    try:
        return _order_detail(request, order.pk)
    except Http404:
        order.actions, order.suggestions, order.participants = [], [], []
        order.phone = order.address = ""
        return order


# Every step of an order from the declarations in services/workflows.py, answering the order as
# ``GET /orders/{id}`` shows it. ``serve`` takes a photo, so it is written out below.
add_step_endpoints(
    router,
    model=Order,
    param="order_id",
    fetch=_order_for,
    response=OrderDetailOut,
    result=lambda request, order: _order_detail(request, order.pk),
    overrides={"decline": (OrderDetailOut, _given_back)},
    paths={
        "dispatch": "/orders/{order_id}/dispatch",
        "claim_for_team": "/orders/{order_id}/claim-for-team",
        "accept": "/orders/{order_id}/accept",
        "decline": "/orders/{order_id}/decline",
        "recall": "/orders/{order_id}/recall",
        "serve": None,
        "reject": "/orders/{order_id}/reject",
    },
)


# The serve form's ``participants``: a repeated field (an array in the OpenAPI document).
PARTICIPANTS_FORM = Form(
    None,
    description=gettext_lazy(
        "队伍接的点单：参加办理的其他队员的党员编号，每人一个 participants 字段"
        "（participants=12&participants=15）；仍接受逗号分隔的一个字段（12,15）"
    ),
)


@router.post(
    "/orders/{order_id}/serve",
    response=errors_response({200: OrderDetailOut}),
    summary=gettext_lazy("办结"),
)
def order_serve(
    request: HttpRequest,
    order_id: int,
    note: Form[str] = "",
    photo: File[UploadedFile] = None,
    hours: Form[str] = "",
    participants: list[Text(LINE_MAX_LENGTH)] | None = PARTICIPANTS_FORM,
) -> Any:
    """multipart/form-data: ``note`` (办理情况) and/or ``photo``, and ``hours``: the member's
    hours after work, recorded once as a service session of the order; for a team's order,
    ``participants``: the ids of the team's other members who took part, one repeated field
    each (a comma-separated field still works), each of whom gets the act in the duty ledger and
    the hours; an id that is no number or no member of the team answers 400 and nothing is
    written. The state and the actor are checked before the input (409, then 403, then 400)."""
    order = _order_for(request, order_id)
    if len(note) > TEXT_MAX_LENGTH:
        note = note[: TEXT_MAX_LENGTH + 1]
    take(
        order,
        "serve",
        actor=request.user,
        note=note,
        photo=photo,
        hours=hours[:16] or None,
        # as many as the page's form takes (a team is tens of members at most)
        participants=(participants or [])[:100],
    )
    return _order_detail(request, order.pk)


# --- the resident's side (no account) ----------------------------------------------------------


class PublicOrderIn(Schema):
    community: DbInt
    service: Text(40) | None = Field(None, description=gettext_lazy("服务编号或服务编码"))
    content: Text(TEXT_MAX_LENGTH) = ""
    name: Text(200) = ""
    phone: Text(40) = ""
    address: Text(400) = ""


class PublicOrderOut(Schema):
    code: str = Field(description=gettext_lazy("点单号（凭它和手机号后四位查看、评价）"))
    token: str = Field(description=gettext_lazy("查看进度和评价用的签名令牌"))
    state: str
    state_label: str
    open311_status: str
    summary: str
    deadline: datetime
    done_note: str
    done_at: datetime | None
    rating: int | None
    rating_comment: str

    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_token(obj: Order) -> str:
        return services.rating_token(obj)

    @staticmethod
    def resolve_open311_status(obj: Order) -> str:
        return open311_status(obj.state)


@router.post(
    "/public/orders",
    auth=None,
    response=errors_response({201: PublicOrderOut}),
    summary=gettext_lazy("公开：群众点单（无需登录，按来源地址和手机号限流）"),
)
def public_order_create(request: HttpRequest, payload: PublicOrderIn) -> Any:
    try:
        order = services.create_public_order(
            **payload.model_dump(), client_ip=ratelimit.client_ip(request)
        )
    except services.OrderThrottled:
        raise HttpError(429, "throttled") from None
    return Status(201, order)


def _by_token(token: str) -> Order:
    try:
        return services.order_for_token(token)
    except services.RatingLinkInvalid as exc:
        raise PermissionDenied(str(exc)) from None


@router.get(
    "/public/orders/{token}",
    auth=None,
    response=errors_response({200: PublicOrderOut}),
    summary=gettext_lazy("公开：点单进度（凭签名令牌）"),
)
def public_order_status(request: HttpRequest, token: str) -> Any:
    return _by_token(token[:400])


class RateIn(Schema):
    rating: int | None = Field(None, description=gettext_lazy("1到5星"))
    comment: Text(LINE_MAX_LENGTH) = ""


@router.post(
    "/public/orders/{token}/rate",
    auth=None,
    response=errors_response({200: PublicOrderOut}),
    summary=gettext_lazy("公开：群众确认办结并评价（只能评价一次）"),
)
def public_order_rate(request: HttpRequest, token: str, payload: RateIn) -> Any:
    order = _by_token(token[:400])
    return services.order_rate(order=order, rating=payload.rating, comment=payload.comment)


# --- complaints (群众投诉) ----------------------------------------------------------------------


class ComplaintOut(Schema):
    id: int
    subject: str
    subject_label: str
    order_id: int | None
    order_code: str = Field(description=gettext_lazy("投诉的点单号（投诉点单办理时）"))
    problem_code: str = Field(description=gettext_lazy("问题墙的问题编号（投诉问题办理时）"))
    community_id: int
    source: str
    source_label: str
    content: str
    members: list[MemberRef] = Field(description=gettext_lazy("被投诉党员"))
    state: str
    state_label: str
    finding: str = Field(description=gettext_lazy("核实情况，或不属实的理由"))
    created_at: datetime
    verified_at: datetime | None

    resolve_subject_label = choice_label("subject")
    resolve_source_label = choice_label("source")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_order_code(obj: Complaint) -> str:
        return obj.order.code if obj.order_id is not None else ""

    @staticmethod
    def resolve_members(obj: Complaint) -> list[Any]:
        return list(obj.members.all())


class ComplaintDetailOut(ComplaintOut):
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))


ComplaintPage = page_of(ComplaintOut)


class ComplaintFilters(ListParams):
    state: ComplaintState | None = Field(None, description=gettext_lazy("状态"))


@router.get(
    "/complaints", response=errors_response({200: ComplaintPage}), summary=gettext_lazy("群众投诉")
)
def complaint_list(request: HttpRequest, filters: Query[ComplaintFilters]) -> Any:
    return paginate(complaints.complaints(request.user, state=filters.state or ""), filters)


def _complaint_for(request: HttpRequest, complaint_id: int) -> Complaint:
    return get_object_for(
        user=request.user,
        model=Complaint,
        pk=complaint_id,
        queryset=Complaint.objects.select_related("order", "community", "organization"),
    )


def _complaint_detail(request: HttpRequest, complaint_id: int) -> Complaint:
    obj = _complaint_for(request, complaint_id)
    obj.actions = actions(request.user, obj)
    return obj


@router.get(
    "/complaints/{complaint_id}",
    response=errors_response({200: ComplaintDetailOut}),
    summary=gettext_lazy("一条群众投诉"),
)
def complaint_detail(request: HttpRequest, complaint_id: int) -> Any:
    return _complaint_detail(request, complaint_id)


class ComplaintIn(Schema):
    subject: Text(10) = Field(
        "", description=gettext_lazy("order（点单办理）或 problem（问题办理）")
    )
    order_code: Text(20) = ""
    problem_code: Text(20) = ""
    community: DbInt | None = Field(None, description=gettext_lazy("问题所在社区（投诉问题时）"))
    member: DbInt | None = Field(None, description=gettext_lazy("被投诉党员编号（知道时）"))
    name: Text(complaints.MAX_NAME) = ""
    phone: Text(complaints.MAX_PHONE) = ""
    content: Text(TEXT_MAX_LENGTH) = ""


@router.post(
    "/complaints",
    response=errors_response({201: ComplaintDetailOut}),
    summary=gettext_lazy("代录电话投诉"),
)
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    require_can(request.user, Action.ADD, Complaint)
    obj = complaints.complaint_record(actor=request.user, **payload.model_dump())
    return Status(201, _complaint_detail(request, obj.pk))


add_step_endpoints(
    router,
    model=Complaint,
    param="complaint_id",
    fetch=_complaint_for,
    response=ComplaintDetailOut,
    result=lambda request, obj: _complaint_detail(request, obj.pk),
    paths={
        "confirm": "/complaints/{complaint_id}/confirm",
        "dismiss": "/complaints/{complaint_id}/dismiss",
    },
)


class PublicComplaintIn(Schema):
    content: Text(TEXT_MAX_LENGTH) = ""


class PublicComplaintOut(Schema):
    id: int
    content: str
    state: str
    state_label: str
    finding: str = Field(description=gettext_lazy("核实情况，或不属实的理由（核实后）"))
    created_at: datetime
    verified_at: datetime | None

    resolve_state_label = choice_label("state")


@router.get(
    "/public/orders/{token}/complaints",
    auth=None,
    response=errors_response({200: list[PublicComplaintOut]}),
    summary=gettext_lazy("公开：这张点单的投诉及核实结果（凭签名令牌）"),
)
def public_complaint_list(request: HttpRequest, token: str) -> Any:
    return complaints.order_complaints(_by_token(token[:400]))


@router.post(
    "/public/orders/{token}/complaints",
    auth=None,
    response=errors_response({201: PublicComplaintOut}),
    summary=gettext_lazy("公开：群众投诉点单的办理（凭签名令牌，限流）"),
)
def public_complaint_create(request: HttpRequest, token: str, payload: PublicComplaintIn) -> Any:
    order = _by_token(token[:400])
    try:
        obj = complaints.complaint_from_resident(
            order=order, content=payload.content, client_ip=ratelimit.client_ip(request)
        )
    except complaints.ComplaintThrottled:
        raise HttpError(429, "throttled") from None
    return Status(201, obj)
