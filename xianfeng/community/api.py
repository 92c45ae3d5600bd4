"""API for mobile members' fellow townsmen (流动党员结对老乡) and their contacts. Lists through
``xianfeng.community.selectors`` (the pages use the same ones); writes through
``xianfeng.community.services``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from xianfeng.community import selectors, services
from xianfeng.community.models import Townsman, TownsmanContact
from xianfeng.core.api import (
    ListParams,
    errors_response,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.people.models import Person
from xianfeng.visits.services import household_for_visit
from xianfeng.work.api import MemberRef

TOWNSMEN_TAGS = [gettext_lazy("流动党员结对老乡")]
router = Router(tags=TOWNSMEN_TAGS)


class TownsmanOut(Schema):
    id: int
    member: MemberRef
    person_id: int | None
    name: str
    phone: str = Field(description=gettext_lazy("已打码"))
    hometown: str
    whereabouts: str
    note: str
    active: bool
    state: str
    actions: list[str] = Field(description=gettext_lazy("当前用户此刻可以办理的步骤"))

    @staticmethod
    def resolve_actions(obj: Townsman, context: dict[str, Any]) -> list[str]:
        return actions(context["request"].user, obj)

    contact_count: int = 0
    last_contact: datetime | None = None

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.phone_masked


class ContactOut(Schema):
    id: int
    townsman_id: int
    member: MemberRef
    way: str
    contacted_at: datetime
    purposes: list[str]
    findings: str
    raises_hazard: bool
    visit_id: int | None


class TownsmanIn(Schema):
    name: Text(50) = Field(
        "", max_length=50, description=gettext_lazy("姓名（选了登记人员时可省略）")
    )
    phone: Text(20) = Field("", max_length=20)
    person: DbInt | None = Field(None, description=gettext_lazy("登记人员编号（可选）"))
    hometown: Text(100) = Field("", max_length=100)
    whereabouts: Text(200) = Field("", max_length=200)
    note: Text(200) = Field("", max_length=200)


class ContactIn(Schema):
    way: Text(LINE_MAX_LENGTH) = Field(description="visit、phone、message、gathering")
    contacted_at: datetime | None = Field(None, description=gettext_lazy("默认现在；不能晚于现在"))
    purposes: list[Text(LINE_MAX_LENGTH)] = Field(
        description=gettext_lazy("safety、policy、info、talk、care 中的一项或几项")
    )
    findings: Text(TEXT_MAX_LENGTH) = ""
    raises_hazard: bool = False
    household: DbInt | None = Field(
        None, description=gettext_lazy("上门走访登记住户时：同时保存一条走访记录")
    )
    client_key: Text(64) = Field("", max_length=64, description=gettext_lazy("幂等键"))


class TownsmanFilters(ListParams):
    mine: bool = Field(False, description=gettext_lazy("只看我结对的"))
    ended: bool = Field(False, description=gettext_lazy("包括已结束结对的"))


@router.get(
    "/townsmen",
    response=errors_response({200: page_of(TownsmanOut)}),
    summary=gettext_lazy("结对老乡"),
)
def townsman_list(request: HttpRequest, filters: Query[TownsmanFilters]) -> Any:
    return paginate(
        selectors.townsmen(request.user, mine=filters.mine, ended=filters.ended), filters
    )


def _townsman(request: HttpRequest, townsman_id: int) -> Any:
    return get_object_for(
        user=request.user,
        model=Townsman,
        pk=townsman_id,
        queryset=selectors.townsmen(request.user, ended=True),
    )


@router.get(
    "/townsmen/{townsman_id}",
    response=errors_response({200: TownsmanOut}),
    summary=gettext_lazy("老乡详情"),
)
def townsman_detail(request: HttpRequest, townsman_id: int) -> Any:
    return _townsman(request, townsman_id)


@router.post(
    "/townsmen",
    response=errors_response({201: TownsmanOut}),
    summary=gettext_lazy("结对老乡（流动党员本人）"),
)
def townsman_create(request: HttpRequest, payload: TownsmanIn) -> Any:
    require_can(request.user, Action.ADD, Townsman)
    data = payload.model_dump()
    person = visible_one(Person, data.pop("person"), user=request.user, field="person")
    townsman = services.townsman_add(actor=request.user, person=person, **data)
    return Status(201, _townsman(request, townsman.pk))


@router.get(
    "/townsmen/{townsman_id}/contacts",
    response=errors_response({200: page_of(ContactOut)}),
    summary=gettext_lazy("与老乡的联系记录"),
)
def townsman_contacts(request: HttpRequest, townsman_id: int, filters: Query[ListParams]) -> Any:
    townsman = _townsman(request, townsman_id)
    return paginate(selectors.townsman_contacts(request.user, townsman), filters)


@router.post(
    "/townsmen/{townsman_id}/contacts",
    response=errors_response({201: ContactOut, 200: ContactOut}),
    summary=gettext_lazy("登记与老乡的联系"),
)
def townsman_contact_create(request: HttpRequest, townsman_id: int, payload: ContactIn) -> Any:
    require_can(request.user, Action.ADD, TownsmanContact)
    townsman = _townsman(request, townsman_id)
    data = payload.model_dump()
    household = None
    if data["household"] is not None:
        household = household_for_visit(user=request.user, pk=data["household"])
    data["household"] = household
    data["contacted_at"] = data["contacted_at"] or timezone.now()
    key = request.headers.get("Idempotency-Key", "") or data.pop("client_key")
    data.pop("client_key", None)
    contact, created = services.townsman_contact_log(
        actor=request.user, townsman=townsman, client_key=key, **data
    )
    return Status(201 if created else 200, contact)


# Ending a pairing, from the declaration in community/workflows.py.
add_step_endpoints(
    router,
    model=Townsman,
    param="townsman_id",
    fetch=_townsman,
    response=TownsmanOut,
    result=lambda request, townsman: _townsman(request, townsman.pk),
    paths={"end": "/townsmen/{townsman_id}/end"},
)
