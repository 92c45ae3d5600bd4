"""Pages of 双领: campaigns, projects, tasks with their transition buttons, visits, coverage."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import get_object_for
from xianfeng.core.views import ScopedView, ServiceFormView, apply_form_errors, paginate
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.work import selectors, services
from xianfeng.work.api import coverage_target, task_queryset
from xianfeng.work.choices import TaskState
from xianfeng.work.forms import (
    AnswerForm,
    AssignForm,
    CampaignForm,
    ProjectForm,
    ReturnForm,
    SubmitForm,
    SupervisionForm,
    TaskForm,
    VisitForm,
)
from xianfeng.work.models import Campaign, Project, Supervision, Task, Townsman, Visit

CSS = "work/work.css"


def _int(value: str | None, default: int, low: int = 1, high: int = 3660) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


# --- campaigns and projects ------------------------------------------------------------------


class CampaignListView(ScopedView):
    model = Campaign

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = (
            self.scoped()
            .select_related("organization")
            .annotate(n_projects=Count("projects"))
            .order_by("-starts_on", "-id")
        )
        return render(
            request,
            "work/campaign_list.html",
            {"page": paginate(request, qs), "querystring": "", "can_add": self.can(Action.ADD)},
        )


class CampaignDetailView(ScopedView):
    model = Campaign

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.object_for(pk, queryset=Campaign.objects.select_related("organization"))
        projects = (
            Project.objects.restrict(request.user)
            .filter(campaign=campaign)
            .select_related("organization", "leader__person")
            .annotate(
                n_tasks=Count("tasks"),
                n_done=Count("tasks", filter=Q(tasks__state=TaskState.DONE)),
            )
            .order_by("deadline", "id")
        )
        return render(
            request,
            "work/campaign_detail.html",
            {
                "campaign": campaign,
                "page": paginate(request, projects),
                "querystring": "",
                "can_add_project": self.can(Action.ADD, Project),
                "history": history_rows(campaign),
            },
        )


class CampaignCreateView(ServiceFormView):
    model = Campaign
    title_text = "发起专项行动"
    submit_label = "发起"

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return None

    def back_url(self, target: Any) -> str:
        return "/work/campaigns/"

    def make_form(self, target: Any, data: Any = None) -> Any:
        return CampaignForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Campaign:
        return services.campaign_create(actor=self.request.user, **form.cleaned_data)


class ProjectCreateView(ServiceFormView):
    model = Campaign
    submit_label = "保存项目"
    intro = "选本组织即“组织领项目”；选下级组织即“交办”。"

    def target(self, request: HttpRequest, **kwargs: Any) -> Campaign:
        campaign = self.object_for(kwargs["pk"])
        if not self.can(Action.ADD, Project):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return campaign

    def title(self, target: Campaign) -> str:
        return _("为“%(c)s”认领或交办项目") % {"c": target.title}

    def make_form(self, target: Campaign, data: Any = None) -> Any:
        return ProjectForm(data, user=self.request.user, campaign=target)

    def perform(self, form: Any, target: Campaign) -> Project:
        return services.project_create(
            actor=self.request.user, campaign=target, **form.cleaned_data
        )


class ProjectDetailView(ScopedView):
    model = Project

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = self.object_for(
            pk,
            queryset=Project.objects.select_related("campaign", "organization", "leader__person"),
        )
        tasks = (
            Task.objects.restrict(request.user)
            .filter(project=project)
            .select_related("organization", "assignee__person")
            .order_by("deadline", "id")
        )
        notes = (
            Supervision.objects.restrict(request.user)
            .filter(project=project)
            .select_related("issuer", "organization")
        )
        can_answer = set(
            Supervision.objects.restrict(request.user, Action.CHANGE)
            .filter(project=project)
            .values_list("pk", flat=True)
        )
        return render(
            request,
            "work/project_detail.html",
            {
                "project": project,
                "page": paginate(request, tasks),
                "querystring": "",
                "notes": notes,
                "can_answer": can_answer,
                "can_add_task": self.can(Action.ADD, Task),
                "can_supervise": self.can(Action.ADD, Supervision),
                "history": history_rows(project),
            },
        )


class TaskCreateView(ServiceFormView):
    model = Project
    submit_label = "发布任务"

    def target(self, request: HttpRequest, **kwargs: Any) -> Project:
        project = self.object_for(
            kwargs["pk"], queryset=Project.objects.select_related("organization")
        )
        if not self.can(Action.ADD, Task):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return project

    def title(self, target: Project) -> str:
        return _("在“%(p)s”下发布任务") % {"p": target.title}

    def make_form(self, target: Project, data: Any = None) -> Any:
        return TaskForm(data, user=self.request.user, project=target)

    def perform(self, form: Any, target: Project) -> Task:
        data = dict(form.cleaned_data)
        data["target_visits"] = data.get("target_visits") or 0
        return services.task_create(actor=self.request.user, project=target, **data)


class SupervisionCreateView(ServiceFormView):
    model = Project
    submit_label = "发出督办"
    intro = "督办由上级组织发给下级组织，下级须在时限内答复；逾期未答复会自动上报。"

    def target(self, request: HttpRequest, **kwargs: Any) -> Project:
        project = self.object_for(
            kwargs["pk"], queryset=Project.objects.select_related("organization")
        )
        if not self.can(Action.ADD, Supervision):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return project

    def title(self, target: Project) -> str:
        return _("督办：%(p)s") % {"p": target.title}

    def make_form(self, target: Project, data: Any = None) -> Any:
        return SupervisionForm(data, user=self.request.user, project=target)

    def perform(self, form: Any, target: Project) -> Project:
        services.supervision_create(actor=self.request.user, project=target, **form.cleaned_data)
        return target


class SupervisionAnswerView(ServiceFormView):
    model = Supervision
    submit_label = "提交答复"

    def target(self, request: HttpRequest, **kwargs: Any) -> Supervision:
        return self.object_for(
            kwargs["pk"],
            action=Action.CHANGE,
            queryset=Supervision.objects.select_related("project", "organization"),
        )

    def title(self, target: Supervision) -> str:
        return _("答复督办：%(c)s") % {"c": target.content[:30]}

    def back_url(self, target: Supervision) -> str:
        return target.project.get_absolute_url() if target.project_id else "/work/tasks/"

    def make_form(self, target: Supervision, data: Any = None) -> Any:
        return AnswerForm(data)

    def perform(self, form: Any, target: Supervision) -> Any:
        services.supervision_answer(
            actor=self.request.user, supervision=target, answer=form.cleaned_data["answer"]
        )
        return target.project if target.project_id else Task.objects.get(pk=target.task_id)


# --- tasks -----------------------------------------------------------------------------------


class TaskListView(ScopedView):
    model = Task

    def get(self, request: HttpRequest) -> HttpResponse:
        class Filters:
            mine = request.GET.get("mine") == "1"
            claimable = request.GET.get("claimable") == "1"
            state = (
                request.GET.get("state") if request.GET.get("state") in TaskState.values else None
            )
            project = None

        qs = task_queryset(request, Filters)
        params = {k: request.GET[k] for k in ("mine", "claimable", "state") if request.GET.get(k)}
        member = services.member_of(request.user)
        return render(
            request,
            "work/task_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "states": TaskState.choices,
                "is_member": member is not None,
                "today": timezone.localdate(),
            },
        )


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_for(
        user=request.user,
        model=Task,
        pk=pk,
        queryset=Task.objects.select_related(
            "organization", "assignee__person", "project__campaign", "verified_by"
        ),
    )


def _task_page(
    request: HttpRequest, task: Task, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    actions = services.task_actions(request.user, task)
    forms = forms or {}
    context = {
        "task": task,
        "actions": actions,
        "submit_form": forms.get("submit") or SubmitForm(),
        "return_form": forms.get("return") or ReturnForm(),
        "assign_form": forms.get("assign")
        or (AssignForm(task=task) if "assign" in actions else None),
        "photos": task.photos.all(),
        "visits": Visit.objects.restrict(request.user)
        .filter(task=task)
        .select_related("household__building", "building", "member__person")
        .order_by("-visited_at", "-id")[:50],
        "progress": services.task_visit_progress(task),
        "notes": Supervision.objects.restrict(request.user)
        .filter(task=task)
        .select_related("issuer", "organization"),
        "history": history_rows(task),
        "today": timezone.localdate(),
    }
    return render(request, "work/task_detail.html", context, status=status)


class TaskDetailView(ScopedView):
    model = Task

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _task_page(request, _task(request, pk))


VERB_MESSAGES = {
    "claim": "认领成功，请按时完成。",
    "assign": "已指派。",
    "start": "已开始办理。",
    "submit": "已提交，等待核验。",
    "verify": "已核验通过。",
    "return": "已退回重办。",
    "complete": "已办结。",
}


class TaskActionView(ScopedView):
    """POST /work/tasks/<pk>/<verb>/: one transition, by its service."""

    model = Task

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        task = _task(request, pk)
        if verb not in services.TRANSITIONS:
            return _task_page(request, task, status=404)
        service = services.TRANSITIONS[verb][0]
        kwargs: dict[str, Any] = {}
        form: Any = None
        if verb == "submit":
            form = SubmitForm(request.POST)
        elif verb == "return":
            form = ReturnForm(request.POST)
        elif verb == "assign":
            form = AssignForm(request.POST, task=task)
        elif verb == "verify":
            kwargs["note"] = request.POST.get("note", "")
        if form is not None:
            if not form.is_valid():
                return _task_page(request, task, {verb: form}, status=400)
            kwargs.update(form.cleaned_data)
        if verb == "submit":
            kwargs["photos"] = request.FILES.getlist("photos")
        try:
            service(actor=request.user, task=task, **kwargs)
        except ValidationError as exc:
            if form is not None:
                apply_form_errors(form, exc)
                return _task_page(request, _task(request, pk), {verb: form}, status=400)
            messages.error(request, "；".join(exc.messages))
            status = 409 if isinstance(exc, services.StateConflict) else 400
            return _task_page(request, _task(request, pk), status=status)
        messages.success(request, _(VERB_MESSAGES[verb]))
        return redirect(task.get_absolute_url())


# --- visits ----------------------------------------------------------------------------------


def _picker_households(request: HttpRequest, member: PartyMember | None, q: str) -> list[Household]:
    """Households for the picker: the member's own first, searched by building, unit or room."""
    if member is None:
        return []
    qs = services.member_households(member).select_related("building")
    if q:
        qs = qs.filter(
            Q(building__name__contains=q) | Q(room__startswith=q) | Q(building__address__contains=q)
        )
    return list(qs.order_by("building__code", "unit", "room")[:30])


