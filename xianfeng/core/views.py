"""Login, role home pages, search and the shared view helpers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from xianfeng.core import home, search, twofactor, twofactor_views
from xianfeng.core.auth import BACKEND, LoginError, login_check, login_succeeded
from xianfeng.core.choices import Action, RoleKind
from xianfeng.core.models import SensitiveAccess
from xianfeng.core.roles import GRID_WRITERS
from xianfeng.core.scope import active_roles, user_can
from xianfeng.core.services import get_object_for


class ScopedView(LoginRequiredMixin, View):
    """Base for pages that read domain data: everything goes through ``restrict``."""

    model: type[Model]

    def scoped(self, action: str = Action.VIEW) -> QuerySet:
        return self.model.objects.restrict(self.request.user, action)

    def object_for(self, pk: Any, action: str = Action.VIEW, queryset: QuerySet | None = None):
        return get_object_for(
            user=self.request.user, model=self.model, pk=pk, action=action, queryset=queryset
        )

    def can(self, action: str, model: type[Model] | None = None) -> bool:
        return user_can(self.request.user, action, model or self.model)


class ServiceFormView(ScopedView):
    """A page with one form whose submission calls one service.

    GET shows the form; POST validates it and calls ``perform``. A ValidationError from the
    service lands on the form (answer 400, nothing stored); success redirects to the object.
    Subclasses say which object the page acts on (``target``, permission-checked), how to
    build the form, and which service to call.
    """

    title_text: str = ""
    intro: str = ""
    submit_label: str = ""
    success_message: str = ""

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        return None

    def make_form(self, target: Any, data: Any = None) -> Any:
        raise NotImplementedError

    def perform(self, form: Any, target: Any) -> Model:
        raise NotImplementedError

    def title(self, target: Any) -> str:
        return self.title_text

    def back_url(self, target: Any) -> str:
        return target.get_absolute_url() if target is not None else ""

    def message(self, obj: Model) -> str:
        return self.success_message or _("已保存。")

    def precheck(self, target: Any) -> None:
        """Checks that come before the form is read (a workflow step's state and actor):
        raise ``PermissionDenied`` or a ``ValidationError`` with code ``invalid_state``."""

    def _render(
        self, request: HttpRequest, form: Any, title: str, back: str, status: int | None = None
    ) -> HttpResponse:
        context = {
            "form": form,
            "title": title,
            "back_url": back,
            "intro": self.intro,
            "submit_label": self.submit_label,
        }
        status = status or (400 if form.errors else 200)
        return render(request, "core/form.html", context, status=status)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        target = self.target(request, **kwargs)
        form = self.make_form(target)
        return self._render(request, form, self.title(target), self.back_url(target))

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        target = self.target(request, **kwargs)
        # Title and back link before binding: a ModelForm writes the posted values into its
        # instance while it validates.
        title, back = self.title(target), self.back_url(target)
        form = self.make_form(target, request.POST)
        # A refusal shows on this page with its status: 403 for the actor, 409 for the state.
        try:
            self.precheck(target)
            if not form.is_valid():
                return self._render(request, form, title, back)
            obj = self.perform(form, target)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("您的角色无权进行此操作。"))
            return self._render(request, form, title, back, status=403)
        except ValidationError as exc:
            apply_form_errors(form, exc)
            conflict = any(e.code == "invalid_state" for e in _errors_of(exc))
            return self._render(request, form, title, back, status=409 if conflict else None)
        messages.success(request, self.message(obj))
        return redirect(obj.get_absolute_url())


def paginate(
    request: HttpRequest,
    queryset: QuerySet,
    per_page: int | None = None,
    *,
    counted: QuerySet | None = None,
):
    """Database pagination; the count query is the only extra query. ``counted``: the same
    rows before ``values_list()``, whose COUNT needs none of the joins the shown columns add
    (the member page's COUNT joined every person: 12 ms for the district, 2 without)."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    if counted is not None:
        # ``count`` is a cached_property: an int set here is what every later read returns
        paginator.count = counted.count()
    return paginator.get_page(request.GET.get("page"))


def _errors_of(exc: ValidationError) -> list[ValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return list(exc.error_list)


def apply_form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, by field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def login_view(request: HttpRequest) -> HttpResponse:
    """Password first (``login_check``: lock-out per account and per address); then, for
    those who use two-factor, the code step (``twofactor_views``)."""
    if request.user.is_authenticated:
        return redirect("home")
    error = ""
    username = ""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        try:
            user = login_check(
                request=request, username=username, password=request.POST.get("password", "")
            )
        except LoginError as exc:
            error = exc.message
        else:
            if twofactor.otp_needed(user):
                return twofactor_views.begin(request, user, next_url)
            login_succeeded(user)
            login(request, user, backend=BACKEND)
            if next_url and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}
            ):
                return redirect(next_url)
            return redirect("home")
    status = 400 if error else 200
    return render(
        request,
        "core/login.html",
        {"error": error, "username": username, "next": next_url},
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已安全退出。"))
    response = redirect("login")
    # The browser drops its HTTP cache of the site; offline.js has already told the service
    # worker to drop the pages it kept (the outbox stays: it is the member's unsent work).
    response["Clear-Site-Data"] = '"cache"'
    return response


class HomeView(LoginRequiredMixin, View):
    """What needs this user today, by role, from data in the user's scope. The apps fill in
    the lines, tiles and panels (``xianfeng.core.home``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        roles = active_roles(user)
        kinds = frozenset(r.kind for r in roles)
        is_manager = user.is_superuser or bool(kinds & GRID_WRITERS)
        recent_access = []
        if RoleKind.AUDITOR in kinds:
            recent_access = list(
                SensitiveAccess.objects.restrict(user).select_related("user", "person")[:10]
            )
        return render(
            request,
            "core/home.html",
            {
                "roles": roles,
                "todo": home.todo_lines(user, timezone.localdate()) if is_manager else [],
                "is_manager": is_manager,
                "stats": home.stat_tiles(user),
                "recent_access": recent_access,
                "is_auditor": RoleKind.AUDITOR in kinds,
                "is_liaison": RoleKind.UNIT_LIAISON in kinds,
                "panels": home.panels(user, kinds),
                **home.panel_context(user, kinds),
            },
        )


class SearchView(LoginRequiredMixin, View):
    """One box: names (汉字 or pinyin initials), codes and addresses, within scope. The apps
    say what it looks in (``xianfeng.core.search``)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        sections = search.search(request.user, q)
        total = sum(len(s["results"]) for s in sections)
        return render(request, "core/search.html", {"q": q, "sections": sections, "total": total})
