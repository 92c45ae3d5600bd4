"""Pages of 双领: campaigns, projects, tasks with their transition buttons, supervision. Lists
through ``xianfeng.work.selectors`` (the API uses the same ones)."""

from __future__ import annotations

from html import escape  # Django's escape(), without its check for lazy strings per call
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import labels, workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import get_object_for
from xianfeng.core.views import ScopedView, ServiceFormView, apply_form_errors, paginate
from xianfeng.work import selectors, services
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
)
from xianfeng.work.hooks import task_sections
from xianfeng.work.models import Campaign, Project, Supervision, Task

# --- campaigns and projects ------------------------------------------------------------------


class CampaignListView(ScopedView):
    model = Campaign

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.campaigns(request.user)
        return render(
            request,
            "work/campaign_list.html",
            {"page": paginate(request, qs), "querystring": "", "can_add": self.can(Action.ADD)},
        )


class CampaignDetailView(ScopedView):
    model = Campaign

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.object_for(pk, queryset=Campaign.objects.select_related("organization"))
        projects = selectors.projects(request.user, campaign=campaign)
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
    title_text = gettext_lazy("发起专项行动")
    submit_label = gettext_lazy("发起")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return None

    def back_url(self, target: Any) -> str:
        return reverse("work:campaign_list")

    def make_form(self, target: Any, data: Any = None) -> Any:
        return CampaignForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Campaign:
        return services.campaign_create(actor=self.request.user, **form.cleaned_data)


class ProjectCreateView(ServiceFormView):
    model = Campaign
    submit_label = gettext_lazy("保存项目")
    intro = gettext_lazy("选本组织即“组织领项目”；选下级组织即“交办”。")

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
        tasks = selectors.tasks(request.user, project=project)
        notes = selectors.supervisions(request.user, project=project)
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
    submit_label = gettext_lazy("发布任务")

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
    submit_label = gettext_lazy("发出督办")
    intro = gettext_lazy("督办由上级组织发给下级组织，下级须在时限内答复；逾期未答复会自动上报。")

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
    submit_label = gettext_lazy("提交答复")

    def target(self, request: HttpRequest, **kwargs: Any) -> Supervision:
        return self.object_for(
            kwargs["pk"],
            queryset=Supervision.objects.select_related("project", "organization"),
        )

    def title(self, target: Supervision) -> str:
        return _("答复督办：%(c)s") % {"c": target.content[:30]}

    def back_url(self, target: Supervision) -> str:
        return target.project.get_absolute_url() if target.project_id else reverse("work:task_list")

    def make_form(self, target: Supervision, data: Any = None) -> Any:
        return AnswerForm(data)

    def precheck(self, target: Supervision) -> None:
        workflow.check(target, "answer", actor=self.request.user)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        # Only the side that may answer opens the form; an answered note shows it with the
        # reason when it is sent.
        target = self.target(request, **kwargs)
        refusal = workflow.available_refusal(target, "answer", request.user)
        if refusal is not None:
            raise PermissionDenied(refusal)
        return super().get(request, **kwargs)

    def perform(self, form: Any, target: Supervision) -> Any:
        services.supervision_answer(
            actor=self.request.user, supervision=target, answer=form.cleaned_data["answer"]
        )
        return target


# --- tasks -----------------------------------------------------------------------------------


# What a row shows, in the order ``task_rows`` unpacks it (plain tuples from ``values_list``: no
# model instance per row; a full person row would decrypt the assignee's ID number and phone).
TASK_ROW_FIELDS = (
    "id",
    "title",
    "state",
    "deadline",
    "organization__name",
    "organization__short_name",
    "assignee__person__name",
)


