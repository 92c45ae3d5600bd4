"""Pages of the exchange app: imports (upload → preview → apply, with live progress), import
templates and reports, exports, duplicates and merging, landlords' declarations and the public
page a building's QR code opens."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from xianfeng.core import publicurl, workflow
from xianfeng.core.choices import Action
from xianfeng.core.models import SensitiveAccess
from xianfeng.core.scope import user_can
from xianfeng.core.views import ScopedView, apply_form_errors, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.exchange import declarations, selectors, services, throttle
from xianfeng.exchange.exports import (
    EXPORTS,
    REASON_MAX_LENGTH,
    background_threshold,
    check_export_allowed,
    describe_records,
    export_build,
    export_count,
    export_start,
    plain_params,
)
from xianfeng.exchange.importers import IMPORTERS, import_allowed
from xianfeng.exchange.models import (
    ExportRecord,
    ImportKind,
    ImportRun,
    LandlordDeclaration,
)
from xianfeng.exchange.readers import MAX_BYTES
from xianfeng.exchange.sheets import XLSX, report_xlsx, template_csv, template_xlsx
from xianfeng.people.models import Person
from xianfeng.places.models import Building


def download(content: bytes, filename: str, content_type: str = XLSX) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _own_run(request: HttpRequest, pk: int) -> ImportRun:
    runs = ImportRun.objects.select_related("preview_job", "apply_job")
    if not request.user.is_superuser:
        runs = runs.filter(created_by=request.user)
    run = runs.filter(pk=pk).first()
    if run is None:
        raise Http404(_("导入记录不存在。"))
    services.import_fail_stale(run)
    return run


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("数据类型"), choices=ImportKind.choices)
    file = forms.FileField(
        label=gettext_lazy("文件"),
        allow_empty_file=True,
        help_text=gettext_lazy(".xlsx或.csv（UTF-8或GBK）；网格也可用.geojson"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k, label) for k, label in ImportKind.choices if import_allowed(user, k)
        ]


class DataHomeView(LoginRequiredMixin, View):
    """数据: the user's import runs, templates, and links to exports, duplicates, declarations."""

    def get(self, request: HttpRequest) -> HttpResponse:
        runs = selectors.import_run_list(user=request.user)
        for busy in runs.filter(
            status__in=(ImportRun.Status.PREVIEWING, ImportRun.Status.APPLYING)
        ):
            services.import_fail_stale(busy)
        kinds = [(k, label) for k, label in ImportKind.choices if import_allowed(request.user, k)]
        return render(
            request,
            "exchange/home.html",
            {
                "page": paginate(request, runs),
                "kinds": kinds,
                "can_merge": user_can(request.user, Action.CHANGE, Person),
                "can_review": user_can(request.user, Action.CHANGE, LandlordDeclaration),
                "can_audit": selectors.may_read_audit_log(request.user),
            },
        )


