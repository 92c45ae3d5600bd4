"""The JSON API under ``/api/v1/``: one NinjaAPI, its authentication and its error answers.

Authentication (every endpoint except ``POST /auth/token`` and the docs):

* ``Authorization: Bearer <token>`` with a token from ``POST /auth/token``. Such requests
  are not subject to CSRF (no cookie is involved). A request that carries an
  ``Authorization`` header is judged by that header alone: a bad token answers 401 even if
  the browser also sends a session cookie.
* The Django session (the logged-in browser). Unsafe methods then need the CSRF token
  (``X-CSRFToken`` header), as for any form on the site.

Inactive users get nothing (their tokens stop working, their sessions are anonymous).

Errors always answer JSON ``{"detail": "<中文说明>", "errors": {field: [messages]}}``
(``errors`` only when fields are to blame):

==== =======================================================================================
400  a Django ``ValidationError`` from a service or model (bad ID number, phone, GeoJSON,
     moving an organization under its own descendant, deleting one that still has children
     or members, a referenced id the user cannot see); also an unparsable JSON body and a
     malformed ``multipart/form-data`` body (no boundary)
401  not authenticated, or bad credentials at ``POST /auth/token``
403  the role may not take the action (the auditor or a member writing, a reveal without the
     right), or a failed CSRF check on a session request
404  missing or outside the user's scope: the same answer for both
409  a workflow step that the object's state does not allow (``StateConflict``, code
     ``invalid_state``), the same on every workflow; or
     a duplicate (a code, an ID number, a room that already exists): a ``ValidationError``
     whose code is ``unique``/``unique_together`` or whose message says the thing is
     already registered; also a database ``IntegrityError`` or ``ProtectedError``
422  the request does not match the schema (missing field, wrong type, page_size > 200, text
     longer than its column or with control characters, an integer past 2^63; a path id
     past 2^63 answers 404)
429  ``POST /auth/token`` for a locked account (with ``Retry-After``)
==== =======================================================================================

Writes run in one transaction each, so a failed request changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from xianfeng.community.api import router as community_router
from xianfeng.core.api import router as core_router
from xianfeng.core.models import ApiToken
from xianfeng.core.roles import WRITERS
from xianfeng.core.scope import active_roles
from xianfeng.core.validators import INT_MAX, INT_MIN
from xianfeng.exchange.api import router as exchange_router
from xianfeng.meetings.api import router as meetings_router
from xianfeng.orgs.api import router as orgs_router
from xianfeng.people.api import router as people_router
from xianfeng.people.lifecycle_api import router as lifecycle_router
from xianfeng.places.api import router as places_router
from xianfeng.public.api import router as public_router
from xianfeng.safety.api import router as safety_router
from xianfeng.safety.api_figures import router as safety_figures_router
from xianfeng.safety.api_works import router as safety_works_router
from xianfeng.scoring.api import router as scoring_router
from xianfeng.scoring.api_award import router as scoring_award_router
from xianfeng.scoring.api_conduct import router as scoring_conduct_router
from xianfeng.scoring.api_dashboard import router as scoring_dashboard_router
from xianfeng.scoring.api_declaration import router as scoring_declaration_router
from xianfeng.scoring.api_review import router as scoring_review_router
from xianfeng.services.api import router as services_router
from xianfeng.visits.api import router as visits_router
from xianfeng.work.api import router as work_router

logger = logging.getLogger(__name__)
RANGE = {"low": INT_MIN, "high": INT_MAX}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Refresh ApiToken.last_used_at at most this often, so a busy client does not write per call.
TOKEN_TOUCH_SECONDS = 60


class CsrfFailed(Exception):
    pass


def refuse_read_only(request: HttpRequest, user: Any) -> None:
    """A role that never writes (the auditor) gets 403 for any write, before the body is read,
    whatever it sends. Token management under ``/auth/`` and starting an export stay open."""
    if request.method in SAFE_METHODS or user.is_superuser:
        return
    if "/auth/" in request.path:
        return
    # Starting an export only reads; the auditor exports on the pages and here alike (the
    # endpoint checks who may export, and who may export full numbers).
    if request.method == "POST" and request.path.rstrip("/").endswith("/exports"):
        return
    if not {r.kind for r in active_roles(user)} & WRITERS:
        raise PermissionDenied(_("您的角色无权进行此操作。"))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.user`` so scope works."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token:
            return None
        api_token = ApiToken.lookup(token)
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        last = api_token.last_used_at
        if last is None or (now - last).total_seconds() > TOKEN_TOUCH_SECONDS:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token
        refuse_read_only(request, api_token.user)
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The Django session; unsafe methods must pass the CSRF check.

    Skipped when the request carries an ``Authorization`` header, so bearer requests are
    never subject to CSRF and a bad bearer token is not rescued by a cookie.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        if "authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if (
            request.method not in SAFE_METHODS
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise CsrfFailed
        refuse_read_only(request, user)
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None  # __call__ does the work


api = NinjaAPI(
    title=gettext_lazy("先锋 API"),
    version="1",
    description=gettext_lazy(
        "先锋·党建引领基层治理平台的数据接口。用 POST /api/v1/auth/token 换取令牌后，"
        "在请求头中携带 Authorization: Bearer <令牌>；浏览器中已登录的会话也可直接调用"
        "（修改类请求需带 X-CSRFToken）。所有数据都按当前用户的管辖范围过滤。"
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("", core_router)
api.add_router("", orgs_router)
api.add_router("", people_router)
api.add_router("", places_router)
api.add_router("", exchange_router)
api.add_router("", lifecycle_router)
api.add_router("", work_router)
api.add_router("", visits_router)
api.add_router("", community_router)
api.add_router("", safety_router)
api.add_router("", safety_figures_router)
api.add_router("", safety_works_router)
api.add_router("", services_router)
api.add_router("", public_router)
api.add_router("", meetings_router)
api.add_router("", scoring_router)
api.add_router("", scoring_review_router)
api.add_router("", scoring_dashboard_router)
api.add_router("", scoring_declaration_router)
api.add_router("", scoring_award_router)
api.add_router("", scoring_conduct_router)


# --- error answers ---------------------------------------------------------------------------

# A ValidationError about a duplicate answers 409. Services raise these messages without a
# code, so their wording is matched too (kept in one place, here).
DUPLICATE_CODES = frozenset({"unique", "unique_together"})
DUPLICATE_WORDS = ("已存在", "已登记", "已被其他", "重复录入", "已是该户的成员")


def error(
    request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"detail": str(detail)}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _is_duplicate(exc: ValidationError) -> bool:
    for item in exc.error_list if not hasattr(exc, "error_dict") else _flat(exc):
        if item.code in DUPLICATE_CODES:
            return True
        message = str(item.message % item.params if item.params else item.message)
        if any(word in message for word in DUPLICATE_WORDS):
            return True
    return False


def _is_state_conflict(exc: ValidationError) -> bool:
    """A workflow step the object's state does not allow (``StateConflict``): 409."""
    items = _flat(exc) if hasattr(exc, "error_dict") else exc.error_list
    return any(item.code == "invalid_state" for item in items)


