"""Importing households (住户, upserted by building + unit + room) and their residents (by ID
number)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.exchange import cells
from xianfeng.exchange.cells import CellError
from xianfeng.exchange.importers.base import Column, Importer, Outcome, RowErrors
from xianfeng.people.choices import ResidentRelation
from xianfeng.people.models import Person, Resident
from xianfeng.places.choices import CareTagCode
from xianfeng.places.identity import match_household
from xianfeng.places.models import Building, CareTag, Household

if TYPE_CHECKING:
    from xianfeng.core.models import User


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
        # The same door however the file writes it (1单元101, 1-101 ...).
        household = match_household(d["building"], d["单元"], d["房号"])
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
        person = Person.objects.with_id_number(d["成员身份证号"]).first()
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
