from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import GeoJSONField, TextLimits
from xianfeng.core.validators import validate_geojson_geometry
from xianfeng.orgs.choices import ALLOWED_CHILDREN, OrgKind
from xianfeng.orgs.models import Organization, Pairing

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
    parent = forms.ModelChoiceField(
        label=_("新的上级组织"),
        queryset=Organization.objects.none(),
        error_messages={"invalid_choice": _("所选组织不存在或不在您的管辖范围内。")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organization.objects.restrict(user, Action.ADD).only(
            "id", "name", "path"
        )


class PairingForm(TextLimits, forms.ModelForm):
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
        self.fields["org_b"].queryset = Organization.objects.filter(
            kind__in=[
                OrgKind.RESIDENT_UNIT,
                OrgKind.AGENCY,
                OrgKind.NON_PUBLIC,
                OrgKind.SOCIAL,
                OrgKind.COMMUNITY,
            ]
        ).only("id", "name")
