"""Pages of in-service members in the community: my service (service place, the year's hours,
logging hours), the community's sessions to confirm, teams, the record for the work unit (with
its PDF), and the 流动党员之家's services. Lists come from the same functions as the API."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community import hours, mobile, records, teams
from xianfeng.community.choices import ActivityKind, MobileServiceKind, Rating, TeamKind
from xianfeng.community.models import (
    MobileService,
    PerformanceRecord,
    ServiceSession,
    Team,
    TeamMembership,
)
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, ServicePlace
from xianfeng.people.selectors import member_choices
from xianfeng.work.models import Task
from xianfeng.work.services import member_of


def _date(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise ValidationError({field: _("日期格式应为2021-03-05。")}) from None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year


class MyServiceView(ScopedView):
    """我的社区服务 (phone first): where the member serves, the year's hours, the form for
    hours after work, their sessions, teams and the community's tasks they may claim."""

    model = ServiceSession

    def _render(self, status: int = 200) -> HttpResponse:
        request = self.request
        member = member_of(request.user)
        year = _year(request)
        context: dict[str, Any] = {"member": member, "year": year, "today": timezone.localdate()}
        if member is not None:
            context.update(
                places=ServicePlace.objects.filter(member=member)
                .select_related("community")
                .order_by("-started_on", "-id")[:10],
                figures=hours.member_year_hours(member, year),
                page=paginate(request, hours.sessions(request.user, member=member, year=year)),
                memberships=TeamMembership.objects.filter(member=member, left_on__isnull=True)
                .select_related("team")
                .order_by("team__name"),
                claimable=Task.objects.restrict(request.user)
                .claimable_by(member)
                .filter(organization__kind=OrgKind.COMMUNITY)
                .select_related("organization")
                .order_by("deadline", "id")[:10],
            )
        return render(request, "community/my_service.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            hours.session_log(
                actor=request.user,
                served_on=_date(request.POST.get("served_on"), "served_on"),
                hours=request.POST.get("hours", ""),
                content=request.POST.get("content", ""),
                photo=request.FILES.get("photo"),
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            _errors(request, exc)
            return self._render(status=400)
        messages.success(request, _("已登记服务时长，待社区确认。"))
        return redirect("work:my_service")


class SessionListView(ScopedView):
    """The community's (and the branch's) service sessions; pending ones to confirm first."""

    model = ServiceSession

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        year = _year(request)
        qs = hours.sessions(request.user, state=state, year=year)
        return render(
            request,
            "community/session_list.html",
            {
                "page": paginate(request, qs),
                "state": state,
                "year": year,
                "totals": hours.year_hours_by_member(request.user, year),
            },
        )


class SessionDetailView(ScopedView):
    model = ServiceSession

    def page(self, request: HttpRequest, session: ServiceSession) -> HttpResponse:
        return render(
            request,
            "community/session_detail.html",
            {"session": session, "history": history_rows(session)},
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        session = self.object_for(
            pk,
            queryset=ServiceSession.objects.select_related(
                "member__person", "organization", "branch"
            ),
        )
        return self.page(request, session)


class SessionStepView(StepView):
    model = ServiceSession

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return SessionDetailView().page(request, obj)


class TeamListView(ScopedView):
    model = Team

    def _render(self, status: int = 200) -> HttpResponse:
        request = self.request
        qs = self.scoped().select_related("organization").order_by("organization__path", "name")
        communities = Organization.objects.restrict(request.user, Action.ADD, rules_of=Team)
        return render(
            request,
            "community/team_list.html",
            {
                "page": paginate(request, qs),
                "can_add": self.can(Action.ADD),
                "communities": communities.filter(kind=OrgKind.COMMUNITY).order_by("path")[:50],
                "kinds": TeamKind.choices,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        pk = request.POST.get("organization", "")
        org = (
            Organization.objects.restrict(request.user).filter(pk=pk).first()
            if pk.isdigit()
            else None
        )
        try:
            team = teams.team_create(
                actor=request.user,
                organization=org,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                duties=request.POST.get("duties", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return self._render(status=400)
        messages.success(request, _("已组建队伍。"))
        return redirect(team.get_absolute_url())


class TeamDetailView(ScopedView):
    """A team: members, activities, tasks it holds; staff add members; members log activities
    and claim tasks for the team."""

    model = Team

    def _render(self, team: Team, status: int = 200) -> HttpResponse:
        request = self.request
        member = member_of(request.user)
        on_team = member is not None and team.has_member(member.pk)
        memberships = team.memberships.filter(left_on__isnull=True).select_related(
            "member__person", "member__branch"
        )
        can_change = Team.objects.restrict(request.user, Action.CHANGE).filter(pk=team.pk).exists()
        claimable = Task.objects.none()
        if on_team:
            claimable = (
                Task.objects.restrict(request.user)
                .claimable_by(member)
                .filter(organization__path__startswith=team.organization.path)
                .order_by("deadline", "id")[:10]
            )
        return render(
            request,
            "community/team_detail.html",
            {
                "team": team,
                "memberships": memberships,
                "activities": team.activities.prefetch_related("participants__person")[:20],
                "team_tasks": team.team_tasks.select_related("task", "claimed_by__person")[:20],
                "team_work": teams.team_work(request.user, team),
                "on_team": on_team,
                "can_change": can_change,
                "claimable": claimable,
                # the member picker (people's, searched as one types): the community's members
                # and those serving there, read through restrict(serving=True)
                **(member_choices(request.user, "", team.organization_id) if can_change else {}),
                "activity_kinds": ActivityKind.choices,
                "today": timezone.localdate(),
            },
            status=status,
        )

    def _get(self, pk: int) -> Team:
        return teams.team_for(self.request.user, pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._get(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        team = self._get(pk)
        what = request.POST.get("do", "")
        try:
            if what == "member":
                code = request.POST.get("member", "").strip()
                found = (
                    PartyMember.objects.restrict(request.user, serving=True)
                    .select_related("person", "branch")
                    .filter(pk=int(code))
                    .first()
                    if code.isdigit()
                    else None
                )
                if not code.isdigit():
                    raise ValidationError({"member": _("请选择要加入队伍的党员。")})
                if found is None:
                    raise ValidationError(
                        {"member": _("只有本社区党员和在本社区报到的在职党员可以加入队伍。")}
                    )
                teams.team_member_add(actor=request.user, team=team, member=found)
                messages.success(request, _("已加入队伍。"))
            elif what == "claim":
                task_pk = request.POST.get("task", "")
                task = (
                    Task.objects.restrict(request.user).filter(pk=task_pk).first()
                    if task_pk.isdigit()
                    else None
                )
                if task is None:
                    raise ValidationError({"task": _("请选择任务。")})
                teams.team_task_claim(actor=request.user, team=team, task=task)
                messages.success(request, _("已以队伍名义认领任务。"))
            elif what == "activity":
                ids = [int(v) for v in request.POST.getlist("participants") if v.isdigit()]
                participants = teams.team_participants(actor=request.user, team=team, ids=ids)
                teams.team_activity_log(
                    actor=request.user,
                    team=team,
                    kind=request.POST.get("kind", ""),
                    held_on=_date(request.POST.get("held_on"), "held_on"),
                    hours=request.POST.get("hours", ""),
                    content=request.POST.get("content", ""),
                    place=request.POST.get("place", ""),
                    participants=participants,
                )
                messages.success(request, _("已登记队伍活动。"))
            else:
                raise ValidationError(_("未知的操作。"))
        except ValidationError as exc:
            _errors(request, exc)
            return self._render(team, status=400)
        return redirect(team.get_absolute_url())


class RecordListView(ScopedView):
    """进社区现实表现鉴定: the records in scope, and the in-service members who reported to no
    community (the work unit's list)."""

    model = PerformanceRecord

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "community/record_list.html",
            {
                "page": paginate(request, records.records(request.user)),
                "unreported": records.unreported_members(request.user)[:50],
                "unreported_count": records.unreported_members(request.user).count(),
                "writes": self.can(Action.ADD),
            },
        )


class RecordDueView(ScopedView):
    """The community's list for the yearly records: the members who served there in the year,
    their hours, and whether the year's record is written, with the link to write it."""

    model = PerformanceRecord

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("只有党员报到社区的管理人员可以填写现实表现鉴定。"))
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else records.record_year()
        due = records.places_due(request.user, year)
        return render(
            request,
            "community/record_due.html",
            {
                "page": paginate(request, due),
                "year": year,
                "unwritten": records.unwritten_count(request.user, year),
                "querystring": f"year={year}&",
                "years": range(records.record_year(), records.record_year() - 3, -1),
            },
        )


class RecordCreateView(ScopedView):
    """The community writes a member's record (yearly or for a period)."""

    model = PerformanceRecord

    def _place(self, pk: Any) -> ServicePlace:
        place = (
            ServicePlace.objects.restrict(self.request.user)
            .select_related("member__person", "member__branch", "community")
            .filter(pk=pk)
            .first()
            if str(pk).isdigit()
            else None
        )
        if place is None:
            from xianfeng.core.services import NotFound

            raise NotFound(_("对象不存在或不在您的管辖范围内。"))
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return place

    def _render(self, place: ServicePlace, status: int = 200) -> HttpResponse:
        raw = self.request.GET.get("year", "")
        default = records.record_year()
        chosen = int(raw) if raw.isdigit() and 2000 <= int(raw) <= default else default
        year = timezone.localdate().year
        figures = records.period_figures(
            place.member, place.community, date(year, 1, 1), timezone.localdate()
        )
        return render(
            self.request,
            "community/record_form.html",
            {
                "place": place,
                "figures": figures,
                "ratings": Rating.choices,
                "year": year,
                "chosen": chosen,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._place(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        place = self._place(pk)
        post = request.POST
        try:
            yearly = post.get("period", "year") == "year"
            year = post.get("year", "")
            record = records.record_write(
                actor=request.user,
                member=place.member,
                community=place.community,
                rating=post.get("rating", ""),
                opinion=post.get("opinion", ""),
                positives=post.get("positives", ""),
                negatives=post.get("negatives", ""),
                year=int(year) if yearly and year.isdigit() else None,
                period_start=None if yearly else _date(post.get("period_start"), "period_start"),
                period_end=None if yearly else _date(post.get("period_end"), "period_end"),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return self._render(place, status=400)
        messages.success(request, _("已填写现实表现鉴定。"))
        return redirect(record.get_absolute_url())


class RecordDetailView(ScopedView):
    model = PerformanceRecord

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.object_for(
            pk,
            queryset=PerformanceRecord.objects.select_related(
                "member__person", "member__branch", "organization", "written_by"
            ),
        )
        return render(request, "community/record_detail.html", {"record": record})


class RecordPdfView(ScopedView):
    model = PerformanceRecord

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = self.object_for(
            pk,
            queryset=PerformanceRecord.objects.select_related(
                "member__person", "member__branch", "organization", "written_by"
            ),
        )
        response = HttpResponse(records.record_pdf(record), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="record-{record.pk}.pdf"'
        return response


class MobileMemberProgressView(ScopedView):
    """流动党员结对进度: per mobile member the townsmen paired against the goal (none capped),
    this month's contacts and the home's services; the 流动党员之家 and the flow-out branch."""

    model = MobileService

    def get(self, request: HttpRequest) -> HttpResponse:
        goal = mobile.townsmen_goal()
        page = paginate(request, mobile.mobile_members_progress(request.user))
        for m in page.object_list:
            m.left = max(goal - m.paired, 0)
            m.beyond = max(m.paired - goal, 0)
            m.percent = min(100, round(m.paired * 100 / goal)) if goal else 100
        return render(
            request,
            "community/mobile_members.html",
            {"page": page, "goal": goal, "today": timezone.localdate()},
        )


class MobileMemberPickerView(ScopedView):
    """The service form's member picker (htmx, the people app's picker rows): the mobile
    members the user's homes serve, found as one types; the form and the API accept exactly
    these."""

    model = MobileService

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()[:50]
        context = mobile.service_member_choices(request.user, q)
        return render(request, "people/_member_choices.html", context)


class MobileServiceListView(ScopedView):
    """The 流动党员之家's services to mobile members; the flow-out branch reads them."""

    model = MobileService

    def _render(self, status: int = 200) -> HttpResponse:
        request = self.request
        homes = Organization.objects.restrict(request.user, Action.ADD, rules_of=MobileService)
        return render(
            request,
            "community/mobile_services.html",
            {
                "page": paginate(request, mobile.mobile_services(request.user)),
                "can_add": self.can(Action.ADD),
                "homes": homes.filter(kind__in=[OrgKind.MOBILE_HOME, OrgKind.MOBILE]).order_by(
                    "path"
                )[:50],
                "kinds": MobileServiceKind.choices,
                # the picker's first rows (search as you type; the chosen member kept)
                **mobile.service_member_choices(request.user, "", request.POST.get("member", "")),
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render()

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        post = request.POST
        home_pk, member_pk = post.get("home", ""), post.get("member", "")
        home = (
            Organization.objects.restrict(request.user).filter(pk=home_pk).first()
            if home_pk.isdigit()
            else None
        )
        try:
            member = mobile.service_member(request.user, member_pk)
            mobile.mobile_service_record(
                actor=request.user,
                member=member,
                home=home,
                kind=post.get("kind", ""),
                served_on=_date(post.get("served_on"), "served_on"),
                content=post.get("content", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return self._render(status=400)
        messages.success(request, _("已登记服务。"))
        return redirect("work:mobile_services")
