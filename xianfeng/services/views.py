"""Pages of services. Public (no login, phone first): the three lists of a community, the
order form (群众点单), the order's own page from the link given with it (status, and the rating
once done) and the short-code form. Staff: the three lists in scope with their forms, the
orders (the dispatch queue, 代办, each order with the buttons its workflow declares)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core import ratelimit, workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.publicurl import public_url
from xianfeng.core.scope import user_can
from xianfeng.core.services import get_object_for
from xianfeng.core.views import ScopedView, ServiceFormView, paginate
from xianfeng.core.workflow_views import inputs_from_post
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.people.selectors import member_choices
from xianfeng.services import complaints, menucache, selectors, services
from xianfeng.services.choices import OrderState, ResourceKind
from xianfeng.services.forms import FORMS, ProxyOrderForm
from xianfeng.services.models import Complaint, ContactAccess, CoProject, Order, Service

#: Looking an order up by its short code: per client address (count, seconds).
CODE_LIMIT = (20, 3600)
LIST_TITLES = {
    "services": _("服务清单"),
    "resources": _("资源清单"),
    "projects": _("项目清单"),
}


def _id(value: Any) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 18 else None


def _community(raw: Any) -> Organization | None:
    return public_community(raw)


# --- public pages ------------------------------------------------------------------------------


class PublicMenuView(View):
    """三张清单 of one community, for anyone: services (with 我要点单), resources, projects."""

    def get(self, request: HttpRequest) -> HttpResponse:
        community = _community(request.GET.get("community"))
        context: dict[str, Any] = {"community": community}
        if community is None:
            context["communities"] = list(
                services.communities().only("id", "name", "short_name")[:300]
            )
            status = 404 if request.GET.get("community") else 200
            return render(request, "services/public_menu.html", context, status=status)
        # The three lists are a cached fragment under the menu's version (menucache): the
        # rows are read only when it is missing, and the services' count comes from the cache.
        version = menucache.menu_version()
        qs = selectors.public_list("services", community)
        paginator = Paginator(qs, settings.PAGE_SIZE)
        count_key = f"services:menu-count:{community.pk}:{version}"
        count = cache.get(count_key)
        if count is None:
            count = qs.count()
            cache.set(count_key, count, menucache.MENU_TTL)
        paginator.count = count  # a cached_property: set, it is not counted again
        context.update(
            services_page=paginator.get_page(request.GET.get("page")),
            resources=selectors.public_list("resources", community)[:50],
            projects=selectors.public_list("projects", community)[:50],
            kinds=dict(ResourceKind.choices),
            querystring=f"community={community.pk}&",
            version=version,
            ttl=menucache.MENU_TTL,
        )
        return render(request, "services/public_menu.html", context)


FORM_FIELDS = ("community", "service", "content", "name", "phone", "address")


class PublicOrderView(View):
    """群众点单: name, phone, address and what is needed (a service of the menu or own words).
    Everything typed stays in the form when something is wrong."""

    def _render(
        self, request: HttpRequest, values: dict[str, str], errors: dict, status: int = 200
    ) -> HttpResponse:
        community = _community(values.get("community"))
        menu = (
            list(
                selectors.public_list("services", community)
                .select_related(None)
                .only("id", "title")[:200]
            )
            if community
            else []
        )
        context = {
            "values": values,
            "errors": errors,
            "community": community,
            "menu": menu,
            "communities": list(services.communities().only("id", "name", "short_name")[:300]),
            "limits": {
                "content": services.MAX_CONTENT,
                "name": services.MAX_NAME,
                "address": services.MAX_ADDRESS,
            },
        }
        return render(request, "services/public_order.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        values = {k: request.GET.get(k, "")[:50] for k in ("community", "service")}
        return self._render(request, values, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {k: request.POST.get(k, "")[:2000] for k in FORM_FIELDS}
        try:
            order = services.create_public_order(
                community=values["community"],
                service=values["service"] or None,
                content=values["content"],
                name=values["name"],
                phone=values["phone"],
                address=values["address"],
                client_ip=ratelimit.client_ip(request),
            )
        except services.OrderThrottled as exc:
            return self._render(request, values, {"__all__": [str(exc)]}, status=429)
        except ValidationError as exc:
            return self._render(request, values, exc.message_dict, status=400)
        token = services.rating_token(order)
        return redirect(reverse("services:public_order_status", args=[token]) + "?new=1")


def _invalid(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "services/public_invalid.html", {"message": message}, status=status)


class PublicStatusView(View):
    """The order's own page from the link given with it: its status, and once it is done the
    resident confirms and rates it (1–5 stars and a comment), once."""

    def render_page(
        self,
        request: HttpRequest,
        order: Order,
        token: str,
        *,
        errors: dict | None = None,
        values: dict | None = None,
        complaint_errors: dict | None = None,
        complaint_text: str = "",
        status: int = 200,
    ) -> HttpResponse:
        link = public_url(reverse("services:public_order_status", args=[token]))
        context = {
            # the resident's complaints on this order, each with its outcome once verified
            "complaints": complaints.order_complaints(order),
            "complaint_errors": complaint_errors or {},
            "complaint_general": (complaint_errors or {}).get("__all__", []),
            "complaint_text": complaint_text,
            "complaint_max": complaints.MAX_CONTENT,
            "order": order,
            "token": token,
            "link": link,
            "new": request.GET.get("new") == "1",
            "errors": errors or {},
            "general": (errors or {}).get("__all__", []),
            "values": values or {},
            "can_rate": order.state == OrderState.DONE,
            "stars": range(5, 0, -1),
        }
        return render(request, "services/public_status.html", context, status=status)

    def _order(self, token: str) -> Order:
        return services.order_for_token(token)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            order = self._order(token)
        except services.RatingLinkInvalid as exc:
            return _invalid(request, str(exc))
        return self.render_page(request, order, token)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            order = self._order(token)
        except services.RatingLinkInvalid as exc:
            return _invalid(request, str(exc))
        values = {
            "rating": request.POST.get("rating", "")[:2],
            "comment": request.POST.get("comment", "")[:1000],
        }
        try:
            services.order_rate(order=order, rating=values["rating"], comment=values["comment"])
        except workflow.StateConflict as exc:
            return self.render_page(
                request, order, token, errors={"__all__": exc.messages}, status=409
            )
        except ValidationError as exc:
            return self.render_page(
                request, order, token, errors=exc.message_dict, values=values, status=400
            )
        messages.success(request, _("感谢您的评价！"))
        return redirect("services:public_order_status", token)


class PublicCodeView(View):
    """The short code (点单号) and the last four digits of the phone: to the order's page."""

    def _render(
        self, request: HttpRequest, values: dict, error: str = "", status: int = 200
    ) -> HttpResponse:
        return render(
            request,
            "services/public_code.html",
            {"values": values, "error": error},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        values = {
            "code": request.POST.get("code", "")[:20],
            "tail": request.POST.get("tail", "")[:10],
        }
        if not ratelimit.allow("services.code", {f"ip:{ratelimit.client_ip(request)}": CODE_LIMIT}):
            return self._render(request, values, _("尝试次数太多，请一小时后再试。"), 429)
        try:
            order = services.order_for_code(values["code"], values["tail"])
        except services.RatingLinkInvalid as exc:
            return self._render(request, values, str(exc), 403)
        return redirect("services:public_order_status", services.rating_token(order))


# --- the three lists (staff) -------------------------------------------------------------------


class ListView(ScopedView):
    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in selectors.LISTS:
            raise Http404
        self.model = selectors.LISTS[kind]
        qs = selectors.list_items(request.user, kind)
        return render(
            request,
            "services/list.html",
            {
                "kind": kind,
                "title": LIST_TITLES[kind],
                "page": paginate(request, qs),
                "can_add": self.can(Action.ADD),
                "kinds": LIST_TITLES,
            },
        )


class ItemFormView(ServiceFormView):
    submit_label = _("保存")

    def _kind(self, kind: str) -> str:
        if kind not in selectors.LISTS:
            raise Http404
        self.kind = kind
        self.model = selectors.LISTS[kind]
        return kind

    def target(self, request: HttpRequest, kind: str, pk: int | None = None) -> Any:
        self._kind(kind)
        if pk is None:
            if not self.can(Action.ADD):
                raise PermissionDenied(_("您的角色无权新增清单。"))
            return None
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, target: Any, data: Any = None) -> Any:
        return FORMS[self.kind](data, instance=target, user=self.request.user)

    def title(self, target: Any) -> str:
        base = str(LIST_TITLES[self.kind])
        return _("修改：%(t)s") % {"t": target.title} if target else _("新增%(t)s") % {"t": base}

    def back_url(self, target: Any) -> str:
        return reverse("services:list", args=[self.kind])

    def perform(self, form: Any, target: Any) -> Any:
        values = {k: v for k, v in form.cleaned_data.items() if k in form._meta.fields}
        extra: dict[str, Any] = {}
        if self.model is Service:
            pk = form.cleaned_data.get("provider_member")
            found = (
                PartyMember.objects.restrict(self.request.user).filter(pk=pk).first()
                if pk
                else None
            )
            if pk and found is None:
                raise ValidationError(
                    {"provider_member": _("所选党员不存在或不在您的管辖范围内。")}
                )
            extra["provider_member"] = found
        if self.model is CoProject:
            from xianfeng.work.models import Project

            pk = form.cleaned_data.get("work_project")
            found = (
                Project.objects.restrict(self.request.user).filter(pk=pk).first() if pk else None
            )
            if pk and found is None:
                raise ValidationError({"work_project": _("所选项目不存在或不在您的管辖范围内。")})
            extra["work_project"] = found
        if target is not None:
            # The form wrote the posted values into the instance while validating.
            target = type(target).objects.get(pk=target.pk)
        return services.list_item_save(
            actor=self.request.user,
            model=self.model,
            organization=form.cleaned_data["organization"],
            values=values,
            instance=target,
            **extra,
        )

    def message(self, obj: Any) -> str:
        return _("已保存，公开页面上的清单已更新。")


