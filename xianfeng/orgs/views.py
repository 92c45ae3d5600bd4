"""Pages of the organization tree and pairings."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import related
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.validators import parse_db_int
from xianfeng.core.views import ScopedView, ServiceFormView
from xianfeng.orgs import services
from xianfeng.orgs.forms import MoveForm, OrganizationForm, PairingDeliveryForm, PairingForm
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.orgs.pickers import OrgSpec, org_choices
from xianfeng.orgs.selectors import (
    OrganizationFilters,
    PairingFilters,
    delivery_list,
    delivery_progress,
    organization_list,
    organization_roots,
    pairing_list,
)


def _with_child_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    # Siblings in the order their parent gave them (sort_order), the tree's order otherwise.
    return qs.annotate(n_children=Count("children", distinct=True)).order_by("sort_order", "path")


def _children(request: HttpRequest, org: Organization) -> QuerySet[Organization]:
    return organization_list(user=request.user, filters=OrganizationFilters(parent=org.pk))


class TreeView(ScopedView):
    model = Organization

    def get(self, request: HttpRequest) -> HttpResponse:
        roots = organization_roots(user=request.user)
        return render(request, "orgs/tree.html", {"roots": _with_child_counts(roots)})


class ChildrenView(ScopedView):
    model = Organization

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        org = self.object_for(pk)
        children = _with_child_counts(_children(request, org))
        return render(request, "orgs/_children.html", {"children": children})


def _ancestors_for(request: HttpRequest, org: Organization) -> list[Organization]:
    """The breadcrumb: every ancestor, each marked whether the user may open it (one above
    the user's scope is shown by name, not as a link that would answer 404)."""
    ancestors = list(org.ancestors())
    visible = set(
        Organization.objects.restrict(request.user)
        .filter(pk__in=[a.pk for a in ancestors])
        .values_list("pk", flat=True)
    )
    for a in ancestors:
        a.visible = a.pk in visible
    return ancestors


class DetailView(ScopedView):
    model = Organization

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        org = self.object_for(pk, queryset=Organization.objects.select_related("parent"))
        children = _with_child_counts(_children(request, org))
        pairings = pairing_list(user=request.user, filters=PairingFilters(organization=org.pk))
        can = {
            a: Organization.objects.restrict(request.user, a).filter(pk=org.pk).exists()
            for a in (Action.CHANGE, Action.ADD)
        }
        can_restructure = bool(org.parent_id) and (
            Organization.objects.restrict(request.user, Action.CHANGE)
            .filter(pk=org.parent_id)
            .exists()
        )
        return render(
            request,
            "orgs/detail.html",
            {
                "org": org,
                "ancestors": _ancestors_for(request, org),
                "parent_visible": bool(org.parent_id)
                and Organization.objects.restrict(request.user).filter(pk=org.parent_id).exists(),
                "children": children,
                # member_count, subtree_members (people)
                **related.detail_context(request.user, org),
                "pairings": pairings,
                "can_change": can[Action.CHANGE],
                "can_add": can[Action.ADD],
                "can_restructure": can_restructure,
                "history": history_rows(org),
            },
        )


class CreateView(ServiceFormView):
    model = Organization

    def target(self, request: HttpRequest, pk: int) -> Organization:
        return self.object_for(pk, Action.ADD)

    def make_form(self, parent: Organization, data=None) -> OrganizationForm:
        return OrganizationForm(data, parent=parent)

    def title(self, parent: Organization) -> str:
        return _("在“%(parent)s”下新建组织") % {"parent": parent.name}

    def perform(self, form: OrganizationForm, parent: Organization) -> Organization:
        data = dict(form.cleaned_data)
        return services.organization_create(
            actor=self.request.user,
            parent=parent,
            kind=data.pop("kind"),
            name=data.pop("name"),
            code=data.pop("code"),
            **data,
        )

    def message(self, org: Organization) -> str:
        return _("已新建组织“%(name)s”。") % {"name": org.name}


class EditView(ServiceFormView):
    model = Organization

    def target(self, request: HttpRequest, pk: int) -> Organization:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, org: Organization, data=None) -> OrganizationForm:
        return OrganizationForm(data, instance=org)

    def title(self, org: Organization) -> str:
        return _("修改“%(name)s”") % {"name": org.name}

    def perform(self, form: OrganizationForm, org: Organization) -> Organization:
        return services.organization_update(actor=self.request.user, org=org, **form.cleaned_data)


class MoveView(ServiceFormView):
    model = Organization
    intro = gettext_lazy("下级组织、党员和网格随之移动；修改历史会记下原来的上级组织。")
    submit_label = gettext_lazy("移动")
    success_message = gettext_lazy("已移动。")

    def target(self, request: HttpRequest, pk: int) -> Organization:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, org: Organization, data=None) -> MoveForm:
        return MoveForm(data, user=self.request.user)

    def title(self, org: Organization) -> str:
        return _("移动“%(name)s”") % {"name": org.name}

    def perform(self, form: MoveForm, org: Organization) -> Organization:
        return services.organization_move(
            actor=self.request.user, org=org, new_parent=form.cleaned_data["parent"]
        )


