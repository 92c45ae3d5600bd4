"""Forms of the 双领 pages; each one feeds one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xianfeng.core.choices import Action
from xianfeng.core.forms import TextLimits
from xianfeng.orgs.models import Organization
from xianfeng.orgs.pickers import OrganizationPickerField, OrgSpec
from xianfeng.people.models import PartyMember
from xianfeng.places.forms import HouseholdPickerField
from xianfeng.work.models import Campaign, Project, Task

DATE = forms.DateInput(attrs={"type": "date"})


class OrgChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organization) -> str:
        return obj.display_name


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartyMember) -> str:
        return f"{obj.person.name}（{obj.branch.display_name}）"


class CampaignForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("发起组织"))
    title = forms.CharField(label=_("行动名称"), max_length=100)
    theme = forms.CharField(label=_("主题"), max_length=200, required=False)
    goals = forms.CharField(label=_("目标"), widget=forms.Textarea, required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="work.campaign")
        self.fields["organization"].limit_to(user=user, spec=spec)


class ProjectForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("承担组织"))
    title = forms.CharField(label=_("项目名称"), max_length=120)
    goals = forms.CharField(label=_("目标"), widget=forms.Textarea, required=False)
    measures = forms.CharField(label=_("措施"), widget=forms.Textarea, required=False)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    leader = MemberChoice(
        label=_("联系负责的班子成员"), queryset=PartyMember.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="work.project", under=campaign.organization.path)
        self.fields["organization"].limit_to(user=user, spec=spec)
        # 班子成员: members of the issuing organization and the two levels under it.
        self.fields["leader"].queryset = (
            PartyMember.objects.restrict(user)
            .filter(
                branch__path__startswith=campaign.organization.path,
                branch__depth__lte=campaign.organization.depth + 2,
            )
            .select_related("person", "branch")
            .order_by("branch__path", "id")
        )


class TaskForm(TextLimits, forms.Form):
    title = forms.CharField(label=_("任务"), max_length=120)
    description = forms.CharField(label=_("要求"), widget=forms.Textarea, required=False)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    organization = OrganizationPickerField(
        label=_("发布到"),
        required=False,
        help_text=_("默认发布给项目承担组织的全体党员认领；也可只发布给其下某个支部"),
    )
    target_visits = forms.IntegerField(
        label=_("要求走访户次"),
        min_value=0,
        max_value=10000,
        required=False,
        help_text=_("靠走访完成的任务填写；走访时选这项任务，够数才能提交"),
    )
    target_households = HouseholdPickerField(
        label=_("目标住户"),
        required=False,
        help_text=_("可选：要走访到的住户，输入楼栋名或房号查找，可勾选多户"),
    )

    def __init__(self, *args: Any, user: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = OrgSpec(action=Action.ADD, rules_of="work.task", under=project.organization.path)
        self.fields["organization"].limit_to(user=user, spec=spec)
        self.fields["target_households"].limit_to(user=user, under=project.organization)


class SupervisionForm(TextLimits, forms.Form):
    organization = OrganizationPickerField(label=_("被督办组织"))
    content = forms.CharField(label=_("督办事项"), widget=forms.Textarea)
    due_on = forms.DateField(label=_("答复时限"), widget=DATE)

    def __init__(self, *args: Any, user: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what the user may supervise: organizations below their own (the service refuses
        # the own organization, so the form does not offer it).
        spec = OrgSpec(
            action=Action.ADD,
            rules_of="work.supervision",
            under=project.organization.path,
            strictly_below_own=True,
        )
        self.fields["organization"].limit_to(user=user, spec=spec)
        if self.fields["organization"].queryset.filter(pk=project.organization_id).exists():
            self.fields["organization"].initial = project.organization_id


class AnswerForm(TextLimits, forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea)


class ReturnForm(TextLimits, forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(TextLimits, forms.Form):
    notes = forms.CharField(label=_("完成情况"), widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(TextLimits, forms.Form):
    member = MemberChoice(label=_("指派给"), queryset=PartyMember.objects.none())

    def __init__(self, *args: Any, task: Task, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The task's subtree, and members in service (报到) in its community, as the user sees
        self.fields["member"].queryset = (
            PartyMember.objects.restrict(user, serving=True)
            .acting_under(task.organization)
            .select_related("person", "branch")
            .order_by("branch__path", "id")
        )