def task_rows(tasks: Any) -> SafeString:
    """The task list's rows, as the template loop wrote them, byte for byte
    (``xianfeng/tests/test_list_rows_html.py``): in Python, from ``TASK_ROW_FIELDS`` tuples,
    because the template engine spent about ten variable lookups a row (issue 11)."""
    prefix = escape(labels.url_prefix("work:task_detail"))
    states = labels.labels(TaskState)
    l_state, l_org, l_assignee = escape(_("状态")), escape(_("发布")), escape(_("承担"))
    l_deadline = escape(_("时限"))
    out = []
    for pk, title, state, deadline, org, org_short, assignee in tasks:
        out.append(
            f'<tr><td><a href="{prefix}{pk}/">{escape(title)}</a></td>'
            f'<td data-label="{l_state}"><span class="state {escape(state)}">'
            f"{escape(states.get(state, state))}</span></td>"
            # the organization's display_name: its short name, else its name
            f'<td data-label="{l_org}">{escape(org_short or org)}</td>'
            f'<td data-label="{l_assignee}">{escape(assignee or "—")}</td>'
            # the date as the template wrote it: in the active language's format
            f'<td data-label="{l_deadline}">{escape(str(formats.localize(deadline)))}</td></tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped


class TaskListView(ScopedView):
    model = Task

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state")
        qs = selectors.tasks(
            request.user,
            mine=request.GET.get("mine") == "1",
            claimable=request.GET.get("claimable") == "1",
            state=state if state in TaskState.values else None,
        )
        params = {k: request.GET[k] for k in ("mine", "claimable", "state") if request.GET.get(k)}
        member = services.member_of(request.user)
        page = paginate(request, qs.values_list(*TASK_ROW_FIELDS), counted=qs)
        return render(
            request,
            "work/task_list.html",
            {
                "page": page,
                "rows": task_rows(page.object_list),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "state_options": labels.option_tags(TaskState, params.get("state")),
                "state_labels": labels.labels(TaskState),
                "detail_prefix": labels.url_prefix("work:task_detail"),
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
    progress = services.task_visit_progress(task)
    forms = forms or {}
    context = {
        "task": task,
        "actions": actions,
        "submit_form": forms.get("submit") or SubmitForm(),
        "return_form": forms.get("return") or ReturnForm(),
        "assign_form": forms.get("assign")
        or (AssignForm(task=task, user=request.user) if "assign" in actions else None),
        # Evidence photos and the visits section come from the visits app (hooks).
        "photos": task.photos.all() if hasattr(task, "photos") else [],
        "progress": progress,
        "sections": task_sections(request, task, actions, progress),
        "notes": selectors.supervisions(request.user, task=task),
        "history": history_rows(task),
        "today": timezone.localdate(),
    }
    return render(request, "work/task_detail.html", context, status=status)


class TaskDetailView(ScopedView):
    model = Task

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _task_page(request, _task(request, pk))


# The task page's own forms for the steps that ask for more than a note.
STEP_FORMS: dict[str, Any] = {"submit": SubmitForm, "return": ReturnForm, "assign": AssignForm}


def _claimed_by_me(request: HttpRequest, task: Task) -> bool:
    from xianfeng.people.members import member_of

    member = member_of(request.user)
    return member is not None and task.assignee_id == member.pk


class TaskActionView(ScopedView):
    """POST /work/tasks/<pk>/<step>/: one step of the task workflow (work/workflows.py).
    The state and the actor are checked before the form is read; a refusal shows on the
    task's page with its status (409, 403, 400)."""

    model = Task

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:
        task = _task(request, pk)
        steps = {s.name: s for s in workflow.steps_of(Task) if not s.system}
        if verb not in steps:
            return _task_page(request, task, status=404)
        if verb == "claim" and _claimed_by_me(request, task):
            # The same claim again (a phone's outbox resending after a lost answer): the claim
            # stored the first time is the answer, not "claimed by someone" (issue 17).
            messages.info(request, _("您已经认领了这项任务，重复提交没有再保存。"))
            return redirect(task.get_absolute_url())
        form: Any = None
        try:
            workflow.check(task, verb, actor=request.user)
            kwargs: dict[str, Any] = {}
            if verb in STEP_FORMS:
                extra = {"task": task, "user": request.user} if verb == "assign" else {}
                form = STEP_FORMS[verb](request.POST, **extra)
                if not form.is_valid():
                    return _task_page(request, task, {verb: form}, status=400)
                kwargs.update(form.cleaned_data)
            elif verb == "verify":
                kwargs["note"] = request.POST.get("note", "")
            if verb == "submit":
                kwargs["photos"] = request.FILES.getlist("photos")
            workflow.take(task, verb, actor=request.user, **kwargs)
        except workflow.StateConflict as exc:
            messages.error(request, "；".join(exc.messages))
            return _task_page(request, _task(request, pk), status=409)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _task_page(request, _task(request, pk), status=403)
        except ValidationError as exc:
            if form is not None:
                apply_form_errors(form, exc)
                return _task_page(request, _task(request, pk), {verb: form}, status=400)
            messages.error(request, "；".join(exc.messages))
            return _task_page(request, _task(request, pk), status=400)
        messages.success(request, str(steps[verb].done))
        return redirect(task.get_absolute_url())
