"""Forms of the meetings pages; each one feeds one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.meetings.choices import MeetingKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.pickers import OrganizationPickerField, OrgSpec


class UnitChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.display_name


class MeetingPlanForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("召开组织"))
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    topic = forms.CharField(label=_("主题"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), max_length=120)
    agenda = forms.CharField(label=_("议程"), widget=forms.Textarea, required=False)
    invite_all = forms.BooleanField(
        label=_("邀请召开组织（含下级）的全体党员"), required=False, initial=True
    )
    units = UnitChoice(
        label=_("成员单位（仅党建联席会议）"),
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, units: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="meetings.meeting")
        self.fields["organization"].limit_to(user=user, spec=spec)
        self.fields["units"].queryset = Organization.objects.filter(pk__in=[u.pk for u in units])
