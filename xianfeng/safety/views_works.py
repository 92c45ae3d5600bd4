"""Pages of small works (零星工程) and focus days (集中整治日).

Public, no login, phone first: the filing form (预动工、先报备), its QR code for a community
(printed at the community's door) and the filing's own page from the signed link given on
filing. Staff: the filings in scope with the buttons ``WorksFlow`` declares, and the patrol's
"发现未报备施工" on a building. Focus days: the street's list, scheduling, and a day's page
where its hazards are picked and its outcome recorded (``FocusFlow``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from xianfeng.core import ratelimit, workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.publicurl import public_url, qr_svg
from xianfeng.core.services import get_object_for
from xianfeng.core.validators import mask_phone
from xianfeng.core.views import ScopedView, ServiceFormView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView, take_on_page
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building
from xianfeng.safety import selectors
from xianfeng.safety import services_works as works_services
from xianfeng.safety.choices import FocusState, WorksKind, WorksState
from xianfeng.safety.forms import FocusDayForm, UnfiledWorksForm
from xianfeng.safety.models import FocusDay, SmallWork

FORM_FIELDS = (
    "community",
    "applicant",
    "phone",
    "contractor",
    "site",
    "kind",
    "description",
    "start_on",
    "end_on",
    "measures",
)


def _id(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 18 else None


def _communities() -> list[Organization]:
    # The district's communities, for the public form's picker: reference data, not scoped.
    return list(
        Organization.objects.filter(kind=OrgKind.COMMUNITY)
        .only("id", "name", "short_name")
        .order_by("path")[:300]
    )


# --- public ----------------------------------------------------------------------------------


class PublicWorksView(View):
    """零星工程报备 on a phone, no account. Everything typed stays when something is wrong."""

    def _render(
        self, request: HttpRequest, values: dict[str, str], errors: dict, status: int = 200
    ) -> HttpResponse:
        context = {
            "values": values,
            "errors": errors,
            "communities": _communities(),
            "kinds": WorksKind.choices,
            "today": timezone.localdate().isoformat(),
        }
        return render(request, "safety/works_public.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        values = {"community": str(_id(request.GET.get("community")) or "")}
        return self._render(request, values, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {k: request.POST.get(k, "")[:2100] for k in FORM_FIELDS}
        try:
            works = works_services.works_file(client_ip=ratelimit.client_ip(request), **values)
        except works_services.WorksThrottled as exc:
            return self._render(request, values, {"__all__": [str(exc)]}, status=429)
        except ValidationError as exc:
            return self._render(request, values, exc.message_dict, status=400)
        token = works_services.works_token(works)
        return redirect(reverse("safety:works_public_status", args=[token]) + "?new=1")


class PublicWorksStatusView(View):
    """The filing's own page (the link given on filing): its state and the community's word."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            works = works_services.works_for_token(token)
        except works_services.WorksLinkInvalid as exc:
            return render(
                request, "safety/works_public_status.html", {"invalid": str(exc)}, status=404
            )
        link = public_url(reverse("safety:works_public_status", args=[token]))
        return render(
            request,
            "safety/works_public_status.html",
            {
                "works": works,
                "link": link,
                "new": request.GET.get("new") == "1",
                "phone": mask_phone(works.phone),
            },
        )


class PublicWorksQrView(View):
    """The filing page's QR code for one community (SVG, for the notice at its door)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        pk = _id(request.GET.get("community"))
        # A public poster of a community of the district: reference data, not scoped.
        community = Organization.objects.filter(pk=pk, kind=OrgKind.COMMUNITY).first()
        if community is None:
            raise Http404
        url = public_url(reverse("safety:works_public") + f"?community={community.pk}")
        return HttpResponse(qr_svg(url), content_type="image/svg+xml")


# --- staff: small works --------------------------------------------------------------------------


class WorksListView(ScopedView):
    """零星工程报备 in scope, newest first, by state; the filing page's QR for a community."""

    model = SmallWork

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state")
        state = state if state in WorksState.values else None
        qs = selectors.small_works(request.user, state=state)
        communities = list(
            Organization.objects.restrict(request.user)
            .filter(kind=OrgKind.COMMUNITY)
            .only("id", "name", "short_name")
            .order_by("path")[:50]
        )
        return render(
            request,
            "safety/works_list.html",
            {
                "page": paginate(request, qs),
                "querystring": f"state={state}&" if state else "",
                "states": WorksState.choices,
                "state": state,
                "communities": communities,
                "public_link": public_url(reverse("safety:works_public")),
            },
        )


def _works_page(request: HttpRequest, works: SmallWork, status: int = 200) -> HttpResponse:
    return render(
        request,
        "safety/works_detail.html",
        {
            "works": works,
            "steps": workflow.available(request.user, works),
            "hazards": selectors.works_hazards(request.user, works),
            "phone": mask_phone(works.phone),
            "history": history_rows(works),
        },
        status=status,
    )