class DeleteView(ScopedView):
    model = Organization

    def _render(self, request: HttpRequest, org: Organization, error: str = "", status=200):
        return render(
            request,
            "core/confirm.html",
            {
                "title": _("删除“%(name)s”") % {"name": org.name},
                "question": _("删除后不可恢复（修改历史中仍保留记录）。确定删除吗？"),
                "submit_label": _("确定删除"),
                "back_url": f"/orgs/{org.pk}/",
                "error": error,
            },
            status=status,
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        org = self.object_for(pk, Action.DELETE)
        blockers = services.organization_delete_blockers(org)
        error = ""
        if blockers:
            error = _("该组织下还有%(things)s，请先移走或删除后再删除该组织。") % {
                "things": "、".join(blockers)
            }
        return self._render(request, org, error)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        org = self.object_for(pk, Action.DELETE)
        parent_id = org.parent_id
        try:
            services.organization_delete(actor=request.user, org=org)
        except ValidationError as exc:
            return self._render(request, org, " ".join(exc.messages), status=400)
        messages.success(request, _("已删除。"))
        return redirect("orgs:detail", pk=parent_id) if parent_id else redirect("orgs:tree")


class PairingDetailView(ScopedView):
    model = Pairing

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        pairing = self.object_for(pk, queryset=Pairing.objects.select_related("org_a", "org_b"))
        return render(
            request,
            "orgs/pairing_detail.html",
            {
                "pairing": pairing,
                "deliveries": delivery_list(user=request.user, pairing=pairing)[:DELIVERIES_SHOWN],
                "progress": _side_progress(request, pairing),
                "can_record": bool(services.delivery_sides(request.user, pairing)),
                "history": history_rows(pairing),
            },
        )


DELIVERIES_SHOWN = 50


def _side_progress(request: HttpRequest, pairing: Pairing) -> list[dict]:
    progress = delivery_progress(user=request.user, pairings=[pairing])
    return [
        {"org": org, **progress.get((pairing.pk, org.pk), {"n": 0, "last": None})}
        for org in (pairing.org_a, pairing.org_b)
    ]


class PairingDeliveryCreateView(ServiceFormView):
    model = Pairing
    success_message = gettext_lazy("已登记承诺履行。")
    submit_label = gettext_lazy("登记")

    def target(self, request: HttpRequest, pk: int) -> Pairing:
        pairing = self.object_for(pk, queryset=Pairing.objects.select_related("org_a", "org_b"))
        self.sides = services.delivery_sides(request.user, pairing)
        if not self.sides:
            raise PermissionDenied(_("只能登记本方组织的承诺履行。"))
        return pairing

    def make_form(self, pairing: Pairing, data=None) -> PairingDeliveryForm:
        return PairingDeliveryForm(data, sides=self.sides)

    def title(self, pairing: Pairing) -> str:
        return _("登记承诺履行：%(pairing)s") % {"pairing": pairing}

    def perform(self, form: PairingDeliveryForm, pairing: Pairing) -> Model:
        return services.pairing_delivery_record(
            actor=self.request.user, pairing=pairing, **form.cleaned_data
        )


class PairingCreateView(ServiceFormView):
    model = Organization
    success_message = gettext_lazy("已建立结对。")

    def target(self, request: HttpRequest, pk: int) -> Organization:
        return self.object_for(pk, Action.CHANGE)

    def make_form(self, org: Organization, data=None) -> PairingForm:
        return PairingForm(data, user=self.request.user)

    def title(self, org: Organization) -> str:
        return _("“%(name)s”新建结对共建") % {"name": org.name}

    def perform(self, form: PairingForm, org: Organization) -> Pairing:
        data = dict(form.cleaned_data)
        return services.pairing_create(
            actor=self.request.user, org_a=org, org_b=data.pop("org_b"), **data
        )


class OrganizationPickerView(ScopedView):
    """The organization picker's search (htmx): radios named ``name`` for what the signed spec
    offers this user, the chosen one first."""

    model = Organization

    def get(self, request: HttpRequest) -> HttpResponse:
        spec = OrgSpec.unsign(request.GET.get("spec", ""))
        if spec is None:
            return HttpResponse(_("选择框已过期，请刷新页面。"), status=400)
        name = request.GET.get("name", "organization")
        if not re.fullmatch(r"[a-z_]{1,40}", name):
            name = "organization"
        context = org_choices(
            user=request.user,
            spec=spec,
            q=request.GET.get("q", "").strip()[:50],
            chosen=parse_db_int(request.GET.get(name, "")),
        )
        empty = _("不指定") if request.GET.get("empty") else ""
        return render(request, "orgs/_org_choices.html", {**context, "name": name, "empty": empty})
