"""Importing party members (党员) with their persons: upserted by ID number, written in
batches of ``BATCH`` rows (the benchmark's path)."""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.crypto import blind_index
from xianfeng.core.pinyin import name_pinyin_and_initials
from xianfeng.core.scope import scope_paths
from xianfeng.core.validators import birth_date_from_id, gender_from_id, normalize_text
from xianfeng.exchange import cells
from xianfeng.exchange.importers.base import (
    MAX_STORED_ERRORS,
    BatchWriter,
    Column,
    Importer,
    Outcome,
    RowErrors,
    apply_changes,
    bulk_update,
    by_index,
    in_paths,
    insert_rows,
)
from xianfeng.people.choices import Gender, MemberCategory, MemberKind
from xianfeng.people.models import PartyMember, Person

if TYPE_CHECKING:
    from xianfeng.core.models import User

BATCH = 1000

# Text columns and the model field that stores them: a longer cell is refused in the row (COPY
# would otherwise fail the whole import on PostgreSQL, after a preview that did not write).
_LENGTHS = (
    ("姓名", Person, "name"),
    ("住址", Person, "address"),
    ("工作单位", PartyMember, "work_unit"),
    ("流出地", PartyMember, "origin"),
    ("现居地", PartyMember, "current_place"),
)


@lru_cache(maxsize=50_000)
def _pinyin(name: str) -> tuple[str, str]:
    """Names repeat a great deal in a district; pinyin is the slowest step per new person."""
    return name_pinyin_and_initials(name)


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
        # Batch N is written on a helper thread while batch N+1 is read and checked; its
        # counts and reasons go to its own outcome, added to the run's when it is done.
        self.writer = BatchWriter()
        self.pending: Outcome | None = None
        # The new persons of this run with a mobile, by a hash of (name, mobile) -> their row:
        # a later row with the same pair is flagged in the preview as in the import (the
        # preview writes nothing, so the database cannot tell it about earlier rows).
        self.new_contacts: dict[int, int] = {}
        self.limits = [
            (header, model._meta.get_field(name).max_length) for header, model, name in _LENGTHS
        ]
        self.spec = {
            "身份证号": cells.id_number,
            "手机号": cells.mobile,
            "性别": cells.choice_parser(Gender),
            "出生日期": cells.date_value,
            "党员类型": cells.choice_parser(MemberKind, MemberKind.COMMUNITY),
            "党员类别": cells.choice_parser(MemberCategory, MemberCategory.FULL),
            "入党日期": cells.date_value,
            "转正日期": cells.date_value,
        }

    def prepare(self, row: int, values: dict[str, Any]) -> Any:
        from xianfeng.people.services import _check_member_rules

        data = self.parse(values, self.spec)
        too_long = [
            (
                header,
                _("不能超过%(limit)d个字符（这一格有%(length)d个）。")
                % {"limit": limit, "length": len(data[header])},
            )
            for header, limit in self.limits
            if len(data[header]) > limit
        ]
        if too_long:
            raise RowErrors(too_long)
        branch = self.branches.get(data["所在党组织代码"])
        if branch is None:
            raise self.org_error("所在党组织代码", data["所在党组织代码"])
        self.once(data["身份证号"], row, "身份证号")
        # The rules read attributes only: a namespace spares a model instance per row.
        member = SimpleNamespace(
            kind=data["党员类型"],
            category=data["党员类别"],
            joined_on=data["入党日期"],
            full_member_on=data["转正日期"],
            work_unit=data["工作单位"],
            origin=data["流出地"],
        )
        try:
            _check_member_rules(member)  # type: ignore[arg-type]
        except ValidationError as exc:
            names = {"full_member_on": "转正日期", "work_unit": "工作单位", "origin": "流出地"}
            raise RowErrors(
                [(names.get(k, "姓名"), m) for k, ms in exc.message_dict.items() for m in ms]
            ) from None
        data["branch"] = branch
        data["_id_index"] = blind_index("id_number", data["身份证号"])
        # here, on the reading thread, not on the writer's (the batch's lookup needs it)
        data["_mobile_index"] = blind_index("phone", data["手机号"]) if data["手机号"] else ""
        return data

    def add(self, row: int, item: Any) -> None:
        self.buffer.append((row, item))
        if len(self.buffer) >= BATCH:
            self.flush(background=True)

    def flush(self, background: bool = False) -> None:
        """Write the buffered rows: at once, or (``background``) on the helper thread while
        the next batch is read; either way after the batch before them is written."""
        self._wait()
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        if background and self.writer.available():
            pending = self.pending = Outcome()
            self.writer.start(lambda: self._write(rows, pending))
        else:
            self._write(rows, self.outcome)

    def _wait(self) -> None:
        self.writer.wait()
        if self.pending is not None:
            self.outcome.merge(self.pending)
            self.pending = None

    def close(self) -> None:
        self.writer.wait(quiet=True)

    def _write(self, rows: list[tuple[int, dict[str, Any]]], outcome: Outcome) -> None:
        existing, known = self._lookup(rows)
        # New persons and members as plain rows ({attname: value}), not model instances.
        new_people: list[tuple[int, dict[str, Any]]] = []
        new_members: list[tuple[dict[str, Any] | Person, dict[str, Any]]] = []
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
                pinyin, initials = _pinyin(person_fields["name"])
                person_row = {
                    "organization_id": d["branch"].pk,
                    "id_number": d["身份证号"],
                    "id_number_index": d["_id_index"],
                    "name_pinyin": pinyin,
                    "name_initials": initials,
                    **person_fields,
                }
                if d["_mobile_index"]:  # computed once: insert_rows fills only missing ones
                    person_row["mobile_index"] = d["_mobile_index"]
                new_people.append((row, person_row))
                new_members.append((person_row, member_fields))
                outcome.created += 1
                continue
            member = getattr(person, "member", None)
            owner = member.branch if member is not None else person.organization
            if not in_paths(owner.path, self.change_paths):
                outcome.reject(
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
                new_members.append((person, member_fields))
                outcome.updated += 1
            elif apply_changes(member, member_fields):
                changed_members.append(member)
                outcome.updated += 1
            elif person_changed:
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        self._warn_likely_duplicates(new_people, known, outcome)
        if self.dry_run:
            # Every count and reason above was decided before writing; a preview stops here
            # (the run is rolled back anyway), which halves its time.
            return
        reason = _("批量导入")
        insert_rows(Person, [p for _r, p in new_people], self.user, reason)
        insert_rows(
            PartyMember,
            [
                {"person_id": person["id"] if isinstance(person, dict) else person.pk, **fields}
                for person, fields in new_members
            ],
            self.user,
            reason,
        )
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

    @staticmethod
    def _lookup(
        rows: list[tuple[int, dict[str, Any]]],
    ) -> tuple[dict[str, Person], dict[tuple[str, str], int]]:
        """In one query a batch (each round trip on the writer's thread also waited for the
        reading thread to hand back the GIL): the persons already registered under the
        batch's ID numbers, as ``{ID number: Person}`` with their member and organizations,
        and those with the batch's mobiles, as ``{(name, mobile index): id}`` for the
        likely-duplicate warning. Only persons registered before this import can match: a
        repeated ID number in the file is refused, and the file's own likely duplicates are
        found in memory, so the preview (which writes nothing) finds what the import finds."""
        ids = [d["_id_index"] for _r, d in rows]
        mobiles = sorted({d["_mobile_index"] for _r, d in rows if d["_mobile_index"]})
        table = connection.ops.quote_name(Person._meta.db_table)
        if connection.vendor == "postgresql":
            # One array literal each: a thousand placeholders were split and quoted one by one,
            # and psycopg's list dumper walked each value in Python; blind indexes are hex.
            where = "id_number_index = ANY(%s::text[]) OR mobile_index = ANY(%s::text[])"
            params = [f"{{{','.join(ids)}}}", f"{{{','.join(mobiles)}}}"]
        else:
            where = f"id_number_index IN ({', '.join(['%s'] * len(ids))})"
            if mobiles:
                where += f" OR mobile_index IN ({', '.join(['%s'] * len(mobiles))})"
            params = [*ids, *mobiles]
        with by_index(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, id_number_index, name, mobile_index FROM {table} WHERE {where}",
                params,
            )
            found = sorted(cursor.fetchall())
        wanted_ids, wanted_mobiles = set(ids), set(mobiles)
        known: dict[tuple[str, str], int] = {}
        for pk, _index, name, mobile in found:
            if mobile in wanted_mobiles:
                known.setdefault((name, mobile), pk)  # the earliest registered
        registered = [pk for pk, index, _name, _mobile in found if index in wanted_ids]
        if not registered:
            return {}, known
        return {
            p.id_number: p
            for p in Person.objects.filter(pk__in=registered)
            .order_by()
            .select_related("member__branch", "organization")
        }, known

    def _warn_likely_duplicates(
        self,
        people: list[tuple[int, dict[str, Any]]],
        known: dict[tuple[str, str], int],
        outcome: Outcome,
    ) -> None:
        """A new person with the name and mobile of one already registered (under another or
        no ID number), or of an earlier new row of this file, is probably the same person:
        imported, but flagged for the duplicates page."""
        for row, person in people:
            mobile = person.get("mobile")
            if not mobile:
                continue
            key = hash((person["name"], mobile))
            earlier = self.new_contacts.setdefault(key, row)
            if len(outcome.warnings) >= MAX_STORED_ERRORS:
                continue
            if earlier != row:
                reason = _(
                    "与本文件第%(row)d行的人员同名同手机号，可能是同一人；"
                    "导入后可在“重复人员”页核对合并。"
                ) % {"row": earlier}
            elif pk := known.get((person["name"], person["mobile_index"])):
                reason = _(
                    "与已登记的人员（编号%(id)s）同名同手机号，可能是同一人；"
                    "导入后可在“重复人员”页核对合并。"
                ) % {"id": pk}
            else:
                continue
            outcome.warnings.append({"row": row, "column": "姓名", "reason": reason})
