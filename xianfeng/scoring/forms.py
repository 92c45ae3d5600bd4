"""Forms of scoring's pages; the services validate again (and say why in Chinese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core import ledger
from xianfeng.scoring.choices import CapPeriod


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, f"{k.label}（{k.code}）") for k in ledger.all_kinds()]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("履职事项"), choices=())
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    effective_to = forms.DateField(
        label=_("失效日期（不填则长期有效）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    points = forms.DecimalField(label=_("分值（扣分填负数）"), max_digits=9, decimal_places=2)
    daily_cap = forms.DecimalField(
        label=_("每日上限（不填则不限）"), required=False, max_digits=9, decimal_places=2
    )
    period_cap = forms.DecimalField(
        label=_("周期上限（不填则不限）"), required=False, max_digits=9, decimal_places=2
    )
    cap_period = forms.ChoiceField(label=_("上限周期"), choices=CapPeriod.choices)
    verified_only = forms.BooleanField(label=_("仅计已核实的履职"), required=False)
    once_per_target_per_day = forms.BooleanField(
        label=_("同一对象（如同一户）每日只计一次"), required=False
    )
    multiplier_field = forms.CharField(
        label=_("乘数来源字段（对象的字段名，如点单评分）"), required=False, max_length=40
    )
    multiplier_base = forms.DecimalField(
        label=_("乘数基数（积分 × 字段值 ÷ 基数）"), initial=1, max_digits=6, decimal_places=2
    )
    note = forms.CharField(label=_("修订说明"), required=False, max_length=200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()


class RecomputeForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("重算原因"), max_length=200)


class AdjustmentForm(forms.Form):
    member = forms.IntegerField(label=_("党员编号"), min_value=1)
    points = forms.DecimalField(label=_("调整分值（扣分填负数）"), max_digits=9, decimal_places=2)
    occurred_on = forms.DateField(
        label=_("计入日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class AppealForm(forms.Form):
    entry = forms.IntegerField(label=_("积分明细编号（可不填）"), required=False, min_value=1)
    reason = forms.CharField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )


class StarReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("民主评议后的星级"), choices=[(i, f"{i}★") for i in range(1, 6)], coerce=int
    )
    note = forms.CharField(
        label=_("民主评议结果和依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