# --- orders (staff) ----------------------------------------------------------------------------

ORDER_FILTERS = ("state", "open", "overdue", "mine", "community")


class OrderListView(ScopedView):
    model = Order

    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        qs = selectors.orders(
            request.user,
            state=g.get("state") if g.get("state") in OrderState.values else None,
            open_only=g.get("open") == "1",
            overdue=g.get("overdue") == "1",
            community=_id(g.get("community")),
            mine=g.get("mine") == "1",
        )
        params = {k: g[k] for k in ORDER_FILTERS if g.get(k)}
        return render(
            request,
            "services/order_list.html",
            {
                "page": paginate(request, qs),
                "params": params,
                "querystring": (urlencode(params) + "&") if params else "",
                "states": OrderState.choices,
                "now": timezone.now(),
                "queue": False,
                "has_member": member_of(request.user) is not None,
            },
        )


class QueueView(ScopedView):
    """社区下单: the orders waiting for a member, oldest first."""

    model = Order

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = selectors.queue(request.user, community=_id(request.GET.get("community")))
        return render(
            request,
            "services/order_list.html",
            {
                "page": paginate(request, qs),
                "params": {},
                "querystring": "",
                "states": OrderState.choices,
                "now": timezone.now(),
                "queue": True,
            },
        )


class ProxyOrderView(ServiceFormView):
    """代办: staff or a member enters an order for a resident."""

    model = Order
    title_text = _("代办群众点单")
    intro = _("为不方便使用手机的群众登记诉求；提交后进入社区派单队列。")
    submit_label = _("提交")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权代办点单。"))
        return None

    def back_url(self, target: Any) -> str:
        return reverse("services:order_list")

    def make_form(self, target: Any, data: Any = None) -> Any:
        return ProxyOrderForm(data, user=self.request.user)

    def perform(self, form: Any, target: Any) -> Order:
        c = form.cleaned_data
        return services.order_create_proxy(
            actor=self.request.user,
            community=c["community"],
            service=c["service"],
            content=c["content"],
            name=c["name"],
            phone=c["phone"],
            address=c["address"],
        )

    def message(self, obj: Any) -> str:
        return _("已登记，点单号%(code)s，请告知群众。") % {"code": obj.code}


