"""Forms of the public app's staff pages (the services check again; these shape the input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.public.choices import (
    ADDRESS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ProblemCategory,
    ProblemSource,
)
from xianfeng.public.models import Problem
from xianfeng.public.services import EDIT_REASON_MAX

#: Staff raise problems from a meeting, a visit or an order (a resident's own report goes
#: through the public form and moderation).
STAFF_SOURCES = [
    (s.value, s.label) for s in (ProblemSource.MEETING, ProblemSource.VISIT, ProblemSource.ORDER)
]


class ProblemRaiseForm(TextLimits, forms.Form):
    """登记问题: a problem raised in a meeting, found on a visit or left by an order."""

    organization = forms.ModelChoiceField(
        label=_("责任组织（社区或社区以下）"), queryset=Organization.objects.none()
    )
    source = forms.ChoiceField(label=_("来源"), choices=STAFF_SOURCES)
    source_note = forms.CharField(
        label=_("来源说明（例如：6月议事日、某次走访）"), required=False, max_length=120
    )
    category = forms.ChoiceField(label=_("问题类别"), choices=[("", "—"), *ProblemCategory.choices])
    title = forms.CharField(label=_("问题（一句话）"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea, required=False, max_length=TEXT_MAX
    )
    address = forms.CharField(label=_("地点"), required=False, max_length=ADDRESS_MAX)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Organizations where the user may add a problem, inside a community (the wall is a
        # community's): the community itself, its grid branches and building groups. Not
        # sliced: a ModelChoiceField validates with ``queryset.get()``, which a slice refuses.
        self.fields["organization"].queryset = (
            Organization.objects.restrict(user, Action.ADD, rules_of=Problem)
            .filter(kind__in=(OrgKind.COMMUNITY, OrgKind.GRID_BRANCH, OrgKind.BUILDING_GROUP))
            .order_by("path")
        )


class ProblemTextForm(TextLimits, forms.Form):
    """编辑公开内容: what the wall shows of a problem, and why it was changed."""

    title = forms.CharField(label=_("问题（一句话）"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea, required=False, max_length=TEXT_MAX
    )
    address = forms.CharField(label=_("地点"), required=False, max_length=ADDRESS_MAX)
    reason = forms.CharField(label=_("编辑理由（记入历史，不公开）"), max_length=EDIT_REASON_MAX)


class EchoResultForm(TextLimits, forms.Form):
    """编辑回音壁的办理结果."""

    result = forms.CharField(label=_("办理结果"), widget=forms.Textarea, max_length=TEXT_MAX)
    reason = forms.CharField(label=_("编辑理由（记入历史，不公开）"), max_length=EDIT_REASON_MAX)
