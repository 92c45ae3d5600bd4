"""Places from grid to building to household, and responsibility zones."""

from __future__ import annotations

import re
from html import escape  # Django's escape(), without its check for lazy strings per call
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import labels
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.selectors import ListFilters
from xianfeng.core.services import NotFound, org_in_scope
from xianfeng.core.validators import parse_db_int
from xianfeng.core.views import ScopedView, ServiceFormView, apply_form_errors, paginate
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import Person
from xianfeng.places import selectors, services
from xianfeng.places.choices import BuildingKind, SafetyColour, ZoneKind
from xianfeng.places.forms import BoundaryForm, BuildingForm, GridForm, HouseholdForm, ZoneForm
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone
from xianfeng.places.selectors import (
    BuildingFilters,
    GridFilters,
    HouseholdFilters,
    ZoneFilters,
    building_list,
    grid_list,
    household_list,
    resident_list,
    zone_list,
)


def _kept(request: HttpRequest, filters: type[ListFilters]) -> tuple[dict[str, str], str]:
    kept = filters.kept(request.GET)
    return kept, (urlencode(kept) + "&" if kept else "")


class GridListView(ScopedView):
    model = Grid

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = GridFilters.from_params(request.GET)
        qs = grid_list(user=request.user, filters=filters).annotate(n_buildings=Count("buildings"))
        params, querystring = _kept(request, GridFilters)
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
        buildings = building_list(
            user=request.user, filters=BuildingFilters(grid=grid.pk)
        ).annotate(n_households=Count("households"))
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


class GridCreateView(ServiceFormView):
    model = Grid
    title_text = gettext_lazy("新建网格")
    success_message = gettext_lazy("已新建网格。")

    def target(self, request: HttpRequest) -> None:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建网格。"))

    def back_url(self, target: None) -> str:
        return "/places/grids/"

    def make_form(self, target: None, data: Any = None) -> GridForm:
        return GridForm(data, user=self.request.user)

    def perform(self, form: GridForm, target: None) -> Grid:
        data = dict(form.cleaned_data)
        return services.grid_create(
            actor=self.request.user, community=data.pop("community"), **data
        )


class GridEditView(ServiceFormView):
    model = Grid
    title_text = gettext_lazy("修改网格")

    def target(self, request: HttpRequest, pk: int) -> Grid:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, grid: Grid, data: Any = None) -> GridForm:
        return GridForm(data, instance=grid, user=self.request.user)

    def perform(self, form: GridForm, grid: Grid) -> Grid:
        return services.grid_update(actor=self.request.user, grid=grid, **form.cleaned_data)


# The columns the building list shows, in the order ``building_rows`` unpacks them (plain
# tuples from ``values_list``: no model instance per row).
BUILDING_ROW_FIELDS = ("id", "name", "kind", "address", "safety_colour", "grid__name")


# The colours a building's tag is styled by; any other value (unrated) gets a plain tag.
TAG_COLOURS = frozenset({"red", "yellow", "green"})


def building_rows(buildings: Any) -> SafeString:
    """The building list's rows, as the template loop wrote them, byte for byte
    (``xianfeng/tests/test_list_rows_html.py``): in Python, from ``BUILDING_ROW_FIELDS`` tuples,
    because the template engine spent about a dozen variable lookups and comparisons a row
    (issue 11)."""
    prefix = escape(labels.url_prefix("places:building_detail"))
    kinds, colours = labels.labels(BuildingKind), labels.labels(SafetyColour)
    l_kind, l_address, l_grid = escape(_("类型")), escape(_("地址")), escape(_("网格"))
    l_safety = escape(_("安全"))
    out = []
    for pk, name, kind, address, colour, grid in buildings:
        tag = colour if colour in TAG_COLOURS else ""
        out.append(
            f'<tr><td><a href="{prefix}{pk}/">{escape(name)}</a></td>'
            f'<td data-label="{l_kind}">{escape(kinds.get(kind, kind))}</td>'
            f'<td data-label="{l_address}">{escape(address)}</td>'
            f'<td data-label="{l_grid}">{escape(grid)}</td>'
            f'<td data-label="{l_safety}"><span class="tag {tag}">'
            f"{escape(colours.get(colour, colour))}</span>\n</td></tr>"
        )
    return mark_safe("".join(out))  # every value above is escaped


