"""Forms of the self-declared acts (the services check everything again; these only parse)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.scoring.choices import SelfDeclarationState

# An <input type="date"> shows its value only as YYYY-MM-DD, whatever the locale formats.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class DeclarationForm(forms.Form):
    kind = forms.TypedChoiceField(label=_("申报事项"), coerce=int)
    description = forms.CharField(
        label=_("做了什么"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    done_on = forms.DateField(label=_("履职日期"), widget=DATE)
    photo = forms.FileField(
        label=_("现场照片"),
        help_text=_("JPEG、PNG或WebP照片，不超过10MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, kinds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择"))] + [(k.pk, k.name) for k in kinds]
        self.fields["done_on"].initial = timezone.localdate()
        self.fields["kind"].error_messages["required"] = _("请选择申报事项。")
        self.fields["description"].error_messages["required"] = _("请说明做了什么事。")
        self.fields["done_on"].error_messages["required"] = _("请填写履职日期。")
        self.fields["photo"].error_messages["required"] = _("请上传一张现场照片。")


class KindForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=60)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    weight = forms.DecimalField(
        label=_("分值系数"), max_digits=5, decimal_places=2, initial=1, min_value=0.01
    )


STATE_CHOICES = SelfDeclarationState.choices
