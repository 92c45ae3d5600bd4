"""Member list, detail, registration and editing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import person_reveal
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
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
        try:
            full = person_reveal(user=request.user, person=person, channel="page")
        except PermissionDenied:
            raise
        return render(request, "people/_revealed.html", {"full": full})


class MemberCreateView(ScopedView):
    model = PartyMember

    def _render(self, request: HttpRequest, form: MemberForm) -> HttpResponse:
        return render(
            request,
            "core/form.html",
            {"form": form, "title": _("登记党员"), "back_url": "/members/"},
            status=400 if form.errors else 200,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权登记党员。"))
        initial = {}
        if request.GET.get("branch", "").isdigit():
            initial["branch"] = int(request.GET["branch"])
        return self._render(request, MemberForm(user=request.user, initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权登记党员。"))
        form = MemberForm(request.POST, user=request.user)
        if form.is_valid():
            person, branch, fields = form.split()
            try:
                member = services.member_create(
                    actor=request.user, branch=branch, person=person, **fields
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已登记党员%(name)s。") % {"name": person["name"]})
                return redirect("people:member_detail", pk=member.pk)
        return self._render(request, form)


class MemberEditView(ScopedView):
    model = PartyMember

    def _render(self, request: HttpRequest, form: MemberForm, member: PartyMember):
        return render(
            request,
            "core/form.html",
            {
                "form": form,
                "title": _("修改党员信息：%(name)s") % {"name": member.person.name},
                "back_url": f"/members/{member.pk}/",
            },
            status=400 if form.errors else 200,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.object_for(pk, Action.CHANGE)
        form = MemberForm(user=request.user, initial=MemberForm.initial_for(member))
        return self._render(request, form, member)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.object_for(pk, Action.CHANGE)
        form = MemberForm(request.POST, user=request.user)
        if form.is_valid():
            person, branch, fields = form.split()
            try:
                services.member_update(
                    actor=request.user, member=member, person=person, branch=branch, **fields
                )
            except ValidationError as exc:
                apply_form_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("people:member_detail", pk=member.pk)
        return self._render(request, form, member)
