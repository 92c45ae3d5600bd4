"""Pages of 群众投诉: the resident's complaint from the order's own page (no login), and for
staff the list in scope, the form recording a complaint received by phone (代录) and one
complaint with the buttons its workflow declares (核实属实 / 核实不属实). Reads and writes
through ``services.complaints``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core import ratelimit, workflow
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.views import ScopedView, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.people.selectors import member_choices
from xianfeng.services import complaints, services
from xianfeng.services.choices import ComplaintState, ComplaintSubject
from xianfeng.services.models import Complaint
from xianfeng.services.workflows import manager

RECORD_FIELDS = ("subject", "order_code", "problem_code", "community", "member", "name", "phone")


class PublicComplaintView(View):
    """POST /services/r/<token>/complaint/: the resident complains about how the order was
    handled; errors show on the order's page with what was typed kept."""

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        from xianfeng.services.views import PublicStatusView, _invalid

        page = PublicStatusView()
        try:
            order = services.order_for_token(token)
        except services.RatingLinkInvalid as exc:
            return _invalid(request, str(exc))
        text = request.POST.get("content", "")[:2000]
        try:
            complaints.complaint_from_resident(
                order=order, content=text, client_ip=ratelimit.client_ip(request)
            )
        except complaints.ComplaintThrottled as exc:
            return page.render_page(
                request,
                order,
                token,
                complaint_errors={"__all__": [str(exc)]},
                complaint_text=text,
                status=429,
            )
        except ValidationError as exc:
            return page.render_page(
                request,
                order,
                token,
                complaint_errors=exc.message_dict,
                complaint_text=text,
                status=400,
            )
        messages.success(request, _("投诉已提交，社区核实后会在这个页面告诉您结果。"))
        return redirect("services:public_order_status", token)


class ComplaintListView(ScopedView):
    model = Complaint

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state", "")
        raw = request.GET.get("order", "")
        order = int(raw) if raw.isdigit() and len(raw) < 18 else None
        qs = complaints.complaints(request.user, state=state, order=order)
        return render(
            request,
            "services/complaint_list.html",
            {
                "page": paginate(request, qs),
                "state": state,
                "states": ComplaintState.choices,
                "can_record": self.can(Action.ADD),
            },
        )


class ComplaintRecordView(ScopedView):
    """代录: staff record a complaint received by phone, about an order or a problem."""

    model = Complaint

    def _render(
        self, request: HttpRequest, values: dict, errors: dict, status: int = 200
    ) -> HttpResponse:
        communities = list(complaints.record_communities(request.user)[:300])
        return render(
            request,
            "services/complaint_form.html",
            {
                "values": values,
                "errors": errors,
                "general": errors.get("__all__", []),
                "communities": communities,
                "subjects": ComplaintSubject.choices,
                "limits": {"content": complaints.MAX_CONTENT},
                # the search-as-you-type picker: members in the user's scope
                **member_choices(request.user, "", None),
                "chosen": values.get("member", ""),
            },
            status=status,
        )

    def _require(self) -> None:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("只有社区的书记或管理员可以代录群众投诉。"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._require()
        values = {
            "subject": ComplaintSubject.ORDER,
            "order_code": request.GET.get("order", "")[:12],
        }
        return self._render(request, values, {})

    def post(self, request: HttpRequest) -> HttpResponse:
        self._require()
        values = {k: request.POST.get(k, "")[:200] for k in RECORD_FIELDS}
        values["content"] = request.POST.get("content", "")[:2000]
        try:
            obj = complaints.complaint_record(actor=request.user, **values)
        except ValidationError as exc:
            return self._render(request, values, exc.message_dict, status=400)
        messages.success(request, _("已登记投诉，等待核实。"))
        return redirect(obj.get_absolute_url())


def _detail(request: HttpRequest, obj: Complaint) -> HttpResponse:
    return render(
        request,
        "services/complaint_detail.html",
        {
            "obj": obj,
            "members": list(obj.members.select_related("person", "branch").order_by("pk")),
            # the resident's phone: to the community's staff only (they call back)
            "show_phone": manager(obj, request.user) is None,
            "steps": workflow.available(request.user, obj),
            "history": history_rows(obj),
        },
    )


class ComplaintDetailView(ScopedView):
    model = Complaint

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, self.object_for(pk))


class ComplaintStepView(StepView):
    model = Complaint

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _detail(request, obj)
