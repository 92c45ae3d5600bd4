"""What each kind of import reads, checks and writes.

One engine (``run_import``) streams the rows, asks the kind's importer to ``prepare`` each row
(parse and check it; a problem is a ``RowErrors`` naming the column) and to ``add`` it (write
it, or buffer and write a batch). Everything happens inside one transaction: a preview is the
same run rolled back at the end, so its counts are exactly what applying would do; an apply
with rejected rows is rolled back too unless the user chose to import only the valid rows.
Rows are upserted by natural keys (organization code, ID number, grid code, building code or
normalised address, household building + unit + room), so importing the same file again
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from xianfeng.core.choices import Action
from xianfeng.core.pinyin import name_initials, name_pinyin
from xianfeng.core.scope import scope_paths
from xianfeng.core.validators import (
    birth_date_from_id,
    gender_from_id,
    normalize_text,
    validate_geojson_geometry,
)
from xianfeng.exchange import cells
from xianfeng.exchange.cells import CellError
from xianfeng.exchange.readers import FileRefused, open_sheet
from xianfeng.orgs.choices import OrgCategory, OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import Gender, MemberCategory, MemberKind, ResidentRelation
from xianfeng.people.models import PartyMember, Person, Resident
from xianfeng.places.choices import BuildingKind, CareTagCode
from xianfeng.places.models import Building, CareTag, Grid, Household, normalize_address

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_STORED_ERRORS = 5000
BATCH = 1000


@lru_cache(maxsize=50_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Names repeat a great deal in a district; pinyin is the slowest step per new person."""
    return name_pinyin(name), name_initials(name)


def _bulk_create(model: type, objs: list, user: Any, reason: str) -> None:
    """``bulk_create`` and the history rows beside it (type "+"). On PostgreSQL the history rows
    go in through COPY, which is several times faster than INSERT for a batch."""
    if connection.vendor != "postgresql":
        bulk_create_with_history(
            objs, model, batch_size=500, default_user=user, default_change_reason=reason
        )
        return
    model.objects.bulk_create(objs, batch_size=1000)
    _copy_history(model, objs, user, reason, "+")


def _bulk_update(model: type, objs: list, fields: list[str], user: Any, reason: str) -> None:
    now = timezone.now()
    for obj in objs:
        obj.updated_at = now  # bulk_update does not apply auto_now
    fields = [*fields, "updated_at"]
    if connection.vendor != "postgresql":
        bulk_update_with_history(
            objs, model, fields, batch_size=500, default_user=user, default_change_reason=reason
        )
        return
    model.objects.bulk_update(objs, fields, batch_size=500)
    _copy_history(model, objs, user, reason, "~")


def _copy_history(model: type, objs: list, user: Any, reason: str, kind: str) -> None:
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(history._meta.db_table)
    now = timezone.now()
    special = {
        "history_date": now,
        "history_change_reason": reason,
        "history_type": kind,
        "history_user_id": getattr(user, "pk", None),
    }
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [
                        special[f.attname] if f.attname in special else getattr(obj, f.attname)
                        for f in fields
                    ]
                )


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    example: str = ""
    aliases: tuple[str, ...] = ()


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, errors: list[tuple[str, str]]) -> None:
        self.rejected += 1
        for column, reason in errors:
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append({"row": row, "column": column, "reason": reason})

    def count(self, result: str) -> None:
        setattr(self, result, getattr(self, result) + 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }


class _Rollback(Exception):
    pass


