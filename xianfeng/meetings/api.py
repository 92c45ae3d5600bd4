"""The meetings API under ``/api/v1/``: meetings (plan, read, sign in, 书记代签, minutes,
decisions, and one endpoint per workflow step from ``xianfeng/meetings/workflows.py``) and a
community's public decisions (一事一议一公开, no account). Lists through
``xianfeng.meetings.selectors``; errors answer ``{"detail": ..., "errors": ...}`` in Chinese."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language, gettext_lazy
from ninja import Field, File, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from xianfeng.core.api import (
    JSON_CONTENT_TYPE,
    ListParams,
    OrgRef,
    choice_label,
    errors_response,
    json_answer,
    page_of,
    paginate,
    require_can,
    visible_one,
)
from xianfeng.core.choices import Action
from xianfeng.core.ratelimit import client_ip
from xianfeng.core.services import NotFound, get_object_for
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.core.workflow import actions
from xianfeng.core.workflow_api import add_step_endpoints
from xianfeng.meetings import publiccache, rhythm, selectors, services, votes
from xianfeng.meetings.choices import ItemKind, MeetingKind, MeetingState, Period
from xianfeng.meetings.models import (
    Attendee,
    ContactPoint,
    Decision,
    Meeting,
    MeetingRule,
    PublicityEvent,
    Selection,
)
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.people.models import PartyMember
from xianfeng.public.choices import ProblemCategory
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
    contact_point_id: int | None = Field(description=gettext_lazy("联系点领导授课的联系点"))
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
    problem_id: int | None = Field(description=gettext_lazy("转为的问题墙问题"))
    project_id: int | None = Field(description=gettext_lazy("转为的专项行动项目"))


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
    contact_point: DbInt | None = Field(
        None, description=gettext_lazy("联系点编号（党课由该联系点的领导授课）")
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
    # Member units are read through the scoping method: the partners of the pairings the
    # actor sees (``unit_choices`` reads ``Pairing.objects.restrict``) — an id outside them
    # is refused without saying whether such an organization exists.
    units: list[Organization] = []
    if payload.units:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        paired = {u.pk: u for u in services.unit_choices(request.user, organization)}
        wanted = list(dict.fromkeys(payload.units))
        strangers = [str(pk) for pk in wanted if pk not in paired]
        if strangers:
            raise ValidationError(
                {
                    "units": _("以下编号的成员单位不存在或未与召开组织结对共建：%(ids)s")
                    % {"ids": "、".join(strangers)}
                }
            )
        units = [paired[pk] for pk in wanted]
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
        contact_point=visible_one(
            ContactPoint, payload.contact_point, user=request.user, field="contact_point"
        ),
    )
    return Status(201, _detail(request, meeting.pk))


class SignInIn(Schema):
    reason: Text(LINE_MAX_LENGTH) = Field(
        "", max_length=LINE_MAX_LENGTH, description=gettext_lazy("未受邀列席的理由")
    )


class AttendanceRecordIn(Schema):
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
def meeting_record(request: HttpRequest, meeting_id: int, payload: AttendanceRecordIn) -> Any:
    from django.core.exceptions import PermissionDenied

    from xianfeng.meetings.workflows import organizer

    meeting = _meeting_for(request, meeting_id)
    # The role before the member: a member who may not record hears 403, not "no such member".
    refusal = organizer(meeting, request.user)
    if refusal:
        raise PermissionDenied(refusal)
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
    """Cached under the community's version (``meetings.publiccache``: every change to its
    meetings, their decisions or an organization's name shows at once) with the page and the
    language; a warm page reads nothing from the database. An unknown community answers 404
    and is not cached."""
    key = (
        f"meetings:public-decisions:{get_language()}:{publiccache.decisions_version(community_id)}"
        f":{community_id}:{filters.page}:{filters.page_size}"
    )
    body = cache.get(key)
    if body is None:
        community = public_community(community_id)
        if community is None:
            from django.utils.translation import gettext as _

            raise NotFound(_("社区不存在。"))
        data = paginate(selectors.public_decisions(community), filters)
        # What django-ninja makes of the returned page (the same schema, dump and renderer),
        # so the cached bytes are the uncached answer's.
        body = json_answer(PublicDecisionPage.model_validate(data).model_dump()).content
        cache.set(key, body, publiccache.PUBLIC_TTL)
    return HttpResponse(body, content_type=JSON_CONTENT_TYPE)


# --- meeting rules and rhythm -------------------------------------------------------------------


class MeetingRuleOut(Schema):
    id: int
    org_kind: str
    org_kind_label: str
    meeting_kind: str
    meeting_kind_label: str
    period: str
    period_label: str
    times: int
    is_active: bool
    basis: str

    resolve_org_kind_label = choice_label("org_kind")
    resolve_meeting_kind_label = choice_label("meeting_kind")
    resolve_period_label = choice_label("period")


class MeetingRuleIn(Schema):
    org_kind: OrgKind
    meeting_kind: MeetingKind
    period: Period
    times: int = Field(1, ge=1, le=31)
    is_active: bool = True
    basis: Text(200) = Field("", max_length=200)


@router.get(
    "/meeting-rules",
    response=errors_response({200: list[MeetingRuleOut]}),
    summary=gettext_lazy("会议制度"),
)
def rule_list(request: HttpRequest) -> Any:
    return list(MeetingRule.objects.all())


@router.post(
    "/meeting-rules",
    response=errors_response({201: MeetingRuleOut}),
    summary=gettext_lazy("新增会议制度（区委组织部）"),
)
def rule_create(request: HttpRequest, payload: MeetingRuleIn) -> Any:
    return Status(201, services.rule_save(actor=request.user, **payload.model_dump()))


@router.put(
    "/meeting-rules/{rule_id}",
    response=errors_response({200: MeetingRuleOut}),
    summary=gettext_lazy("修改会议制度（区委组织部）"),
)
def rule_update(request: HttpRequest, rule_id: int, payload: MeetingRuleIn) -> Any:
    rule = MeetingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    return services.rule_save(actor=request.user, rule=rule, **payload.model_dump())


class RhythmOut(Schema):
    organization: OrgRef
    meeting_kind: str
    period: str
    times: int
    current_start: date | None
    current_end: date | None
    held_now: int
    due: int = Field(description=gettext_lazy("本期还需召开次数"))
    previous_start: date
    previous_end: date
    held_before: int
    missed: int = Field(description=gettext_lazy("上期少开次数"))


def _rhythm_out(row: Any) -> dict[str, Any]:
    return {
        "organization": row.organization,
        "meeting_kind": row.rule.meeting_kind,
        "period": row.rule.period,
        "times": row.rule.times,
        "current_start": row.current[0] if row.current else None,
        "current_end": row.current[1] if row.current else None,
        "held_now": row.held_now,
        "due": row.due,
        "previous_start": row.previous[0],
        "previous_end": row.previous[1],
        "held_before": row.held_before,
        "missed": row.missed,
    }


@router.get(
    "/meeting-rhythm",
    response=errors_response({200: list[RhythmOut]}),
    summary=gettext_lazy("我负责的组织本期待召开和上期未召开的会议"),
)
def my_rhythm(request: HttpRequest) -> Any:
    return [_rhythm_out(r) for r in rhythm.secretary_rows(request.user)]


class FigureItemOut(Schema):
    meeting_kind: str
    required: int
    held: int
    short: int


class FigureOut(Schema):
    organization: OrgRef
    required: int = Field(description=gettext_lazy("应开次数"))
    held: int = Field(description=gettext_lazy("已开次数（不超过应开）"))
    short: int = Field(description=gettext_lazy("缺开次数"))
    items: list[FigureItemOut]


FigurePage = page_of(FigureOut)


class FigureFilters(ListParams):
    start: date = Field(description=gettext_lazy("起始日期"))
    end: date = Field(description=gettext_lazy("截止日期"))


@router.get(
    "/meeting-figures",
    response=errors_response({200: FigurePage}),
    summary=gettext_lazy("会议召开情况（考核用）：范围内各组织应开、已开、缺开"),
)
def meeting_figures(request: HttpRequest, filters: Query[FigureFilters]) -> Any:
    if filters.end < filters.start:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"end": _("截止日期不能早于起始日期。")})
    if (filters.end - filters.start).days > rhythm.MAX_SPAN_DAYS:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"start": _("统计时段最长十年。")})
    page = paginate(selectors.rhythm_organizations(request.user), filters)
    page["results"] = rhythm.figures(page["results"], filters.start, filters.end)
    return page


# --- fixed activity days and publicity ----------------------------------------------------------


class ActivityItemIn(Schema):
    kind: ItemKind
    title: Text(100) = Field(max_length=100)
    project: DbInt = Field(description=gettext_lazy("所属项目编号"))


class ActivityItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    task_id: int
    title: str

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return obj.task.title


@router.post(
    "/meetings/{meeting_id}/items",
    response=errors_response({201: ActivityItemOut}),
    summary=gettext_lazy("发布固定活动日项目（学习日、议事日、活动日）"),
)
def meeting_item(request: HttpRequest, meeting_id: int, payload: ActivityItemIn) -> Any:
    meeting = _meeting_for(request, meeting_id)
    item = services.activity_item_add(
        actor=request.user,
        meeting=meeting,
        kind=payload.kind,
        title=payload.title,
        project=payload.project,
    )
    return Status(201, item)


class PublicityPhotoOut(Schema):
    id: int
    url: str
    content_type: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return obj.image.url


class PublicityOut(Schema):
    id: int
    organization: OrgRef
    theme: str
    held_on: date
    place: str
    sessions: int
    participants: int
    note: str
    photos: list[PublicityPhotoOut]

    @staticmethod
    def resolve_photos(obj: PublicityEvent) -> list[Any]:
        return list(obj.photos.all())


PublicityPage = page_of(PublicityOut)


class PublicityFilters(ListParams):
    organization: DbInt | None = Field(None, description=gettext_lazy("组织编号（含下级）"))
    start: date | None = Field(None, description=gettext_lazy("起始日期"))
    end: date | None = Field(None, description=gettext_lazy("截止日期"))


class PublicityIn(Schema):
    organization: DbInt
    theme: Text(120) = Field(max_length=120)
    held_on: date
    place: Text(120) = Field(max_length=120)
    sessions: int = Field(1, ge=1, le=1000)
    participants: int = Field(ge=0, le=1000000)
    note: Text(TEXT_MAX_LENGTH) = ""


class CountsOut(Schema):
    events: int
    sessions: int = Field(description=gettext_lazy("场次"))
    participants: int = Field(description=gettext_lazy("人次"))


def _scope_org(request: HttpRequest, pk: int | None) -> Organization | None:
    return visible_one(Organization, pk, user=request.user, field="organization")


@router.get(
    "/publicity",
    response=errors_response({200: PublicityPage}),
    summary=gettext_lazy("宣传活动列表"),
)
def publicity_list(request: HttpRequest, filters: Query[PublicityFilters]) -> Any:
    qs = selectors.publicity_events(
        request.user,
        organization=_scope_org(request, filters.organization),
        start=filters.start,
        end=filters.end,
    )
    return paginate(qs, filters)


@router.get(
    "/publicity/counts",
    response=errors_response({200: CountsOut}),
    summary=gettext_lazy("宣传活动场次、人次统计（按范围和时段）"),
)
def publicity_counts(request: HttpRequest, filters: Query[PublicityFilters]) -> Any:
    return selectors.publicity_counts(
        request.user,
        organization=_scope_org(request, filters.organization),
        start=filters.start,
        end=filters.end,
    )


@router.post(
    "/publicity",
    response=errors_response({201: PublicityOut}),
    summary=gettext_lazy("登记宣传活动"),
)
def publicity_create(request: HttpRequest, payload: PublicityIn) -> Any:
    require_can(request.user, Action.ADD, PublicityEvent)
    data = payload.model_dump()
    data["organization"] = _scope_org(request, data["organization"])
    return Status(201, services.publicity_record(actor=request.user, **data))


@router.post(
    "/publicity/{event_id}/photos",
    response=errors_response({201: PublicityOut}),
    summary=gettext_lazy("上传宣传活动照片（multipart/form-data，字段 photos，最多9张）"),
)
def publicity_photos(
    request: HttpRequest, event_id: int, photos: File[list[UploadedFile]] = None
) -> Any:
    event = get_object_for(
        user=request.user,
        model=PublicityEvent,
        pk=event_id,
        queryset=PublicityEvent.objects.select_related("organization"),
    )
    services.publicity_photos_add(actor=request.user, event=event, uploads=photos or [])
    return Status(201, selectors.publicity_events(request.user).get(pk=event.pk))


# --- contact points (基层党建联系点) -------------------------------------------------------------


class ContactPointOut(Schema):
    id: int
    leader: MemberRef = Field(description=gettext_lazy("联系领导"))
    title: str
    organization: OrgRef = Field(description=gettext_lazy("联系点"))
    since: date
    ended_on: date | None
    lessons_held: int = Field(description=gettext_lazy("该年度联系领导在联系点上的党课次数"))
    lessons_required: int = Field(description=gettext_lazy("每年至少应上的党课次数"))

    @staticmethod
    def resolve_lessons_required(obj: ContactPoint) -> int:
        return selectors.LESSONS_A_YEAR


ContactPointPage = page_of(ContactPointOut)


class ContactPointFilters(ListParams):
    year: int | None = Field(None, ge=2000, le=2100, description=gettext_lazy("年度（默认今年）"))
    open_only: bool = Field(False, description=gettext_lazy("只看未结束的联系点"))


class ContactPointIn(Schema):
    leader: DbInt = Field(description=gettext_lazy("联系领导的党员编号"))
    title: Text(60) = Field(max_length=60, description=gettext_lazy("职务"))
    organization: DbInt = Field(description=gettext_lazy("联系点（党组织编号）"))
    since: date


class ContactPointEndIn(Schema):
    ended_on: date


def _with_lessons(request: HttpRequest, pk: int) -> ContactPoint:
    from django.utils import timezone

    year = timezone.localdate().year
    return selectors.contact_points(request.user, year=year).get(pk=pk)


@router.get(
    "/contact-points",
    response=errors_response({200: ContactPointPage}),
    summary=gettext_lazy("基层党建联系点及年度党课"),
)
def contact_point_list(request: HttpRequest, filters: Query[ContactPointFilters]) -> Any:
    from django.utils import timezone

    year = filters.year or timezone.localdate().year
    qs = selectors.contact_points(request.user, year=year, open_only=filters.open_only)
    return paginate(qs, filters)


@router.post(
    "/contact-points",
    response=errors_response({201: ContactPointOut}),
    summary=gettext_lazy("确定联系点"),
)
def contact_point_create(request: HttpRequest, payload: ContactPointIn) -> Any:
    require_can(request.user, Action.ADD, ContactPoint)
    data = payload.model_dump()
    data["organization"] = _scope_org(request, data["organization"])
    point = services.contact_point_add(actor=request.user, **data)
    return Status(201, _with_lessons(request, point.pk))


@router.post(
    "/contact-points/{point_id}/end",
    response=errors_response({200: ContactPointOut}),
    summary=gettext_lazy("结束联系点"),
)
def contact_point_end(request: HttpRequest, point_id: int, payload: ContactPointEndIn) -> Any:
    point = get_object_for(user=request.user, model=ContactPoint, pk=point_id, action=Action.CHANGE)
    services.contact_point_end(actor=request.user, point=point, ended_on=payload.ended_on)
    return _with_lessons(request, point.pk)


# --- selections and votes -----------------------------------------------------------------------


class CandidateOut(Schema):
    id: int
    name: str
    deeds: str
    votes: int = 0


class SelectionOut(Schema):
    id: int
    organization: OrgRef
    kind: str
    kind_label: str
    title: str
    nominate_until: date
    vote_starts: date
    vote_ends: date
    proof: str
    state: str
    state_label: str

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")


class SelectionDetailOut(SelectionOut):
    description: str
    candidates: list[CandidateOut]
    actions: list[str]

    @staticmethod
    def resolve_candidates(obj: Selection) -> list[Any]:
        return list(votes.results(obj))


SelectionPage = page_of(SelectionOut)


@router.get(
    "/selections", response=errors_response({200: SelectionPage}), summary=gettext_lazy("评选")
)
def selection_list(request: HttpRequest, filters: Query[ListParams]) -> Any:
    qs = Selection.objects.restrict(request.user).select_related("organization")
    return paginate(qs, filters)


def _selection_for(request: HttpRequest, selection_id: int) -> Selection:
    return get_object_for(
        user=request.user,
        model=Selection,
        pk=selection_id,
        queryset=Selection.objects.select_related("organization"),
    )


def _selection_detail(request: HttpRequest, selection_id: int) -> Selection:
    selection = _selection_for(request, selection_id)
    selection.actions = actions(request.user, selection)
    return selection


@router.get(
    "/selections/{selection_id}",
    response=errors_response({200: SelectionDetailOut}),
    summary=gettext_lazy("评选详情（候选与得票）"),
)
def selection_detail(request: HttpRequest, selection_id: int) -> Any:
    return _selection_detail(request, selection_id)


class NominateIn(Schema):
    name: Text(120) = Field(max_length=120)
    deeds: Text(TEXT_MAX_LENGTH) = Field(max_length=TEXT_MAX_LENGTH)


@router.post(
    "/selections/{selection_id}/candidates",
    response=errors_response({201: CandidateOut}),
    summary=gettext_lazy("提名候选"),
)
def selection_nominate(request: HttpRequest, selection_id: int, payload: NominateIn) -> Any:
    selection = _selection_for(request, selection_id)
    return Status(
        201,
        votes.candidate_nominate(
            actor=request.user, selection=selection, name=payload.name, deeds=payload.deeds
        ),
    )


class VoteIn(Schema):
    candidate: DbInt


class VoteOut(Schema):
    id: int
    candidate_id: int
    channel: str
    cast_at: datetime


@router.post(
    "/selections/{selection_id}/vote",
    response=errors_response({201: VoteOut}),
    summary=gettext_lazy("党员投票（每名党员一票；群众在公开页面凭投票码或手机号投票）"),
)
def selection_vote(request: HttpRequest, selection_id: int, payload: VoteIn) -> Any:
    from xianfeng.people.members import field_member

    selection = _selection_for(request, selection_id)
    field_member(request.user)
    try:
        ballot = votes.vote_cast(
            selection=selection,
            candidate=payload.candidate,
            client_ip=client_ip(request),
            user=request.user,
        )
    except votes.VoteThrottled:
        raise HttpError(429, "throttled") from None
    return Status(201, ballot)


class BallotAuditOut(Schema):
    id: int
    cast_at: datetime
    candidate: str
    channel: str
    channel_label: str
    voter_tag: str = Field(
        description=gettext_lazy("投票人标记：同一投票人同一标记，不可还原为投票码、手机号或党员")
    )
    client_tag: str = Field(description=gettext_lazy("来源地址标记（不可还原）"))

    @staticmethod
    def resolve_candidate(obj: Any) -> str:
        return obj.candidate.name

    @staticmethod
    def resolve_channel_label(obj: Any) -> str:
        return str(votes.CHANNEL_LABELS.get(obj.channel, obj.channel))

    @staticmethod
    def resolve_voter_tag(obj: Any) -> str:
        return votes.voter_tag(obj.voter)

    @staticmethod
    def resolve_client_tag(obj: Any) -> str:
        return obj.client[:12]


class BallotAuditSummary(Schema):
    ballots: int
    by_channel: dict[str, int]
    codes_issued: int
    codes_used: int
    distinct_voters: int
    busiest_clients: list[dict[str, Any]] = Field(
        description=gettext_lazy("投票最多的来源地址标记及票数（前10）")
    )


BallotAuditPage = page_of(BallotAuditOut)


def _audited_selection(request: HttpRequest, selection_id: int) -> Selection:
    from django.core.exceptions import PermissionDenied

    selection = _selection_for(request, selection_id)
    refusal = votes.audit_refusal(selection, request.user)
    if refusal:
        raise PermissionDenied(refusal)
    return selection


@router.get(
    "/selections/{selection_id}/ballots",
    response=errors_response({200: BallotAuditPage}),
    summary=gettext_lazy("选票审计：逐张选票（投票人、来源地址只显示不可还原的标记）"),
)
def selection_ballots(request: HttpRequest, selection_id: int, filters: Query[ListParams]) -> Any:
    selection = _audited_selection(request, selection_id)
    return paginate(votes.audit_ballots(request.user, selection), filters)


@router.get(
    "/selections/{selection_id}/ballots/summary",
    response=errors_response({200: BallotAuditSummary}),
    summary=gettext_lazy("选票审计：核对（票数、投票码发放与使用、来源地址集中度）"),
)
def selection_ballot_summary(request: HttpRequest, selection_id: int) -> Any:
    selection = _audited_selection(request, selection_id)
    return votes.audit_summary(request.user, selection)


# --- the public vote (no account) ---------------------------------------------------------------


class PublicCandidateOut(Schema):
    id: int
    name: str
    deeds: str
    votes: int | None = Field(None, description=gettext_lazy("得票（结果公布后才有）"))


class PublicSelectionOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str
    description: str
    organization: str
    vote_starts: date
    vote_ends: date
    proof: str = Field(description=gettext_lazy("群众投票方式：code 投票码，phone 手机号"))
    state: str
    state_label: str
    candidates: list[PublicCandidateOut]

    resolve_kind_label = choice_label("kind")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_organization(obj: Selection) -> str:
        return obj.organization.display_name

    @staticmethod
    def resolve_candidates(obj: Selection) -> list[Any]:
        return votes.public_candidates(obj)


def _public_selection(selection_id: int) -> Selection:
    from django.utils.translation import gettext as _

    selection = Selection.objects.select_related("organization").filter(pk=selection_id).first()
    if selection is None:
        raise NotFound(_("评选不存在。"))
    return selection


@router.get(
    "/public/selections/{selection_id}",
    auth=None,
    response=errors_response({200: PublicSelectionOut}),
    summary=gettext_lazy("公开：评选与候选（结果公布后含得票）"),
)
def public_selection(request: HttpRequest, selection_id: int) -> Any:
    """Cached under the selection's version (``meetings.publiccache``: the selection, its
    candidates or an organization's name changed shows at once) and the language; a warm
    answer reads nothing from the database. An unknown selection answers 404, not cached."""
    key = (
        f"meetings:public-selection:{get_language()}:"
        f"{publiccache.selection_version(selection_id)}:{selection_id}"
    )
    body = cache.get(key)
    if body is None:
        selection = _public_selection(selection_id)
        body = json_answer(PublicSelectionOut.model_validate(selection).model_dump()).content
        cache.set(key, body, publiccache.PUBLIC_TTL)
    return HttpResponse(body, content_type=JSON_CONTENT_TYPE)


class PublicVoteIn(Schema):
    candidate: DbInt
    code: Text(32) = Field("", max_length=32, description=gettext_lazy("投票码（按投票码投票时）"))
    phone: Text(20) = Field("", max_length=20, description=gettext_lazy("手机号（按手机号投票时）"))


class PublicVoteOut(Schema):
    selection_id: int
    candidate_id: int
    cast_at: datetime


@router.post(
    "/public/selections/{selection_id}/vote",
    auth=None,
    response=errors_response({201: PublicVoteOut}),
    summary=gettext_lazy(
        "公开：群众投票（无需登录；凭投票码或登记的手机号，每人一票；按来源地址和投票人限流）"
    ),
)
def public_vote(request: HttpRequest, selection_id: int, payload: PublicVoteIn) -> Any:
    """A resident's vote, as the public page casts it. It never votes as the signed-in
    account (this endpoint takes no CSRF token, so a member's session must not vote through
    it: members vote at ``POST /selections/{id}/vote``)."""
    selection = _public_selection(selection_id)
    try:
        ballot = votes.vote_cast(
            selection=selection,
            candidate=payload.candidate,
            client_ip=client_ip(request),
            code=payload.code,
            phone=payload.phone,
            user=None,
        )
    except votes.VoteThrottled:
        raise HttpError(429, "throttled") from None
    return Status(201, ballot)


add_step_endpoints(
    router,
    model=Selection,
    param="selection_id",
    fetch=_selection_for,
    response=SelectionDetailOut,
    result=lambda request, selection: _selection_detail(request, selection.pk),
    paths={
        "open_voting": "/selections/{selection_id}/open-voting",
        "publish": "/selections/{selection_id}/publish",
    },
)


class DecisionProblemIn(Schema):
    category: ProblemCategory
    address: Text(120) = Field("", max_length=120)


class DecisionProblemOut(Schema):
    decision_id: int
    problem_id: int


@router.post(
    "/meetings/{meeting_id}/decisions/{decision_id}/problem",
    response=errors_response({201: DecisionProblemOut}),
    summary=gettext_lazy("决议转为问题墙上的问题"),
)
def decision_problem(
    request: HttpRequest, meeting_id: int, decision_id: int, payload: DecisionProblemIn
) -> Any:
    meeting = _meeting_for(request, meeting_id)
    decision = meeting.decisions.filter(pk=decision_id).first()
    if decision is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    problem = services.decision_to_problem(
        actor=request.user, decision=decision, category=payload.category, address=payload.address
    )
    return Status(201, {"decision_id": decision.pk, "problem_id": problem.pk})


class DecisionProjectIn(Schema):
    campaign: DbInt = Field(description=gettext_lazy("专项行动编号"))
    deadline: date = Field(description=gettext_lazy("完成时限（在专项行动起止日期之内）"))


class DecisionProjectOut(Schema):
    decision_id: int
    project_id: int


@router.post(
    "/meetings/{meeting_id}/decisions/{decision_id}/project",
    response=errors_response({201: DecisionProjectOut}),
    summary=gettext_lazy("决议转为专项行动项目"),
)
def decision_project(
    request: HttpRequest, meeting_id: int, decision_id: int, payload: DecisionProjectIn
) -> Any:
    meeting = _meeting_for(request, meeting_id)
    decision = meeting.decisions.filter(pk=decision_id).first()
    if decision is None:
        from django.utils.translation import gettext as _

        raise NotFound(_("对象不存在或不在您的管辖范围内。"))
    project = services.decision_to_project(
        actor=request.user, decision=decision, campaign=payload.campaign, deadline=payload.deadline
    )
    return Status(201, {"decision_id": decision.pk, "project_id": project.pk})
