"""Pages of organizational life, mobile first: the meetings list, planning a meeting, a
meeting's page (sign in on a phone, 书记代签, minutes, decisions, photos, the steps its
workflow declares, history) and the community's public page of joint-meeting decisions
(一事一议一公开, no account needed). Lists through ``xianfeng.meetings.selectors``."""

from __future__ import annotations

from datetime import timedelta
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
from xianfeng.meetings import rhythm, selectors, services, votes
from xianfeng.meetings.choices import ItemKind, MeetingKind, MeetingState, SelectionState
from xianfeng.meetings.forms import (
    ContactPointForm,
    MeetingPlanForm,
    PublicityForm,
    RuleForm,
    SelectionForm,
)
from xianfeng.meetings.models import ContactPoint, Meeting, MeetingRule, PublicityEvent, Selection
from xianfeng.meetings.workflows import organizer
from xianfeng.orgs.selectors import public_community
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.public.choices import ProblemCategory

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
            contact_point=data["contact_point"],
        )


def _meeting(request: HttpRequest, pk: Any) -> Meeting:
    return get_object_for(
        user=request.user,
        model=Meeting,
        pk=pk,
        queryset=Meeting.objects.select_related(
            "organization", "convener", "created_by", "contact_point__leader__person"
        ),
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
    closed = services.sign_in_closed(meeting, timezone.now()) if open_for_sign_in else None
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
            "can_sign_in": member is not None
            and open_for_sign_in
            and not closed
            and not (mine and mine.present),
            "sign_in_note": closed if member is not None and mine and not mine.present else "",
            "is_organizer": is_organizer,
            "can_record": is_organizer and open_for_sign_in,
            "absent": [a for a in attendees if not a.present],
            "decisions": list(meeting.decisions.select_related("project")),
            "photos": list(meeting.photos.all()),
            "units": list(meeting.units.all()),
            "steps": steps,
            "history": history_rows(meeting),
            "items": list(meeting.items.select_related("task__assignee__person"))
            if meeting.kind == MeetingKind.ACTIVITY_DAY
            else [],
            "item_kinds": ItemKind.choices,
            "problem_categories": ProblemCategory.choices,
            "projects": _projects(user, meeting) if is_organizer else [],
            "campaigns": services.decision_campaigns(user, meeting)
            if is_organizer and meeting.state in (MeetingState.HELD, MeetingState.PUBLISHED)
            else [],
        },
        status=status,
    )


