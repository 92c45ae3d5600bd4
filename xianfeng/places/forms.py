from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import GeoJSONField, TextLimits
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.pickers import OrganizationPickerField, OrgSpec
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, CareTag, Grid, Household, ResponsibilityZone


class GridForm(TextLimits, forms.ModelForm):
    community = OrganizationPickerField(
        label=_("所属社区"),
        error_messages={"invalid_choice": _("所选社区不存在或不在您的管辖范围内。")},
    )
    branch = OrganizationPickerField(label=_("网格党支部"), required=False)
    boundary = GeoJSONField(
        label=_("边界（GeoJSON）"),
        required=False,
        help_text=_("可选：Polygon或MultiPolygon，坐标为[经度, 纬度]。"),
    )

    class Meta:
        model = Grid
        fields = ["code", "name", "community", "branch", "boundary", "note"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = OrgSpec(action=Action.ADD, rules_of="places.grid", kinds=(OrgKind.COMMUNITY,))
        self.fields["community"].limit_to(user=user, spec=communities)
        branches = OrgSpec(kinds=(OrgKind.GRID_BRANCH,))
        self.fields["branch"].limit_to(user=user, spec=branches)
        if self.instance.pk:
            self.fields.pop("community")


class BuildingForm(TextLimits, forms.ModelForm):
    grid = forms.ModelChoiceField(
        label=_("所属网格"),
        queryset=Grid.objects.none(),
        error_messages={"invalid_choice": _("所选网格不存在或不在您的管辖范围内。")},
    )

    class Meta:
        model = Building
        fields = [
            "code",
            "name",
            "address",
            "grid",
            "building_group",
            "kind",
            "floors",
            "owner_name",
            "latitude",
            "longitude",
            "note",
        ]

    building_group = OrganizationPickerField(label=_("楼栋党小组"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Grids where the user may add buildings (a grid secretary: their own grid).
        self.fields["grid"].queryset = Grid.objects.restrict(user, Action.ADD, rules_of=Building)
        groups = OrgSpec(kinds=(OrgKind.BUILDING_GROUP,))
        self.fields["building_group"].limit_to(user=user, spec=groups)


class HouseholdForm(TextLimits, forms.ModelForm):
    care_tags = forms.ModelMultipleChoiceField(
        label=_("关爱标签"),
        queryset=CareTag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Household
        fields = ["unit", "room", "is_rental", "care_tags", "note"]


class ZoneForm(TextLimits, forms.ModelForm):
    """A zone is drawn inside one organization: members from its subtree, places from its
    community (seed 003: 就近、方便)."""

    members = forms.ModelMultipleChoiceField(
        label=_("责任党员"),
        queryset=PartyMember.objects.none(),
        error_messages={"invalid_choice": _("所选党员不存在或不属于该党组织。")},
        widget=forms.CheckboxSelectMultiple,
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("包含楼栋"),
        queryset=Building.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("所选楼栋不存在或不在本社区。")},
    )
    duties_text = forms.CharField(
        label=_("职责任务"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("每行一条；留空则按责任区类型套用模板（见实施意见第四部分）。"),
    )

    class Meta:
        model = ResponsibilityZone
        fields = [
            "name",
            "kind",
            "members",
            "buildings",
            "unit_scope",
            "board_title",
            "board_contact_phone",
            "board_show_members",
        ]

    def __init__(self, *args: Any, user: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = organization.community() or organization
        self.fields["members"].queryset = (
            # members in service there (报到) too, through the scoping method
            PartyMember.objects.restrict(user, serving=True)
            .acting_under(organization)
            .select_related("person")
            .order_by("person__name_pinyin")
        )
        self.fields["buildings"].queryset = Building.objects.restrict(user).filter(
            organization__path__startswith=community.path
        )
        if self.instance.pk:
            self.initial["duties_text"] = "\n".join(self.instance.duties)

    def clean_duties_text(self) -> list[str]:
        text = self.cleaned_data.get("duties_text") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class HouseholdPickerWidget(forms.Widget):
    """Households chosen by search as you type (``places:household_picker``), any number, the
    ticked ones kept across searches. ``under`` (an organization id) bounds the search and
    ``user`` its scope; both are set by the form."""

    template_name = "places/widgets/household_picker.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user: Any = None
        self.under: int | None = None

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # none ticked is a value: no households

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        from xianfeng.places.selectors import household_choices

        context = super().get_context(name, value, attrs)
        checked = [int(v) for v in (value or []) if str(v).isdigit()]
        context["widget"]["under"] = self.under
        context["widget"]["choices_ctx"] = (
            household_choices(user=self.user, under=self.under, checked=checked)
            if self.user is not None
            else {"ticked": [], "found": [], "more": 0}
        )
        return context


class HouseholdPickerField(forms.ModelMultipleChoiceField):
    widget = HouseholdPickerWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Household.objects.none())
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _("所选住户不存在或不在您的管辖范围内。"),
                "invalid_pk_value": _("住户编号不正确。"),
            },
        )
        super().__init__(*args, **kwargs)

    def limit_to(self, *, user: Any, under: Any) -> None:
        """Households the user sees under organization ``under`` (the search and the check)."""
        self.queryset = (
            Household.objects.restrict(user)
            .filter(organization__path__startswith=under.path)
            .select_related("organization", "building")
        )
        self.widget.user, self.widget.under = user, under.pk


class BoundaryForm(forms.Form):
    """A grid's boundary drawn on the map (the editor keeps the GeoJSON in this field)."""

    boundary = GeoJSONField(
        label=_("边界（GeoJSON）"),
        required=False,
        help_text=_("在地图上绘制时自动填写；也可直接粘贴Polygon或MultiPolygon。留空即清除边界。"),
    )
