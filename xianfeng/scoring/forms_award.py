"""The form of 评优评先征求社区意见 (the service checks everything again; this only parses)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AwardOpinionForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("驻区单位"), coerce=int)
    # chosen with the people app's search-as-you-type picker (a radio named ``member``)
    member = forms.IntegerField(
        label=_("推荐的在职党员"),
        required=False,
        min_value=1,
        help_text=_("为单位党组织评优时不选；为党员评优时搜索并选择该党员。"),
    )
    community = forms.TypedChoiceField(label=_("征求意见的社区"), coerce=int)
    award = forms.CharField(label=_("评选项目"), max_length=60)
    year = forms.IntegerField(label=_("年度"))
    reason = forms.CharField(
        label=_("推荐理由"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, units=(), communities=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("请选择"))] + [(u.pk, u.name) for u in units]
        self.fields["community"].choices = [("", _("请选择"))] + [
            (c.pk, c.name) for c in communities
        ]
        self.fields["year"].initial = timezone.localdate().year
        if len(units) == 1:  # a liaison speaks for one unit: chosen already
            self.fields["unit"].initial = units[0].pk
        self.fields["unit"].error_messages["required"] = _("请选择驻区单位。")
        self.fields["community"].error_messages["required"] = _("请选择征求意见的社区。")
        self.fields["community"].error_messages["invalid_choice"] = _(
            "所选社区不在您的管辖范围内：只能征求本单位所在街道、本单位党员报到的社区的意见。"
        )
        self.fields["member"].error_messages["invalid"] = _("请从搜索结果中选择党员。")
        self.fields["award"].error_messages["required"] = _("请填写评选项目，例如“优秀共产党员”。")
        self.fields["year"].error_messages["required"] = _("请填写年度。")
