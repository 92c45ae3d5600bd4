"""Pages of the public app.

Residents' pages (no login, phone first): a community's problem wall and echo wall, the
report form (moderated before anything shows), a problem's public page with its history and
support (+1), the reporter's own page (rate, reopen), a zone's public board with its QR code and
printable poster. They read through ``Problem.objects.public()`` and a zone's public code, and
show nothing of a reporter or a member beyond what each chose.

Staff pages (login, ``restrict``): the problem list and moderation queue, a problem's page with
the steps the user may take now, and a member's own choice for the boards."""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.history import history_rows
from xianfeng.core.services import get_object_for
from xianfeng.core.views import ScopedView, ServiceFormView, paginate
from xianfeng.core.workflow_views import StepView
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.people.members import member_of
from xianfeng.public import boards, selectors, services, wallcache, workflows
from xianfeng.public.choices import (
    ADDRESS_MAX,
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ProblemCategory,
    ProblemState,
    Rating,
)
from xianfeng.public.forms import EchoResultForm, ProblemRaiseForm, ProblemTextForm
from xianfeng.public.models import BoardChoice, Problem
from xianfeng.services.complaints import MAX_CONTENT as COMPLAINT_MAX
from xianfeng.services.complaints import ComplaintThrottled, problem_complaints

HONEYPOT = "website"
#: Public history: only the state changes, dated (no names of staff or residents).
PUBLIC_HISTORY_FIELDS = ("state",)


def _community(code: str) -> Organization:
    org = public_community(code=code)
    if org is None:
        raise Http404(_("没有这个社区。"))
    return org


def _public_problem(code: str) -> Problem:
    problem = Problem.objects.public().select_related("community").filter(code=code).first()
    if problem is None:
        raise Http404(_("没有这个问题，或者它还在审核中。"))
    return problem


def _public_timeline(problem: Problem) -> list[dict[str, Any]]:
    """When the problem's public status changed (no names)."""
    rows, last = [], None
    for h in problem.history.order_by("history_date", "history_id").only("history_date", "state"):
        if h.state != last:
            rows.append({"date": h.history_date, "state": ProblemState(h.state).label})
            last = h.state
    return rows


def _cached_page(request: HttpRequest, qs: Any, key: str) -> Any:
    """A page of ``qs`` whose COUNT (240,000 problems on a big community's wall) comes from
    the cache under the wall's version; the page's rows are read only when the template's
    cached fragment is missing."""
    paginator = Paginator(qs, settings.PAGE_SIZE)
    count = cache.get(key)
    if count is None:
        count = qs.count()
        cache.set(key, count, wallcache.WALL_TTL)
    paginator.count = count  # a cached_property: set, it is not counted again
    return paginator.get_page(request.GET.get("page"))


class WallView(View):
    """问题墙 of a community: moderated problems with responsible party, measures, deadline."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        community = _community(code)
        state = request.GET.get("state")
        state = state if state in ProblemState.values else ""
        version = wallcache.wall_version(community.pk)
        qs = selectors.wall(community.pk, state=state)
        page = _cached_page(request, qs, f"public:wall-count:{community.pk}:{version}:{state}")
        return render(
            request,
            "public/wall.html",
            {
                "community": community,
                "page": page,
                "version": version,
                "ttl": wallcache.WALL_TTL,
                "state": state,
                "querystring": f"state={state}&" if state else "",
                "states": [
                    (s.value, s.label)
                    for s in (
                        ProblemState.ACCEPTED,
                        ProblemState.IN_PROGRESS,
                        ProblemState.PUBLISHED,
                        ProblemState.CLOSED_UNSOLVED,
                    )
                ],
                "tab": "wall",
            },
        )


class EchoWallView(View):
    """回音壁 of a community: checked results and residents' ratings."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        community = _community(code)
        version = wallcache.wall_version(community.pk)
        qs = selectors.echo_wall(community.pk)
        page = _cached_page(request, qs, f"public:echo-count:{community.pk}:{version}")
        return render(
            request,
            "public/echo.html",
            {
                "community": community,
                "page": page,
                "version": version,
                "ttl": wallcache.WALL_TTL,
                "tab": "echo",
            },
        )


