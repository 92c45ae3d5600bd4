"""Forms of the services pages (the services check again; these shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.orgs.models import Organization
from xianfeng.services.models import CoProject, Resource, Service
from xianfeng.services.services import MAX_ADDRESS, MAX_CONTENT, MAX_NAME


class _ListItemForm(TextLimits, forms.ModelForm):
    """A line of one of the three lists, at an organization in the user's scope."""

    organization = forms.ModelChoiceField(label=_("组织"), queryset=Organization.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = Action.CHANGE if self.instance.pk else Action.ADD
        self.fields["organization"].queryset = Organization.objects.restrict(
            user, action, rules_of=self._meta.model
        ).order_by("path")[:500]
        if self.instance.pk:
            self.initial["organization"] = self.instance.organization_id


class ServiceForm(_ListItemForm):
    provider_member = forms.IntegerField(
        label=_("提供党员（编号，可不填）"), required=False, min_value=1
    )

    class Meta:
        model = Service
        fields = [
            "code",
            "title",
            "description",
            "available",
            "time_limit_hours",
            "is_active",
            "provider_name_public",
        ]


class ResourceForm(_ListItemForm):
    class Meta:
        model = Resource
        fields = ["kind", "title", "owner_name", "address", "hours", "booking", "is_active"]


class CoProjectForm(_ListItemForm):
    work_project = forms.IntegerField(
        label=_("关联双领项目（编号，可不填）"), required=False, min_value=1
    )

    class Meta:
        model = CoProject
        fields = ["title", "description", "partners", "status", "is_active"]


FORMS = {"services": ServiceForm, "resources": ResourceForm, "projects": CoProjectForm}


class ProxyOrderForm(TextLimits, forms.Form):
    """代办: staff enter a resident's order."""

    community = forms.ModelChoiceField(label=_("社区"), queryset=Organization.objects.none())
    service = forms.ModelChoiceField(
        label=_("服务项目（可不选，直接写诉求）"), queryset=Service.objects.none(), required=False
    )
    content = forms.CharField(
        label=_("诉求内容"), widget=forms.Textarea, required=False, max_length=MAX_CONTENT
    )
    name = forms.CharField(label=_("群众姓名"), max_length=MAX_NAME)
    phone = forms.CharField(label=_("联系电话（可不填）"), required=False, max_length=20)
    address = forms.CharField(label=_("地址"), max_length=MAX_ADDRESS)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from django.db.models import Q

        from xianfeng.core.scope import active_roles
        from xianfeng.orgs.choices import OrgKind

        super().__init__(*args, **kwargs)
        communities = Organization.objects.filter(kind=OrgKind.COMMUNITY).order_by("path")
        if not user.is_superuser:
            # Communities the user works in: above a branch role or inside a street's.
            roles = active_roles(user)
            ids = {int(seg) for r in roles for seg in r.path.split(".") if seg}
            inside = Q(pk__in=ids)
            for r in roles:
                inside |= Q(path__startswith=r.path)
            communities = communities.filter(inside)
        self.fields["community"].queryset = communities
        self.fields["service"].queryset = (
            Service.objects.restrict(user).filter(is_active=True).order_by("title")
        )
