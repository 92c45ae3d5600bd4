"""Importing organizations (组织): upserted by organization code under a parent in scope."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.exchange import cells
from xianfeng.exchange.importers.base import Column, Importer, apply_changes
from xianfeng.orgs.choices import OrgCategory, OrgKind
from xianfeng.orgs.models import Organization


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
        if not apply_changes(Organization.objects.get(pk=existing.pk), fields):
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
