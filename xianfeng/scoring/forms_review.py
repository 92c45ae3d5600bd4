"""Forms of the democratic evaluation and the assessment (the services check everything
again; these only parse)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.meetings.choices import VoterProof
from xianfeng.orgs.choices import OrgKind
from xianfeng.scoring.choices import CycleKind, IndicatorKind, Outcome

DATE = forms.DateInput(attrs={"type": "date"})


class RoundForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("组织单位"), coerce=int)
    year = forms.IntegerField(label=_("评议年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)
    vote_starts = forms.DateField(label=_("投票开始"), widget=DATE)
    vote_ends = forms.DateField(label=_("投票截止"), widget=DATE)
    proof = forms.ChoiceField(label=_("群众投票方式"), choices=VoterProof.choices)

    def __init__(self, *args, organizations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        self.fields["year"].initial = timezone.localdate().year


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("发放数量"), min_value=1, max_value=2000, initial=20)


class SetForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("制定单位"), coerce=int)
    target_kind = forms.ChoiceField(label=_("考核对象类型"), choices=OrgKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("名称"), max_length=120)
    base = forms.TypedChoiceField(
        label=_("沿用上级指标体系"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, organizations=(), bases=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]
        self.fields["base"].choices = [("", _("不沿用"))] + [
            (b.pk, f"{b.organization.name}：{b.title}") for b in bases
        ]
        self.fields["year"].initial = timezone.localdate().year


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=120)
    kind = forms.ChoiceField(label=_("指标类型"), choices=IndicatorKind.choices)
    weight = forms.DecimalField(label=_("权重"), required=False, max_digits=6, decimal_places=2)
    metric = forms.ChoiceField(label=_("计算口径 / 否决事项"), required=False)
    target = forms.DecimalField(
        label=_("满分目标值"), required=False, max_digits=12, decimal_places=2
    )
    parent = forms.TypedChoiceField(
        label=_("上级指标"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, metrics=(), parents=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = [("", "—"), *list(metrics)]
        self.fields["parent"].choices = [("", _("无（一级指标）"))] + [
            (p.pk, p.name) for p in parents
        ]


class CycleForm(forms.Form):
    kind = forms.ChoiceField(label=_("考核类型"), choices=CycleKind.choices)
    period = forms.CharField(
        label=_("周期"),
        max_length=10,
        help_text=_("季度写作 2026-Q2，半年写作 2026-H1，年度写作 2026"),
    )
    sample_size = forms.IntegerField(
        label=_("抽查数量（半年抽查，不填为全部）"), required=False, min_value=1
    )
    title = forms.CharField(label=_("名称（可不填）"), max_length=120, required=False)


class ReportForm(forms.Form):
    text = forms.CharField(label=_("述职报告"), widget=forms.Textarea(attrs={"rows": 6}))


class ScoreForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label=_("评分（0–100）"), max_digits=6, decimal_places=2)
    note = forms.CharField(label=_("评语"), max_length=300, required=False)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("考核结果运用"), choices=[c for c in Outcome.choices if c[0]]
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectify_by = forms.DateField(label=_("整改期限"), required=False, widget=DATE)