def _projects(user: Any, meeting: Meeting) -> list[Any]:
    """Projects an activity day's items may be posted under: visible to the organizer, taken on
    by the branch or an organization above it, not yet past their deadline."""
    if meeting.kind != MeetingKind.ACTIVITY_DAY:
        return []
    from xianfeng.work.models import Project

    above = [int(s) for s in meeting.organization.path.split(".") if s]
    return list(
        Project.objects.restrict(user)
        .filter(organization_id__in=above, deadline__gte=timezone.localdate())
        .order_by("deadline")[:50]
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
        community = public_community(pk)
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


# --- rhythms (会议制度) ------------------------------------------------------------------------


def _span(request: HttpRequest) -> tuple[Any, Any]:
    from datetime import date

    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = date(today.year, 1, 1)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    end = max(start, end)
    return max(start, end - timedelta(days=rhythm.MAX_SPAN_DAYS)), end


class RhythmView(ScopedView):
    """The rules (the district edits them), the user's own organizations' due and missed
    meetings, and the assessment figures of the organizations in scope over a span."""

    model = Meeting

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end = _span(request)
        orgs = selectors.rhythm_organizations(request.user)
        page = paginate(request, orgs)
        return render(
            request,
            "meetings/rhythm.html",
            {
                "rules": MeetingRule.objects.all(),
                "can_set": services.may_set_rules(request.user),
                "mine": rhythm.secretary_rows(request.user),
                "page": page,
                "figures": rhythm.figures(page.object_list, start, end),
                "start": start,
                "end": end,
                "querystring": urlencode({"start": start, "end": end}) + "&",
            },
        )


class RuleFormView(ServiceFormView):
    model = Meeting
    submit_label = _("保存")
    success_message = _("会议制度已保存。")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not services.may_set_rules(request.user):
            raise PermissionDenied(_("只有区委组织部可以设置会议制度。"))
        if "pk" not in kwargs:
            return None
        rule = MeetingRule.objects.filter(pk=kwargs["pk"]).first()
        if rule is None:
            raise Http404
        return rule

    def title(self, target: Any) -> str:
        return _("修改会议制度") if target else _("新增会议制度")

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("meetings:rhythm")

    def make_form(self, target: Any, data: Any = None) -> Any:
        initial = {f: getattr(target, f) for f in services.RULE_FIELDS} if target else None
        return RuleForm(data, initial=initial)

    def perform(self, form: Any, target: Any) -> Any:
        services.rule_save(actor=self.request.user, rule=target, **form.cleaned_data)
        return _Redirect("meetings:rhythm")


# --- contact points (基层党建联系点) -------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    year = _id(request.GET.get("year"))
    return year if year and 2000 <= year <= today.year + 1 else today.year


class ContactPointListView(ScopedView):
    """The leaders' contact points in scope and the party lessons each leader gave there in
    the year: who still owes this year's lesson (seed 002)."""

    model = ContactPoint

    def get(self, request: HttpRequest) -> HttpResponse:
        year = _year(request)
        qs = selectors.contact_points(request.user, year=year)
        return render(
            request,
            "meetings/contact_points.html",
            {
                "page": paginate(request, qs),
                "year": year,
                "required": selectors.LESSONS_A_YEAR,
                "querystring": urlencode({"year": year}) + "&",
                "can_add": self.can(Action.ADD),
                "can_change": self.can(Action.CHANGE),
            },
        )


class ContactPointFormView(ServiceFormView):
    model = ContactPoint
    title_text = _("确定联系点")
    submit_label = _("确定")
    success_message = _("联系点已确定：联系领导每年至少为联系点党员上一次党课。")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("只有区委组织部或街道党工委可以确定联系点。"))
        return None

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("meetings:contact_points")

    def make_form(self, target: Any, data: Any = None) -> Any:
        return ContactPointForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Any:
        return services.contact_point_add(actor=self.request.user, **form.cleaned_data)


class ContactPointEndView(ScopedView):
    """POST: end a contact point today (the row and its lessons stay)."""

    model = ContactPoint

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        point = get_object_for(user=request.user, model=ContactPoint, pk=pk, action=Action.CHANGE)
        try:
            services.contact_point_end(
                actor=request.user, point=point, ended_on=timezone.localdate()
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("联系点已结束。"))
        return redirect("meetings:contact_points")


class _Redirect:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(self.name)


# --- fixed activity days and publicity -------------------------------------------------------


class ItemView(_MeetingPost):
    """Add a 学习日 / 议事日 / 活动日 item (a task members claim) to a fixed activity day."""

    success = _("项目已发布，支部党员可在“双领”中认领。")

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        services.activity_item_add(
            actor=request.user,
            meeting=meeting,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", "")[:100],
            project=_id(request.POST.get("project")),
        )


class PublicityListView(ScopedView):
    model = PublicityEvent

    def get(self, request: HttpRequest) -> HttpResponse:
        start, end = _span(request)
        qs = selectors.publicity_events(request.user, start=start, end=end)
        return render(
            request,
            "meetings/publicity_list.html",
            {
                "page": paginate(request, qs),
                "counts": selectors.publicity_counts(request.user, start=start, end=end),
                "start": start,
                "end": end,
                "querystring": urlencode({"start": start, "end": end}) + "&",
                "can_add": self.can(Action.ADD),
            },
        )


class PublicityFormView(ServiceFormView):
    model = PublicityEvent
    title_text = _("登记宣传活动")
    submit_label = _("登记")
    success_message = _("宣传活动已登记。")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return None

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("meetings:publicity_list")

    def make_form(self, target: Any, data: Any = None) -> Any:
        return PublicityForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Any:
        data = {k: v for k, v in form.cleaned_data.items() if k != "photos"}
        return services.publicity_record(
            actor=self.request.user, photos=self.request.FILES.getlist("photos"), **data
        )