class VisitCreateView(ScopedView):
    model = Visit

    def _member(self) -> PartyMember:
        member = services.member_of(self.request.user)
        if member is None or not self.can(Action.ADD):
            raise PermissionDenied(_("只有党员本人可以登记走访。"))
        return member

    def _for_task(self, form: VisitForm) -> Task | None:
        tid = form["task"].value()
        if not tid or not str(tid).isdigit():
            return None
        return Task.objects.restrict(self.request.user).filter(pk=tid).first()

    def _render(self, form: VisitForm, member: PartyMember, status: int = 200) -> HttpResponse:
        q = self.request.GET.get("q", "")
        chosen = None
        hid = form["household"].value()
        if hid and str(hid).isdigit():
            chosen = (
                Household.objects.restrict(self.request.user)
                .select_related("building")
                .filter(pk=hid)
                .first()
            )
        households = _picker_households(self.request, member, q)
        if chosen is not None and chosen not in households:
            households.insert(0, chosen)  # opened from a task's missing household
        return render(
            self.request,
            "work/visit_form.html",
            {
                "form": form,
                "member": member,
                "households": households,
                "chosen": chosen,
                "for_task": self._for_task(form),
                "q": q,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        member = self._member()
        initial = {}
        if request.GET.get("household", "").isdigit():
            initial["household"] = request.GET["household"]
        if request.GET.get("task", "").isdigit():
            initial["task"] = request.GET["task"]
        return self._render(VisitForm(initial=initial), member)

    def post(self, request: HttpRequest) -> HttpResponse:
        member = self._member()
        form = VisitForm(request.POST)
        if not form.is_valid():
            return self._render(form, member, status=400)
        data = dict(form.cleaned_data)
        try:
            household = None
            if data.pop("household"):
                household = services.household_for_visit(
                    user=request.user, pk=form.cleaned_data["household"]
                )
            task = None
            task_id = data.pop("task")
            if task_id:
                task = Task.objects.restrict(request.user).filter(pk=task_id).first()
                if task is None:
                    raise ValidationError(_("所选任务不存在或不在您的管辖范围内。"))
            visit, created = services.visit_create(
                actor=request.user,
                household=household,
                task=task,
                photos=request.FILES.getlist("photos"),
                **data,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(form, member, status=400)
        except Exception as exc:  # a household out of scope: same message as missing
            from django.http import Http404

            if not isinstance(exc, Http404):
                raise
            form.add_error(None, _("所选住户不存在或不在您的管辖范围内。"))
            return self._render(form, member, status=400)
        if created:
            messages.success(request, _("走访已登记。"))
        else:
            messages.info(request, _("这次走访已经登记过了，没有重复保存。"))
        return redirect(visit.get_absolute_url())


class HouseholdPickerView(ScopedView):
    """htmx fragment: the household choices for a search term."""

    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        member = services.member_of(request.user)
        q = request.GET.get("q", "").strip()
        return render(
            request,
            "work/_household_choices.html",
            {"households": _picker_households(request, member, q), "q": q},
        )


class VisitListView(ScopedView):
    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = self.scoped().select_related("member__person", "household__building", "building")
        mine = request.GET.get("mine") == "1"
        member = services.member_of(request.user)
        if mine:
            qs = qs.filter(member=member) if member else qs.none()
        if request.GET.get("household", "").isdigit():
            qs = qs.filter(household_id=request.GET["household"])
        params = {k: request.GET[k] for k in ("mine", "household") if request.GET.get(k)}
        return render(
            request,
            "work/visit_list.html",
            {
                "page": paginate(request, qs.order_by("-visited_at", "-id")),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "can_add": member is not None and self.can(Action.ADD),
            },
        )


class VisitDetailView(ScopedView):
    model = Visit

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        visit = self.object_for(
            pk,
            queryset=Visit.objects.select_related(
                "member__person", "household__building", "building", "task", "recorded_by"
            ),
        )
        return render(
            request,
            "work/visit_detail.html",
            {"visit": visit, "photos": visit.photos.all()},
        )


# --- coverage --------------------------------------------------------------------------------


class CoverageView(ScopedView):
    model = Household

    def get(self, request: HttpRequest) -> HttpResponse:
        days = _int(request.GET.get("days"), 30)
        org_id = request.GET.get("org")
        zone_id = request.GET.get("zone")
        org, zone = coverage_target(
            request,
            int(org_id) if org_id and org_id.isdigit() else None,
            int(zone_id) if zone_id and zone_id.isdigit() else None,
        )
        start, end = selectors.period(days)
        cov = selectors.coverage(org=org, zone=zone, start=start, end=end)
        children = selectors.coverage_by_child(org=org, start=start, end=end) if org else []
        not_visited_days = _int(request.GET.get("nv"), 90)
        not_visited_count = selectors.not_visited(org=org, zone=zone, days=not_visited_days).count()
        return render(
            request,
            "work/coverage.html",
            {
                "org": org,
                "zone": zone,
                "days": days,
                "coverage": cov,
                "children": children,
                "nv_days": not_visited_days,
                "not_visited_count": not_visited_count,
                "day_choices": (7, 30, 90, 180, 365),
            },
        )


class NotVisitedView(ScopedView):
    """Households no one has visited in N days; a secretary puts them in a member's charge."""

    model = Household

    def _target(self, request: HttpRequest, source: Any) -> tuple[Any, Any, int]:
        days = _int(source.get("days"), 90)
        org_id, zone_id = source.get("org"), source.get("zone")
        org, zone = coverage_target(
            request,
            int(org_id) if org_id and str(org_id).isdigit() else None,
            int(zone_id) if zone_id and str(zone_id).isdigit() else None,
        )
        return org, zone, days

    def _render(self, request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        org, zone, days = self._target(request, request.GET)
        qs = selectors.not_visited(org=org, zone=zone, days=days)
        params = {k: request.GET[k] for k in ("org", "zone", "days") if request.GET.get(k)}
        can_assign = self.can(Action.ADD, model=_responsibility_model())
        members = []
        if can_assign:
            base = org.path if org else (zone.organization.path if zone else "")
            members = (
                PartyMember.objects.restrict(request.user)
                .filter(branch__path__startswith=base)
                .select_related("person", "branch")
                .order_by("branch__path", "id")[:200]
            )
        return render(
            request,
            "work/not_visited.html",
            {
                "org": org,
                "zone": zone,
                "days": days,
                "page": paginate(request, qs),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "can_assign": can_assign,
                "members": members,
                "error": error,
                "now": timezone.now(),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD, model=_responsibility_model()):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        ids = [int(i) for i in request.POST.getlist("households") if i.isdigit()]
        member_id = request.POST.get("member", "")
        member = (
            PartyMember.objects.restrict(request.user).filter(pk=member_id).first()
            if member_id.isdigit()
            else None
        )
        if not ids or member is None:
            return self._render(request, 400, _("请勾选住户并选择负责的党员。"))
        households = list(
            Household.objects.restrict(request.user)
            .filter(pk__in=ids)
            .select_related("organization")
        )
        try:
            n = services.household_responsibility_assign(
                actor=request.user, households=households, member=member
            )
        except ValidationError as exc:
            return self._render(request, 400, "；".join(exc.messages))
        messages.success(
            request,
            _("已将%(n)d户交给%(name)s负责走访。") % {"n": n, "name": member.person.name},
        )
        return redirect(request.get_full_path())


def _responsibility_model() -> Any:
    from xianfeng.work.models import HouseholdResponsibility

    return HouseholdResponsibility


# --- paired safety checks reported upward --------------------------------------------------


def _date(value: str | None) -> Any:
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("日期格式不正确，请用 2026-11-01 这样的格式。")) from None


class PairedChecksView(ScopedView):
    """What an agency working committee (机关工委) reads: its organizations' members' visits in
    the communities they are paired with, per pairing, for a period."""

    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        from xianfeng.work.api import paired_target

        org_id = request.GET.get("org")
        error = ""
        try:
            start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
            org, start, end, low, high = paired_target(
                request, int(org_id) if org_id and org_id.isdigit() else None, start, end
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
            org, start, end, low, high = paired_target(
                request, int(org_id) if org_id and org_id.isdigit() else None, None, None
            )
        rows = selectors.paired_checks(user=request.user, org=org, start=low, end=high)
        partner = None
        visits = selectors.paired_check_visits(user=request.user, org=org, start=low, end=high)
        if request.GET.get("partner"):
            partner = selectors.paired_partner(
                user=request.user, org=org, pk=request.GET["partner"]
            )
            visits = visits.filter(organization__path__startswith=partner.path)
        visits = visits.select_related("member__person", "household__building", "building")
        params = {"org": org.pk, "start": start.isoformat(), "end": end.isoformat()}
        if partner is not None:
            params["partner"] = partner.pk
        return render(
            request,
            "work/paired_checks.html",
            {
                "org": org,
                "start": start,
                "end": end,
                "rows": rows,
                "partner": partner,
                "error": error,
                "page": paginate(request, visits.order_by("-visited_at", "-id")),
                "querystring": urlencode(params) + "&",
                "base": urlencode({k: v for k, v in params.items() if k != "partner"}),
            },
            status=400 if error else 200,
        )


# --- mobile members and their fellow townsmen (老乡) ----------------------------------------


def _townsmen_list(user: Any) -> Any:
    from django.db.models import Max

    return (
        Townsman.objects.restrict(user)
        .select_related("member__person")
        .annotate(contact_count=Count("contacts"), last_contact=Max("contacts__contacted_at"))
    )


class TownsmanListView(ScopedView):
    """A mobile member's list of fellow townsmen, with a form to add one (phone first);
    others see the townsmen of the members in their scope."""

    model = Townsman

    def _render(self, form: Any, status: int = 200) -> HttpResponse:
        request = self.request
        member = services.member_of(request.user)
        mobile = member is not None and services.is_mobile_member(member)
        qs = _townsmen_list(request.user)
        mine = mobile and request.GET.get("all") != "1"
        if mine:
            qs = qs.filter(member=member)
        if request.GET.get("ended") != "1":
            qs = qs.filter(active=True)
        params = {k: request.GET[k] for k in ("all", "ended") if request.GET.get(k)}
        return render(
            request,
            "work/townsman_list.html",
            {
                "page": paginate(request, qs.order_by("-active", "name", "id")),
                "form": form,
                "mine": mine,
                "can_add": mobile and self.can(Action.ADD),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        from xianfeng.work.forms import TownsmanForm

        return self._render(TownsmanForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        from xianfeng.work.forms import TownsmanForm

        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        form = TownsmanForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            townsman = services.townsman_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(form, status=400)
        messages.success(request, _("已加入老乡名单。"))
        return redirect(townsman.get_absolute_url())


class TownsmanDetailView(ScopedView):
    """One fellow townsman: contacts so far, and the 30-second contact form for the member."""

    model = Townsman

    def _get(self, pk: int) -> Any:
        return self.object_for(
            pk, queryset=Townsman.objects.select_related("member__person", "organization")
        )

    def _render(self, townsman: Any, form: Any, status: int = 200) -> HttpResponse:
        member = services.member_of(self.request.user)
        contacts = townsman.contacts.select_related("member__person", "visit")
        return render(
            self.request,
            "work/townsman_detail.html",
            {
                "townsman": townsman,
                "form": form,
                "own": member is not None and townsman.member_id == member.pk,
                "page": paginate(self.request, contacts.order_by("-contacted_at", "-id")),
                "querystring": "",
                "history": history_rows(townsman),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.work.forms import ContactForm

        return self._render(self._get(pk), ContactForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.work.forms import ContactForm

        townsman = self._get(pk)
        if request.POST.get("end") == "1":
            try:
                services.townsman_end(actor=request.user, townsman=townsman)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
                return self._render(townsman, ContactForm(), status=409)
            messages.success(request, _("已结束结对。"))
            return redirect("work:townsman_list")
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self._render(townsman, form, status=400)
        try:
            _contact, created = services.townsman_contact_log(
                actor=request.user, townsman=townsman, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(townsman, form, status=400)
        if created:
            messages.success(request, _("联系已登记。"))
        else:
            messages.info(request, _("这次联系已经登记过了，没有重复保存。"))
        return redirect(townsman.get_absolute_url())
