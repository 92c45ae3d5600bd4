"""Pages of organizational life, mobile first: the meetings list, planning a meeting, a
meeting's page (sign in on a phone, 书记代签, minutes, decisions, photos, the steps its
workflow declares, history) and the community's public page of joint-meeting decisions
(一事一议一公开, no account needed). Lists through ``xianfeng.meetings.selectors``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core import workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import get_object_for
from xianfeng.core.views import ScopedView, ServiceFormView, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.meetings import selectors, services
from xianfeng.meetings.choices import MeetingKind, MeetingState
from xianfeng.meetings.forms import MeetingPlanForm
from xianfeng.meetings.models import Meeting
from xianfeng.meetings.workflows import organizer
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember

LIST_FILTERS = ("kind", "state", "invited")


def _id(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 18 else None


class MeetingListView(ScopedView):
    model = Meeting

    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        qs = selectors.meetings(
            request.user,
            kind=g.get("kind") if g.get("kind") in MeetingKind.values else None,
            state=g.get("state") if g.get("state") in MeetingState.values else None,
            invited=g.get("invited") == "1",
        )
        params = {k: g[k] for k in LIST_FILTERS if g.get(k)}
        return render(
            request,
            "meetings/meeting_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "kinds": MeetingKind.choices,
                "can_plan": self.can(Action.ADD),
                "has_member": member_of(request.user) is not None,
            },
        )


class MeetingPlanView(ServiceFormView):
    model = Meeting
    title_text = _("计划召开会议")
    submit_label = _("保存计划")
    success_message = _("会议已计划，受邀党员可在会议当天用手机签到。")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return None

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("meetings:meeting_list")

    def make_form(self, target: Any, data: Any = None) -> Any:
        units = services.unit_choices(self.request.user)
        return MeetingPlanForm(data, user=self.request.user, units=units)

    def perform(self, form: Any, target: Any) -> Meeting:
        data = form.cleaned_data
        organization = data["organization"]
        invitees: list[int] = []
        if data["invite_all"]:
            invitees = list(
                PartyMember.objects.restrict(self.request.user)
                .filter(branch__path__startswith=organization.path)
                .order_by("pk")
                .values_list("pk", flat=True)[: services.MAX_INVITEES]
            )
        return services.meeting_plan(
            actor=self.request.user,
            organization=organization,
            kind=data["kind"],
            topic=data["topic"],
            starts_at=data["starts_at"],
            place=data["place"],
            agenda=data["agenda"],
            invitees=invitees,
            units=list(data["units"]),
        )


def _meeting(request: HttpRequest, pk: Any) -> Meeting:
    return get_object_for(
        user=request.user,
        model=Meeting,
        pk=pk,
        queryset=Meeting.objects.select_related("organization", "convener", "created_by"),
    )


def meeting_page(request: HttpRequest, meeting: Meeting, status: int = 200) -> HttpResponse:
    user = request.user
    member = member_of(user)
    attendees = list(
        meeting.attendees.select_related("member__person", "member__branch", "signed_by")
    )
    mine = next((a for a in attendees if member is not None and a.member_id == member.pk), None)
    is_organizer = organizer(meeting, user) is None
    open_for_sign_in = meeting.state in (MeetingState.PLANNED, MeetingState.HELD)
    steps = workflow.available(user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": attendees,
            "present": sum(1 for a in attendees if a.present),
            "invited": sum(1 for a in attendees if a.invited),
            "mine": mine,
            "can_sign_in": member is not None and open_for_sign_in and not (mine and mine.present),
            "is_organizer": is_organizer,
            "can_record": is_organizer and open_for_sign_in,
            "absent": [a for a in attendees if not a.present],
            "decisions": list(meeting.decisions.all()),
            "photos": list(meeting.photos.all()),
            "units": list(meeting.units.all()),
            "steps": steps,
            "history": history_rows(meeting),
        },
        status=status,
    )


class MeetingDetailView(ScopedView):
    model = Meeting

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return meeting_page(request, _meeting(request, pk))


class _MeetingPost(ScopedView):
    """POST a form of the meeting's page to a service; a refusal shows the page again with
    its message and status (403, 409, 400)."""

    model = Meeting
    success = ""

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = _meeting(request, pk)
        try:
            self.act(request, meeting)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您的角色无权进行此操作。"))
            return meeting_page(request, _meeting(request, pk), status=403)
        except ValidationError as exc:
            codes = {e.code for e in _errors(exc)}
            for message in exc.messages:
                messages.error(request, message)
            status = 409 if codes & {"invalid_state", "unique"} else 400
            return meeting_page(request, _meeting(request, pk), status=status)
        messages.success(request, str(self.success))
        return redirect(meeting.get_absolute_url())


def _errors(exc: ValidationError) -> list[ValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return list(exc.error_list)


class SignInView(_MeetingPost):
    """本人签到 on a phone (a reason when not invited: 列席)."""

    success = _("签到成功。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        services.attendance_sign_in(
            actor=request.user, meeting=meeting, reason=request.POST.get("reason", "")[:200]
        )


class RecordView(_MeetingPost):
    """书记代签: the organizer marks a member present."""

    success = _("已代为签到。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        if organizer(meeting, request.user):
            raise PermissionDenied(organizer(meeting, request.user))
        member = (
            PartyMember.objects.restrict(request.user)
            .select_related("person", "branch")
            .filter(pk=_id(request.POST.get("member")))
            .first()
        )
        if member is None:
            raise ValidationError({"member": _("所选党员不存在或不在您的管辖范围内。")})
        services.attendance_record(
            actor=request.user, meeting=meeting, member=member, note=request.POST.get("note", "")
        )


class MinutesView(_MeetingPost):
    success = _("纪要已保存（尚未公开）。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        services.minutes_save(
            actor=request.user, meeting=meeting, minutes=request.POST.get("minutes", "")[:20000]
        )


class DecisionView(_MeetingPost):
    success = _("决议已登记，将随纪要一同公开。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        services.decision_add(
            actor=request.user,
            meeting=meeting,
            text=request.POST.get("text", "")[:300],
            responsible=request.POST.get("responsible", "")[:120],
        )


class PhotosView(_MeetingPost):
    success = _("照片已上传。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        services.photos_add(
            actor=request.user, meeting=meeting, uploads=request.FILES.getlist("photos")
        )


class MeetingStepView(StepView):
    """POST /meetings/<pk>/<step>/: hold, publish, revise, cancel."""

    model = Meeting

    def object_page(self, request: HttpRequest, obj: Meeting) -> HttpResponse:
        return meeting_page(request, _meeting(request, obj.pk))


class PublicDecisionsView(View):
    """一事一议一公开: a community's joint-meeting decisions, for residents (no login)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        community = Organization.objects.filter(pk=pk, kind=OrgKind.COMMUNITY).first()
        if community is None:
            raise Http404(_("社区不存在。"))
        return render(
            request,
            "meetings/public_decisions.html",
            {
                "community": community,
                "page": paginate(request, selectors.public_decisions(community)),
                "today": timezone.localdate(),
            },
        )
