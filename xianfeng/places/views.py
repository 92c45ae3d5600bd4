"""Places from grid to building to household, and responsibility zones."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import org_in_scope
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import Person, Resident
from xianfeng.places import services
from xianfeng.places.choices import BuildingKind, SafetyColour, ZoneKind
from xianfeng.places.forms import BuildingForm, GridForm, HouseholdForm, ZoneForm
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone


def _kept(request: HttpRequest, keys: tuple[str, ...]) -> tuple[dict[str, str], str]:
    kept = {k: request.GET[k] for k in keys if request.GET.get(k)}
    return kept, (urlencode(kept) + "&" if kept else "")


def _form_page(request: HttpRequest, form: Any, title: str, back: str, **extra: Any):
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "back_url": back, **extra},
        status=400 if form.errors else 200,
    )


class GridListView(ScopedView):
    model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = (
            self.scoped()
            .select_related("community", "branch")
            .annotate(n_buildings=Count("buildings"))
            .order_by("code")
        )
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(code__icontains=q))
        community = request.GET.get("community", "")
        if community.isdigit():
            qs = qs.filter(community_id=community)
        if request.GET.get("no_boundary") == "1":
            qs = qs.filter(boundary__isnull=True)
        params, querystring = _kept(request, ("q", "community", "no_boundary"))
        return render(
            request,
            "places/grid_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": querystring,
                "can_add": self.can(Action.ADD),
            },
        )


class GridDetailView(ScopedView):
    model = Grid

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        grid = self.object_for(pk, queryset=Grid.objects.select_related("community", "branch"))
        buildings = (
            Building.objects.restrict(request.user)
            .filter(grid=grid)
            .annotate(n_households=Count("households"))
            .order_by("code")
        )
        return render(
            request,
            "places/grid_detail.html",
            {
                "grid": grid,
                "workers": grid.workers.all(),
                "page": paginate(request, buildings),
                "querystring": "",
                "can_change": Grid.objects.restrict(request.user, Action.CHANGE)
                .filter(pk=pk)
                .exists(),
                "can_add_building": org_in_scope(
                    user=request.user, org=grid.organization, model=Building, action=Action.ADD
                ),
                "history": history_rows(grid),
            },
        )


class GridCreateView(ScopedView):
    model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建网格。"))
        return _form_page(request, GridForm(user=request.user), _("新建网格"), "/places/grids/")

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建网格。"))
        form = GridForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                grid = services.grid_create(
                    actor=request.user, community=data.pop("community"), **data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已新建网格。"))
                return redirect("places:grid_detail", pk=grid.pk)
        return _form_page(request, form, _("新建网格"), "/places/grids/")


class GridEditView(ScopedView):
    model = Grid

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        grid = self.object_for(pk, Action.CHANGE)
        form = GridForm(instance=grid, user=request.user)
        return _form_page(request, form, _("修改网格"), f"/places/grids/{pk}/")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grid = self.object_for(pk, Action.CHANGE)
        original = Grid.objects.get(pk=pk)
        form = GridForm(request.POST, instance=grid, user=request.user)
        if form.is_valid():
            try:
                services.grid_update(actor=request.user, grid=original, **form.cleaned_data)
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("places:grid_detail", pk=pk)
        return _form_page(request, form, _("修改网格"), f"/places/grids/{pk}/")


class BuildingListView(ScopedView):
    model = Building

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = self.scoped().select_related("grid").order_by("code")
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(name__contains=q) | Q(address__contains=q) | Q(code__iexact=q))
        kind = request.GET.get("kind")
        if kind in BuildingKind.values:
            qs = qs.filter(kind=kind)
        colour = request.GET.get("safety_colour")
        if colour in SafetyColour.values:
            qs = qs.filter(safety_colour=colour)
        grid = request.GET.get("grid", "")
        if grid.isdigit():
            qs = qs.filter(grid_id=grid)
        params, querystring = _kept(request, ("q", "kind", "safety_colour", "grid"))
        return render(
            request,
            "places/building_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": querystring,
                "kinds": BuildingKind.choices,
                "colours": SafetyColour.choices,
                "can_add": self.can(Action.ADD),
            },
        )


class BuildingDetailView(ScopedView):
    model = Building

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(
            pk,
            queryset=Building.objects.select_related(
                "grid", "grid__community", "building_group", "landlord"
            ),
        )
        households = (
            Household.objects.restrict(request.user)
            .filter(building=building)
            .annotate(n_residents=Count("residents"))
            .prefetch_related("care_tags")
            .order_by("unit", "room")
        )
        return render(
            request,
            "places/building_detail.html",
            {
                "building": building,
                "page": paginate(request, households, 100),
                "querystring": "",
                "zones": ResponsibilityZone.objects.restrict(request.user).filter(
                    buildings=building
                ),
                "can_change": Building.objects.restrict(request.user, Action.CHANGE)
                .filter(pk=pk)
                .exists(),
                "history": history_rows(building),
            },
        )


class BuildingCreateView(ScopedView):
    model = Building

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建楼栋。"))
        initial = {"grid": request.GET["grid"]} if request.GET.get("grid", "").isdigit() else {}
        form = BuildingForm(user=request.user, initial=initial)
        return _form_page(request, form, _("新建楼栋"), "/places/buildings/")

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建楼栋。"))
        form = BuildingForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                building = services.building_create(
                    actor=request.user, grid=data.pop("grid"), **data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已新建楼栋。"))
                return redirect("places:building_detail", pk=building.pk)
        return _form_page(request, form, _("新建楼栋"), "/places/buildings/")


class BuildingEditView(ScopedView):
    model = Building

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk, Action.CHANGE)
        form = BuildingForm(instance=building, user=request.user)
        return _form_page(request, form, _("修改楼栋"), f"/places/buildings/{pk}/")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk, Action.CHANGE)
        original = Building.objects.get(pk=pk)
        form = BuildingForm(request.POST, instance=building, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.building_update(
                    actor=request.user, building=original, grid=data.pop("grid"), **data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("places:building_detail", pk=pk)
        return _form_page(request, form, _("修改楼栋"), f"/places/buildings/{pk}/")


class HouseholdDetailView(ScopedView):
    model = Household

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.object_for(
            pk, queryset=Household.objects.select_related("building", "building__grid")
        )
        residents = (
            Resident.objects.restrict(request.user)
            .filter(household=household)
            .select_related("person", "person__member")
        )
        can_reveal_ids = set(
            Person.objects.restrict(request.user, Action.VIEW_SENSITIVE)
            .filter(residences__household=household)
            .values_list("pk", flat=True)
        )
        return render(
            request,
            "places/household_detail.html",
            {
                "household": household,
                "residents": residents,
                "can_reveal_ids": can_reveal_ids,
                "care_tags": household.care_tags.all(),
                "can_change": Household.objects.restrict(request.user, Action.CHANGE)
                .filter(pk=pk)
                .exists(),
                "history": history_rows(household),
            },
        )


class HouseholdCreateView(ScopedView):
    model = Building

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk)
        self._check(request, building)
        return _form_page(
            request,
            HouseholdForm(),
            _("在%(b)s登记住户") % {"b": building.name},
            f"/places/buildings/{pk}/",
        )

    def _check(self, request: HttpRequest, building: Building) -> None:
        if not org_in_scope(
            user=request.user, org=building.organization, model=Household, action=Action.ADD
        ):
            raise PermissionDenied(_("您的角色无权在此楼栋登记住户。"))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk)
        self._check(request, building)
        form = HouseholdForm(request.POST, instance=Household(building=building))
        if form.is_valid():
            try:
                household = services.household_create(
                    actor=request.user, building=building, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已登记住户。"))
                return redirect("places:household_detail", pk=household.pk)
        return _form_page(
            request, form, _("在%(b)s登记住户") % {"b": building.name}, f"/places/buildings/{pk}/"
        )


class HouseholdEditView(ScopedView):
    model = Household

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.object_for(pk, Action.CHANGE)
        return _form_page(
            request, HouseholdForm(instance=household), _("修改住户"), f"/places/households/{pk}/"
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.object_for(pk, Action.CHANGE)
        original = Household.objects.get(pk=pk)
        form = HouseholdForm(request.POST, instance=household)
        if form.is_valid():
            try:
                services.household_update(
                    actor=request.user, household=original, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("places:household_detail", pk=pk)
        return _form_page(request, form, _("修改住户"), f"/places/households/{pk}/")


class ZoneListView(ScopedView):
    model = ResponsibilityZone

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = (
            self.scoped()
            .select_related("organization")
            .prefetch_related("members__person")
            .annotate(n_buildings=Count("buildings", distinct=True))
            .order_by("organization__path", "name")
        )
        kind = request.GET.get("kind")
        if kind in ZoneKind.values:
            qs = qs.filter(kind=kind)
        org = request.GET.get("organization", "")
        if org.isdigit():
            target = Organization.objects.restrict(request.user).filter(pk=org).first()
            qs = qs.filter(organization__path__startswith=target.path) if target else qs.none()
        q = request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(name__contains=q)
        params, querystring = _kept(request, ("kind", "organization", "q"))
        return render(
            request,
            "places/zone_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": querystring,
                "kinds": ZoneKind.choices,
                "can_add": self.can(Action.ADD),
                "zone_orgs": Organization.objects.restrict(
                    request.user, Action.ADD, rules_of=ResponsibilityZone
                )
                .filter(kind__in=[OrgKind.COMMUNITY, OrgKind.GRID_BRANCH, OrgKind.BUILDING_GROUP])
                .only("id", "name")[:500]
                if self.can(Action.ADD)
                else [],
            },
        )


class ZoneDetailView(ScopedView):
    model = ResponsibilityZone

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        zone = self.object_for(
            pk, queryset=ResponsibilityZone.objects.select_related("organization")
        )
        return render(
            request,
            "places/zone_detail.html",
            {
                "zone": zone,
                "members": zone.members.select_related("person").order_by("id"),
                "buildings": zone.buildings.order_by("code"),
                "households": zone.households.select_related("building").order_by("id")[:200],
                "can_change": ResponsibilityZone.objects.restrict(request.user, Action.CHANGE)
                .filter(pk=pk)
                .exists(),
                "history": history_rows(zone),
            },
        )


class ZoneCreateView(ScopedView):
    model = Organization

    def _title(self, org: Organization) -> str:
        return _("在“%(o)s”划分党员责任区") % {"o": org.name}

    def get(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        org = self.object_for(org_pk)
        self._check(request, org)
        form = ZoneForm(user=request.user, organization=org)
        return _form_page(request, form, self._title(org), "/zones/")

    def _check(self, request: HttpRequest, org: Organization) -> None:
        if not org_in_scope(
            user=request.user, org=org, model=ResponsibilityZone, action=Action.ADD
        ):
            raise PermissionDenied(_("您的角色无权在此划分责任区。"))

    def post(self, request: HttpRequest, org_pk: int) -> HttpResponse:
        org = self.object_for(org_pk)
        self._check(request, org)
        form = ZoneForm(request.POST, user=request.user, organization=org)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["duties"] = data.pop("duties_text")
            try:
                zone = services.zone_create(
                    actor=request.user,
                    organization=org,
                    members=list(data.pop("members")),
                    buildings=list(data.pop("buildings")),
                    **data,
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已划分责任区。"))
                return redirect("places:zone_detail", pk=zone.pk)
        return _form_page(request, form, self._title(org), "/zones/")


class ZoneEditView(ScopedView):
    model = ResponsibilityZone

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        zone = self.object_for(pk, Action.CHANGE)
        form = ZoneForm(instance=zone, user=request.user, organization=zone.organization)
        return _form_page(request, form, _("修改责任区"), f"/zones/{pk}/")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        zone = self.object_for(pk, Action.CHANGE)
        original = ResponsibilityZone.objects.get(pk=pk)
        form = ZoneForm(
            request.POST, instance=zone, user=request.user, organization=zone.organization
        )
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["duties"] = data.pop("duties_text")
            try:
                services.zone_update(
                    actor=request.user,
                    zone=original,
                    members=list(data.pop("members")),
                    buildings=list(data.pop("buildings")),
                    **data,
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("places:zone_detail", pk=pk)
        return _form_page(request, form, _("修改责任区"), f"/zones/{pk}/")
