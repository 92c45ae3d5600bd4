"""Pages of the self-declared acts (自行申报): a member's declaration form (phone first), the
list (mine, or those in scope to review), one declaration with the buttons its workflow
declares, and the district's kinds. Reads through ``scoring.declarations``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.people.members import member_of
from xianfeng.scoring import declarations
from xianfeng.scoring.choices import SelfDeclarationState
from xianfeng.scoring.forms_declaration import DeclarationForm, KindForm
from xianfeng.scoring.models import SelfDeclaration, SelfDeclarationKind


class DeclarationListView(ScopedView):
    model = SelfDeclaration

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        mine = request.GET.get("mine") == "1"
        return render(
            request,
            "scoring/declaration_list.html",
            {
                "page": paginate(
                    request, declarations.declarations(request.user, state=state, mine=mine)
                ),
                "state": state,
                "mine": mine,
                "states": SelfDeclarationState.choices,
                "can_add": member_of(request.user) is not None,
                "may_set_kinds": declarations.may_set_kinds(request.user),
            },
        )


class DeclarationCreateView(ScopedView):
    model = SelfDeclaration

    def _render(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "scoring/declaration_form.html",
            {"form": form, "has_kinds": bool(form.fields["kind"].choices[1:])},
            status=status,
        )

    def _require_member(self, request: HttpRequest) -> None:
        if member_of(request.user) is None:
            raise PermissionDenied(_("您的账号没有关联党员身份，不能自行申报。"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._require_member(request)
        return self._render(request, DeclarationForm(kinds=declarations.kinds()))

    def post(self, request: HttpRequest) -> HttpResponse:
        self._require_member(request)
        active = list(declarations.kinds())
        form = DeclarationForm(request.POST, request.FILES, kinds=active)
        if not form.is_valid():
            return self._render(request, form, 400)
        kind = next((k for k in active if k.pk == form.cleaned_data["kind"]), None)
        try:
            obj = declarations.declaration_submit(
                actor=request.user,
                kind=kind,
                description=form.cleaned_data["description"],
                done_on=form.cleaned_data["done_on"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已提交，等待支部书记或社区审核。"))
        return redirect(obj.get_absolute_url())


def _detail(request: HttpRequest, obj: SelfDeclaration) -> HttpResponse:
    return render(
        request, "scoring/declaration_detail.html", {"obj": obj, "history": history_rows(obj)}
    )


class DeclarationDetailView(ScopedView):
    model = SelfDeclaration

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk))


class DeclarationStepView(StepView):
    model = SelfDeclaration

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj)


class KindListView(ScopedView):
    """The district's kinds; everyone reads them, the district adds and retires them."""

    model = SelfDeclaration

    def _render(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        may = declarations.may_set_kinds(request.user)
        return render(
            request,
            "scoring/declaration_kinds.html",
            {
                "kinds": declarations.kinds(active_only=False),
                "may_edit": may,
                "form": form or (KindForm() if may else None),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if not declarations.may_set_kinds(request.user):
            raise PermissionDenied(_("只有区委组织部可以设置自行申报事项。"))
        retire = request.POST.get("retire") or request.POST.get("restore")
        if retire:
            kind = SelfDeclarationKind.objects.filter(pk=retire if retire.isdigit() else 0).first()
            if kind is None:
                messages.error(request, _("没有这个自行申报事项。"))
                return self._render(request, status=400)
            declarations.kind_set(
                actor=request.user,
                kind=kind,
                name=kind.name,
                description=kind.description,
                weight=kind.weight,
                active="restore" in request.POST,
            )
            messages.success(request, _("已保存。"))
            return redirect(reverse("scoring:self_declared_kinds"))
        form = KindForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, 400)
        try:
            declarations.kind_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._render(request, form, 400)
        messages.success(request, _("已添加自行申报事项。"))
        return redirect(reverse("scoring:self_declared_kinds"))
