"""Pages of safety, mobile first: a building's safety page (colour, history, inspections,
hazards), the item-by-item inspection on a phone (each answer saved as it is tapped, through
htmx), hazards with the buttons their workflow declares, the buildings due for a patrol and
the checklists. Lists through ``xianfeng.safety.selectors`` (the API uses the same ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import org_in_scope
from xianfeng.core.views import ScopedView, ServiceFormView, apply_form_errors, paginate
from xianfeng.core.workflow_views import inputs_from_post
from xianfeng.people.members import field_refusal, member_of
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building
from xianfeng.safety import selectors, services
from xianfeng.safety.choices import (
    HazardCategory,
    HazardState,
    IncidentSeverity,
    Outcome,
    Severity,
)
from xianfeng.safety.forms import (
    ChecklistItemFormSet,
    ChecklistReviseForm,
    ColourReviewForm,
    HazardReportForm,
    IncidentForm,
    InspectionForm,
)
from xianfeng.safety.models import (
    ChecklistTemplate,
    ColourChange,
    Hazard,
    Incident,
    Inspection,
)


def _id(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 18 else None


# --- buildings ---------------------------------------------------------------------------------


class DueView(ScopedView):
    """Buildings due for a patrol: mine (my zones) for a member, all in scope for staff."""

    model = Building

    def get(self, request: HttpRequest) -> HttpResponse:
        member = member_of(request.user)
        escalated = request.GET.get("escalated") == "1"
        mine = request.GET.get("mine") == "1" and member is not None and not escalated
        if escalated:
            qs = selectors.escalated_patrols(request.user)
        else:
            qs = selectors.due_buildings(request.user, member=member if mine else None)
        querystring = "escalated=1&" if escalated else ("mine=1&" if mine else "")
        return render(
            request,
            "safety/due_list.html",
            {
                "page": paginate(request, qs),
                "mine": mine,
                "escalated": escalated,
                "querystring": querystring,
                "has_member": member is not None,
            },
        )


def _building_page(
    request: HttpRequest, building: Building, review_form: Any = None, status: int = 200
) -> HttpResponse:
    user = request.user
    draft = None
    if member_of(user) is not None:
        draft = Inspection.objects.filter(
            building=building, recorded_by=user, state="draft"
        ).first()
    status_row = getattr(building, "safety", None) if hasattr(building, "safety") else None
    context = {
        "building": building,
        "status": status_row,
        "changes": ColourChange.objects.restrict(user)
        .filter(building=building)
        .select_related("changed_by")[:20],
        "inspections": selectors.inspections(user, building=building.pk)[:20],
        "hazards": selectors.hazards(user, building=building.pk, open_only=True),
        "can_inspect": field_refusal(user) is None,
        "draft": draft,
        "can_review": org_in_scope(
            user=user, org=building.organization, model=ColourChange, action=Action.ADD
        ),
        "review_form": review_form or ColourReviewForm(),
        "template": ChecklistTemplate.objects.filter(
            place_kind=building.kind, is_current=True
        ).first(),
        # Started from a task or a visit (``?task=`` / ``?visit=``): the inspection links to it.
        "from_task": _id(request.GET.get("task") or request.POST.get("task")),
        "from_visit": _id(request.GET.get("visit") or request.POST.get("visit")),
        "lead_branch": selectors.landlord_branch(building),
        "works": selectors.small_works(user).filter(building=building)[:5],
    }
    return render(request, "safety/building.html", context, status=status)


class BuildingSafetyView(ScopedView):
    model = Building

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _building_page(request, self.object_for(pk))


class InspectStartView(ScopedView):
    """POST: open (or reopen) my inspection of the building; from a task or a visit too."""

    model = Building

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.visits.models import Visit
        from xianfeng.work.models import Task

        building = self.object_for(pk)
        task = visit = None
        if _id(request.POST.get("task")):
            task = Task.objects.restrict(request.user).filter(pk=request.POST["task"]).first()
        if _id(request.POST.get("visit")):
            visit = Visit.objects.restrict(request.user).filter(pk=request.POST["visit"]).first()
        try:
            inspection, _created = services.inspection_start(
                actor=request.user,
                building=building,
                task=task,
                visit=visit,
                client_key=request.POST.get("client_key", ""),
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _building_page(request, building, status=403)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return _building_page(request, building, status=400)
        return redirect(inspection.get_absolute_url())


class InspectFormView(ScopedView):
    """The whole checklist of a building on one page, answered and sent at once: the form a
    member opens online and fills in with no signal (saved to the phone's outbox, sent in one
    request with its client key and the time it was started; ``services.inspection_create``)."""

    model = Building

    def _template(self, building: Building, raw: Any = None) -> ChecklistTemplate | None:
        # Checklists are district configuration, the same for everyone (no scope to apply).
        if _id(raw):
            return ChecklistTemplate.objects.filter(pk=_id(raw)).first()
        return ChecklistTemplate.objects.filter(place_kind=building.kind, is_current=True).first()

    def _render(
        self,
        building: Building,
        template: ChecklistTemplate | None,
        form: InspectionForm,
        status: int = 200,
    ) -> HttpResponse:
        data = self.request.POST if form.is_bound else {}
        items = list(template.items.all()) if template is not None else []
        rows = [
            {
                "item": item,
                "outcome": data.get(f"outcome-{item.pk}", ""),
                "note": data.get(f"note-{item.pk}", ""),
            }
            for item in items
        ]
        context = {
            "building": building,
            "template": template,
            "form": form,
            "rows": rows,
            "outcomes": Outcome.choices,
        }
        return render(self.request, "safety/inspect_form.html", context, status=status)

    def _refuse_non_members(self) -> None:
        # Only a party member in a field role inspects (the auditor, staff without a member).
        refusal = field_refusal(self.request.user)
        if refusal is not None:
            raise PermissionDenied(refusal)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk)
        self._refuse_non_members()
        template = self._template(building)
        initial = {
            "template": template.pk if template else None,
            "task": _id(request.GET.get("task")),
            "visit": _id(request.GET.get("visit")),
        }
        return self._render(building, template, InspectionForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from xianfeng.visits.models import Visit
        from xianfeng.work.models import Task

        building = self.object_for(pk)
        self._refuse_non_members()
        form = InspectionForm(request.POST)
        template = self._template(building, request.POST.get("template"))
        if not form.is_valid() or template is None:
            if template is None:
                form.add_error(None, _("这类楼栋还没有检查表。"))
            return self._render(building, template, form, status=400)
        data = form.cleaned_data
        task = visit = None
        if data["task"]:
            task = Task.objects.restrict(request.user).filter(pk=data["task"]).first()
        if data["visit"]:
            visit = Visit.objects.restrict(request.user).filter(pk=data["visit"]).first()
        results = [
            {
                "item": item.pk,
                "outcome": request.POST.get(f"outcome-{item.pk}", ""),
                "note": request.POST.get(f"note-{item.pk}", ""),
                "photo": request.FILES.get(f"photo-{item.pk}"),
            }
            for item in template.items.all()
            # an item left unanswered: the service names the first of them
            if request.POST.get(f"outcome-{item.pk}")
        ]
        try:
            inspection, created = services.inspection_create(
                actor=request.user,
                building=building,
                results=results,
                note=data["note"],
                client_key=data["client_key"],
                task=task,
                visit=visit,
                template=template,
                started_at=data["started_at"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(building, template, form, status=400)
        if not created:
            messages.info(request, _("这次检查已经提交过了，没有重复保存。"))
        elif getattr(inspection, "superseded", False):
            messages.warning(
                request,
                _("检查已保存；这栋楼在这之后又检查过，安全等级按后来那次检查。"),
            )
        else:
            messages.success(
                request,
                _("检查已提交：楼栋评为%(colour)s，发现%(n)d处隐患。")
                % {"colour": inspection.get_colour_display(), "n": inspection.fails},
            )
        return redirect(inspection.get_absolute_url())


class ColourReviewView(ScopedView):
    model = Building

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk)
        form = ColourReviewForm(request.POST)
        if not form.is_valid():
            return _building_page(request, building, form, status=400)
        try:
            services.colour_review(actor=request.user, building=building, **form.cleaned_data)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _building_page(request, building, form, status=403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return _building_page(request, building, form, status=400)
        messages.success(request, _("安全等级已复核。"))
        return redirect("safety:building", pk=building.pk)


# --- inspections -------------------------------------------------------------------------------


def _rows(inspection: Inspection) -> list[dict[str, Any]]:
    results = {r.item_id: r for r in inspection.results.all()}
    return [
        {"item": item, "result": results.get(item.pk)} for item in inspection.template.items.all()
    ]


def _preview(inspection: Inspection, rows: list[dict[str, Any]]) -> dict[str, Any]:
    answered = [(r["item"], r["result"].outcome) for r in rows if r["result"]]
    return {
        "answered": len(answered),
        "total": len(rows),
        "colour": services.compute_colour(inspection.template, answered),
        "fails": sum(1 for _i, o in answered if o == Outcome.FAIL),
    }


def _inspection(request: HttpRequest, pk: Any) -> Inspection:
    from xianfeng.core.services import get_object_for

    return get_object_for(
        user=request.user,
        model=Inspection,
        pk=pk,
        queryset=Inspection.objects.select_related("building", "template", "inspector__person"),
    )


def _inspection_page(request: HttpRequest, inspection: Inspection, status: int = 200):
    rows = _rows(inspection)
    return render(
        request,
        "safety/inspection.html",
        {
            "inspection": inspection,
            "rows": rows,
            "preview": _preview(inspection, rows),
            "editable": inspection.is_draft and inspection.recorded_by_id == request.user.pk,
            "outcomes": Outcome.choices,
            "hazards": inspection.hazards.all() if not inspection.is_draft else [],
        },
        status=status,
    )


class InspectionView(ScopedView):
    model = Inspection

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _inspection_page(request, _inspection(request, pk))


class InspectionItemView(ScopedView):
    """POST one item's answer; htmx swaps the item's row and the colour preview."""

    model = Inspection

    def post(self, request: HttpRequest, pk: int, item: int) -> HttpResponse:
        inspection = _inspection(request, pk)
        error = ""
        status = 200
        try:
            services.inspection_record(
                actor=request.user,
                inspection=inspection,
                item=item,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
                photo=request.FILES.get("photo"),
            )
        except PermissionDenied as exc:
            error, status = str(exc), 403
        except ValidationError as exc:
            error, status = "；".join(exc.messages), 400
        if not request.headers.get("HX-Request"):
            if error:
                messages.error(request, error)
                return _inspection_page(request, inspection, status=status)
            return redirect(f"{inspection.get_absolute_url()}#item-{item}")
        rows = _rows(inspection)
        row = next((r for r in rows if r["item"].pk == int(item)), None)
        if row is None:
            raise Http404
        # The fragment answers 200 so htmx swaps it in with its message (htmx ignores others).
        return render(
            request,
            "safety/_inspection_row.html",
            {
                "inspection": inspection,
                "row": row,
                "error": error,
                "editable": True,
                "outcomes": Outcome.choices,
                "preview": _preview(inspection, rows),
                "oob": True,
            },
        )


class InspectionSubmitView(ScopedView):
    model = Inspection

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        inspection = _inspection(request, pk)
        was_draft = inspection.is_draft
        try:
            done = services.inspection_submit(
                actor=request.user, inspection=inspection, note=request.POST.get("note", "")
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return _inspection_page(request, inspection, status=403)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return _inspection_page(request, _inspection(request, pk), status=400)
        if was_draft:
            messages.success(
                request,
                _("检查已提交：楼栋评为%(colour)s，发现%(n)d处隐患。")
                % {"colour": done.get_colour_display(), "n": done.fails},
            )
        else:
            messages.info(request, _("这次检查已经提交过了，没有重复保存。"))
        return redirect(done.get_absolute_url())


# --- hazards -----------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Pages of hazards counted up to ``selectors.COUNT_CAP`` (``capped`` says there are more):
    the street's open-and-overdue list no longer counts every match to show 50."""

    capped = False

    @cached_property
    def count(self) -> int:
        n, self.capped = selectors.capped_count(self.object_list)
        return n


