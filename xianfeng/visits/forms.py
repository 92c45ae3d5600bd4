"""Forms of the visits pages; each one feeds one service."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core.forms import TextLimits
from xianfeng.visits.choices import VisitPurpose


class VisitForm(TextLimits, forms.Form):
    """The phone form: household, purposes, findings; the rest is optional."""

    household = forms.IntegerField(label=_("住户"), widget=forms.HiddenInput, required=False)
    visited_at = forms.DateTimeField(
        label=_("走访时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    purposes = forms.MultipleChoiceField(
        label=_("走访事项"), choices=VisitPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(
        label=_("发现情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    suggestions = forms.CharField(
        label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    raises_hazard = forms.BooleanField(label=_("发现安全隐患，需立案"), required=False)
    raises_request = forms.BooleanField(label=_("群众有诉求，需办理"), required=False)
    outside_reason = forms.CharField(
        label=_("责任范围外走访的理由"), max_length=200, required=False
    )
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    task = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            self.initial.setdefault("client_key", uuid.uuid4().hex)