def _order(request: HttpRequest, pk: Any) -> Order:
    return get_object_for(
        user=request.user,
        model=Order,
        pk=pk,
        queryset=Order.objects.select_related(
            "service",
            "community",
            "organization",
            "assignee__person",
            "building",
            "visit",
            "team",
        ),
    )


def _order_page(request: HttpRequest, order: Order, status: int = 200) -> HttpResponse:
    steps = workflow.available(request.user, order)
    suggested: list[dict[str, Any]] = []
    teams: list[Any] = []
    if any(s.name == "dispatch" for s in steps):
        suggested = selectors.suggestions(request.user, order)
        teams = list(selectors.dispatch_teams(request.user, order))
    token = services.rating_token(order)
    my_teams = (
        list(selectors.claiming_teams(request.user, order))
        if any(s.name == "claim_for_team" for s in steps)
        else []
    )
    team_members = (
        list(selectors.team_members(order))
        if order.team_id and any(s.name == "serve" for s in steps)
        else []
    )
    return render(
        request,
        "services/order_detail.html",
        {
            "order": order,
            "steps": steps,
            "suggested": suggested,
            "teams": teams,
            # Full phone and address to the assigned member and staff only, each look logged.
            "contact": services.order_contact(user=request.user, order=order, channel="page"),
            "can_read_log": selectors.may_read_contact_log(request.user),
            "my_teams": my_teams,
            "team_members": team_members,
            "participants": selectors.order_participants(order),
            # the complaints on it that the user sees, and the link to record one (代录)
            "complaint_count": complaints.complaints(request.user).filter(order=order).count(),
            "can_record_complaint": user_can(request.user, Action.ADD, Complaint),
            # the dispatch form's search-as-you-type picker: members acting in the community
            **(
                member_choices(request.user, "", order.community_id)
                if any(s.name == "dispatch" for s in steps)
                else {}
            ),
            "history": history_rows(order),
            "now": timezone.now(),
            "link": public_url(reverse("services:public_order_status", args=[token])),
        },
        status=status,
    )