HAZARD_FILTERS = ("state", "open", "overdue", "building", "category", "severity", "mine")


class HazardListView(ScopedView):
    model = Hazard

    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        qs = selectors.hazards(
            request.user,
            state=g.get("state") if g.get("state") in HazardState.values else None,
            open_only=g.get("open") == "1",
            overdue=g.get("overdue") == "1",
            building=_id(g.get("building")),
            category=g.get("category") if g.get("category") in HazardCategory.values else None,
            severity=g.get("severity") if g.get("severity") in Severity.values else None,
            mine=g.get("mine") == "1",
        )
        params = {k: g[k] for k in HAZARD_FILTERS if g.get(k)}
        return render(
            request,
            "safety/hazard_list.html",
            {
                "page": CappedPaginator(qs, settings.PAGE_SIZE).get_page(g.get("page")),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "states": HazardState.choices,
                "today": timezone.localdate(),
            },
        )


def _hazard(request: HttpRequest, pk: Any) -> Hazard:
    from xianfeng.core.services import get_object_for

    return get_object_for(
        user=request.user,
        model=Hazard,
        pk=pk,
        queryset=Hazard.objects.select_related(
            "building", "organization", "assignee__person", "inspection", "merged_into"
        ),
    )


def _hazard_page(request: HttpRequest, hazard: Hazard, status: int = 200) -> HttpResponse:
    steps = workflow.available(request.user, hazard)
    members: list[PartyMember] = []
    if any(s.name == "assign" for s in steps):
        members = list(
            PartyMember.objects.restrict(request.user)
            .filter(branch__path__startswith=hazard.organization.path)
            .select_related("person")
            .only("id", "person__name")
            .order_by("person__name")[:200]
        )
    merge_targets: list[Hazard] = []
    if any(s.name == "merge" for s in steps):
        merge_targets = list(
            selectors.hazards(request.user, building=hazard.building_id, open_only=True)
            .exclude(pk=hazard.pk)
            .select_related(None)
            .only("id", "title", "state")[:50]
        )
    return render(
        request,
        "safety/hazard_detail.html",
        {
            "hazard": hazard,
            "steps": steps,
            "members": members,
            "merge_targets": merge_targets,
            "photos": hazard.photos.all(),
            "history": history_rows(hazard),
            "today": timezone.localdate(),
        },
        status=status,
    )


