"""The meetings API under ``/api/v1/``: meetings (plan, read, sign in, 书记代签, minutes,
decisions, and one endpoint per workflow step from ``xianfeng/meetings/workflows.py``) and a
community's public decisions (一事一议一公开, no account). Lists through
``xianfeng.meetings.selectors``; errors answer ``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
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
from xianfeng.core.services import NotFound, get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.meetings import selectors, services
from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.models import Attendee, Decision, Meeting
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.work.api import MemberRef

router = Router(tags=[gettext_lazy("组织生活")])


class MeetingOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    topic: str
    starts_at: datetime
    place: str
    convener: OrgRef | None
    state: str
    state_label: str
    revisions: int = Field(description=gettext_lazy("纪要公开后修订次数"))
    invited_count: int
    present_count: int

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")


class AttendeeOut(Schema):
    member: MemberRef
    invited: bool
    signed_in_at: datetime | None
    method: str
    reason: str


class DecisionOut(Schema):
    id: int
    order: int
    text: str
    responsible: str


class MeetingDetailOut(MeetingOut):
    agenda: str
    units: list[OrgRef]
    minutes: str
    held_at: datetime | None
    published_at: datetime | None
    revised_at: datetime | None
    cancel_reason: str
    attendees: list[AttendeeOut]
    decisions: list[DecisionOut]
    actions: list[str] = Field(description=gettext_lazy("当前用户可以进行的操作"))

    @staticmethod
    def resolve_units(obj: Meeting) -> list[Organization]:
        return list(obj.units.all())

    @staticmethod
    def resolve_attendees(obj: Meeting) -> list[Attendee]:
        return list(obj.attendees.select_related("member__person"))

    @staticmethod
    def resolve_decisions(obj: Meeting) -> list[Decision]:
        return list(obj.decisions.all())


MeetingPage = page_of(MeetingOut)


class MeetingFilters(ListParams):
    kind: MeetingKind | None = Field(None, description=gettext_lazy("会议类型"))
    state: MeetingState | None = Field(None, description=gettext_lazy("状态"))
    organization: DbInt | None = Field(None, description=gettext_lazy("召开组织编号"))
    invited: bool = Field(False, description=gettext_lazy("只看邀请我的"))


@router.get(
    "/meetings", response=errors_response({200: MeetingPage}), summary=gettext_lazy("会议列表")
)
def meeting_list(request: HttpRequest, filters: Query[MeetingFilters]) -> Any:
    qs = selectors.meetings(
        request.user,
        kind=filters.kind,
        state=filters.state,
        organization=filters.organization,
        invited=filters.invited,
    )
    return paginate(qs, filters)


def _meeting_for(request: HttpRequest, meeting_id: int) -> Meeting:
    return get_object_for(
        user=request.user,
        model=Meeting,
        pk=meeting_id,
        queryset=Meeting.objects.select_related("organization", "convener"),
    )


def _detail(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = selectors.meetings(request.user).filter(pk=meeting_id).first()
    if meeting is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    meeting.actions = actions(request.user, meeting)
    return meeting


@router.get(
    "/meetings/{meeting_id}",
    response=errors_response({200: MeetingDetailOut}),
    summary=gettext_lazy("会议详情"),
)
def meeting_detail(request: HttpRequest, meeting_id: int) -> Any:
    return _detail(request, meeting_id)


class MeetingIn(Schema):
    organization: DbInt
    kind: MeetingKind
    topic: Text(120) = Field(max_length=120)
    starts_at: datetime
    place: Text(120) = Field(max_length=120)
    agenda: Text(TEXT_MAX_LENGTH) = ""
    invitees: list[DbInt] = Field(
        [], max_length=services.MAX_INVITEES, description=gettext_lazy("受邀党员编号")
    )
    units: list[DbInt] = Field(
        [], max_length=50, description=gettext_lazy("成员单位编号（党建联席会议）")
    )
    convener: DbInt | None = Field(
        None, description=gettext_lazy("轮值召集单位（不填则按轮值顺序）")
    )


@router.post(
    "/meetings",
    response=errors_response({201: MeetingDetailOut}),
    summary=gettext_lazy("计划召开会议"),
)
def meeting_create(request: HttpRequest, payload: MeetingIn) -> Any:
    require_can(request.user, Action.ADD, Meeting)
    organization = visible_one(
        Organization, payload.organization, user=request.user, field="organization"
    )
    units = []
    if payload.units:
        units = list(Organization.objects.filter(pk__in=payload.units))
        if len(units) != len(set(payload.units)):
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError({"units": _("所选成员单位不存在。")})
    convener = next((u for u in units if u.pk == payload.convener), None)
    if payload.convener is not None and convener is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"convener": _("轮值召集单位必须是成员单位之一。")})
    meeting = services.meeting_plan(
        actor=request.user,
        organization=organization,
        kind=payload.kind,
        topic=payload.topic,
        starts_at=payload.starts_at,
        place=payload.place,
        agenda=payload.agenda,
        invitees=payload.invitees,
        units=units,
        convener=convener,
    )
    return Status(201, _detail(request, meeting.pk))


class SignInIn(Schema):
    reason: Text(LINE_MAX_LENGTH) = Field(
        "", max_length=LINE_MAX_LENGTH, description=gettext_lazy("未受邀列席的理由")
    )


class RecordIn(Schema):
    member: DbInt
    note: Text(LINE_MAX_LENGTH) = Field("", max_length=LINE_MAX_LENGTH)


@router.post(
    "/meetings/{meeting_id}/sign-in",
    response=errors_response({201: AttendeeOut}),
    summary=gettext_lazy("本人签到"),
)
def meeting_sign_in(request: HttpRequest, meeting_id: int, payload: SignInIn | None = None) -> Any:
    """Invited: signed in. Not invited: 列席 with a reason (a member of the hosting
    organization or a member unit), else 403. Twice: 409 with the time of the first."""
    meeting = _meeting_for(request, meeting_id)
    row = services.attendance_sign_in(
        actor=request.user, meeting=meeting, reason=payload.reason if payload else ""
    )
    return Status(201, row)


@router.post(
    "/meetings/{meeting_id}/attendance",
    response=errors_response({201: AttendeeOut}),
    summary=gettext_lazy("书记代签"),
)
def meeting_record(request: HttpRequest, meeting_id: int, payload: RecordIn) -> Any:
    meeting = _meeting_for(request, meeting_id)
    member = visible_one(
        PartyMember,
        payload.member,
        user=request.user,
        field="member",
        queryset=PartyMember.objects.select_related("person", "branch"),
    )
    row = services.attendance_record(
        actor=request.user, meeting=meeting, member=member, note=payload.note
    )
    return Status(201, row)


class MinutesIn(Schema):
    minutes: Text(TEXT_MAX_LENGTH) = Field(max_length=TEXT_MAX_LENGTH)


@router.put(
    "/meetings/{meeting_id}/minutes",
    response=errors_response({200: MeetingDetailOut}),
    summary=gettext_lazy("填写会议纪要（公开前）"),
)
def meeting_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> Any:
    meeting = _meeting_for(request, meeting_id)
    services.minutes_save(actor=request.user, meeting=meeting, minutes=payload.minutes)
    return _detail(request, meeting_id)


class DecisionIn(Schema):
    text: Text(300) = Field(max_length=300)
    responsible: Text(120) = Field("", max_length=120)


@router.post(
    "/meetings/{meeting_id}/decisions",
    response=errors_response({201: DecisionOut}),
    summary=gettext_lazy("登记决议"),
)
def meeting_decision(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Any:
    meeting = _meeting_for(request, meeting_id)
    decision = services.decision_add(
        actor=request.user, meeting=meeting, text=payload.text, responsible=payload.responsible
    )
    return Status(201, decision)


add_step_endpoints(
    router,
    model=Meeting,
    param="meeting_id",
    fetch=_meeting_for,
    response=MeetingDetailOut,
    result=lambda request, meeting: _detail(request, meeting.pk),
    paths={
        "hold": "/meetings/{meeting_id}/hold",
        "publish": "/meetings/{meeting_id}/publish",
        "revise": "/meetings/{meeting_id}/revise",
        "cancel": "/meetings/{meeting_id}/cancel",
    },
)


class PublicDecisionOut(DecisionOut):
    meeting_id: int
    topic: str
    held_on: datetime
    convener: str

    @staticmethod
    def resolve_topic(obj: Decision) -> str:
        return obj.meeting.topic

    @staticmethod
    def resolve_held_on(obj: Decision) -> datetime:
        return obj.meeting.starts_at

    @staticmethod
    def resolve_convener(obj: Decision) -> str:
        return obj.meeting.convener.display_name if obj.meeting.convener else ""


PublicDecisionPage = page_of(PublicDecisionOut)


@router.get(
    "/public/communities/{community_id}/decisions",
    response=errors_response({200: PublicDecisionPage}),
    summary=gettext_lazy("社区党建联席会议决议公开（一事一议一公开）"),
    auth=None,
)
def public_decisions(request: HttpRequest, community_id: int, filters: Query[ListParams]) -> Any:
    community = Organization.objects.filter(pk=community_id, kind=OrgKind.COMMUNITY).first()
    if community is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("社区不存在。"))
    return paginate(selectors.public_decisions(community), filters)
