"""The API of 评优评先征求社区意见 under ``/api/v1/``: the list in scope, a unit's request,
one consultation, and one endpoint per workflow step (agree, disagree). Errors answer
``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status

from xianfeng.core.api import ListParams, choice_label, errors_response, page_of, paginate
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.scoring import awards
from xianfeng.scoring.models import AwardOpinion

router = Router(tags=[gettext_lazy("评优评先征求社区意见")])


class AwardOpinionOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    member_id: int | None
    member_name: str
    community_id: int
    community_name: str
    award: str
    year: int
    reason: str
    state: str
    state_label: str
    requested_by_id: int
    requested_at: datetime
    answer: str
    answered_by_id: int | None
    answered_at: datetime | None
    actions: list[str] = []

    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_organization_name(obj: AwardOpinion) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_community_name(obj: AwardOpinion) -> str:
        return obj.community.name

    @staticmethod
    def resolve_member_name(obj: AwardOpinion) -> str:
        return obj.member.person.name if obj.member_id else ""


class AwardOpinionFilters(ListParams):
    state: Text(20) | None = None
    year: int | None = None


@router.get(
    "/scoring/award-opinions",
    response=errors_response({200: page_of(AwardOpinionOut)}),
    summary=gettext_lazy("评优评先征求社区意见（管辖范围内的）"),
)
def opinion_list(request: HttpRequest, filters: Query[AwardOpinionFilters]) -> Any:
    qs = awards.opinions(request.user, state=filters.state or "", year=filters.year)
    return paginate(qs, filters)


class AwardOpinionIn(Schema):
    unit_id: DbInt
    community_id: DbInt
    member_id: DbInt | None = None
    award: Text(60) = ""
    year: int | None = None
    reason: Text(500) = ""


def _opinion(request: HttpRequest, pk: int) -> AwardOpinion:
    obj = get_object_for(
        user=request.user,
        model=AwardOpinion,
        pk=pk,
        queryset=AwardOpinion.objects.select_related("organization", "community", "member__person"),
    )
    obj.actions = actions(request.user, obj)
    return obj


@router.post(
    "/scoring/award-opinions",
    response=errors_response({201: AwardOpinionOut}),
    summary=gettext_lazy("驻区单位就评优评先征求社区党组织意见"),
)
def opinion_create(request: HttpRequest, payload: AwardOpinionIn) -> Any:
    # The unit and the member are read in the user's scope (one out of reach is "not
    # chosen"); the community among those the user may ask (``awards.communities_for``, the
    # service checks it again); the service checks that the member is the unit's and reported
    # to the community.
    unit = Organization.objects.restrict(request.user).filter(pk=payload.unit_id).first()
    community = (
        awards.communities_for(request.user, [unit] if unit is not None else [])
        .filter(pk=payload.community_id)
        .first()
    )
    if community is None and unit is not None:
        raise ValidationError(
            {
                "community_id": _(
                    "所选社区不在您的管辖范围内：只能征求本单位所在街道、本单位党员报到的社区的意见。"
                )
            }
        )
    member = None
    if payload.member_id is not None:
        member = (
            PartyMember.objects.restrict(request.user)
            .select_related("branch")
            .filter(pk=payload.member_id)
            .first()
        )
        if member is None:
            raise ValidationError({"member_id": _("请选择本单位在该社区报到的党员。")})
    obj = awards.opinion_request(
        actor=request.user,
        unit=unit,
        community=community,
        member=member,
        award=payload.award,
        year=payload.year,
        reason=payload.reason,
    )
    return Status(201, _opinion(request, obj.pk))


@router.get(
    "/scoring/award-opinions/{opinion_id}",
    response=errors_response({200: AwardOpinionOut}),
    summary=gettext_lazy("一件评优评先征求意见"),
)
def opinion_detail(request: HttpRequest, opinion_id: DbInt) -> Any:
    return _opinion(request, opinion_id)


add_step_endpoints(
    router,
    model=AwardOpinion,
    param="opinion_id",
    fetch=lambda request, pk: get_object_for(user=request.user, model=AwardOpinion, pk=pk),
    response=AwardOpinionOut,
    result=lambda request, obj: _opinion(request, obj.pk),
    paths={
        "agree": "/scoring/award-opinions/{opinion_id}/agree",
        "disagree": "/scoring/award-opinions/{opinion_id}/disagree",
    },
)