class ReportView(View):
    """A resident reports a problem (no account): kept for moderation; a link to follow it."""

    def _target(self, request: HttpRequest, code: str) -> tuple[Organization, Any]:
        community = _community(code)
        zone = None
        raw = request.GET.get("zone") or request.POST.get("zone") or ""
        if raw:
            zone = boards.zone_by_code(raw)
            if zone is None or not zone.organization.path.startswith(community.path):
                raise Http404(_("二维码无效或已失效。"))
        return community, zone

    def _render(self, request, community, zone, errors=None, status=200) -> HttpResponse:
        return render(
            request,
            "public/report.html",
            {
                "community": community,
                "zone": zone,
                "values": request.POST,
                "errors": errors or {},
                "general_errors": (errors or {}).get("__all__", []),
                "categories": ProblemCategory.choices,
                "limits": {
                    "title": TITLE_MAX,
                    "text": TEXT_MAX,
                    "address": ADDRESS_MAX,
                    "name": NAME_MAX,
                },
            },
            status=status,
        )

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        community, zone = self._target(request, code)
        return self._render(request, community, zone)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        community, zone = self._target(request, code)
        if request.POST.get(HONEYPOT):
            return render(request, "public/report_done.html", {"community": community})
        phone = request.POST.get("phone", "").strip()
        if not services.report_allowed(address=ratelimit.client_ip(request), phone=phone):
            response = render(
                request, "public/throttled.html", {"community": community}, status=429
            )
            response["Retry-After"] = "3600"
            return response
        try:
            problem = services.problem_report(
                organization=zone.organization if zone else community,
                zone=zone,
                category=request.POST.get("category", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                address=request.POST.get("address", ""),
                name=request.POST.get("name", ""),
                phone=phone,
                client=ratelimit.client_ip(request),
            )
        except ValidationError as exc:
            return self._render(request, community, zone, exc.message_dict, status=400)
        return render(
            request,
            "public/report_done.html",
            {"community": community, "problem": problem, "link": problem.get_reporter_url()},
        )


class ProblemPublicView(View):
    """A problem on the wall: its public status, responsible party, measures, deadline and
    dated history; support (+1) instead of reporting it again."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        return self._page(request, _public_problem(code))

    def _page(self, request: HttpRequest, problem: Problem, status: int = 200) -> HttpResponse:
        return render(
            request,
            "public/problem.html",
            {
                "problem": problem,
                "community": problem.community,
                "timeline": _public_timeline(problem),
                "echo": problem.latest_echo,
                "can_support": problem.state in selectors.OPEN_STATES,
            },
            status=status,
        )

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        problem = _public_problem(code)
        client = ratelimit.client_ip(request)
        if not services.support_allowed(address=client):
            messages.error(request, _("操作太频繁，请稍后再试。"))
            return self._page(request, problem, status=429)
        try:
            added = services.problem_support(problem=problem, client=client)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return self._page(request, problem, status=409)
        if added:
            messages.success(request, _("已附议，感谢您的关注。"))
        else:
            messages.info(request, _("您已经附议过这个问题了。"))
        return redirect(problem.get_public_url())


class FollowView(View):
    """The reporter's own page (the link given when reporting): the status, and once the result
    is published, the rating and — unsatisfied — reopening once."""

    def _problem(self, code: str, secret: str) -> Problem:
        problem = Problem.objects.select_related("community").filter(code=code).first()
        if problem is None or not services.secret_matches(problem, secret):
            raise Http404(_("链接无效，请使用反映问题时得到的链接。"))
        return problem

    def _page(self, request, problem, secret, errors=None, status=200) -> HttpResponse:
        echo = problem.latest_echo
        return render(
            request,
            "public/follow.html",
            {
                "problem": problem,
                "community": problem.community,
                "secret": secret,
                "echo": echo,
                "ratings": Rating.choices,
                "may_rate": problem.state == ProblemState.PUBLISHED and echo and not echo.rating,
                "may_reopen": problem.state == ProblemState.PUBLISHED
                and echo
                and echo.rating == Rating.UNSATISFIED
                and problem.reopened == 0,
                "timeline": _public_timeline(problem),
                # the reporter's complaints about the handling, each with its outcome
                "complaints": problem_complaints(problem.code),
                "complaint_max": COMPLAINT_MAX,
                "errors": errors or {},
                "values": request.POST,
            },
            status=status,
        )

    def get(self, request: HttpRequest, code: str, secret: str) -> HttpResponse:
        return self._page(request, self._problem(code, secret), secret)

    def post(self, request: HttpRequest, code: str, secret: str) -> HttpResponse:
        from xianfeng.core.workflow import StateConflict

        problem = self._problem(code, secret)
        action = request.POST.get("action")
        try:
            if action == "rate":
                services.problem_rate(
                    problem=problem,
                    secret=secret,
                    rating=request.POST.get("rating", ""),
                    comment=request.POST.get("comment", ""),
                )
                messages.success(request, _("感谢您的评议。"))
            elif action == "reopen":
                services.problem_reopen(
                    problem=problem, secret=secret, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("已重新交办，办理情况会继续在这里更新。"))
            elif action == "complain":
                services.problem_complain(
                    problem=problem,
                    secret=secret,
                    content=request.POST.get("content", "")[:2000],
                    client_ip=ratelimit.client_ip(request),
                )
                messages.success(request, _("投诉已提交，社区核实后会在这个页面告诉您结果。"))
            else:
                raise Http404
        except StateConflict as exc:
            messages.error(request, "；".join(exc.messages))
            return self._page(request, self._problem(code, secret), secret, status=409)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            return self._page(request, self._problem(code, secret), secret, errors, status=400)
        except ComplaintThrottled as exc:
            errors = {"__all__": [str(exc)]}
            return self._page(request, self._problem(code, secret), secret, errors, status=429)
        except PermissionDenied as exc:
            raise Http404(str(exc)) from None
        return redirect(problem.get_reporter_url())


# --- zone boards --------------------------------------------------------------------------


BOARD_KEYS = (
    "title",
    "organization",
    "buildings",
    "members",
    "unnamed",
    "duties",
    "report_url",
    "wall_url",
    "order_url",
)


def _board_value(built: Any, key: str) -> Any:
    return built()[key]


class ZoneBoardView(View):
    """公示牌 of a 党员责任区 (its public code): scope, members as each chose, duties, and a way
    to reach them through the platform (a problem for this zone), never a phone number."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        zone = boards.zone_by_code(code)
        if zone is None:
            raise Http404(_("二维码无效或已失效。"))
        # The board's body is a cached fragment (wallcache: one version for all boards): its
        # values are callables the template calls, so they are read only on a cache miss.
        built = functools.cache(lambda: boards.board_context(zone))
        context: dict[str, Any] = {
            key: functools.partial(_board_value, built, key) for key in BOARD_KEYS
        }
        context.update(zone=zone, version=wallcache.boards_version(), ttl=wallcache.WALL_TTL)
        return render(request, "public/board.html", context)


class ZoneQrView(View):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        zone = boards.zone_by_code(code)
        if zone is None:
            raise Http404(_("二维码无效或已失效。"))
        return HttpResponse(boards.board_qr(zone), content_type="image/svg+xml")


class ZonePosterView(View):
    """The printable poster (PDF, A4 or A3, Chinese fonts embedded)."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        zone = boards.zone_by_code(code)
        if zone is None:
            raise Http404(_("二维码无效或已失效。"))
        size = request.GET.get("size", "A4").upper()
        if size not in boards.POSTER_SIZES:
            size = "A4"
        response = HttpResponse(boards.poster_pdf(zone, size=size), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="board-{size}.pdf"'
        return response


# --- staff ----------------------------------------------------------------------------------


class ProblemListView(ScopedView):
    """问题墙 for staff: every problem in scope, the moderation queue first (state=pending)."""

    model = Problem

    def get(self, request: HttpRequest) -> HttpResponse:
        state = request.GET.get("state")
        qs = selectors.problems(request.user, state=state)
        return render(
            request,
            "public/problem_list.html",
            {
                "page": paginate(request, qs),
                "state": state if state in ProblemState.values else "",
                "querystring": f"state={state}&" if state in ProblemState.values else "",
                "states": ProblemState.choices,
                "pending": selectors.problems(request.user, state=ProblemState.PENDING).count(),
                "can_raise": self.can(Action.ADD),
            },
        )


def _problem_page(request: HttpRequest, problem: Problem, status: int = 200) -> HttpResponse:
    return render(
        request,
        "public/problem_detail.html",
        {
            "problem": problem,
            "echoes": problem.echoes.select_related("checked_by", "solved_by"),
            "history": history_rows(problem),
            "may_edit": problem.state != ProblemState.MERGED
            and workflows.staff(problem, request.user) is None,
        },
        status=status,
    )


class ProblemDetailView(ScopedView):
    model = Problem

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _problem_page(request, self.object_for(pk))


class ProblemStepView(StepView):
    model = Problem

    def object_page(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return _problem_page(request, obj)


class ProblemRaiseView(ServiceFormView):
    """登记问题: staff put a problem raised in a meeting, found on a visit (``?visit=<id>``,
    prefilled from its findings) or left by an order straight on the wall."""

    model = Problem
    title_text = _("登记问题到问题墙")
    intro = _(
        "会议提出、走访发现或群众点单中反映的问题，登记后直接在问题墙公开（不经审核），"
        "请勿填写群众的姓名、电话等个人信息。"
    )
    submit_label = _("登记并公开")

    def target(self, request: HttpRequest, **kwargs: Any) -> Any:
        if not self.can(Action.ADD):
            raise PermissionDenied(_("您的角色无权登记问题。"))
        raw = request.POST.get("visit") or request.GET.get("visit") or ""
        if not raw:
            return None
        from xianfeng.visits.models import Visit

        if not raw.isdigit():
            raise Http404(_("没有这次走访。"))
        return get_object_for(
            user=request.user,
            model=Visit,
            pk=int(raw),
            queryset=Visit.objects.select_related("household__building", "building"),
        )

    def back_url(self, target: Any) -> str:
        return target.get_absolute_url() if target is not None else reverse("public:problem_list")

    def title(self, target: Any) -> str:
        if target is None:
            return str(self.title_text)
        return _("把走访发现的问题登记到问题墙（%(day)s）") % {
            "day": f"{target.visited_at:%Y-%m-%d}"
        }

    def make_form(self, target: Any, data: Any = None) -> Any:
        initial: dict[str, Any] = {}
        if target is not None:
            findings = (target.findings or target.suggestions or "").strip()
            first = findings.splitlines()[0] if findings else ""
            initial = {
                "organization": target.organization_id,
                "source": "visit",
                "source_note": _("走访 %(day)s") % {"day": f"{target.visited_at:%Y-%m-%d}"},
                "title": first[:60],
                "description": findings,
                "address": target.building.name if target.building_id else "",
            }
        form = ProblemRaiseForm(data, user=self.request.user, initial=initial)
        if target is not None:
            form.fields["visit"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=target.pk, required=False
            )
        return form

    def perform(self, form: Any, target: Any) -> Problem:
        c = form.cleaned_data
        return services.problem_raise(
            actor=self.request.user,
            organization=c["organization"],
            source=c["source"],
            category=c["category"],
            title=c["title"],
            description=c["description"],
            address=c["address"],
            source_note=c["source_note"],
            visit=target,
        )

    def message(self, obj: Any) -> str:
        return _("已登记，问题编号%(code)s，已在问题墙公开。") % {"code": obj.code}


class ProblemTextEditView(ServiceFormView):
    """编辑公开内容: a moderator corrects what the wall shows (the original stays in the
    history; the public page says it was edited)."""

    model = Problem
    intro = _("修改后问题墙上会注明“内容经管理员编辑”；原来的内容保留在历史记录中。")
    submit_label = _("保存修改")

    def target(self, request: HttpRequest, pk: int) -> Problem:
        return self.object_for(pk, Action.CHANGE)

    def precheck(self, target: Any) -> None:
        refusal = workflows.staff(target, self.request.user)
        if refusal is not None:
            raise PermissionDenied(refusal)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        self.precheck(self.target(request, **kwargs))
        return super().get(request, **kwargs)

    def title(self, target: Any) -> str:
        return _("编辑公开内容：%(code)s") % {"code": target.code}

    def make_form(self, target: Any, data: Any = None) -> Any:
        initial = {"title": target.title, "description": target.description}
        initial["address"] = target.address
        return ProblemTextForm(data, initial=initial)

    def perform(self, form: Any, target: Any) -> Problem:
        return services.problem_text_edit(
            actor=self.request.user, problem=target, **form.cleaned_data
        )

    def message(self, obj: Any) -> str:
        return _("已保存，问题墙上已注明内容经过编辑。")


class EchoResultEditView(ProblemTextEditView):
    """编辑回音壁上公开的办理结果."""

    def precheck(self, target: Any) -> None:
        super().precheck(target)
        if target.latest_echo is None:
            raise ValidationError(_("这个问题还没有在回音壁公开的办理结果。"), code="invalid_state")

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        try:
            return super().get(request, **kwargs)
        except ValidationError as exc:
            raise Http404("；".join(exc.messages)) from None

    def title(self, target: Any) -> str:
        return _("编辑回音壁的办理结果：%(code)s") % {"code": target.code}

    def make_form(self, target: Any, data: Any = None) -> Any:
        echo = target.latest_echo
        return EchoResultForm(data, initial={"result": echo.result if echo else target.result})

    def perform(self, form: Any, target: Any) -> Problem:
        services.echo_result_edit(actor=self.request.user, problem=target, **form.cleaned_data)
        return target

    def message(self, obj: Any) -> str:
        return _("已保存，回音壁上已注明办理结果经过编辑。")


class BoardChoiceView(ScopedView):
    """A member chooses what the public boards show of them (name, photo)."""

    model = BoardChoice

    def _member(self, request: HttpRequest) -> Any:
        member = member_of(request.user)
        if member is None:
            raise Http404(_("只有党员可以设置自己在公示牌上的显示内容。"))
        return member

    def _render(self, request, member, errors=None, status=200) -> HttpResponse:
        choice = BoardChoice.objects.filter(member=member).first()
        return render(
            request,
            "public/board_choice.html",
            {"member": member, "choice": choice, "errors": errors or {}},
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, self._member(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        member = self._member(request)
        try:
            services.board_choice_set(
                actor=request.user,
                member=member,
                show_name=request.POST.get("show_name") == "on",
                show_photo=request.POST.get("show_photo") == "on",
                photo=request.FILES.get("photo"),
            )
        except ValidationError as exc:
            return self._render(request, member, exc.message_dict, status=400)
        messages.success(request, _("已保存。公示牌将按您的选择显示。"))
        return redirect(reverse("public:board_choice"))