class OrderDetailView(ScopedView):
    model = Order

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _order_page(request, _order(request, pk))


class ContactLogView(ScopedView):
    """群众联系方式查看记录: who saw a resident's full phone and address on which order, when and
    how; for the community's admins and the auditor, in their scope (``?order=`` one order)."""

    model = ContactAccess

    def get(self, request: HttpRequest) -> HttpResponse:
        if not selectors.may_read_contact_log(request.user):
            raise PermissionDenied(_("只有社区管理员和审计人员可以查看群众联系方式查看记录。"))
        order = _id(request.GET.get("order"))
        page = paginate(request, selectors.contact_log(user=request.user, order=order))
        context = {
            "page": page,
            "order": order,
            "querystring": f"order={order}&" if order else "",
        }
        return render(request, "services/contact_log.html", context)


class OrderStepView(ScopedView):
    """POST /services/orders/<pk>/<step>/: one step of the order workflow. The state and the
    actor are checked before the input; a refusal shows on the order's page with its status
    (409, 403, 400)."""

    model = Order

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        order = _order(request, pk)
        steps = {s.name: s for s in workflow.steps_of(Order) if not s.system}
        if action not in steps:
            raise Http404
        spec = steps[action]
        try:
            workflow.check(order, action, actor=request.user)
            values = inputs_from_post(request, spec)
            if action == "serve":
                values["photo"] = request.FILES.get("photo")
                values["participants"] = request.POST.getlist("participants")[:100]
            workflow.take(order, action, actor=request.user, **values)
        except workflow.StateConflict as exc:
            messages.error(request, "；".join(exc.messages))
            return _order_page(request, _order(request, pk), status=409)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您的角色无权进行此操作。"))
            return _order_page(request, _order(request, pk), status=403)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return _order_page(request, _order(request, pk), status=400)
        messages.success(request, str(spec.done))
        if action == "decline" and not Order.objects.restrict(request.user).filter(pk=pk).exists():
            return redirect("home")  # the member no longer sees an order they gave back
        return redirect(order.get_absolute_url())
