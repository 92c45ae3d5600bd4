"""API for the organization tree and pairings (结对共建). Lists read through
``xianfeng.orgs.selectors`` (the same functions as the pages and the export), objects through
``restrict``; writes go through ``xianfeng.orgs.services``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    choice_label,
    errors_response,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.orgs import selectors, services
from xianfeng.orgs.choices import OrgCategory, OrgKind, PairingKind, UnitSituation
from xianfeng.orgs.models import Organization, Pairing

if TYPE_CHECKING:
    from xianfeng.people.models import PartyMember

router = Router(tags=[gettext_lazy("组织")])
PAIRING_TAGS = [gettext_lazy("结对共建")]

# Kinds that pair across scope lines: an agency department takes on a community (部门包居),
# a resident unit co-builds with one (结对共建). A pairing may name such an organization
# even when it lies outside the actor's subtree, as organizations.services.pairing_create allows.
CROSS_SCOPE_PARTNER_KINDS = frozenset(
    {OrgKind.RESIDENT_UNIT, OrgKind.AGENCY, OrgKind.NON_PUBLIC, OrgKind.SOCIAL}
)


# --- schemas ---------------------------------------------------------------------------------


class ParentRef(Schema):
    id: int
    name: str


class SecretaryRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: PartyMember) -> str:
        return obj.person.name


class OrganizationOut(Schema):
    id: int
    parent: ParentRef | None
    kind: str
    kind_label: str
    name: str
    short_name: str
    code: str
    category: str
    category_label: str
    unit_situation: str
    unit_situation_label: str
    unit_name: str
    depth: int
    secretary: SecretaryRef | None
    contact_name: str
    contact_phone: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    established_on: date | None
    sort_order: int
    updated_at: datetime

    resolve_kind_label = choice_label("kind")
    resolve_category_label = choice_label("category")
    resolve_unit_situation_label = choice_label("unit_situation")


class OrganizationDetailOut(OrganizationOut):
    boundary: dict[str, Any] | None
    children_count: int

    @staticmethod
    def resolve_children_count(obj: Organization) -> int:
        return obj.children.count()


OrganizationPage = page_of(OrganizationOut)


class OrganizationFilters(ListParams):
    root: DbInt | None = Field(None, description=gettext_lazy("组织编号（含其全部下级组织）"))
    kind: OrgKind | None = Field(None, description=gettext_lazy("组织类型"))
    parent: DbInt | None = Field(None, description=gettext_lazy("上级组织编号（只列直接下级）"))
    q: Text(LINE_MAX_LENGTH) | None = Field(
        None, description=gettext_lazy("名称、简称或组织代码包含")
    )


class OrganizationFields(Schema):
    """Fields an organization create or update may set (besides parent and kind)."""

    name: Text(120) = Field(max_length=120)
    short_name: Text(60) = Field("", max_length=60)
    code: Text(40) = Field(max_length=40)
    category: OrgCategory = OrgCategory.BRANCH
    unit_situation: UnitSituation = UnitSituation.URBAN_COMMUNITY
    unit_name: Text(120) = ""
    secretary: DbInt | None = Field(None, description=gettext_lazy("书记（党员编号）"))
    contact_name: Text(50) = ""
    contact_phone: Text(20) = ""
    address: Text(200) = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon")
    established_on: date | None = None
    sort_order: DbInt = Field(0, ge=0)


class OrganizationIn(OrganizationFields):
    parent: DbInt = Field(description=gettext_lazy("上级组织编号"))
    kind: OrgKind


class OrganizationPatch(OrganizationFields):
    name: Text(120) | None = Field(None, max_length=120)
    code: Text(40) | None = Field(None, max_length=40)


class MoveIn(Schema):
    parent: DbInt = Field(description=gettext_lazy("新的上级组织编号"))


def _org_queryset():
    return Organization.objects.select_related("parent", "secretary__person")


def _org_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "secretary" in data:
        # The secretary is a party member; people stands above orgs, so the model comes from
        # the foreign key rather than an import.
        member_model = Organization._meta.get_field("secretary").related_model
        data["secretary"] = visible_one(
            member_model,
            data["secretary"],
            user=request.user,
            field="secretary",
            queryset=member_model.objects.select_related("person"),
        )
    return data


# --- organizations ---------------------------------------------------------------------------


@router.get(
    "/organizations",
    response=errors_response({200: OrganizationPage}),
    summary=gettext_lazy("组织列表"),
)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    """Organizations in the user's scope, in tree order."""
    qs = selectors.organization_list(
        user=request.user, filters=selectors.OrganizationFilters.from_schema(filters)
    )
    return paginate(qs.select_related("parent", "secretary__person"), filters)