WORKS_QS = SmallWork.objects.select_related("community", "organization", "building", "decided_by")


class WorksDetailView(ScopedView):
    model = SmallWork

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _works_page(request, self.object_for(pk, queryset=WORKS_QS))


class WorksStepView(StepView):
    """POST /safety/works/<pk>/<step>/: accept, decline, inspect, finish."""

    model = SmallWork

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _works_page(request, self.object_for(obj.pk, queryset=WORKS_QS))


class UnfiledWorksView(ScopedView):
    """发现未报备施工: a member on patrol reports works nobody filed at a building in scope;
    it becomes a hazard of the building."""

    model = SmallWork

    def _building(self, pk: Any) -> Building:
        return get_object_for(user=self.request.user, model=Building, pk=_id(pk))

    def _render(self, form: Any, building: Building, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            "safety/works_unfiled.html",
            {"form": form, "building": building},
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(UnfiledWorksForm(), self._building(pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self._building(pk)
        form = UnfiledWorksForm(request.POST)
        if not form.is_valid():
            return self._render(form, building, status=400)
        try:
            hazard = works_services.works_unfiled(
                actor=request.user,
                building=building,
                photos=request.FILES.getlist("photos"),
                **form.cleaned_data,
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            return self._render(form, building, status=403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(form, building, status=400)
        messages.success(request, _("已按隐患立案上报，等待社区确认。"))
        return redirect(hazard.get_absolute_url())


# --- focus days ----------------------------------------------------------------------------------


class FocusListView(ScopedView):
    """集中整治日 of the streets in scope, latest first."""

    model = FocusDay

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.focus_days(request.user)
        return render(
            request,
            "safety/focus_list.html",
            {"page": paginate(request, qs), "can_add": self.can(Action.ADD)},
        )


class FocusCreateView(ServiceFormView):
    model = FocusDay
    title_text = gettext_lazy("安排安全隐患集中整治日")
    intro = gettext_lazy(
        "每周二为安全隐患集中整治日：街道党工委安排当周的整治日，选定最难啃的隐患，"
        "当天登记参加人员和解决情况。"
    )
    submit_label = gettext_lazy("安排")
    success_message = gettext_lazy("集中整治日已安排，请选定要整治的隐患。")

    def back_url(self, target: Any) -> str:
        return reverse("safety:focus_list")

    def make_form(self, target: Any, data: Any = None) -> FocusDayForm:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        return FocusDayForm(data, user=self.request.user)

    def perform(self, form: FocusDayForm, target: Any) -> FocusDay:
        return works_services.focus_schedule(actor=self.request.user, **form.cleaned_data)


FOCUS_QS = FocusDay.objects.select_related("organization", "scheduled_by")


def _focus_page(request: HttpRequest, day: FocusDay, status: int = 200) -> HttpResponse:
    steps = {s.name: s for s in workflow.available(request.user, day)}
    picks = list(day.picks.select_related("hazard__building").order_by("id"))
    candidates: list[Any] = []
    members: list[PartyMember] = []
    if "pick" in steps:
        candidates = list(works_services.focus_candidates(request.user, day)[:60])
    if "record" in steps:
        members = list(
            PartyMember.objects.restrict(request.user)
            .filter(branch__path__startswith=day.organization.path)
            .select_related("person", "branch")
            .only("id", "person__name", "branch__name", "branch__short_name")
            .order_by("branch__path", "person__name")[:300]
        )
    return render(
        request,
        "safety/focus_detail.html",
        {
            "day": day,
            "steps": steps,
            "picks": picks,
            "picked": {p.hazard_id for p in picks},
            "candidates": candidates,
            "members": members,
            "attendees": list(day.attendees.select_related("person", "branch")),
            "history": history_rows(day),
            "held": day.state == FocusState.HELD,
        },
        status=status,
    )


class FocusDetailView(ScopedView):
    model = FocusDay

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _focus_page(request, self.object_for(pk, queryset=FOCUS_QS))


class FocusStepView(ScopedView):
    """POST /safety/focus/<pk>/<step>/: pick the hazards, record the day (lists from
    checkboxes); a refusal shows on the day's page with its status."""

    model = FocusDay

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in {s.name for s in workflow.steps_of(FocusDay) if not s.system}:
            raise Http404
        day = self.object_for(pk, queryset=FOCUS_QS)
        extra: dict[str, Any] = {}
        if action == "pick":
            extra["hazards"] = request.POST.getlist("hazards")
        elif action == "record":
            extra["attendees"] = request.POST.getlist("attendees")
            extra["resolved"] = request.POST.getlist("resolved")
            extra["others"] = request.POST.get("others", "")[:200]
        status = take_on_page(request, day, action, **extra)
        if status is None:
            return redirect(day.get_absolute_url())
        return _focus_page(request, self.object_for(pk, queryset=FOCUS_QS), status=status)
