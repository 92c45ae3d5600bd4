from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.core.scope import active_roles
from xianfeng.core.validators import validate_id_number, validate_mobile
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.pickers import OrganizationPickerField, OrgSpec
from xianfeng.people.choices import Gender, MemberCategory, MemberKind, MemberStatus
from xianfeng.people.models import PartyMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PERSON_KEYS = ("name", "gender", "id_number", "mobile", "address")
BRANCH_KINDS = [
    OrgKind.COMMUNITY,
    OrgKind.GRID_BRANCH,
    OrgKind.BUILDING_GROUP,
    OrgKind.AGENCY,
    OrgKind.NON_PUBLIC,
    OrgKind.SOCIAL,
    OrgKind.MOBILE,
    OrgKind.MOBILE_HOME,
]


class MemberForm(TextLimits, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(
        label=_("性别"), choices=[("", _("按身份证号自动识别")), *Gender.choices], required=False
    )
    id_number = forms.CharField(
        label=_("身份证号"), max_length=30, required=False, validators=[validate_id_number]
    )
    mobile = forms.CharField(
        label=_("手机号"), max_length=20, required=False, validators=[validate_mobile]
    )
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    branch = OrganizationPickerField(
        label=_("所在党组织"),
        error_messages={"invalid_choice": _("所选党组织不存在或不在您的管辖范围内。")},
    )
    kind = forms.ChoiceField(label=_("党员类型"), choices=MemberKind.choices)
    category = forms.ChoiceField(label=_("党员类别"), choices=MemberCategory.choices)
    status = forms.ChoiceField(label=_("状态"), choices=MemberStatus.choices)
    joined_on = forms.DateField(label=_("入党日期"), required=False, widget=DATE)
    full_member_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)
    work_unit = forms.CharField(
        label=_("工作单位"), max_length=120, required=False, help_text=_("在职党员必填")
    )
    origin = forms.CharField(
        label=_("流出地/户籍地"), max_length=120, required=False, help_text=_("流动党员必填")
    )
    current_place = forms.CharField(label=_("现居地/流入地"), max_length=120, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="people.partymember", kinds=tuple(BRANCH_KINDS))
        self.fields["branch"].limit_to(user=user, spec=spec)
        if not self.initial.get("branch"):
            # Most people register members into their own branch: start there.
            own = [r.organization_id for r in active_roles(user)]
            first = self.fields["branch"].queryset.filter(pk__in=own).first()
            if first is not None:
                self.initial["branch"] = first.pk

    @classmethod
    def initial_for(cls, member: PartyMember) -> dict[str, Any]:
        p = member.person
        return {
            "name": p.name,
            "gender": p.gender,
            "id_number": p.id_number or "",
            "mobile": p.mobile,
            "address": p.address,
            "branch": member.branch_id,
            "kind": member.kind,
            "category": member.category,
            "status": member.status,
            "joined_on": member.joined_on,
            "full_member_on": member.full_member_on,
            "work_unit": member.work_unit,
            "origin": member.origin,
            "current_place": member.current_place,
        }

    def split(self) -> tuple[dict[str, Any], Organization, dict[str, Any]]:
        data = dict(self.cleaned_data)
        person = {k: data.pop(k) for k in PERSON_KEYS}
        branch = data.pop("branch")
        return person, branch, data
