"""Member list, detail, registration and editing."""

from __future__ import annotations

from html import escape  # Django's escape(), without its check for lazy strings per call
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import labels, related
from xianfeng.core.choices import Action
from xianfeng.core.crypto import decrypt_many, stored_token
from xianfeng.core.history import history_rows
from xianfeng.core.validators import mask_phone, parse_db_int
from xianfeng.core.views import ScopedView, ServiceFormView, paginate
from xianfeng.orgs.selectors import visible_org
from xianfeng.people import services
from xianfeng.people.choices import MemberCategory, MemberKind, MemberStatus
from xianfeng.people.forms import MemberForm
from xianfeng.people.models import PartyMember, Person
from xianfeng.people.selectors import (
    MemberFilters,
    member_choices,
    member_count_rows,
    member_list,
)

# The columns the member list shows, in the order ``member_rows`` unpacks them: the page reads
# these as plain tuples (``values_list``), no model instance per row; the mobile as its stored
# token, opened with the page's others in one ``decrypt_many`` to be masked.
MEMBER_ROW_FIELDS = (
    "id",
    "kind",
    "category",
    "status",
    "person__name",
    stored_token("person__mobile"),
    "branch__name",
    "branch__short_name",
)


def member_rows(members: Any) -> SafeString:
    """The member list's rows, as the template loop wrote them, byte for byte
    (``xianfeng/tests/test_list_rows_html.py``): in Python, from ``MEMBER_ROW_FIELDS`` tuples,
    because the template engine spent most of the page's time resolving some 700 variables for
    50 rows, and building model instances most of the rest (issue 11)."""
    prefix = escape(labels.url_prefix("people:member_detail"))
    kinds, categories = labels.escaped(MemberKind), labels.escaped(MemberCategory)
    statuses = labels.escaped(MemberStatus)
    l_branch, l_kind, l_category = escape(_("党组织")), escape(_("类型")), escape(_("类别"))
    l_status, l_mobile = escape(_("状态")), escape(_("手机号"))
    # A page's rows share a few branches: each escaped once.
    branches: dict[str, str] = {}
    out = []
    members = list(members)
    mobiles = decrypt_many([row[5] for row in members])
    for (pk, kind, category, status, name, _token, branch, short_name), mobile in zip(
        members, mobiles, strict=True
    ):
        label = statuses.get(status) or escape(status)
        if status != "normal":
            label = f'<span class="tag red">{label}</span>'
        # the branch's display_name: its short name, else its name
        branch = short_name or branch
        shown = branches.get(branch)
        if shown is None:
            shown = branches[branch] = escape(branch)
        out.append(
            f'\n  <tr>\n    <td><a href="{prefix}{pk}/">{escape(name)}</a></td>\n'
            f'    <td data-label="{l_branch}">{shown}</td>\n'
            f'    <td data-label="{l_kind}">{kinds.get(kind) or escape(kind)}</td>\n'
            f'    <td data-label="{l_category}">'
            f"{categories.get(category) or escape(category)}</td>\n"
            f'    <td data-label="{l_status}">{label}</td>\n'
            f'    <td data-label="{l_mobile}">{escape(mask_phone(mobile) or "—")}</td>\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(out))  # every value above is escaped


class MemberListView(ScopedView):
    model = PartyMember

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = MemberFilters.from_params(request.GET)
        members = member_list(user=request.user, filters=filters)
        counted = member_count_rows(user=request.user, filters=filters, members=members)
        page = paginate(request, members.values_list(*MEMBER_ROW_FIELDS), counted=counted)
        kept = MemberFilters.kept(request.GET)
        return render(
            request,
            "people/member_list.html",
            {
                "page": page,
                "rows": member_rows(page.object_list),
                "params": kept,
                "branch": visible_org(request.user, filters.branch),
                "querystring": urlencode(kept) + "&" if kept else "",
                "kind_options": labels.option_tags(MemberKind, kept.get("kind")),
                "category_options": labels.option_tags(MemberCategory, kept.get("category")),
                "status_options": labels.option_tags(MemberStatus, kept.get("status")),
                "can_add": self.can(Action.ADD),
            },
        )


class MemberPickerView(ScopedView):
    """The search-as-you-type member picker (htmx): radio buttons named ``member``."""

    model = PartyMember

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()[:50]
        under = parse_db_int(request.GET.get("under", ""))
        context = member_choices(request.user, q, under)
        return render(request, "people/_member_choices.html", context)


class MemberDetailView(ScopedView):
    model = PartyMember

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        member = self.object_for(
            pk,
            queryset=PartyMember.objects.select_related("person", "branch", "residence_community"),
        )
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
                # zones (places)
                **related.detail_context(request.user, member),
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
        full = services.person_reveal(user=request.user, person=person, channel="page")
        return render(request, "people/_revealed.html", {"full": full})


class MemberCreateView(ServiceFormView):
    model = PartyMember
    title_text = gettext_lazy("登记党员")

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
