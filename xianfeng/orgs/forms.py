from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import GeoJSONField, TextLimits
from xianfeng.core.validators import validate_geojson_geometry
from xianfeng.orgs.choices import ALLOWED_CHILDREN, OrgKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.orgs.pickers import OrganizationPickerField, OrgSpec

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrganizationForm(TextLimits, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "name",
            "short_name",
            "code",
            "category",
            "unit_situation",
            "unit_name",
            "contact_name",
            "contact_phone",
            "address",
            "latitude",
            "longitude",
            "established_on",
            "boundary",
        ]
        widgets = {"established_on": DATE, "boundary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, parent: Organization | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("kind")
        elif parent is not None:
            allowed = ALLOWED_CHILDREN.get(parent.kind, set())
            self.fields["kind"].choices = [(k, v) for k, v in OrgKind.choices if k in allowed]
        self.fields["boundary"] = GeoJSONField(
            label=self.fields["boundary"].label,
            required=False,
            help_text=_("可选，GeoJSON格式的Polygon或MultiPolygon。"),
        )

    def clean_boundary(self) -> Any:
        value = self.cleaned_data.get("boundary")
        validate_geojson_geometry(value)
        return value


class MoveForm(TextLimits, forms.Form):
    parent = OrganizationPickerField(label=_("新的上级组织"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].limit_to(user=user, spec=OrgSpec(action=Action.ADD))


class PairingForm(TextLimits, forms.ModelForm):
    org_b = OrganizationPickerField(label=_("结对组织"))

    class Meta:
        model = Pairing
        fields = [
            "kind",
            "org_b",
            "starts_on",
            "ends_on",
            "commitments_a",
            "commitments_b",
            "note",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE}
        labels = {"org_b": _("结对组织")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The other side may lie outside the actor's scope (a unit pairs with a community);
        # offer only the kinds that pair: resident units, agencies, enterprises, communities.
        kinds = (
            OrgKind.RESIDENT_UNIT,
            OrgKind.AGENCY,
            OrgKind.NON_PUBLIC,
            OrgKind.SOCIAL,
            OrgKind.COMMUNITY,
        )
        self.fields["org_b"].limit_to(user=user, spec=OrgSpec(action="", kinds=kinds))


class PairingDeliveryForm(TextLimits, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("履行方"),
        queryset=Organization.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("只能登记本方组织的承诺履行。")},
    )
    done_on = forms.DateField(label=_("履行日期"), widget=DATE)
    content = forms.CharField(
        label=_("履行内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("做了什么、为谁、多少人参加，例如：组织8名党员到小区开展消防宣传。"),
    )

    def __init__(self, *args: Any, sides: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        field.queryset = Organization.objects.filter(pk__in=[o.pk for o in sides])
        if len(sides) == 1:
            field.initial = sides[0].pk
            field.widget = forms.HiddenInput()
        self.fields["done_on"].initial = timezone.localdate()
