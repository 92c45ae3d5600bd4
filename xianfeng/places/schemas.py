"""Shapes of the places API: what the grid, building, household and zone endpoints answer and
accept (``xianfeng/places/api.py`` holds the endpoints). ID numbers and phones are masked in
every shape here."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy
from ninja import Field, Schema

from xianfeng.core.api import ListParams, OrgRef, PersonRef, choice_label, page_of
from xianfeng.core.validators import LINE_MAX_LENGTH, TEXT_MAX_LENGTH, DbInt, Text
from xianfeng.people.models import PartyMember
from xianfeng.places.choices import BuildingKind, CareTagCode, SafetyColour, ZoneKind
from xianfeng.places.models import ResponsibilityZone


class OrgBrief(Schema):
    id: int
    name: str


class NamedRef(Schema):
    id: int
    name: str


class GridRef(Schema):
    id: int
    code: str
    name: str


class BuildingRef(Schema):
    id: int
    code: str
    name: str
    address: str


# --- grids -----------------------------------------------------------------------------------


class GridOut(Schema):
    id: int
    code: str
    name: str
    community: OrgRef
    branch: OrgRef | None
    organization_id: int
    note: str
    updated_at: datetime


class GridDetailOut(GridOut):
    boundary: dict[str, Any] | None
    workers: list[NamedRef]


GridPage = page_of(GridOut)


class GridFilters(ListParams):
    community: DbInt | None = Field(None, description=gettext_lazy("所属社区编号"))
    no_boundary: bool | None = Field(None, description=gettext_lazy("只列尚未绘制边界的网格"))
    q: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("网格名称或编码包含"))


class GridFields(Schema):
    name: Text(80) = Field(max_length=80)
    branch: DbInt | None = Field(None, description=gettext_lazy("网格党支部编号"))
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon")
    note: Text(TEXT_MAX_LENGTH) = ""
    workers: list[DbInt] | None = Field(None, description=gettext_lazy("网格员（人员编号）"))


class GridIn(GridFields):
    community: DbInt = Field(description=gettext_lazy("所属社区编号"))
    code: Text(40) = Field(max_length=40)


class GridPatch(GridFields):
    code: Text(40) | None = Field(None, max_length=40)
    name: Text(80) | None = Field(None, max_length=80)


# --- buildings -------------------------------------------------------------------------------


class LandlordRef(Schema):
    id: int
    name: str
    mobile_masked: str


class BuildingOut(Schema):
    id: int
    code: str
    name: str
    address: str
    grid: GridRef
    building_group: OrgBrief | None
    organization_id: int
    kind: str
    kind_label: str
    floors: int | None
    landlord: LandlordRef | None
    owner_name: str
    latitude: Decimal | None
    longitude: Decimal | None
    safety_colour: str
    safety_colour_label: str
    note: str
    updated_at: datetime

    resolve_kind_label = choice_label("kind")
    resolve_safety_colour_label = choice_label("safety_colour")


BuildingPage = page_of(BuildingOut)


class BuildingFilters(ListParams):
    grid: DbInt | None = Field(None, description=gettext_lazy("所属网格编号"))
    kind: BuildingKind | None = None
    safety_colour: SafetyColour | None = None
    q: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("名称、地址或编码包含"))


class BuildingFields(Schema):
    name: Text(100) = Field(max_length=100)
    address: Text(200) = Field(max_length=200)
    building_group: DbInt | None = Field(None, description=gettext_lazy("楼栋党小组编号"))
    kind: BuildingKind = BuildingKind.RESIDENTIAL
    floors: DbInt | None = Field(None, ge=0, le=300)
    landlord: DbInt | None = Field(None, description=gettext_lazy("业主/房东（人员编号）"))
    owner_name: Text(120) = Field("", max_length=120)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    note: Text(TEXT_MAX_LENGTH) = ""


class BuildingIn(BuildingFields):
    grid: DbInt = Field(description=gettext_lazy("所属网格编号"))
    code: Text(40) = Field(max_length=40)


class BuildingPatch(BuildingFields):
    grid: DbInt | None = None
    code: Text(40) | None = Field(None, max_length=40)
    name: Text(100) | None = Field(None, max_length=100)
    address: Text(200) | None = Field(None, max_length=200)
    kind: BuildingKind | None = None


# --- households ------------------------------------------------------------------------------


class CareTagOut(Schema):
    code: str
    name: str


class ResidentOut(Schema):
    id: int
    person: PersonRef
    relation: str
    relation_label: str
    moved_in_on: date | None

    resolve_relation_label = choice_label("relation")


class HouseholdOut(Schema):
    id: int
    building: BuildingRef
    organization_id: int
    unit: str
    room: str
    is_rental: bool
    care_tags: list[CareTagOut]
    note: str
    updated_at: datetime


class HouseholdDetailOut(HouseholdOut):
    residents: list[ResidentOut]


HouseholdPage = page_of(HouseholdOut)


class HouseholdFilters(ListParams):
    building: DbInt | None = Field(None, description=gettext_lazy("所在楼栋编号"))
    grid: DbInt | None = Field(None, description=gettext_lazy("所在网格编号"))
    is_rental: bool | None = Field(None, description=gettext_lazy("是否出租户"))
    care_tag: CareTagCode | None = Field(None, description=gettext_lazy("关爱标签代码"))


class HouseholdFields(Schema):
    unit: Text(20) = Field("", max_length=20)
    is_rental: bool = False
    care_tags: list[CareTagCode] | None = Field(None, description=gettext_lazy("关爱标签代码"))
    note: Text(TEXT_MAX_LENGTH) = ""


class HouseholdIn(HouseholdFields):
    building: DbInt = Field(description=gettext_lazy("所在楼栋编号"))
    room: Text(20) = Field(max_length=20)


class HouseholdPatch(HouseholdFields):
    room: Text(20) | None = Field(None, max_length=20)
    is_rental: bool | None = None


# --- responsibility zones --------------------------------------------------------------------


class ZoneMemberRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: PartyMember) -> str:
        return obj.person.name


class ZoneHouseholdRef(Schema):
    id: int
    building_id: int
    unit: str
    room: str


class ZoneOut(Schema):
    id: int
    organization: OrgRef
    name: str
    kind: str
    kind_label: str
    unit_scope: str
    duties: list[Any]
    board_title: str
    board_contact_phone: str
    board_show_members: bool
    public_code: UUID
    members: list[ZoneMemberRef]
    buildings: list[BuildingRef]
    households: list[ZoneHouseholdRef]
    updated_at: datetime

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_duties(obj: ResponsibilityZone) -> list[Any]:
        return [str(d) if not isinstance(d, dict | list) else d for d in obj.duties or []]


ZonePage = page_of(ZoneOut)


class ZoneFilters(ListParams):
    organization: DbInt | None = Field(
        None, description=gettext_lazy("党组织编号（含其全部下级组织）")
    )
    kind: ZoneKind | None = None
    q: Text(LINE_MAX_LENGTH) | None = Field(None, description=gettext_lazy("责任区名称包含"))


class ZoneFields(Schema):
    name: Text(100) = Field(max_length=100)
    kind: ZoneKind = ZoneKind.COMMUNITY
    members: list[DbInt] = Field(description=gettext_lazy("责任党员（党员编号），至少一名"))
    buildings: list[DbInt] | None = Field(None, description=gettext_lazy("包含楼栋编号"))
    households: list[DbInt] | None = Field(None, description=gettext_lazy("包含住户编号"))
    unit_scope: Text(120) = Field("", max_length=120)
    duties: list[Text(LINE_MAX_LENGTH)] | None = Field(
        None, description=gettext_lazy("职责任务；不填则按责任区类型套用模板")
    )
    board_title: Text(100) = Field("", max_length=100)
    board_contact_phone: Text(20) = Field("", max_length=20)
    board_show_members: bool = True


class ZoneIn(ZoneFields):
    organization: DbInt = Field(description=gettext_lazy("所属党组织编号"))


class ZonePatch(ZoneFields):
    name: Text(100) | None = Field(None, max_length=100)
    kind: ZoneKind | None = None
    members: list[DbInt] | None = Field(None, description=gettext_lazy("责任党员（党员编号）"))
    board_show_members: bool | None = None


class MapOut(Schema):
    """A community on the map: a GeoJSON FeatureCollection of its grids (``kind: grid``,
    their boundary) and buildings (``kind: building``, a Point with ``colour``)."""

    type: str
    features: list[dict[str, Any]]
    truncated: bool = Field(description=gettext_lazy("楼栋多于上限时为true，只返回前limit栋"))
    limit: int
