"""Forms of the safety pages (the services check again; these shape the input)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.forms import TextLimits
from xianfeng.places.choices import SafetyColour
from xianfeng.safety.choices import HazardCategory, Severity


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
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


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
