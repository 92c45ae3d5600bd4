"""Forms of the townsmen pages; each one feeds one service."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.community.choices import ContactWay
from xianfeng.core.forms import TextLimits
from xianfeng.visits.choices import VisitPurpose


class TownsmanForm(TextLimits, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("电话"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    hometown = forms.CharField(label=_("老家"), max_length=100, required=False)
    whereabouts = forms.CharField(label=_("现住址或务工地点"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class ContactForm(TextLimits, forms.Form):
    """A contact with a fellow townsman, from a phone."""

    way = forms.ChoiceField(
        label=_("联系方式"), choices=ContactWay.choices, widget=forms.RadioSelect
    )
    contacted_at = forms.DateTimeField(
        label=_("联系时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    purposes = forms.MultipleChoiceField(
        label=_("事项"), choices=VisitPurpose.choices, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(
        label=_("情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    raises_hazard = forms.BooleanField(label=_("发现安全隐患"), required=False)
    client_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("contacted_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            self.initial.setdefault("client_key", uuid.uuid4().hex)
            self.initial.setdefault("way", ContactWay.VISIT)
            self.initial.setdefault("purposes", [VisitPurpose.SAFETY, VisitPurpose.POLICY])
