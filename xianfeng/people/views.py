"""Member list, detail, registration and editing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import person_reveal
from xianfeng.core.views import ScopedView, ServiceFormView, paginate
from xianfeng.orgs.models import Organization
from xianfeng.people import services
from xianfeng.people.choices import MemberCategory, MemberKind, MemberStatus
from xianfeng.people.forms import MemberForm
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import ResponsibilityZone

FILTER_KEYS = ("q", "kind", "category", "status", "branch", "due")


def filter_members(qs, params, user):
    """The member filters shared by the page (and, later, its export)."""
    q = params.get("q", "").strip()
    if q:
        cond = Q(person__name__contains=q)
        low = q.lower()
        if low.isascii() and low.isalpha():
            cond |= Q(person__name_initials__startswith=low) | Q(
                person__name_pinyin__startswith=low
            )
        qs = qs.filter(cond)
    for key, choices in (
        ("kind", MemberKind.values),
        ("category", MemberCategory.values),
        ("status", MemberStatus.values),
    ):
        value = params.get(key)
        if value in choices:
            qs = qs.filter(**{key: value})
    branch_id = params.get("branch")
    branch = None
    if branch_id and branch_id.isdigit():
        branch = Organization.objects.restrict(user).filter(pk=branch_id).first()
        qs = qs.filter(branch__path__startswith=branch.path) if branch else qs.none()
    if params.get("due") == "1":
        qs = qs.filter(
            category=MemberCategory.PROBATIONARY,
            joined_on__lte=timezone.localdate() - timedelta(days=365 - 30),
        )
    return qs, branch


class MemberListView(ScopedView):
    model = PartyMember

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = self.scoped().select_related("person", "branch").order_by("branch__path", "id")
        qs, branch = filter_members(qs, request.GET, request.user)
        page = paginate(request, qs)
        kept = {k: request.GET[k] for k in FILTER_KEYS if request.GET.get(k)}
        return render(
            request,
            "people/member_list.html",
            {
                "page": page,
                "params": kept,
                "branch": branch,
                "querystring": urlencode(kept) + "&" if kept else "",
                "kinds": MemberKind.choices,
                "categories": MemberCategory.choices,
                "statuses": MemberStatus.choices,
                "can_add": self.can(Action.ADD),
            },
        )


class MemberDetailView(ScopedView):
    model = PartyMember

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.object_for(
            pk,
            queryset=PartyMember.objects.select_related("person", "branch", "residence_community"),
        )
        zones = ResponsibilityZone.objects.restrict(request.user).filter(members=member)
        can_reveal = (
            Person.objects.restrict(request.user, Action.VIEW_SENSITIVE)
            .filter(pk=member.person_id)
            .exists()
        )
        can_change = (
            PartyMember.objects.restrict(request.user, Action.CHANGE).filter(pk=pk).exists()
        )
        history = history_rows(member) + history_rows(member.person)
        history.sort(key=lambda row: row["date"], reverse=True)
        return render(
            request,
            "people/member_detail.html",
            {
                "member": member,
                "person": member.person,
                "zones": zones,
                "can_reveal": can_reveal,
                "can_change": can_change,
                "history": history,
            },
        )


class RevealView(ScopedView):
    """POST only: shows full ID number and phone and records that it was shown."""

    model = Person

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self.object_for(pk)
        full = person_reveal(user=request.user, person=person, channel="page")
        return render(request, "people/_revealed.html", {"full": full})


class MemberCreateView(ServiceFormView):
    model = PartyMember
    title_text = _("登记党员")

    def target(self, request: HttpRequest) -> None:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权登记党员。"))

    def back_url(self, target: None) -> str:
        return "/members/"

    def make_form(self, target: None, data: Any = None) -> MemberForm:
        initial = {}
        if self.request.GET.get("branch", "").isdigit():
            initial["branch"] = int(self.request.GET["branch"])
        return MemberForm(data, user=self.request.user, initial=initial)

    def perform(self, form: MemberForm, target: None) -> PartyMember:
        person, branch, fields = form.split()
        return services.member_create(
            actor=self.request.user, branch=branch, person=person, **fields
        )

    def message(self, member: PartyMember) -> str:
        return _("已登记党员%(name)s。") % {"name": member.person.name}


class MemberEditView(ServiceFormView):
    model = PartyMember

    def target(self, request: HttpRequest, pk: int) -> PartyMember:
        return self.object_for(
            pk, Action.CHANGE, queryset=PartyMember.objects.select_related("person")
        )

    def title(self, member: PartyMember) -> str:
        return _("修改党员信息：%(name)s") % {"name": member.person.name}

    def make_form(self, member: PartyMember, data: Any = None) -> MemberForm:
        return MemberForm(data, user=self.request.user, initial=MemberForm.initial_for(member))

    def perform(self, form: MemberForm, member: PartyMember) -> PartyMember:
        person, branch, fields = form.split()
        return services.member_update(
            actor=self.request.user, member=member, person=person, branch=branch, **fields
        )