class ImportCreateView(LoginRequiredMixin, View):
    def _allowed(self, request: HttpRequest) -> None:
        if not any(import_allowed(request.user, k) for k in IMPORTERS):
            raise PermissionDenied(_("您的角色无权导入数据。"))

    def get(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        form = ImportForm(user=request.user, initial={"kind": request.GET.get("kind")})
        return render(
            request, "exchange/import_new.html", {"form": form, "max_mb": MAX_BYTES // 1024 // 1024}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        self._allowed(request)
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_BYTES + 64 * 1024:
            # Refused before the body is read: a 100 MB upload is not even spooled to disk.
            error = _("文件太大，单个文件不能超过%(max)s MB，请拆分后分批导入。") % {
                "max": MAX_BYTES // 1024 // 1024
            }
            context = {"form": ImportForm(user=request.user), "error": error}
            return render(request, "exchange/import_new.html", context, status=413)
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                run = services.import_start(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                return redirect(run.get_absolute_url())
        return render(
            request,
            "exchange/import_new.html",
            {"form": form, "max_mb": MAX_BYTES // 1024 // 1024},
            status=400,
        )


class ImportDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = _own_run(request, pk)
        template = (
            "exchange/_run_status.html"
            if request.headers.get("HX-Request")
            else "exchange/import_detail.html"
        )
        return render(request, template, {"run": run, "errors": run.errors[:200]})


class ImportApplyView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = _own_run(request, pk)
        try:
            services.import_apply(
                actor=request.user, run=run, valid_only=request.POST.get("mode") == "valid_only"
            )
        except workflow.StateConflict as exc:
            # Shown on the run's own page, with the state that stopped it.
            messages.error(request, "；".join(exc.messages))
            page = ImportDetailView().get(request, pk=pk)
            page.status_code = 409
            return page
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(run.get_absolute_url())


class ImportRetryView(LoginRequiredMixin, View):
    """导入失败 → 预检中: the same kept file previewed again (the ``retry`` step)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = _own_run(request, pk)
        try:
            services.import_retry(actor=request.user, run=run)
        except workflow.StateConflict as exc:
            messages.error(request, "；".join(exc.messages))
            page = ImportDetailView().get(request, pk=pk)
            page.status_code = 409
            return page
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(run.get_absolute_url())


class ImportReportView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = _own_run(request, pk)
        if run.status in (ImportRun.Status.PREVIEWING, ImportRun.Status.REFUSED):
            raise Http404(_("这个文件还没有预检结果。"))
        if run.errors and not os.path.exists(run.stored_path):
            raise Http404(_("上传的文件已被清理，不能再生成报告；被拒绝的行仍列在导入页上。"))
        return download(report_xlsx(run), _("导入报告-%(n)s.xlsx") % {"n": run.pk})


class TemplateView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, kind: str, ext: str) -> HttpResponse:
        if kind not in IMPORTERS:
            raise Http404
        label = ImportKind(kind).label
        name = _("导入模板-%(kind)s") % {"kind": label}
        if ext == "csv":
            return download(template_csv(kind), f"{name}.csv", "text/csv; charset=utf-8")
        return download(template_xlsx(kind), f"{name}.xlsx")


class FullExportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("导出用途"),
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("将记入敏感信息审计日志，审计人员可见。"),
        error_messages={"required": gettext_lazy("请填写导出用途。")},
    )


class ExportView(LoginRequiredMixin, View):
    """The list as filtered on its page, as .xlsx; masked unless ``full=1`` and allowed. A full
    export first asks why (GET shows the question, POST exports): the reason goes into the
    auditor's log with the export."""

    def _kind(self, request: HttpRequest, kind: str) -> bool:
        if kind not in EXPORTS:
            raise Http404
        full = request.GET.get("full") == "1" or request.POST.get("full") == "1"
        check_export_allowed(request.user, kind, full)
        return full and EXPORTS[kind].sensitive

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if self._kind(request, kind):
            return self._ask(request, kind, FullExportForm(), request.GET)
        return self._export(request, kind, request.GET, full=False, reason="")

    def post(self, request: HttpRequest, kind: str) -> HttpResponse:
        if not self._kind(request, kind):
            return self._export(request, kind, request.POST, full=False, reason="")
        form = FullExportForm(request.POST)
        if not form.is_valid():
            return self._ask(request, kind, form, request.POST, status=400)
        try:
            return self._export(
                request, kind, request.POST, full=True, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_form_errors(form, exc)
            return self._ask(request, kind, form, request.POST, status=400)

    def _ask(
        self, request: HttpRequest, kind: str, form: forms.Form, params: Any, status: int = 200
    ) -> HttpResponse:
        kept = plain_params(params)
        context = {
            "form": form,
            "title": EXPORTS[kind].title,
            "kind": kind,
            "params": sorted(kept.items()),
            "rows": export_count(user=request.user, kind=kind, params=params),
        }
        return render(request, "exchange/export_reason.html", context, status=status)

    def _export(
        self, request: HttpRequest, kind: str, params: Any, *, full: bool, reason: str
    ) -> HttpResponse:
        rows = export_count(user=request.user, kind=kind, params=params)
        if rows > background_threshold():
            record = export_start(
                user=request.user, kind=kind, params=params, full=full, rows=rows, reason=reason
            )
            return redirect(record.get_absolute_url())
        content, record = export_build(
            user=request.user, kind=kind, params=params, full=full, reason=reason
        )
        return download(content, f"{EXPORTS[kind].title}-{record.created_at:%Y%m%d%H%M}.xlsx")


class ExportDetailView(LoginRequiredMixin, View):
    """A large export's progress, then its download link."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = selectors.own_export(user=request.user, pk=pk)
        template = (
            "exchange/_export_status.html"
            if request.headers.get("HX-Request")
            else "exchange/export_detail.html"
        )
        labels = {k: v.title for k, v in EXPORTS.items()}
        context = {"record": record, "title": labels.get(record.kind, record.kind)}
        return render(request, template, context)


class ExportDownloadView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        record = selectors.own_export(user=request.user, pk=pk)
        if not record.ready:
            raise Http404(_("文件还没有生成好。"))
        if not os.path.exists(record.stored_path):
            raise Http404(_("文件已超过保存期限被清理，请重新导出。"))
        title = EXPORTS[record.kind].title if record.kind in EXPORTS else record.kind
        return FileResponse(
            open(record.stored_path, "rb"),  # closed by the response
            as_attachment=True,
            filename=f"{title}-{record.created_at:%Y%m%d%H%M}.xlsx",
            content_type=XLSX,
        )


class ExportListView(ScopedView):
    model = ExportRecord

    def get(self, request: HttpRequest) -> HttpResponse:
        page = paginate(request, selectors.export_record_list(user=request.user))
        describe_records(page.object_list, request.user)
        return render(request, "exchange/exports.html", {"page": page})


class AuditLogView(ScopedView):
    """敏感信息审计: who saw full numbers (page, API) and who exported them, and why."""

    model = SensitiveAccess
    TABS = {"reveals": gettext_lazy("查看完整号码"), "exports": gettext_lazy("导出完整号码")}

    def get(self, request: HttpRequest) -> HttpResponse:
        if not selectors.may_read_audit_log(request.user):
            raise PermissionDenied(_("只有管理员和审计人员可以查看敏感信息审计记录。"))
        show = request.GET.get("show")
        show = show if show in self.TABS else "reveals"
        if show == "exports":
            rows = selectors.full_export_list(user=request.user)
        else:
            rows = selectors.reveal_list(user=request.user)
        page = paginate(request, rows)
        if show == "exports":
            describe_records(page.object_list, request.user)
        context = {
            "page": page,
            "show": show,
            "tabs": list(self.TABS.items()),
            "querystring": f"show={show}&",
        }
        return render(request, "exchange/audit.html", context)


class DuplicatesView(ScopedView):
    model = Person

    def get(self, request: HttpRequest) -> HttpResponse:
        if not self.can(Action.CHANGE):
            raise PermissionDenied(_("您的角色无权合并人员记录。"))
        groups = services.duplicate_groups(user=request.user)
        return render(request, "exchange/duplicates.html", {"groups": groups})


class MergeView(ScopedView):
    model = Person

    def post(self, request: HttpRequest) -> HttpResponse:
        keep = self.object_for(request.POST.get("keep"), Action.CHANGE)
        drop = self.object_for(request.POST.get("drop"), Action.CHANGE)
        try:
            services.person_merge(actor=request.user, keep=keep, drop=drop)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已把两条记录合并为%(name)s。") % {"name": keep.name})
        return redirect("exchange:duplicates")


# --- landlords' declarations ---------------------------------------------------------------


class DeclarationListView(ScopedView):
    model = LandlordDeclaration

    def get(self, request: HttpRequest) -> HttpResponse:
        # The page opens on what awaits review; ``?status=`` (empty) lists them all.
        status = request.GET.get("status", LandlordDeclaration.Status.SUBMITTED)
        filters = selectors.DeclarationFilters.from_params({"status": status})
        qs = selectors.declaration_list(user=request.user, filters=filters)
        return render(
            request,
            "exchange/declarations.html",
            {
                "page": paginate(request, qs),
                "status": status,
                "statuses": LandlordDeclaration.Status.choices,
            },
        )


class DeclarationDetailView(ScopedView):
    model = LandlordDeclaration

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        declaration = self.object_for(
            pk, queryset=LandlordDeclaration.objects.select_related("building")
        )
        return render(
            request,
            "exchange/declaration_detail.html",
            {
                "d": declaration,
                "rooms": declarations.proposed_matches(declaration),
                "existing": declaration.building.households.order_by("sort_key")[:300],
                "can_review": bool(workflow.actions(request.user, declaration)),
            },
        )


class DeclarationReviewView(StepView):
    """POST /data/declarations/<pk>/<accept|reject>/: the review steps (exchange/workflows.py);
    a refusal shows on the declaration's page with its status."""

    model = LandlordDeclaration

    def object_page(self, request: HttpRequest, obj: LandlordDeclaration) -> HttpResponse:
        view = DeclarationDetailView()
        view.setup(request, pk=obj.pk)
        return view.get(request, pk=obj.pk)

    def post(self, request: HttpRequest, pk: int, verb: str) -> HttpResponse:  # type: ignore[override]
        return super().post(request, pk=pk, action=verb)


class BuildingQrView(ScopedView):
    """The building's declaration QR code (SVG), to print and post at the door."""

    model = Building

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        building = self.object_for(pk)
        url = publicurl.public_url(declarations.public_url(building))
        svg = publicurl.qr_svg(url)
        if request.GET.get("format") == "svg":
            return HttpResponse(svg, content_type="image/svg+xml")
        return render(
            request,
            "exchange/building_qr.html",
            {
                "building": building,
                "url": url,
                "svg": svg.decode(),
                "expires": declarations.link_expires(),
            },
        )


HONEYPOT = "website"


class DeclareView(View):
    """Public (no login): a landlord declares rooms and tenants of one building."""

    rows = 3

    def _building(self, token: str) -> Building:
        try:
            pk = declarations.building_pk(token)
        except signing.BadSignature:
            raise Http404(_("二维码无效或已失效。")) from None
        building = Building.objects.filter(pk=pk).first()
        if building is None:
            raise Http404(_("二维码无效或已失效。"))
        return building

    def _rows(self, request: HttpRequest) -> int:
        raw = request.GET.get("rows") or request.POST.get("n") or ""
        return min(int(raw), declarations.MAX_ROWS) if raw.isdigit() and int(raw) > 0 else self.rows

    def _render(
        self,
        request: HttpRequest,
        building: Building,
        errors: dict,
        status: int = 200,
        *,
        extra: int = 0,
    ):
        n = min(self._rows(request) + extra, declarations.MAX_ROWS)
        # Every row keeps what the landlord typed and the messages about it, so one bad
        # number never wipes the other rows (nothing is stored until the whole form is good).
        rows = [
            {
                "i": i,
                "unit": request.POST.get(f"unit-{i}", ""),
                "room": request.POST.get(f"room-{i}", ""),
                "name": request.POST.get(f"name-{i}", ""),
                "id_number": request.POST.get(f"id-{i}", ""),
                "mobile": request.POST.get(f"mobile-{i}", ""),
                "errors": errors.get(f"row-{i}", []),
            }
            for i in range(n)
        ]
        context = {
            "building": building,
            "rows": rows,
            "values": request.POST,
            "errors": errors,
        }
        return render(request, "exchange/declare.html", context, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._render(request, self._building(token), {})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        building = self._building(token)
        if request.POST.get("more"):
            # "加几行": the same form with six more rows and everything typed kept; nothing
            # is submitted (a link would have dropped what was typed).
            return self._render(request, building, {}, extra=6)
        if not throttle.declaration_allowed(request, building.pk):
            response = render(
                request, "exchange/declare_throttled.html", {"building": building}, status=429
            )
            response["Retry-After"] = "600"
            return response
        if request.POST.get(HONEYPOT):
            # Filled by a bot (people never see the field): answered like a success, not kept.
            return render(request, "exchange/declare_done.html", {"building": building})
        rooms = [
            {
                "unit": request.POST.get(f"unit-{i}", ""),
                "room": request.POST.get(f"room-{i}", ""),
                "name": request.POST.get(f"name-{i}", ""),
                "id_number": request.POST.get(f"id-{i}", ""),
                "mobile": request.POST.get(f"mobile-{i}", ""),
            }
            for i in range(self._rows(request))
        ]
        try:
            declarations.declaration_submit(
                building=building,
                landlord_name=request.POST.get("landlord_name", ""),
                landlord_mobile=request.POST.get("landlord_mobile", ""),
                rows=rooms,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            return self._render(request, building, errors, status=400)
        return render(request, "exchange/declare_done.html", {"building": building})
