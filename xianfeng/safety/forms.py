"""Forms of the safety pages (the services check again; these shape the input)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core.forms import TextLimits
from xianfeng.places.choices import SafetyColour
from xianfeng.safety.choices import (
    HazardCategory,
    IncidentSeverity,
    ResponsibleParty,
    Severity,
)

#: A phone's datetime-local value ("2026-12-07T10:30"), or one with an offset from the outbox.
FIELD_TIME_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]


def _now_field() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class HazardReportForm(TextLimits, forms.Form):
    building = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("隐患"), max_length=120)
    category = forms.ChoiceField(label=_("隐患类别"), choices=HazardCategory.choices)
    severity = forms.ChoiceField(
        label=_("隐患等级"), choices=Severity.choices, initial=Severity.GENERAL
    )
    description = forms.CharField(label=_("隐患描述"), widget=forms.Textarea, required=False)
    deadline = forms.DateField(
        label=_("整改时限（不填按隐患等级）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_at = forms.DateTimeField(
        label=_("发现时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=FIELD_TIME_FORMATS,
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reported_at", _now_field())
            self.initial.setdefault("client_key", uuid.uuid4().hex)


class InspectionForm(TextLimits, forms.Form):
    """The whole checklist on one page (a phone that may have no signal: saved to the outbox
    and sent in one request). The items' answers are ``outcome-<item>``, ``note-<item>`` and
    ``photo-<item>``, read by the view from the checklist version in ``template``."""

    template = forms.IntegerField(widget=forms.HiddenInput)
    task = forms.IntegerField(widget=forms.HiddenInput, required=False)
    visit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    started_at = forms.DateTimeField(
        label=_("检查时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=FIELD_TIME_FORMATS,
    )
    note = forms.CharField(
        label=_("检查说明（可选）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("started_at", _now_field())
            self.initial.setdefault("client_key", uuid.uuid4().hex)


class ColourReviewForm(TextLimits, forms.Form):
    colour = forms.ChoiceField(
        label=_("复核后的安全等级"),
        choices=[(c, label) for c, label in SafetyColour.choices if c != SafetyColour.UNRATED],
    )
    reason = forms.CharField(label=_("复核依据"), max_length=200)


class ChecklistReviseForm(TextLimits, forms.Form):
    """A new version's thresholds and patrol rhythm (the items carry over)."""

    yellow_fails = forms.IntegerField(label=_("黄色：不合格项数达到"), min_value=1, max_value=100)
    red_fails = forms.IntegerField(label=_("红色：不合格项数达到"), min_value=1, max_value=100)
    red_days = forms.IntegerField(label=_("红色巡查周期（天）"), min_value=1, max_value=366)
    yellow_days = forms.IntegerField(label=_("黄色巡查周期（天）"), min_value=1, max_value=366)
    green_days = forms.IntegerField(label=_("绿色巡查周期（天）"), min_value=1, max_value=366)
    note = forms.CharField(label=_("修订说明"), max_length=200)


class ChecklistItemForm(TextLimits, forms.Form):
    """One item of the new version (the revise page lists the current ones, and a blank one
    to add; ticking 删除 leaves an item out of the new version)."""

    title = forms.CharField(label=_("检查项目"), max_length=100)
    guidance = forms.CharField(
        label=_("检查要点"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    category = forms.ChoiceField(label=_("隐患类别"), choices=HazardCategory.choices)
    severity = forms.ChoiceField(label=_("隐患等级"), choices=Severity.choices)
    responsible_party = forms.ChoiceField(label=_("主体责任"), choices=ResponsibleParty.choices)
    standard = forms.CharField(
        label=_("整治标准"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    veto = forms.BooleanField(label=_("一票否决项"), required=False)


ChecklistItemFormSet = forms.formset_factory(
    ChecklistItemForm, extra=1, can_delete=True, max_num=100, validate_max=True
)


class IncidentForm(TextLimits, forms.Form):
    """安全事故: the organizations offered are those the user may record for (where it
    happened) and those the user sees (responsible); the service checks both again."""

    organization = forms.ModelChoiceField(label=_("事发地组织"), queryset=None)
    title = forms.CharField(label=_("事故名称"), max_length=120)
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    severity = forms.ChoiceField(label=_("事故等级"), choices=IncidentSeverity.choices)
    deaths = forms.IntegerField(
        label=_("死亡人数"), min_value=0, max_value=10000, initial=0, required=False
    )
    injuries = forms.IntegerField(
        label=_("受伤人数"), min_value=0, max_value=10000, initial=0, required=False
    )
    responsible = forms.ModelMultipleChoiceField(
        label=_("负有责任的组织"),
        queryset=None,
        help_text=_("较大及以上事故：这些组织及其上级当年的评星评优一票否决。"),
    )
    description = forms.CharField(label=_("事故经过"), widget=forms.Textarea, required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        from xianfeng.orgs.models import Organization
        from xianfeng.safety.models import Incident

        super().__init__(*args, **kwargs)
        where = Organization.objects.restrict(user, "add", rules_of=Incident).order_by("path")
        self.fields["organization"].queryset = where
        self.fields["responsible"].queryset = Organization.objects.restrict(user).order_by("path")


class FocusDayForm(TextLimits, forms.Form):
    """安排集中整治日: the streets offered are those the user may schedule for."""

    organization = forms.ModelChoiceField(label=_("街道"), queryset=None)
    day = forms.DateField(
        label=_("整治日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("每周二为安全隐患集中整治日。"),
    )
    theme = forms.CharField(label=_("整治重点"), max_length=120)

    def __init__(self, *args, user=None, **kwargs) -> None:
        from xianfeng.orgs.choices import OrgKind
        from xianfeng.orgs.models import Organization
        from xianfeng.safety.models import FocusDay
        from xianfeng.safety.services_works import next_tuesday

        super().__init__(*args, **kwargs)
        streets = Organization.objects.restrict(user, "add", rules_of=FocusDay).filter(
            kind=OrgKind.STREET
        )
        self.fields["organization"].queryset = streets.order_by("path")
        self.fields["day"].initial = next_tuesday()
        if streets.count() == 1:
            self.fields["organization"].initial = streets.first()


class UnfiledWorksForm(TextLimits, forms.Form):
    """发现未报备的零星工程 on patrol."""

    description = forms.CharField(
        label=_("施工内容和现场情况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    contractor = forms.CharField(
        label=_("施工单位/施工人（如知道）"), max_length=100, required=False
    )
    severity = forms.ChoiceField(
        label=_("隐患等级"), choices=Severity.choices, initial=Severity.GENERAL
    )