# --- selections and votes (评选) ---------------------------------------------------------------


class SelectionListView(ScopedView):
    model = Selection

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = Selection.objects.restrict(request.user).select_related("organization")
        return render(
            request,
            "meetings/selection_list.html",
            {"page": paginate(request, qs), "can_add": self.can(Action.ADD)},
        )


class SelectionCreateView(ServiceFormView):
    model = Selection
    title_text = _("发起评选")
    submit_label = _("发起")
    success_message = _("评选已发起，请提名候选。")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return None

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("meetings:selection_list")

    def make_form(self, target: Any, data: Any = None) -> Any:
        return SelectionForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Any:
        return votes.selection_create(actor=self.request.user, **form.cleaned_data)


def _selection(request: HttpRequest, pk: Any) -> Selection:
    return get_object_for(
        user=request.user,
        model=Selection,
        pk=pk,
        queryset=Selection.objects.select_related("organization"),
    )


def selection_page(
    request: HttpRequest, selection: Selection, status: int = 200, codes: Any = None
) -> HttpResponse:
    from django.urls import reverse

    from xianfeng.core.publicurl import public_url, qr_svg

    vote_url = public_url(reverse("meetings:vote", args=[selection.pk]))
    return render(
        request,
        "meetings/selection_detail.html",
        {
            "selection": selection,
            "candidates": list(votes.results(selection)),
            "ballots": selection.ballots.count(),
            "is_organizer": organizer(selection, request.user) is None,
            "may_audit": votes.audit_refusal(selection, request.user) is None,
            "steps": workflow.available(request.user, selection),
            "codes": codes,
            "vote_url": vote_url,
            "qr": qr_svg(vote_url),
            "history": history_rows(selection),
        },
        status=status,
    )


class SelectionDetailView(ScopedView):
    model = Selection

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return selection_page(request, _selection(request, pk))


class _SelectionPost(ScopedView):
    model = Selection
    success = ""

    def act(self, request: HttpRequest, selection: Selection) -> Any:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selection = _selection(request, pk)
        try:
            extra = self.act(request, selection)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您的角色无权进行此操作。"))
            return selection_page(request, _selection(request, pk), status=403)
        except ValidationError as exc:
            codes = {e.code for e in _errors(exc)}
            for message in exc.messages:
                messages.error(request, message)
            status = 409 if codes & {"invalid_state", "unique"} else 400
            return selection_page(request, _selection(request, pk), status=status)
        if extra is not None:  # codes: shown once, on this answer
            messages.success(request, str(self.success))
            return selection_page(request, _selection(request, pk), codes=extra)
        messages.success(request, str(self.success))
        return redirect(selection.get_absolute_url())


class NominateView(_SelectionPost):
    success = _("已提名。")

    def act(self, request: HttpRequest, selection: Selection) -> None:
        votes.candidate_nominate(
            actor=request.user,
            selection=selection,
            name=request.POST.get("name", "")[:120],
            deeds=request.POST.get("deeds", "")[:5000],
        )


class CodesView(_SelectionPost):
    success = _("投票码已生成，只显示这一次，请打印或抄录后发放。")

    def act(self, request: HttpRequest, selection: Selection) -> list[str]:
        raw = request.POST.get("count", "")
        count = int(raw) if raw.isdigit() and len(raw) < 6 else 0
        return votes.codes_issue(actor=request.user, selection=selection, count=count)