@router.get(
    "/organizations/{org_id}",
    response=errors_response({200: OrganizationDetailOut}),
    summary=gettext_lazy("组织详情"),
)
def organization_detail(request: HttpRequest, org_id: int) -> Any:
    return get_object_for(
        user=request.user, model=Organization, pk=org_id, queryset=_org_queryset()
    )


@router.post(
    "/organizations",
    response=errors_response({201: OrganizationDetailOut}),
    summary=gettext_lazy("组织新建"),
)
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Any:
    """Create an organization under a parent in the user's scope; the kind must fit the
    parent's (a grid branch under a community, a building group under a grid branch...)."""
    require_can(request.user, Action.ADD, Organization)
    data = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        parent = visible_one(Organization, data.pop("parent"), user=request.user, field="parent")
        org = services.organization_create(
            actor=request.user,
            parent=parent,
            kind=data.pop("kind"),
            name=data.pop("name"),
            code=data.pop("code"),
            **_org_fields(request, data),
        )
    return Status(201, _org_queryset().get(pk=org.pk))


@router.patch(
    "/organizations/{org_id}",
    response=errors_response({200: OrganizationDetailOut}),
    summary=gettext_lazy("组织修改"),
)
def organization_update(request: HttpRequest, org_id: int, payload: OrganizationPatch) -> Any:
    """Change the given fields only. The parent changes through ``/move``, the kind never."""
    org = get_object_for(user=request.user, model=Organization, pk=org_id, action=Action.CHANGE)
    with transaction.atomic():
        data = _org_fields(request, payload.model_dump(exclude_unset=True))
        services.organization_update(actor=request.user, org=org, **data)
    return _org_queryset().get(pk=org.pk)


@router.post(
    "/organizations/{org_id}/move",
    response=errors_response({200: OrganizationDetailOut}),
    summary=gettext_lazy("组织移动（连同下级）"),
)
def organization_move(request: HttpRequest, org_id: int, payload: MoveIn) -> Any:
    """Move an organization and its whole subtree under another parent."""
    org = get_object_for(user=request.user, model=Organization, pk=org_id, action=Action.CHANGE)
    with transaction.atomic():
        parent = visible_one(Organization, payload.parent, user=request.user, field="parent")
        services.organization_move(actor=request.user, org=org, new_parent=parent)
    return _org_queryset().get(pk=org.pk)


@router.delete(
    "/organizations/{org_id}",
    response=errors_response({204: None}),
    summary=gettext_lazy("组织删除"),
)
def organization_delete(request: HttpRequest, org_id: int) -> Any:
    """Delete an empty organization; one with children, members, grids, roles... answers 400
    naming what is still there."""
    org = get_object_for(user=request.user, model=Organization, pk=org_id, action=Action.DELETE)
    with transaction.atomic():
        services.organization_delete(actor=request.user, org=org)
    return Status(204, None)


# --- pairings --------------------------------------------------------------------------------


class PairingOut(Schema):
    id: int
    kind: str
    kind_label: str
    org_a: OrgRef
    org_b: OrgRef
    starts_on: date
    ends_on: date | None
    commitments_a: str
    commitments_b: str
    note: str
    created_at: datetime

    resolve_kind_label = choice_label("kind")


PairingPage = page_of(PairingOut)


class PairingFilters(ListParams):
    kind: PairingKind | None = Field(None, description=gettext_lazy("结对类型"))
    organization: DbInt | None = Field(None, description=gettext_lazy("甲方或乙方为该组织"))


class PairingFields(Schema):
    starts_on: date
    ends_on: date | None = None
    commitments_a: Text(TEXT_MAX_LENGTH) = ""
    commitments_b: Text(TEXT_MAX_LENGTH) = ""
    note: Text(TEXT_MAX_LENGTH) = ""


class PairingIn(PairingFields):
    kind: PairingKind
    org_a: DbInt = Field(description=gettext_lazy("甲方组织编号"))
    org_b: DbInt = Field(description=gettext_lazy("乙方组织编号"))


class PairingPatch(PairingFields):
    kind: PairingKind | None = None
    starts_on: date | None = None


def _pairing_queryset():
    return Pairing.objects.select_related("org_a", "org_b")