class HazardDetailView(ScopedView):
    model = Hazard

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _hazard_page(request, _hazard(request, pk))


class HazardStepView(ScopedView):
    """POST /safety/hazards/<pk>/<step>/: one step of the hazard workflow. The state and the
    actor are checked before the input; a refusal shows on the hazard's page with its status
    (409, 403, 400)."""

    model = Hazard

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        hazard = _hazard(request, pk)
        steps = {s.name: s for s in workflow.steps_of(Hazard) if not s.system}
        if action not in steps:
            raise Http404
        spec = steps[action]
        try:
            workflow.check(hazard, action, actor=request.user)
            values = inputs_from_post(request, spec)
            if action == "submit":
                values["photos"] = request.FILES.getlist("photos")
                values["before_photos"] = request.FILES.getlist("before_photos")
            workflow.take(hazard, action, actor=request.user, **values)
        except workflow.StateConflict as exc:
            messages.error(request, "；".join(exc.messages))
            return _hazard_page(request, _hazard(request, pk), status=409)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您的角色无权进行此操作。"))
            return _hazard_page(request, _hazard(request, pk), status=403)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return _hazard_page(request, _hazard(request, pk), status=400)
        messages.success(request, str(spec.done))
        return redirect(hazard.get_absolute_url())


class HazardReportView(ScopedView):
    """报告隐患 for a building in scope (``?building=``), from a phone."""

    model = Hazard

    def _building(self, raw: Any) -> Building:
        from xianfeng.core.services import get_object_for

        return get_object_for(user=self.request.user, model=Building, pk=_id(raw))

    def _render(self, form: Any, building: Building, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "safety/hazard_form.html",
            {"form": form, "building": building},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        building = self._building(request.GET.get("building"))
        return self._render(HazardReportForm(initial={"building": building.pk}), building)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        building = self._building(request.POST.get("building"))
        form = HazardReportForm(request.POST)
        if not form.is_valid():
            return self._render(form, building, status=400)
        data = dict(form.cleaned_data)
        data.pop("building")
        try:
            hazard, created = services.hazard_report_once(
                actor=request.user,
                building=building,
                photos=request.FILES.getlist("photos"),
                **data,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(form, building, status=400)
        if created:
            messages.success(request, _("隐患已报告，等待社区确认立案。"))
        else:
            messages.info(request, _("这条隐患已经报告过了，没有重复保存。"))
        return redirect(hazard.get_absolute_url())


# --- checklists --------------------------------------------------------------------------------


class ChecklistListView(ScopedView):
    model = Hazard  # reference data: any signed-in account reads it

    def get(self, request: HttpRequest) -> HttpResponse:
        templates = ChecklistTemplate.objects.filter(is_current=True).prefetch_related("items")
        return render(request, "safety/checklist_list.html", {"templates": templates})


def _checklist_page(
    request: HttpRequest,
    template: ChecklistTemplate,
    form: Any = None,
    status: int = 200,
    item_forms: Any = None,
) -> HttpResponse:
    can_revise = template.is_current and services.may_revise_templates(request.user)
    if can_revise and form is None:
        form = ChecklistReviseForm(
            initial={f: getattr(template, f) for f in services.TEMPLATE_FIELDS if f != "name"}
        )
    if can_revise and item_forms is None:
        item_forms = ChecklistItemFormSet(
            prefix="items",
            initial=[
                {f: getattr(i, f) for f in services.ITEM_FIELDS} for i in template.items.all()
            ],
        )
    return render(
        request,
        "safety/checklist_detail.html",
        {
            "template": template,
            "items": template.items.all(),
            "versions": ChecklistTemplate.objects.filter(place_kind=template.place_kind),
            "form": form if can_revise else None,
            "item_forms": item_forms if can_revise else None,
        },
        status=status,
    )


class ChecklistDetailView(ScopedView):
    """A checklist version; the district revises the current one here (a new version: the
    inspections started on this one keep it)."""

    model = Hazard

    def _template(self, pk: Any) -> ChecklistTemplate:
        template = ChecklistTemplate.objects.filter(pk=_id(pk)).first()
        if template is None:
            raise Http404
        return template

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _checklist_page(request, self._template(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        template = self._template(pk)
        if not services.may_revise_templates(request.user):
            raise PermissionDenied(_("只有区委组织部可以修订安全检查表。"))
        form = ChecklistReviseForm(request.POST)
        # The items' rows (a form without them keeps the items as they are).
        item_forms = None
        if "items-TOTAL_FORMS" in request.POST:
            item_forms = ChecklistItemFormSet(request.POST, prefix="items")
        items_ok = item_forms is None or item_forms.is_valid()
        if not form.is_valid() or not items_ok:
            return _checklist_page(request, template, form, status=400, item_forms=item_forms)
        data = dict(form.cleaned_data)
        items = None
        if item_forms is not None:
            items = [
                {f: row[f] for f in services.ITEM_FIELDS}
                for row in item_forms.cleaned_data
                if row and not row.get("DELETE")
            ]
        try:
            fresh = services.template_revise(
                actor=request.user,
                template=template,
                note=data.pop("note"),
                changes=data,
                items=items,
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return _checklist_page(request, template, form, status=400, item_forms=item_forms)
        messages.success(request, _("已修订为新版本；按旧版本开始的检查仍按旧版本完成。"))
        return redirect(fresh.get_absolute_url())


# --- incidents ---------------------------------------------------------------------------------


class IncidentListView(ScopedView):
    """安全事故 in scope, newest first, by year and severity."""

    model = Incident

    def get(self, request: HttpRequest) -> HttpResponse:
        year = _id(request.GET.get("year"))
        severity = request.GET.get("severity")
        severity = severity if severity in IncidentSeverity.values else None
        qs = selectors.incidents(request.user, year=year, severity=severity)
        params = {k: v for k, v in (("year", year), ("severity", severity)) if v}
        return render(
            request,
            "safety/incident_list.html",
            {
                "page": paginate(request, qs),
                "querystring": (urlencode(params) + "&") if params else "",
                "can_add": self.can(Action.ADD),
                "severities": IncidentSeverity.choices,
                "params": params,
            },
        )


class IncidentDetailView(ScopedView):
    model = Incident

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        incident = self.object_for(
            pk, queryset=Incident.objects.select_related("organization", "building", "recorded_by")
        )
        return render(
            request,
            "safety/incident_detail.html",
            {
                "incident": incident,
                "responsible": incident.responsible.order_by("path"),
                "history": history_rows(incident),
            },
        )


class IncidentCreateView(ServiceFormView):
    model = Incident
    title_text = gettext_lazy("登记安全事故")
    submit_label = gettext_lazy("登记")
    success_message = gettext_lazy("安全事故已登记。")

    def back_url(self, target: Any) -> str:
        from django.urls import reverse

        return reverse("safety:incident_list")

    def make_form(self, target: Any, data: Any = None) -> IncidentForm:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return IncidentForm(data, user=self.request.user)

    def perform(self, form: IncidentForm, target: Any) -> Incident:
        return services.incident_record(actor=self.request.user, **form.cleaned_data)