class BallotAuditView(ScopedView):
    """选票审计: every ballot with tags instead of voters and addresses, and the checks (one
    ballot per voter, codes issued and used, the busiest addresses). For the organizers and
    auditors of the selection's organization or above."""

    model = Selection

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        selection = _selection(request, pk)
        refusal = votes.audit_refusal(selection, request.user)
        if refusal:
            raise PermissionDenied(refusal)
        page = paginate(request, votes.audit_ballots(request.user, selection))
        rows = [
            {
                "ballot": b,
                "voter_tag": votes.voter_tag(b.voter),
                "channel": votes.CHANNEL_LABELS.get(b.channel, b.channel),
            }
            for b in page.object_list
        ]
        summary = votes.audit_summary(request.user, selection)
        summary["channels"] = [
            (votes.CHANNEL_LABELS.get(k, k), n) for k, n in sorted(summary["by_channel"].items())
        ]
        return render(
            request,
            "meetings/selection_ballots.html",
            {
                "selection": selection,
                "page": page,
                "rows": rows,
                "summary": summary,
                "one_per_voter": summary["distinct_voters"] == summary["ballots"],
                "codes_match": summary["codes_used"] == summary["by_channel"].get("code", 0),
            },
        )


class SelectionStepView(StepView):
    model = Selection

    def object_page(self, request: HttpRequest, obj: Selection) -> HttpResponse:
        return selection_page(request, _selection(request, obj.pk))


class VoteView(View):
    """The public vote (no account; a member signed in votes as a member), phone first."""

    def _selection(self, pk: int) -> Selection:
        selection = Selection.objects.select_related("organization").filter(pk=pk).first()
        if selection is None:
            raise Http404(_("评选不存在。"))
        return selection

    def _render(self, request: HttpRequest, selection: Selection, status: int = 200, **kw: Any):
        from xianfeng.people.members import member_of

        published = selection.state == SelectionState.PUBLISHED
        user = request.user
        return render(
            request,
            "meetings/vote.html",
            {
                "selection": selection,
                "candidates": list(
                    votes.results(selection) if published else selection.candidates.all()
                ),
                "published": published,
                "as_member": user.is_authenticated and member_of(user) is not None,
                **kw,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._selection(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.core.ratelimit import client_ip

        selection = self._selection(pk)
        try:
            votes.vote_cast(
                selection=selection,
                candidate=_id(request.POST.get("candidate")),
                client_ip=client_ip(request),
                code=request.POST.get("code", "")[:32],
                phone=request.POST.get("phone", "")[:20],
                user=request.user,
            )
        except votes.VoteThrottled as exc:
            response = self._render(request, selection, status=429, error=str(exc))
            response["Retry-After"] = "3600"
            return response
        except PermissionDenied as exc:
            return self._render(request, selection, status=403, error=str(exc))
        except ValidationError as exc:
            codes = {e.code for e in _errors(exc)}
            status = 409 if codes & {"invalid_state", "unique"} else 400
            return self._render(request, selection, status=status, error="；".join(exc.messages))
        return self._render(request, selection, done=True)


class DecisionProblemView(_MeetingPost):
    """A decision to the problem wall (``POST <meeting>/decisions/<decision>/problem/``)."""

    success = _("决议已转为问题墙上的问题。")

    def post(self, request: HttpRequest, pk: int, decision: int = 0) -> HttpResponse:  # type: ignore[override]
        self.decision_pk = decision
        return super().post(request, pk)

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        found = meeting.decisions.filter(pk=self.decision_pk).first()
        if found is None:
            raise Http404
        services.decision_to_problem(
            actor=request.user, decision=found, category=request.POST.get("category", "")
        )


class DecisionProjectView(_MeetingPost):
    """A decision to a project under a campaign
    (``POST <meeting>/decisions/<decision>/project/``)."""

    success = _("决议已转为专项行动项目，可在项目下发布任务。")

    def post(self, request: HttpRequest, pk: int, decision: int = 0) -> HttpResponse:  # type: ignore[override]
        self.decision_pk = decision
        return super().post(request, pk)

    def act(self, request: HttpRequest, meeting: Meeting) -> None:
        from datetime import date

        found = meeting.decisions.filter(pk=self.decision_pk).first()
        if found is None:
            raise Http404
        try:
            deadline = date.fromisoformat(request.POST.get("deadline", ""))
        except ValueError:
            deadline = None
        services.decision_to_project(
            actor=request.user,
            decision=found,
            campaign=_id(request.POST.get("campaign")),
            deadline=deadline,
        )