def _flat(exc: ValidationError) -> list[ValidationError]:
    return [item for items in exc.error_dict.values() for item in items]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    status = 409 if _is_duplicate(exc) or _is_state_conflict(exc) else 400
    if hasattr(exc, "error_dict"):
        errors = {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}
        general = errors.pop(NON_FIELD_ERRORS, [])
        if general:
            # Constraint violations (a room already registered) are not tied to a field.
            detail = "；".join(general)
            if errors:
                errors["__all__"] = general
        else:
            first = next(iter(errors.values()), [""])
            detail = _("提交的数据有误：%(message)s") % {"message": first[0]}
        return error(request, status, detail, errors)
    return error(request, status, "；".join(str(m) for m in exc.messages))


_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("此字段为必填项。"),
    "int_parsing": gettext_lazy("请输入整数。"),
    "int_type": gettext_lazy("请输入整数。"),
    "int_from_float": gettext_lazy("请输入整数。"),
    "float_parsing": gettext_lazy("请输入数字。"),
    "float_type": gettext_lazy("请输入数字。"),
    "decimal_parsing": gettext_lazy("请输入数字。"),
    "decimal_type": gettext_lazy("请输入数字。"),
    "string_type": gettext_lazy("请输入文本。"),
    "bool_parsing": gettext_lazy("请输入 true 或 false。"),
    "bool_type": gettext_lazy("请输入 true 或 false。"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "date_type": gettext_lazy("日期格式应为 YYYY-MM-DD。"),
    "list_type": gettext_lazy("应为列表。"),
    "dict_type": gettext_lazy("应为 JSON 对象。"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象。"),
    "model_type": gettext_lazy("应为 JSON 对象。"),
    "json_invalid": gettext_lazy("不是有效的 JSON。"),
    "extra_forbidden": gettext_lazy("不接受此字段。"),
}


def _pydantic_message(item: dict[str, Any]) -> str:
    kind = item.get("type", "")
    ctx = item.get("ctx") or {}
    if kind == "greater_than_equal":
        return _("不能小于%(limit)s。") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("不能大于%(limit)s。") % {"limit": ctx.get("le")}
    if kind == "string_too_long":
        return _("最多%(limit)s个字符。") % {"limit": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("至少%(limit)s个字符。") % {"limit": ctx.get("min_length")}
    if kind == "value_error" and ctx.get("error") is not None:
        # our own validators (core/validators.py) raise their Chinese message as it is
        return str(ctx["error"])
    if kind in _PYDANTIC_MESSAGES:
        return str(_PYDANTIC_MESSAGES[kind])
    return _("格式不正确（%(reason)s）。") % {"reason": item.get("msg", "")}


def _field_key(loc: tuple[Any, ...] | list[Any]) -> str:
    # loc is (source, [param name,] field, ...): ("body", "payload", "person", "id_number").
    parts = [str(p) for p in loc[1:]]
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


@api.exception_handler(SchemaValidationError)
def on_schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for item in exc.errors:
        errors.setdefault(_field_key(item.get("loc", ())), []).append(_pydantic_message(item))
    return error(request, 422, _("请求数据格式不正确"), errors)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, _("请先登录或提供有效的令牌"))
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(CsrfFailed)
def on_csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return error(
        request,
        403,
        _(
            "CSRF校验失败：使用会话登录时，修改类请求须在X-CSRFToken请求头中带上CSRF令牌；或改用令牌访问。"
        ),
    )


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, str(exc) or _("您的角色无权进行此操作。"))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, _("对象不存在或不在您的管辖范围内"))