def _pairing_side(request: HttpRequest, pk: int, field: str, other_visible: bool) -> Organization:
    org = Organization.objects.restrict(request.user, Action.VIEW).filter(pk=pk).first()
    if org is None and other_visible:
        org = Organization.objects.filter(pk=pk, kind__in=CROSS_SCOPE_PARTNER_KINDS).first()
    if org is None:
        # Raises the same 400 as any other reference the user cannot see.
        org = visible_one(Organization, pk, user=request.user, field=field)
    return org


@router.get(
    "/pairings",
    response=errors_response({200: PairingPage}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("结对共建列表"),
)
def pairing_list(request: HttpRequest, filters: Query[PairingFilters]) -> Any:
    qs = selectors.pairing_list(
        user=request.user, filters=selectors.PairingFilters.from_schema(filters)
    )
    return paginate(qs, filters)


@router.get(
    "/pairings/{pairing_id}",
    response=errors_response({200: PairingOut}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("结对共建详情"),
)
def pairing_detail(request: HttpRequest, pairing_id: int) -> Any:
    return get_object_for(
        user=request.user, model=Pairing, pk=pairing_id, queryset=_pairing_queryset()
    )


@router.post(
    "/pairings",
    response=errors_response({201: PairingOut}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("结对共建新建"),
)
def pairing_create(request: HttpRequest, payload: PairingIn) -> Any:
    """Pair two organizations. One side must be in the user's scope; the other may be a
    resident unit, agency, enterprise or social organization outside it."""
    require_can(request.user, Action.ADD, Pairing)
    data = payload.model_dump(exclude_unset=True)
    org_a_id, org_b_id = data.pop("org_a"), data.pop("org_b")
    visible_ids = set(
        Organization.objects.restrict(request.user, Action.VIEW)
        .filter(pk__in=[org_a_id, org_b_id])
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        org_a = _pairing_side(request, org_a_id, "org_a", org_b_id in visible_ids)
        org_b = _pairing_side(request, org_b_id, "org_b", org_a_id in visible_ids)
        pairing = services.pairing_create(actor=request.user, org_a=org_a, org_b=org_b, **data)
    return Status(201, _pairing_queryset().get(pk=pairing.pk))


@router.patch(
    "/pairings/{pairing_id}",
    response=errors_response({200: PairingOut}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("结对共建修改"),
)
def pairing_update(request: HttpRequest, pairing_id: int, payload: PairingPatch) -> Any:
    pairing = get_object_for(user=request.user, model=Pairing, pk=pairing_id, action=Action.CHANGE)
    with transaction.atomic():
        services.pairing_update(
            actor=request.user, pairing=pairing, **payload.model_dump(exclude_unset=True)
        )
    return _pairing_queryset().get(pk=pairing.pk)


# --- deliveries of a pairing's commitments (承诺履行) ---------------------------------------


class DeliveryOut(Schema):
    id: int
    organization: OrgRef
    done_on: date
    content: str
    created_at: datetime


DeliveryPage = page_of(DeliveryOut)


class DeliveryIn(Schema):
    organization: DbInt = Field(description=gettext_lazy("履行方组织编号（结对的一方，须是本方）"))
    done_on: date
    content: Text(500)


@router.get(
    "/pairings/{pairing_id}/deliveries",
    response=errors_response({200: DeliveryPage}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("承诺履行记录"),
)
def delivery_list(request: HttpRequest, pairing_id: int, params: Query[ListParams]) -> Any:
    pairing = get_object_for(user=request.user, model=Pairing, pk=pairing_id)
    return paginate(selectors.delivery_list(user=request.user, pairing=pairing), params)


@router.post(
    "/pairings/{pairing_id}/deliveries",
    response=errors_response({201: DeliveryOut}),
    tags=PAIRING_TAGS,
    summary=gettext_lazy("登记承诺履行"),
)
def delivery_create(request: HttpRequest, pairing_id: int, payload: DeliveryIn) -> Any:
    """Record what one's own side of the pairing did; the same delivery twice answers 409."""
    pairing = get_object_for(
        user=request.user, model=Pairing, pk=pairing_id, queryset=_pairing_queryset()
    )
    sides = {o.pk: o for o in (pairing.org_a, pairing.org_b)}
    organization = sides.get(payload.organization)
    if organization is None:
        raise ValidationError({"organization": _("履行方须是结对的一方。")})
    delivery = services.pairing_delivery_record(
        actor=request.user,
        pairing=pairing,
        organization=organization,
        done_on=payload.done_on,
        content=payload.content,
    )
    return Status(201, delivery)
