"""Importing party members (党员) with their persons: upserted by ID number, written in
batches of ``BATCH`` rows (the benchmark's path)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.pinyin import name_initials, name_pinyin
from xianfeng.core.scope import scope_paths
from xianfeng.core.validators import birth_date_from_id, gender_from_id, normalize_text
from xianfeng.exchange import cells
from xianfeng.exchange.importers.base import (
    MAX_STORED_ERRORS,
    Column,
    Importer,
    Outcome,
    RowErrors,
    apply_changes,
    bulk_create,
    bulk_update,
    in_paths,
)
from xianfeng.people.choices import Gender, MemberCategory, MemberKind
from xianfeng.people.models import PartyMember, Person

if TYPE_CHECKING:
    from xianfeng.core.models import User

BATCH = 1000


@lru_cache(maxsize=50_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Names repeat a great deal in a district; pinyin is the slowest step per new person."""
    return name_pinyin(name), name_initials(name)


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
            for p in Person.objects.with_id_numbers(
                [d["身份证号"] for _r, d in rows]
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
            if not in_paths(owner.path, self.change_paths):
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
            person_changed = apply_changes(person, person_fields)
            if person_changed:
                person.name_pinyin, person.name_initials = _pinyin(person.name)
                changed_people.append(person)
            if member is None:
                new_members.append((person, PartyMember(**member_fields)))
                self.outcome.updated += 1
            elif apply_changes(member, member_fields):
                changed_members.append(member)
                self.outcome.updated += 1
            elif person_changed:
                self.outcome.updated += 1
            else:
                self.outcome.unchanged += 1
        self._warn_likely_duplicates(rows, new_people)
        reason = _("批量导入")
        if new_people:
            bulk_create(Person, new_people, self.user, reason)
        if new_members:
            members = []
            for person, member in new_members:
                member.person_id = person.pk
                members.append(member)
            bulk_create(PartyMember, members, self.user, reason)
        if changed_people:
            bulk_update(
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
            bulk_update(
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
            for pk, name, mobile in Person.objects.with_mobiles(list(mobiles)).values_list(
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