class BuildingListView(ScopedView):
    model = Building

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = BuildingFilters.from_params(request.GET)
        buildings = building_list(user=request.user, filters=filters)
        params, querystring = _kept(request, BuildingFilters)
        page = paginate(request, buildings.values_list(*BUILDING_ROW_FIELDS), counted=buildings)
        return render(
            request,
            "places/building_list.html",
            {
                "page": page,
                "rows": building_rows(page.object_list),
                "params": params,
                "querystring": querystring,
                "kind_options": labels.option_tags(BuildingKind, params.get("kind")),
                "colour_options": labels.option_tags(SafetyColour, params.get("safety_colour")),
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
            household_list(user=request.user, filters=HouseholdFilters(building=building.pk))
            .annotate(n_residents=Count("residents"))
            .prefetch_related("care_tags")
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


class BuildingCreateView(ServiceFormView):
    model = Building
    title_text = gettext_lazy("新建楼栋")
    success_message = gettext_lazy("已新建楼栋。")

    def target(self, request: HttpRequest) -> None:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权新建楼栋。"))

    def back_url(self, target: None) -> str:
        return "/places/buildings/"

    def make_form(self, target: None, data: Any = None) -> BuildingForm:
        grid = self.request.GET.get("grid", "")
        initial = {"grid": grid} if grid.isdigit() else {}
        return BuildingForm(data, user=self.request.user, initial=initial)

    def perform(self, form: BuildingForm, target: None) -> Building:
        data = dict(form.cleaned_data)
        return services.building_create(actor=self.request.user, grid=data.pop("grid"), **data)


class BuildingEditView(ServiceFormView):
    model = Building
    title_text = gettext_lazy("修改楼栋")

    def target(self, request: HttpRequest, pk: int) -> Building:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, building: Building, data: Any = None) -> BuildingForm:
        return BuildingForm(data, instance=building, user=self.request.user)

    def perform(self, form: BuildingForm, building: Building) -> Building:
        data = dict(form.cleaned_data)
        return services.building_update(
            actor=self.request.user, building=building, grid=data.pop("grid"), **data
        )


class HouseholdDetailView(ScopedView):
    model = Household

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        household = self.object_for(
            pk, queryset=Household.objects.select_related("building", "building__grid")
        )
        residents = resident_list(user=request.user, household=household).select_related(
            "person__member"
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


class HouseholdCreateView(ServiceFormView):
    model = Building
    success_message = gettext_lazy("已登记住户。")

    def target(self, request: HttpRequest, pk: int) -> Building:
        building = self.object_for(pk)
        if not org_in_scope(
            user=request.user, org=building.organization, model=Household, action=Action.ADD
        ):
            raise PermissionDenied(_("您的角色无权在此楼栋登记住户。"))
        return building

    def title(self, building: Building) -> str:
        return _("在%(b)s登记住户") % {"b": building.name}

    def make_form(self, building: Building, data: Any = None) -> HouseholdForm:
        return HouseholdForm(data, instance=Household(building=building))

    def perform(self, form: HouseholdForm, building: Building) -> Household:
        return services.household_create(
            actor=self.request.user, building=building, **form.cleaned_data
        )


class HouseholdEditView(ServiceFormView):
    model = Household
    title_text = gettext_lazy("修改住户")

    def target(self, request: HttpRequest, pk: int) -> Household:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, household: Household, data: Any = None) -> HouseholdForm:
        return HouseholdForm(data, instance=household)

    def perform(self, form: HouseholdForm, household: Household) -> Household:
        return services.household_update(
            actor=self.request.user, household=household, **form.cleaned_data
        )


class ZoneListView(ScopedView):
    model = ResponsibilityZone

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ZoneFilters.from_params(request.GET)
        qs = (
            zone_list(user=request.user, filters=filters)
            .prefetch_related("members__person")
            .annotate(n_buildings=Count("buildings", distinct=True))
        )
        params, querystring = _kept(request, ZoneFilters)
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


def _zone_fields(form: ZoneForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["duties"] = data.pop("duties_text")
    data["members"] = list(data["members"])
    data["buildings"] = list(data["buildings"])
    return data


class ZoneCreateView(ServiceFormView):
    model = Organization
    success_message = gettext_lazy("已划分责任区。")

    def target(self, request: HttpRequest, org_pk: int) -> Organization:
        org = self.object_for(org_pk)
        if not org_in_scope(
            user=request.user, org=org, model=ResponsibilityZone, action=Action.ADD
        ):
            raise PermissionDenied(_("您的角色无权在此划分责任区。"))
        return org

    def title(self, org: Organization) -> str:
        return _("在“%(o)s”划分党员责任区") % {"o": org.name}

    def back_url(self, org: Organization) -> str:
        return "/zones/"

    def make_form(self, org: Organization, data: Any = None) -> ZoneForm:
        return ZoneForm(data, user=self.request.user, organization=org)

    def perform(self, form: ZoneForm, org: Organization) -> ResponsibilityZone:
        return services.zone_create(actor=self.request.user, organization=org, **_zone_fields(form))


class ZoneEditView(ServiceFormView):
    model = ResponsibilityZone
    title_text = gettext_lazy("修改责任区")

    def target(self, request: HttpRequest, pk: int) -> ResponsibilityZone:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, zone: ResponsibilityZone, data: Any = None) -> ZoneForm:
        return ZoneForm(data, instance=zone, user=self.request.user, organization=zone.organization)

    def perform(self, form: ZoneForm, zone: ResponsibilityZone) -> ResponsibilityZone:
        return services.zone_update(actor=self.request.user, zone=zone, **_zone_fields(form))


class HouseholdPickerView(ScopedView):
    """The search-as-you-type household picker (htmx): checkboxes named ``name``, the ticked
    ones kept first, then what the search finds."""

    model = Household

    def get(self, request: HttpRequest) -> HttpResponse:
        name = request.GET.get("name", "households")
        if not re.fullmatch(r"[a-z_]{1,40}", name):
            name = "households"
        checked = [i for i in (parse_db_int(v) for v in request.GET.getlist(name)) if i]
        context = selectors.household_choices(
            user=request.user,
            q=request.GET.get("q", "").strip()[:50],
            under=parse_db_int(request.GET.get("under", "")),
            checked=checked[:500],
        )
        return render(request, "places/_household_choices.html", {**context, "name": name})


# --- the map ---------------------------------------------------------------------------------


def _map_settings() -> dict[str, str]:
    return {"tiles": settings.XIANFENG_MAP_TILES, "attribution": settings.XIANFENG_MAP_ATTRIBUTION}


class MapView(ScopedView):
    """A community's buildings coloured by safety class and its grids' boundaries; the data
    come from ``/api/v1/map`` (GeoJSON)."""

    model = Building

    def get(self, request: HttpRequest) -> HttpResponse:
        communities = selectors.map_communities(user=request.user)
        raw = request.GET.get("community", "")
        wanted = parse_db_int(raw) if raw else None
        ids = [pk for pk, _name in communities]
        if raw and wanted not in ids:
            raise NotFound(_("对象不存在或不在您的管辖范围内。"))
        community = wanted if wanted is not None else (ids[0] if ids else None)
        return render(
            request,
            "places/map.html",
            {
                "communities": communities,
                "community": community,
                "map": _map_settings(),
                "colours": labels.options(SafetyColour),
                "limit": settings.XIANFENG_MAP_MAX_BUILDINGS,
            },
        )


class GridBoundaryView(ScopedView):
    """Draw or edit a grid's boundary on the map; saved through ``grid_update`` (history)."""

    model = Grid

    def _page(self, request: HttpRequest, grid: Grid, form: BoundaryForm, status: int = 200):
        points = list(
            Building.objects.restrict(request.user)
            .filter(grid=grid, latitude__isnull=False, longitude__isnull=False)
            .order_by("id")
            .values_list("longitude", "latitude")[: settings.XIANFENG_MAP_MAX_BUILDINGS]
        )
        centre = grid.branch or grid.community
        return render(
            request,
            "places/grid_boundary.html",
            {
                "grid": grid,
                "form": form,
                "map": _map_settings(),
                "points": [[float(lon), float(lat)] for lon, lat in points],
                "centre": centre,
            },
            status=status,
        )

    def _grid(self, pk: int) -> Grid:
        return self.object_for(
            pk, Action.CHANGE, queryset=Grid.objects.select_related("community", "branch")
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        grid = self._grid(pk)
        return self._page(request, grid, BoundaryForm(initial={"boundary": grid.boundary}))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        grid = self._grid(pk)
        form = BoundaryForm(request.POST)
        if not form.is_valid():
            return self._page(request, grid, form, status=400)
        try:
            services.grid_update(
                actor=request.user, grid=grid, boundary=form.cleaned_data["boundary"]
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._page(request, grid, form, status=400)
        messages.success(request, _("已保存网格边界。"))
        return redirect(grid.get_absolute_url())
