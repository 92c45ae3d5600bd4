"""Forms of the meetings pages; each one feeds one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.meetings.choices import MeetingKind, Period, SelectionKind, VoterProof
from xianfeng.orgs.choices import OrgKind
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


class RuleForm(TextLimits, forms.Form):
    org_kind = forms.ChoiceField(label=_("组织类型"), choices=OrgKind.choices)
    meeting_kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    period = forms.ChoiceField(label=_("周期"), choices=Period.choices)
    times = forms.IntegerField(label=_("每周期至少召开次数"), min_value=1, max_value=31)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PublicityForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("组织单位"))
    theme = forms.CharField(label=_("主题"), max_length=120)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=120)
    sessions = forms.IntegerField(label=_("场次"), min_value=1, max_value=1000, initial=1)
    participants = forms.IntegerField(label=_("参与人次"), min_value=0, max_value=1000000)
    note = forms.CharField(label=_("活动情况"), widget=forms.Textarea, required=False)
    # The files go to the service as they came (request.FILES): it checks and re-encodes them.
    photos = forms.Field(
        label=_("活动照片"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="meetings.publicityevent")
        self.fields["organization"].limit_to(user=user, spec=spec)
        from django.conf import settings

        from xianfeng.work.photos import MAX_PHOTOS

        self.fields["photos"].help_text = _(
            "最多%(n)d张，JPEG、PNG、GIF或WebP照片，每张不超过%(mb)dMB。"
        ) % {"n": MAX_PHOTOS, "mb": settings.XIANFENG_PHOTO_MAX_MB}


class SelectionForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("组织单位"))
    kind = forms.ChoiceField(label=_("评选类型"), choices=SelectionKind.choices)
    title = forms.CharField(label=_("名称"), max_length=120)
    description = forms.CharField(label=_("评选说明"), widget=forms.Textarea, required=False)
    nominate_until = forms.DateField(
        label=_("提名截止"), widget=forms.DateInput(attrs={"type": "date"})
    )
    vote_starts = forms.DateField(
        label=_("投票开始"), widget=forms.DateInput(attrs={"type": "date"})
    )
    vote_ends = forms.DateField(label=_("投票截止"), widget=forms.DateInput(attrs={"type": "date"}))
    proof = forms.ChoiceField(label=_("群众投票方式"), choices=VoterProof.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="meetings.selection")
        self.fields["organization"].limit_to(user=user, spec=spec)
