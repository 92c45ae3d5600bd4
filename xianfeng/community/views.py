"""Pages of members in the community: a mobile member's fellow townsmen (老乡) and the contacts
with them. Lists through ``xianfeng.community.selectors`` (the API uses the same ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xianfeng.community import selectors, services
from xianfeng.community.forms import ContactForm, TownsmanForm
from xianfeng.community.mobile import contacts_per_month, townsmen_goal, townsmen_progress
from xianfeng.community.models import Townsman
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import take_on_page
from xianfeng.work.services import member_of


class TownsmanListView(ScopedView):
    """A mobile member's list of fellow townsmen, with a form to add one (phone first);
    others see the townsmen of the members in their scope."""

    model = Townsman

    def _render(self, form: Any, status: int = 200) -> HttpResponse:
        request = self.request
        member = member_of(request.user)
        mobile = member is not None and services.is_mobile_member(member)
        mine = mobile and request.GET.get("all") != "1"
        qs = selectors.townsmen(request.user, mine=mine, ended=request.GET.get("ended") == "1")
        params = {k: request.GET[k] for k in ("all", "ended") if request.GET.get(k)}
        return render(
            request,
            "community/townsman_list.html",
            {
                "page": paginate(request, qs),
                "form": form,
                "mine": mine,
                "goal": townsmen_goal(),
                "progress": townsmen_progress(member) if mobile else None,
                "monthly": contacts_per_month(member) if mobile else [],
                "can_add": mobile and self.can(Action.ADD),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(TownsmanForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权进行此操作。"))
        form = TownsmanForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            townsman = services.townsman_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(form, status=400)
        messages.success(request, _("已加入老乡名单。"))
        return redirect(townsman.get_absolute_url())


class TownsmanDetailView(ScopedView):
    """One fellow townsman: contacts so far, and the 30-second contact form for the member."""

    model = Townsman

    def _get(self, pk: int) -> Any:
        return self.object_for(
            pk, queryset=Townsman.objects.select_related("member__person", "organization")
        )

    def _render(self, townsman: Any, form: Any, status: int = 200) -> HttpResponse:
        member = member_of(self.request.user)
        contacts = selectors.townsman_contacts(self.request.user, townsman)
        return render(
            self.request,
            "community/townsman_detail.html",
            {
                "townsman": townsman,
                "form": form,
                "own": member is not None and townsman.member_id == member.pk,
                "page": paginate(self.request, contacts),
                "querystring": "",
                "history": history_rows(townsman),
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(self._get(pk), ContactForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        townsman = self._get(pk)
        if request.POST.get("end") == "1":
            status = take_on_page(request, townsman, "end")
            if status is not None:
                return self._render(self._get(pk), ContactForm(), status=status)
            return redirect("work:townsman_list")
        form = ContactForm(request.POST)
        if not form.is_valid():
            return self._render(townsman, form, status=400)
        try:
            _contact, created = services.townsman_contact_log(
                actor=request.user, townsman=townsman, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(townsman, form, status=400)
        if created:
            messages.success(request, _("联系已登记。"))
        else:
            messages.info(request, _("这次联系已经登记过了，没有重复保存。"))
        return redirect(townsman.get_absolute_url())
