"""Importing grids (网格, upserted by grid code) and buildings (楼栋, by building code or by
normalised address within the grid)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.validators import validate_geojson_geometry
from xianfeng.exchange import cells
from xianfeng.exchange.cells import CellError
from xianfeng.exchange.importers.base import Column, Importer, Outcome, RowErrors, apply_changes
from xianfeng.orgs.choices import OrgKind
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import Building, Grid, normalize_address

if TYPE_CHECKING:
    from xianfeng.core.models import User


def _geojson(value: Any) -> Any:
    raw = cells.text(value)
    if not raw:
        return None
    try:
        geometry = json.loads(raw)
    except ValueError:
        raise CellError(_("边界不是有效的GeoJSON文本。")) from None
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    try:
        validate_geojson_geometry(geometry)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return geometry


class GridImporter(Importer):
    kind = "grids"
    model = Grid
    columns = (
        Column("网格编码", True, "G-S01-C01-G09", ("编码", "code")),
        Column("网格名称", True, "第九网格", ("名称", "name")),
        Column("所属社区代码", True, "XF-S01-C01", ("社区代码", "community_code")),
        Column("网格党支部代码", False, "", ("支部代码", "branch_code")),
        Column("边界GeoJSON", False, "", ("边界", "boundary", "geometry")),
        Column("备注", False, ""),
    )

    def __init__(self, user: User, outcome: Outcome) -> None:
        super().__init__(user, outcome)
        self.orgs = self.org_map(Action.ADD, Grid)

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        data = self.parse(values, {"边界GeoJSON": _geojson})
        self.once(data["网格编码"], row, "网格编码")
        community = self.orgs.get(data["所属社区代码"])
        if community is None or community.kind != OrgKind.COMMUNITY:
            raise self.org_error("所属社区代码", data["所属社区代码"])
        branch = None
        if data["网格党支部代码"]:
            branch = self.orgs.get(data["网格党支部代码"])
            if branch is None:
                raise self.org_error("网格党支部代码", data["网格党支部代码"])
        data["community"], data["branch"] = community, branch
        return data

    def write(self, d: dict[str, Any]) -> str:
        from xianfeng.places import services

        fields = {"name": d["网格名称"], "branch": d["branch"], "note": d["备注"]}
        if d["边界GeoJSON"] is not None:
            fields["boundary"] = d["边界GeoJSON"]
        grid = Grid.objects.filter(code=d["网格编码"]).first()
        if grid is None:
            services.grid_create(
                actor=self.user, community=d["community"], code=d["网格编码"], **fields
            )
            return "created"
        if not Grid.objects.restrict(self.user, Action.CHANGE).filter(pk=grid.pk).exists():
            raise ValidationError(_("网格编码已被您管辖范围外的网格使用。"))
        if grid.community_id != d["community"].pk:
            raise ValidationError(_("该网格已存在且属于另一个社区，导入不改变网格所属社区。"))
        if not apply_changes(grid, fields):
            return "unchanged"
        services.grid_update(actor=self.user, grid=grid, **fields)
        return "updated"


class BuildingImporter(Importer):
    kind = "buildings"
    model = Building
    columns = (
        Column("楼栋编码", False, "B-S01-C01-G01-0099", ("编码",)),
        Column("楼栋名称", True, "园山路99号", ("名称",)),
        Column("地址", True, "园山路99号", ("楼栋地址",)),
        Column("网格编码", True, "G-S01-C01-G01"),
        Column("楼栋党小组代码", False, ""),
        Column("楼栋类型", False, "出租屋", ("类型",)),
        Column("层数", False, "6"),
        Column("产权单位/业主名称", False, "", ("业主名称", "产权单位")),
        Column("纬度", False, ""),
        Column("经度", False, ""),
    )

    def __init__(self, user: User, outcome: Outcome) -> None:
        super().__init__(user, outcome)
        self.grids = {
            g.code: g
            for g in Grid.objects.restrict(user, Action.ADD, rules_of=Building).select_related(
                "organization"
            )
        }
        self.groups = self.org_map(Action.ADD, Building)

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        data = self.parse(
            values,
            {
                "楼栋类型": lambda v: cells.choice(v, BuildingKind, BuildingKind.RESIDENTIAL),
                "层数": cells.integer,
                "纬度": lambda v: cells.decimal(v, -90, 90),
                "经度": lambda v: cells.decimal(v, -180, 180),
            },
        )
        grid = self.grids.get(data["网格编码"])
        if grid is None:
            raise RowErrors(
                [
                    (
                        "网格编码",
                        _("网格编码“%(code)s”不存在或不在您的管辖范围内。")
                        % {"code": data["网格编码"]},
                    )
                ]
            )
        group = None
        if data["楼栋党小组代码"]:
            group = self.groups.get(data["楼栋党小组代码"])
            if group is None:
                raise self.org_error("楼栋党小组代码", data["楼栋党小组代码"])
        self.once(
            data["楼栋编码"] or normalize_address(data["地址"]),
            row,
            "楼栋编码" if data["楼栋编码"] else "地址",
        )
        data["grid"], data["group"] = grid, group
        return data

    def write(self, d: dict[str, Any]) -> str:
        from xianfeng.places import services

        fields = {
            "name": d["楼栋名称"],
            "address": d["地址"],
            "building_group": d["group"],
            "kind": d["楼栋类型"],
            "floors": d["层数"],
            "owner_name": d["产权单位/业主名称"],
            "latitude": d["纬度"],
            "longitude": d["经度"],
        }
        if d["楼栋编码"]:
            building = Building.objects.filter(code=d["楼栋编码"]).first()
        else:
            building = Building.objects.filter(
                address_normalized=normalize_address(d["地址"]), grid=d["grid"]
            ).first()
        if building is None:
            code = d["楼栋编码"]
            if not code:
                number = Building.objects.filter(grid=d["grid"]).count() + 1
                code = f"{d['grid'].code.replace('G-', 'B-', 1)}-{number:04d}"
            services.building_create(actor=self.user, grid=d["grid"], code=code, **fields)
            return "created"
        if not Building.objects.restrict(self.user, Action.CHANGE).filter(pk=building.pk).exists():
            raise ValidationError(_("楼栋编码已被您管辖范围外的楼栋使用。"))
        grid = d["grid"] if building.grid_id != d["grid"].pk else None
        if grid is None and not apply_changes(building, fields):
            return "unchanged"
        services.building_update(actor=self.user, building=building, grid=grid, **fields)
        return "updated"
