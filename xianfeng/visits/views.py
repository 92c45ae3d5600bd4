"""Pages of visits: the phone visit form with its household picker, visit lists, coverage,
households not visited (and putting them in a member's charge), paired safety checks. Lists
through ``xianfeng.visits.selectors`` (the API uses the same ones)."""

from __future__ import annotations

from datetime import date
from html import escape  # Django's escape(), without its check for lazy strings per call
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.labels import escaped, url_prefix
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.people.models import PartyMember
from xianfeng.people.selectors import member_choices
from xianfeng.places.models import Household
from xianfeng.visits import selectors, services
from xianfeng.visits.choices import VisitPurpose
from xianfeng.visits.forms import VisitForm
from xianfeng.visits.models import HouseholdResponsibility, Visit
from xianfeng.work.models import Task
from xianfeng.work.services import member_of


def _int(value: str | None, default: int, low: int = 1, high: int = 3660) -> int:
    try:
        return max(low, min(high, int(value or default)))
    except ValueError:
        return default


def _id(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def _day(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` filter; anything else is no filter (a hand-edited URL is no error)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


PICKER_ROWS = 30


def _picker_households(request: HttpRequest, member: PartyMember | None, q: str) -> list[Household]:
    """Households for the picker: the member's own first, searched by building, unit or room;
    at most ``PICKER_ROWS`` (the page says how many more a search would narrow down)."""
    if member is None:
        return []
    qs = services.member_households(member).select_related("building")
    if q:
        qs = qs.filter(
            Q(building__name__contains=q) | Q(room__startswith=q) | Q(building__address__contains=q)
        )
    return list(qs.order_by("building__code", "sort_key", "id")[: PICKER_ROWS + 1])


def _picker_context(households: list[Household], q: str) -> dict[str, Any]:
    return {"households": households[:PICKER_ROWS], "more": len(households) > PICKER_ROWS, "q": q}


class VisitCreateView(ScopedView):
    model = Visit

    def _member(self) -> PartyMember:
        member = member_of(self.request.user)
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
        picker = _picker_context(_picker_households(self.request, member, q), q)
        if chosen is not None and chosen not in picker["households"]:
            picker["households"].insert(0, chosen)  # opened from a task's missing household
        return render(
            self.request,
            "visits/visit_form.html",
            {
                "form": form,
                "member": member,
                "chosen": chosen,
                "for_task": self._for_task(form),
                **picker,
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
        except Http404:  # a household out of scope: same message as missing
            form.add_error(None, _("所选住户不存在或不在您的管辖范围内。"))
            return self._render(form, member, status=400)
        if created:
            messages.success(request, _("走访已登记。"))
        else:
            messages.info(request, _("这次走访已经登记过了，没有重复保存。"))
        for notice in visit.notices:
            messages.warning(request, notice)
        return redirect(visit.get_absolute_url())


class HouseholdPickerView(ScopedView):
    """htmx fragment: the household choices for a search term."""

    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        member = member_of(request.user)
        q = request.GET.get("q", "").strip()
        return render(
            request,
            "visits/_household_choices.html",
            _picker_context(_picker_households(request, member, q), q),
        )


# What a row shows, in the order ``visit_rows`` unpacks it (plain tuples from ``values_list``:
# no model instance per row; a person row in full would decrypt its ID number and phone).
VISIT_ROW_FIELDS = (
    "id",
    "visited_at",
    "purposes",
    "household_id",
    "building__name",
    "member__person__name",
)


def visit_rows(visits: Any) -> SafeString:
    """The visit list's rows, as the template loop wrote them, byte for byte
    (``xianfeng/tests/test_list_rows_html.py``): in Python, from ``VISIT_ROW_FIELDS`` tuples,
    because the template engine spent about ten variable lookups and a date filter a row
    (issue 11). The page's households are named from one second query (joined into the first,
    PostgreSQL spent longer planning it than running it; see ``selectors.visits``)."""
    prefix = escape(url_prefix("work:visit_detail"))
    l_household, l_member, l_purposes = escape(_("住户")), escape(_("党员")), escape(_("事项"))
    names = escaped(VisitPurpose)
    rows = list(visits)
    households = selectors.household_labels(row[3] for row in rows if row[3] is not None)
    local = timezone.get_current_timezone()
    cells: dict[tuple[str, ...], str] = {}  # a page repeats a few combinations of purposes
    out = []
    for pk, visited_at, purposes, household, building, member in rows:
        at = visited_at.astimezone(local)  # what the date filter shows: local time
        where = escape(households[household] if household is not None else building)
        key = tuple(purposes)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = "、".join(names.get(p) or escape(p) for p in purposes)
        out.append(
            f'<tr><td><a href="{prefix}{pk}/">{at:%Y-%m-%d %H:%M}</a></td>'
            f'<td data-label="{l_household}">{where}</td>'
            f'<td data-label="{l_member}">{escape(member)}</td>'
            f'<td data-label="{l_purposes}">{cell}</td></tr>'
        )
    return mark_safe("".join(out))  # every value above is escaped


class VisitListView(ScopedView):
    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        member = member_of(request.user)
        rows = selectors.visit_list(
            request.user,
            VISIT_ROW_FIELDS,
            mine=request.GET.get("mine") == "1",
            household=_id(request.GET.get("household")),
            since=_day(request.GET.get("since")),
        )
        params = {k: request.GET[k] for k in ("mine", "household", "since") if request.GET.get(k)}
        # The COUNT is the ORM's count of the selector's queryset, on the visits alone:
        # counted after ``values_list`` it kept the three inner joins of the shown columns
        # (buildings, members, persons: 18 ms of PostgreSQL for the district's 11,767 visits,
        # 1.4 without). Those are foreign keys that cannot be null: both count the same rows.
        page = paginate(request, rows)
        return render(
            request,
            "visits/visit_list.html",
            {
                "page": page,
                "rows": visit_rows(page.object_list),
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
            "visits/visit_detail.html",
            {
                "visit": visit,
                "photos": visit.photos.all(),
                # The member who made it is offered what comes next (the next household).
                "is_mine": getattr(member_of(request.user), "pk", None) == visit.member_id,
                # What was found can go on the problem wall (the public app, above this one:
                # named through the app registry, not imported).
                "can_raise_problem": self.can(Action.ADD, apps.get_model("public", "Problem")),
            },
        )


# --- coverage --------------------------------------------------------------------------------


class CoverageView(ScopedView):
    model = Household

    def get(self, request: HttpRequest) -> HttpResponse:
        days = _int(request.GET.get("days"), 30)
        org_id = request.GET.get("org")
        zone_id = request.GET.get("zone")
        org, zone = selectors.coverage_target(request.user, _id(org_id), _id(zone_id))
        start, end = selectors.period(days)
        cov = selectors.coverage(org=org, zone=zone, start=start, end=end)
        children = selectors.coverage_by_child(org=org, start=start, end=end) if org else []
        not_visited_days = _int(request.GET.get("nv"), 90)
        not_visited_count = selectors.not_visited(org=org, zone=zone, days=not_visited_days).count()
        return render(
            request,
            "visits/coverage.html",
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
        org, zone = selectors.coverage_target(request.user, _id(org_id), _id(zone_id))
        return org, zone, days

    def _render(self, request: HttpRequest, status: int = 200, error: str = "") -> HttpResponse:
        org, zone, days = self._target(request, request.GET)
        qs = selectors.not_visited(org=org, zone=zone, days=days)
        params = {k: request.GET[k] for k in ("org", "zone", "days") if request.GET.get(k)}
        can_assign = self.can(Action.ADD, model=HouseholdResponsibility)
        picker: dict[str, Any] = {}
        if can_assign:
            # The member picker finds anyone under the organization (search as you type).
            root = org.pk if org else (zone.organization_id if zone else None)
            picker = {**member_choices(request.user, "", root), "member_root": root}
        return render(
            request,
            "visits/not_visited.html",
            {
                "org": org,
                "zone": zone,
                "days": days,
                "page": paginate(request, qs),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "can_assign": can_assign,
                **picker,
                "error": error,
                "now": timezone.now(),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD, model=HouseholdResponsibility):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        ids = [int(i) for i in request.POST.getlist("households") if i.isdigit()]
        member_id = request.POST.get("member", "")
        member = (
            PartyMember.objects.restrict(request.user, serving=True).filter(pk=member_id).first()
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
        org_id = request.GET.get("org")
        error = ""
        try:
            start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
            org, start, end, low, high = selectors.paired_target(
                request.user, _id(org_id), start, end
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
            org, start, end, low, high = selectors.paired_target(
                request.user, _id(org_id), None, None
            )
        rows = selectors.paired_checks(user=request.user, org=org, start=low, end=high)
        partner = None
        if request.GET.get("partner"):
            partner = selectors.paired_partner(
                user=request.user, org=org, pk=request.GET["partner"]
            )
        visits = selectors.paired_visits(
            user=request.user, org=org, start=low, end=high, partner=request.GET.get("partner")
        )
        params = {"org": org.pk, "start": start.isoformat(), "end": end.isoformat()}
        if partner is not None:
            params["partner"] = partner.pk
        return render(
            request,
            "visits/paired_checks.html",
            {
                "org": org,
                "start": start,
                "end": end,
                "rows": rows,
                "partner": partner,
                "error": error,
                "page": paginate(request, visits),
                "querystring": urlencode(params) + "&",
                "base": urlencode({k: v for k, v in params.items() if k != "partner"}),
            },
            status=400 if error else 200,
        )


# --- households that moved (待社区更新住户信息) ---------------------------------------------------


class MovedHouseholdListView(ScopedView):
    """Visits that found their household moved, for the staff who keep the households: each
    links to its building (to update the household there) and closes with a note."""

    model = Visit

    def get(self, request: HttpRequest) -> HttpResponse:
        from xianfeng.core import workflow
        from xianfeng.visits.choices import HouseholdUpdate

        if not self.can(Action.CHANGE, Household):
            raise PermissionDenied(_("只有社区（网格）管理人员可以查看待更新的住户。"))
        state = request.GET.get("state", HouseholdUpdate.PENDING)
        page = paginate(request, selectors.moved_household_visits(request.user, state=state))
        spec = next(s for s in workflow.steps_of(Visit) if s.name == "close_household_update")
        return render(
            request,
            "visits/moved_households.html",
            {
                "page": page,
                "state": HouseholdUpdate.DONE if state == HouseholdUpdate.DONE else "pending",
                "querystring": f"state={state}&" if state == HouseholdUpdate.DONE else "",
                # One permission check per row would be one query per row; the step checks again.
                "step": spec,
            },
        )


class VisitStepView(StepView):
    model = Visit

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return VisitDetailView(request=request).get(request, obj.pk)

    def success_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("work:moved_households")
