"""API for party members (党员). Reads through ``restrict``; writes through
``xianfeng.people.services``. ID numbers and phones are always masked here; the full values
come only from ``POST /persons/{id}/reveal``, which records every reveal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.core.api import (
    ListParams,
    OrgRef,
    PersonRef,
    choice_label,
    errors_response,
    label,
    org_ref,
    page_of,
    paginate_rows,
    person_ref,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.crypto import decrypt_many, stored_token
from xianfeng.core.labels import field_labels
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people import selectors, services
from xianfeng.people.choices import Gender, MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember, Person

router = Router(tags=[gettext_lazy("党员")])


class CommunityRef(Schema):
    id: int
    name: str


class MemberOut(Schema):
    id: int
    person: PersonRef
    branch: OrgRef
    kind: str
    kind_label: str
    category: str
    category_label: str
    status: str
    status_label: str
    joined_on: date | None
    full_member_on: date | None
    work_unit: str
    residence_community: CommunityRef | None
    origin: str
    current_place: str
    created_at: datetime
    updated_at: datetime

    resolve_kind_label = choice_label("kind")
    resolve_category_label = choice_label("category")
    resolve_status_label = choice_label("status")


MemberPage = page_of(MemberOut)


class MemberFilters(ListParams):
    branch: DbInt | None = Field(None, description=gettext_lazy("党组织编号（含其全部下级组织）"))
    kind: MemberKind | None = None
    category: MemberCategory | None = None
    status: MemberStatus | None = None
    due: bool | None = Field(
        None, description=gettext_lazy("只列即将或已满一年、待讨论转正的预备党员")
    )
    q: Text(LINE_MAX_LENGTH) | None = Field(
        None,
        description=gettext_lazy("姓名包含；或全拼、拼音首字母开头（如 wang、zs），与党员页面相同"),
    )


class PersonIn(Schema):
    name: Text(50) = Field(max_length=50)
    id_number: Text(32) | None = Field(None, description=gettext_lazy("18位身份证号"))
    mobile: Text(20) = Field("", description=gettext_lazy("11位手机号"))
    gender: Gender | None = None
    birth_date: date | None = None
    address: Text(200) = Field("", max_length=200)
    note: Text(TEXT_MAX_LENGTH) = ""


class PersonPatch(PersonIn):
    name: Text(50) | None = Field(None, max_length=50)


class MemberFields(Schema):
    kind: MemberKind = MemberKind.COMMUNITY
    category: MemberCategory = MemberCategory.FULL
    status: MemberStatus = MemberStatus.NORMAL
    joined_on: date | None = None
    full_member_on: date | None = None
    work_unit: Text(120) = Field("", max_length=120)
    residence_community: DbInt | None = Field(
        None, description=gettext_lazy("在职党员报到的居住地社区编号")
    )
    origin: Text(120) = Field("", max_length=120)
    current_place: Text(120) = Field("", max_length=120)


class MemberIn(MemberFields):
    branch: DbInt = Field(description=gettext_lazy("所在党组织编号"))
    person: PersonIn


class MemberPatch(MemberFields):
    branch: DbInt | None = None
    person: PersonPatch | None = None
    kind: MemberKind | None = None
    category: MemberCategory | None = None
    status: MemberStatus | None = None


def _member_queryset():
    return PartyMember.objects.select_related("person", "branch", "residence_community")


def _person_data(data: dict[str, Any]) -> dict[str, Any]:
    # A null gender means "not given"; the model derives it from the ID number.
    if data.get("gender") is None:
        data.pop("gender", None)
    return data


def _resolve(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "branch" in data:
        data["branch"] = visible_one(
            Organization, data["branch"], user=request.user, field="branch"
        )
    if data.get("residence_community") is not None:
        # 在职党员 report to the community they live in, which is often outside the branch's
        # subtree; any community of the district may be named (communities are public).
        community = Organization.objects.filter(
            pk=data["residence_community"], kind=OrgKind.COMMUNITY
        ).first()
        if community is None:
            community = visible_one(
                Organization,
                data["residence_community"],
                user=request.user,
                field="residence_community",
                queryset=Organization.objects.filter(kind=OrgKind.COMMUNITY),
            )
        data["residence_community"] = community
    return data


# The columns a ``MemberOut`` shows: the person's encrypted ID number and mobile are decrypted
# only to be masked, as ``PersonRef`` shows them.
MEMBER_COLUMNS = (
    "id",
    "person_id",
    "person__name",
    "person__gender",
    "branch_id",
    "branch__name",
    "branch__code",
    "branch__kind",
    "kind",
    "category",
    "status",
    "joined_on",
    "full_member_on",
    "work_unit",
    "residence_community_id",
    "residence_community__name",
    "origin",
    "current_place",
    "created_at",
    "updated_at",
)


# The person's ID number and mobile as stored (tokens), in this order.
STORED_TOKENS = {
    "id_number_token": stored_token("person__id_number"),
    "mobile_token": stored_token("person__mobile"),
}


def member_rows(page: Any) -> list[dict[str, Any]]:
    """``MemberOut`` of each member of a page of the selector's queryset, from plain rows."""
    kinds = field_labels(PartyMember, "kind")
    categories = field_labels(PartyMember, "category")
    statuses = field_labels(PartyMember, "status")
    rows = []
    page = list(page.values(*MEMBER_COLUMNS, **STORED_TOKENS))
    # the page's ID numbers and mobiles opened at once, to be masked (``decrypt_many``)
    plain = iter(decrypt_many([r[k] for r in page for k in STORED_TOKENS]))
    for r in page:
        id_number, mobile = next(plain), next(plain)
        community = r["residence_community_id"]
        rows.append(
            {
                "id": r["id"],
                "person": person_ref(
                    r["person_id"],
                    r["person__name"],
                    r["person__gender"],
                    id_number,
                    mobile,
                ),
                "branch": org_ref(
                    r["branch_id"], r["branch__name"], r["branch__code"], r["branch__kind"]
                ),
                "kind": r["kind"],
                "kind_label": label(kinds.get(r["kind"], r["kind"])),
                "category": r["category"],
                "category_label": label(categories.get(r["category"], r["category"])),
                "status": r["status"],
                "status_label": label(statuses.get(r["status"], r["status"])),
                "joined_on": r["joined_on"],
                "full_member_on": r["full_member_on"],
                "work_unit": r["work_unit"],
                "residence_community": None
                if community is None
                else {"id": community, "name": r["residence_community__name"]},
                "origin": r["origin"],
                "current_place": r["current_place"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
        )
    return rows


@router.get(
    "/members", response=errors_response({200: MemberPage}), summary=gettext_lazy("党员列表")
)
def member_list(request: HttpRequest, filters: Query[MemberFilters]) -> Any:
    """Party members in the user's scope, by branch in tree order (as on the page)."""
    found = selectors.MemberFilters.from_schema(filters)
    qs = selectors.member_list(user=request.user, filters=found)
    counted = selectors.member_count_rows(user=request.user, filters=found, members=qs)
    return paginate_rows(qs, filters, member_rows, counted=counted)


@router.get(
    "/members/{member_id}",
    response=errors_response({200: MemberOut}),
    summary=gettext_lazy("党员详情"),
)
def member_detail(request: HttpRequest, member_id: int) -> Any:
    return get_object_for(
        user=request.user, model=PartyMember, pk=member_id, queryset=_member_queryset()
    )


@router.post(
    "/members", response=errors_response({201: MemberOut}), summary=gettext_lazy("党员新建")
)
def member_create(request: HttpRequest, payload: MemberIn) -> Any:
    """Register a party member: the person and the membership in one go. The branch must be
    in the user's scope; a duplicate ID number answers 409."""
    require_can(request.user, Action.ADD, PartyMember)
    data = payload.model_dump(exclude_unset=True)
    person = _person_data(data.pop("person"))
    with transaction.atomic():
        data = _resolve(request, data)
        member = services.member_create(
            actor=request.user, branch=data.pop("branch"), person=person, **data
        )
    return Status(201, _member_queryset().get(pk=member.pk))


@router.patch(
    "/members/{member_id}",
    response=errors_response({200: MemberOut}),
    summary=gettext_lazy("党员修改"),
)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch) -> Any:
    """Change the given fields only (``person`` too: only its given fields)."""
    member = get_object_for(
        user=request.user, model=PartyMember, pk=member_id, action=Action.CHANGE
    )
    data = payload.model_dump(exclude_unset=True)
    person = _person_data(data.pop("person", None) or {})
    with transaction.atomic():
        data = _resolve(request, data)
        services.member_update(actor=request.user, member=member, person=person or None, **data)
    return _member_queryset().get(pk=member.pk)


# --- persons/{id}/reveal ---------------------------------------------------------------------


class RevealOut(Schema):
    id: int
    name: str
    id_number: str
    mobile: str


@router.post(
    "/persons/{person_id}/reveal",
    response=errors_response({200: RevealOut}),
    summary=gettext_lazy("查看完整身份证号和手机号（留痕）"),
    tags=[gettext_lazy("人员")],
)
def person_reveal_view(request: HttpRequest, response: HttpResponse, person_id: int) -> Any:
    """Full ID number and mobile of one person in scope; every call is recorded
    (core.SensitiveAccess, channel "api"). Roles without the right (the auditor, a member,
    a unit liaison) get 403; a person outside scope 404."""
    person = get_object_for(user=request.user, model=Person, pk=person_id)
    values = services.person_reveal(user=request.user, person=person, channel="api")
    response["Cache-Control"] = "no-store"
    return {"id": person.pk, "name": person.name, **values}