@api.exception_handler(ProtectedError)
def on_protected(request: HttpRequest, exc: ProtectedError) -> HttpResponse:
    return error(request, 409, _("该对象仍被其他数据引用，不能删除。"))


@api.exception_handler(IntegrityError)
def on_integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    logger.warning("API integrity error: %s", exc)
    return error(
        request, 409, _("数据与已有记录冲突（例如编码、身份证号或房号重复），未作任何修改。")
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    messages = {
        400: _("请求体不是有效的JSON。"),
        401: _("请先登录或提供有效的令牌"),
        403: _("您的角色无权进行此操作。"),
        404: _("对象不存在或不在您的管辖范围内"),
        405: _("不支持该请求方法。"),
        429: _("请求过于频繁，请稍后再试。"),
    }
    return error(request, exc.status_code, messages.get(exc.status_code, _("请求无法处理。")))


def _path_int_out_of_range(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    for value in (match.kwargs if match else {}).values():
        text = str(value).lstrip("-")
        if text.isdigit() and not INT_MIN <= int(value) <= INT_MAX:
            return True
    return False


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """An integer the database cannot hold (past 2^63) that a schema let through: a path id
    is an object that does not exist (404), anything else a value out of range (422)."""
    if _path_int_out_of_range(request):
        return on_not_found(request, Http404())
    return error(
        request,
        422,
        _("请求数据格式不正确"),
        {NON_FIELD_ERRORS: [_("数值超出范围（应在%(low)s到%(high)s之间）。") % RANGE]},
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database column cannot hold that got past the schema (PostgreSQL: numeric
    out of range, value too long): 422, nothing changed (the request's transaction rolls
    back), never a 500."""
    logger.warning("API data error on %s %s: %s", request.method, request.path, exc)
    return error(
        request,
        422,
        _("请求数据格式不正确"),
        {NON_FIELD_ERRORS: [_("数值超出范围或文字过长，数据库无法保存，未作任何修改。")]},
    )


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return error(
        request,
        400,
        _("上传的表单数据无法解析（multipart/form-data 缺少 boundary 或格式不正确）。"),
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error(request, 500, _("服务器内部错误，请稍后再试或联系管理员。"))