def _in_paths(path: str, paths: list[str] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


class Importer:
    kind: str
    model: type
    columns: tuple[Column, ...]

    def __init__(self, user: User, outcome: Outcome) -> None:
        self.user = user
        self.outcome = outcome
        self.seen: dict[Any, int] = {}

    # --- helpers ----------------------------------------------------------------------
    @classmethod
    def aliases(cls) -> dict[str, str]:
        found: dict[str, str] = {}
        for column in cls.columns:
            for name in (column.header, *column.aliases):
                found[name.replace(" ", "")] = column.header
        return found

    @classmethod
    def required(cls) -> list[str]:
        return [c.header for c in cls.columns if c.required]

    def parse(self, values: dict[str, Any], spec: dict[str, Callable[[Any], Any]]) -> dict:
        out: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for column in self.columns:
            raw = values.get(column.header)
            if column.required and cells.text(raw) == "":
                errors.append((column.header, _("必填项不能为空。")))
                continue
            try:
                out[column.header] = spec.get(column.header, cells.text)(raw)
            except CellError as exc:
                errors.append((column.header, exc.message))
        if errors:
            raise RowErrors(errors)
        return out

    def once(self, key: Any, row: int, column: str) -> None:
        """Duplicates inside one file: the later row is rejected, naming the earlier one."""
        if key in self.seen:
            raise RowErrors([(column, _("与本文件第%(row)d行重复。") % {"row": self.seen[key]})])
        self.seen[key] = row

    def org_map(self, action: str, rules_of: type) -> dict[str, Organization]:
        return {
            o.code: o
            for o in Organization.objects.restrict(self.user, action, rules_of=rules_of).only(
                "id", "code", "path", "kind", "name", "depth"
            )
        }

    @staticmethod
    def org_error(column: str, code: str) -> RowErrors:
        return RowErrors(
            [(column, _("组织代码“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})]
        )

    # --- to override --------------------------------------------------------------------
    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def add(self, row: int, item: Any) -> None:
        """Write one prepared row (in a savepoint, so a refused row leaves nothing behind)."""
        try:
            with transaction.atomic():
                self.outcome.count(self.write(item))
        except ValidationError as exc:
            self.outcome.reject(row, _validation_errors(exc, self.columns[0].header))
        except IntegrityError:
            self.outcome.reject(row, [(self.columns[0].header, _("与已有数据冲突，未能写入。"))])

    def write(self, item: Any) -> str:
        raise NotImplementedError

    def flush(self) -> None:
        pass


def _validation_errors(exc: ValidationError, column: str) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            (column, f"{k}: {m}" if k != "__all__" else m)
            for k, ms in exc.message_dict.items()
            for m in ms
        ]
    return [(column, m) for m in exc.messages]


def _changed(obj: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# --- organizations -----------------------------------------------------------------------


class OrganizationImporter(Importer):
    kind = "organizations"
    model = Organization
    columns = (
        Column("组织代码", True, "XF-S01-C01-G09", ("代码", "组织编码")),
        Column("组织全称", True, "某某社区第九网格党支部", ("组织名称", "名称")),
        Column("组织类型", True, "网格党支部"),
        Column("上级组织代码", True, "XF-S01-C01", ("上级代码",)),
        Column("简称", False, "第九网格党支部"),
        Column("组织类别", False, "党支部"),
        Column("联系人", False, "李明"),
        Column("联系电话", False, "0871-63123456"),
        Column("地址", False, "某某路9号"),
        Column("成立日期", False, "2019-07-01"),
    )

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        data = self.parse(
            values,
            {
                "组织类型": lambda v: cells.choice(v, OrgKind),
                "组织类别": lambda v: cells.choice(v, OrgCategory, OrgCategory.BRANCH),
                "成立日期": cells.date_value,
            },
        )
        self.once(data["组织代码"], row, "组织代码")
        return data

    def write(self, data: dict[str, Any]) -> str:
        from xianfeng.orgs import services

        parent = (
            Organization.objects.restrict(self.user, Action.ADD)
            .filter(code=data["上级组织代码"])
            .first()
        )
        if parent is None:
            raise ValidationError(
                {"上级组织代码": self.org_error("上级组织代码", data["上级组织代码"]).errors[0][1]}
            )
        fields = {
            "name": data["组织全称"],
            "short_name": data["简称"],
            "category": data["组织类别"],
            "contact_name": data["联系人"],
            "contact_phone": data["联系电话"],
            "address": data["地址"],
            "established_on": data["成立日期"],
        }
        existing = Organization.objects.filter(code=data["组织代码"]).first()
        if existing is None:
            services.organization_create(
                actor=self.user,
                parent=parent,
                kind=data["组织类型"],
                code=data["组织代码"],
                **fields,
            )
            return "created"
        if (
            not Organization.objects.restrict(self.user, Action.CHANGE)
            .filter(pk=existing.pk)
            .exists()
        ):
            raise ValidationError(
                _("组织代码“%(code)s”已被您管辖范围外的组织使用。") % {"code": existing.code}
            )
        if existing.parent_id != parent.pk or existing.kind != data["组织类型"]:
            raise ValidationError(
                _(
                    "该组织已存在，但上级组织或类型与表格不同；导入不移动组织，请在组织树中使用“移动”。"
                )
            )
        if not _changed(Organization.objects.get(pk=existing.pk), fields):
            return "unchanged"
        services.organization_update(actor=self.user, org=existing, **fields)
        return "updated"

    def add(self, row: int, item: Any) -> None:
        try:
            with transaction.atomic():
                self.outcome.count(self.write(item))
        except ValidationError as exc:
            errors = []
            if hasattr(exc, "error_dict"):
                for key, messages in exc.message_dict.items():
                    column = {
                        "parent": "上级组织代码",
                        "kind": "组织类型",
                        "code": "组织代码",
                        "contact_phone": "联系电话",
                        "name": "组织全称",
                    }.get(key, key)
                    column = column if column in {c.header for c in self.columns} else "组织代码"
                    errors += [(column, m) for m in messages]
            else:
                errors = [("组织代码", m) for m in exc.messages]
            self.outcome.reject(row, errors)


# --- members (batched: the benchmark's path) ---------------------------------------------


class MemberImporter(Importer):
    kind = "members"
    model = PartyMember
    columns = (
        Column("姓名", True, "张伟"),
        Column("身份证号", True, "110101199003074514", ("身份证号码", "公民身份号码")),
        Column("所在党组织代码", True, "XF-S01-C01-G01", ("党组织代码", "组织代码")),
        Column("性别", False, "男"),
        Column("出生日期", False, "1990-03-07"),
        Column("手机号", False, "13800138000", ("手机号码", "联系电话")),
        Column("住址", False, "某某路1号"),
        Column("党员类型", False, "社区党员"),
        Column("党员类别", False, "正式党员"),
        Column("入党日期", False, "2015-07-01"),
        Column("转正日期", False, "2016-07-01"),
        Column("工作单位", False, ""),
        Column("流出地", False, "", ("户籍地",)),
        Column("现居地", False, "", ("流入地",)),
    )

    def __init__(self, user: User, outcome: Outcome) -> None:
        super().__init__(user, outcome)
        self.branches = self.org_map(Action.ADD, PartyMember)
        self.change_paths = scope_paths(user, PartyMember, Action.CHANGE)
        self.buffer: list[tuple[int, dict[str, Any]]] = []

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        from xianfeng.people.services import _check_member_rules

        data = self.parse(
            values,
            {
                "身份证号": cells.id_number,
                "手机号": cells.mobile,
                "性别": lambda v: cells.choice(v, Gender),
                "出生日期": cells.date_value,
                "党员类型": lambda v: cells.choice(v, MemberKind, MemberKind.COMMUNITY),
                "党员类别": lambda v: cells.choice(v, MemberCategory, MemberCategory.FULL),
                "入党日期": cells.date_value,
                "转正日期": cells.date_value,
            },
        )
        branch = self.branches.get(data["所在党组织代码"])
        if branch is None:
            raise self.org_error("所在党组织代码", data["所在党组织代码"])
        self.once(data["身份证号"], row, "身份证号")
        member = PartyMember(
            branch_id=branch.pk,
            kind=data["党员类型"],
            category=data["党员类别"],
            joined_on=data["入党日期"],
            full_member_on=data["转正日期"],
            work_unit=data["工作单位"],
            origin=data["流出地"],
            current_place=data["现居地"],
        )
        try:
            _check_member_rules(member)
        except ValidationError as exc:
            names = {"full_member_on": "转正日期", "work_unit": "工作单位", "origin": "流出地"}
            raise RowErrors(
                [(names.get(k, "姓名"), m) for k, ms in exc.message_dict.items() for m in ms]
            ) from None
        data["branch"] = branch
        return data

    def add(self, row: int, item: Any) -> None:
        self.buffer.append((row, item))
        if len(self.buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        existing = {
            p.id_number: p
            for p in Person.objects.filter(
                id_number__in=[d["身份证号"] for _r, d in rows]
            ).select_related("member__branch", "organization")
        }
        new_people: list[Person] = []
        new_members: list[tuple[Person, PartyMember]] = []
        changed_people: list[Person] = []
        changed_members: list[PartyMember] = []
        for row, d in rows:
            person_fields = {
                "name": normalize_text(d["姓名"]),
                "gender": d["性别"] or gender_from_id(d["身份证号"]),
                "birth_date": d["出生日期"] or birth_date_from_id(d["身份证号"]),
            }
            for key, header in (("mobile", "手机号"), ("address", "住址")):
                if d[header]:
                    person_fields[key] = d[header]
            member_fields = {
                "branch_id": d["branch"].pk,
                "kind": d["党员类型"],
                "category": d["党员类别"],
                "joined_on": d["入党日期"],
                "full_member_on": d["转正日期"],
                "work_unit": d["工作单位"],
                "origin": d["流出地"],
                "current_place": d["现居地"],
            }
            person = existing.get(d["身份证号"])
            if person is None:
                person = Person(
                    organization_id=d["branch"].pk, id_number=d["身份证号"], **person_fields
                )
                person.name_pinyin, person.name_initials = _pinyin(person.name)
                new_people.append(person)
                new_members.append((person, PartyMember(**member_fields)))
                self.outcome.created += 1
                continue
            member = getattr(person, "member", None)
            owner = member.branch if member is not None else person.organization
            if not _in_paths(owner.path, self.change_paths):
                self.outcome.reject(
                    row,
                    [
                        (
                            "身份证号",
                            _(
                                "此人已登记在您管辖范围外的组织，不能由您导入或修改；请联系其所在组织办理组织关系转接。"
                            ),
                        )
                    ],
                )
                continue
            person_changed = _changed(person, person_fields)
            if person_changed:
                person.name_pinyin, person.name_initials = _pinyin(person.name)
                changed_people.append(person)
            if member is None:
                new_members.append((person, PartyMember(**member_fields)))
                self.outcome.updated += 1
            elif _changed(member, member_fields):
                changed_members.append(member)
                self.outcome.updated += 1
            elif person_changed:
                self.outcome.updated += 1
            else:
                self.outcome.unchanged += 1
        self._warn_likely_duplicates(rows, new_people)
        reason = _("批量导入")
        if new_people:
            _bulk_create(Person, new_people, self.user, reason)
        if new_members:
            members = []
            for person, member in new_members:
                member.person_id = person.pk
                members.append(member)
            _bulk_create(PartyMember, members, self.user, reason)
        if changed_people:
            _bulk_update(
                Person,
                changed_people,
                [
                    "name",
                    "name_pinyin",
                    "name_initials",
                    "gender",
                    "birth_date",
                    "mobile",
                    "address",
                ],
                self.user,
                reason,
            )
        if changed_members:
            _bulk_update(
                PartyMember,
                changed_members,
                [
                    "branch",
                    "kind",
                    "category",
                    "joined_on",
                    "full_member_on",
                    "work_unit",
                    "origin",
                    "current_place",
                ],
                self.user,
                reason,
            )

    def _warn_likely_duplicates(self, rows: list[tuple[int, dict]], people: list[Person]) -> None:
        """A new person with the name and mobile of one already registered (under another or
        no ID number) is probably the same person: imported, but flagged for the duplicates
        page."""
        mobiles = {p.mobile for p in people if p.mobile}
        if not mobiles:
            return
        known = {
            (name, mobile): pk
            for pk, name, mobile in Person.objects.filter(mobile__in=mobiles).values_list(
                "pk", "name", "mobile"
            )
        }
        row_of = {d["身份证号"]: row for row, d in rows}
        for person in people:
            pk = known.get((person.name, person.mobile))
            if pk and len(self.outcome.warnings) < MAX_STORED_ERRORS:
                self.outcome.warnings.append(
                    {
                        "row": row_of.get(person.id_number, 0),
                        "column": "姓名",
                        "reason": _(
                            "与已登记的人员（编号%(id)s）同名同手机号，可能是同一人；"
                            "导入后可在“重复人员”页核对合并。"
                        )
                        % {"id": pk},
                    }
                )


# --- grids ---------------------------------------------------------------------------------


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
        if not _changed(grid, fields):
            return "unchanged"
        services.grid_update(actor=self.user, grid=grid, **fields)
        return "updated"


# --- buildings -----------------------------------------------------------------------------


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
        if grid is None and not _changed(building, fields):
            return "unchanged"
        services.building_update(actor=self.user, building=building, grid=grid, **fields)
        return "updated"


# --- households and their residents -------------------------------------------------------


class HouseholdImporter(Importer):
    kind = "households"
    model = Household
    columns = (
        Column("楼栋编码", True, "B-S01-C01-G01-0001", ("楼栋",)),
        Column("单元", False, "1"),
        Column("房号", True, "101", ("房间号", "门牌号")),
        Column("出租户", False, "否", ("是否出租",)),
        Column("关爱标签", False, "孤老", ("关爱对象",)),
        Column("成员姓名", False, "王芳", ("姓名", "居民姓名")),
        Column("成员身份证号", False, "110101198501010025", ("身份证号", "公民身份号码")),
        Column("成员手机号", False, "13900139000", ("手机号",)),
        Column("与户主关系", False, "户主"),
        Column("入住日期", False, "2020年5月1日"),
    )

    def __init__(self, user: User, outcome: Outcome) -> None:
        super().__init__(user, outcome)
        self.buildings: dict[str, Building | None] = {}
        self.tags = {t.name: t for t in CareTag.objects.all()}

    def _tags(self, value: Any) -> list[CareTag] | None:
        raw = cells.text(value)
        if not raw:
            return None
        tags = []
        for name in raw.replace("，", ",").replace("、", ",").split(","):
            name = name.strip()
            if not name:
                continue
            tag = self.tags.get(name)
            if tag is None:
                raise CellError(
                    _("关爱标签“%(v)s”不存在，可选：%(options)s。")
                    % {
                        "v": name,
                        "options": "、".join(str(label) for _c, label in CareTagCode.choices),
                    }
                )
            tags.append(tag)
        return tags

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        data = self.parse(
            values,
            {
                "出租户": cells.boolean,
                "关爱标签": self._tags,
                "成员身份证号": cells.id_number,
                "成员手机号": cells.mobile,
                "与户主关系": lambda v: cells.choice(v, ResidentRelation, ResidentRelation.HEAD),
                "入住日期": cells.date_value,
            },
        )
        code = data["楼栋编码"]
        if code not in self.buildings:
            self.buildings[code] = (
                Building.objects.restrict(self.user, Action.ADD, rules_of=Household)
                .filter(code=code)
                .first()
            )
        if self.buildings[code] is None:
            raise RowErrors(
                [("楼栋编码", _("楼栋编码“%(code)s”不存在或不在您的管辖范围内。") % {"code": code})]
            )
        if data["成员姓名"] and not data["成员身份证号"]:
            raise RowErrors([("成员身份证号", _("登记住户成员需要填写身份证号，以免重复录入。"))])
        key = (code, data["单元"], data["房号"], data["成员身份证号"])
        self.once(key, row, "成员身份证号" if data["成员身份证号"] else "房号")
        data["building"] = self.buildings[code]
        return data

    def write(self, d: dict[str, Any]) -> str:
        from xianfeng.people import services as people
        from xianfeng.places import services

        result = "unchanged"
        household = Household.objects.filter(
            building=d["building"], unit=d["单元"], room=d["房号"]
        ).first()
        if household is None:
            household = services.household_create(
                actor=self.user,
                building=d["building"],
                unit=d["单元"],
                room=d["房号"],
                is_rental=d["出租户"],
                care_tags=d["关爱标签"] or [],
            )
            result = "created"
        else:
            fields: dict[str, Any] = {}
            if household.is_rental != d["出租户"]:
                fields["is_rental"] = d["出租户"]
            tags = d["关爱标签"]
            if tags is not None and {t.pk for t in tags} - set(
                household.care_tags.values_list("pk", flat=True)
            ):
                fields["care_tags"] = sorted(
                    {*household.care_tags.all(), *tags}, key=lambda t: t.pk
                )
            if fields:
                services.household_update(actor=self.user, household=household, **fields)
                result = "updated"
        if not d["成员身份证号"]:
            return result
        person = Person.objects.filter(id_number=d["成员身份证号"]).first()
        if person is None:
            person = people.person_create(
                actor=self.user,
                organization=household.organization,
                name=d["成员姓名"],
                id_number=d["成员身份证号"],
                mobile=d["成员手机号"],
            )
            result = "created" if result == "created" else "updated"
        elif not Person.objects.restrict(self.user).filter(pk=person.pk).exists():
            person = person  # registered elsewhere: linking the resident is still allowed
        if not Resident.objects.filter(household=household, person=person).exists():
            people.resident_add(
                actor=self.user,
                household=household,
                person=person,
                relation=d["与户主关系"],
                moved_in_on=d["入住日期"],
            )
            result = "created" if result == "created" else "updated"
        return result


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (
        OrganizationImporter,
        MemberImporter,
        GridImporter,
        BuildingImporter,
        HouseholdImporter,
    )
}


def import_allowed(user: User, kind: str) -> bool:
    from xianfeng.core.scope import user_can

    importer = IMPORTERS.get(kind)
    return importer is not None and user_can(user, Action.ADD, importer.model)


def run_import(
    *,
    kind: str,
    path: str,
    filename: str,
    user: User,
    dry_run: bool,
    valid_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Read the file and upsert its rows in one transaction. Raises ``FileRefused`` when the
    file as a whole cannot be read as this kind. Nothing is kept when ``dry_run``, nor when a
    row was rejected and ``valid_only`` is false."""
    if kind not in IMPORTERS:
        raise FileRefused(_("未知的数据类型。"))
    cls = IMPORTERS[kind]
    outcome = Outcome()
    others = {
        str(other.model._meta.verbose_name): other.aliases()
        for other in IMPORTERS.values()
        if other is not cls
    }
    with open_sheet(path, filename, cls.aliases(), cls.required(), others) as sheet:
        total = sheet.total_hint
        try:
            with transaction.atomic():
                importer = cls(user, outcome)
                for number, cells_ in sheet.rows:
                    outcome.total += 1
                    values = {h: cells_[i] for i, h in sheet.headers.items() if i < len(cells_)}
                    try:
                        item = importer.prepare(number, values)
                    except RowErrors as exc:
                        outcome.reject(number, exc.errors)
                    else:
                        importer.add(number, item)
                    if progress is not None and outcome.total % 500 == 0:
                        progress(outcome.total, max(total, outcome.total))
                importer.flush()
                if outcome.total == 0:
                    raise FileRefused(_("文件里除了表头没有数据行。"))
                if dry_run or (outcome.rejected and not valid_only):
                    raise _Rollback
        except _Rollback:
            pass
    if progress is not None:
        progress(outcome.total, outcome.total)
    return outcome
