"""API: token issue and revoke, who am I.

Also the small helpers every app's API module shares: the error body, page-number
pagination done in the database, scope-checked lookups of referenced objects and the
role check for writes. The NinjaAPI instance, the auth classes and the exception handlers
live in ``xianfeng/api.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema, Status
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import create_model

from xianfeng.core import twofactor
from xianfeng.core.auth import LoginError, fail, login_check, login_succeeded
from xianfeng.core.choices import Action
from xianfeng.core.labels import field_labels
from xianfeng.core.models import ApiToken, Role, User
from xianfeng.core.resources import resources
from xianfeng.core.scope import user_can
from xianfeng.core.validators import INT_MAX, mask_id_number, mask_phone

MAX_PAGE_SIZE = 200
# Every error the API answers has this body; see xianfeng/api.py for the status codes.
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})

M = TypeVar("M", bound=models.Model)


class IdConverter:
    """``{id:name}`` in an API path: an integer, signed, as text (the view's ``int`` parameter
    converts it, so a negative or huge id answers the JSON 404 as before). Unlike ``{name}``
    it does not take words, so ``/townsmen/progress`` is not swallowed by ``/townsmen/{id}``."""

    regex = "-?[0-9]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: Any) -> str:
        return str(value)


register_converter(IdConverter, "id")


# --- shared schemas and helpers -------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description=gettext_lazy("中文错误说明"))
    errors: dict[str, list[str]] | None = Field(None, description=gettext_lazy("按字段列出的错误"))


def errors_response(ok: dict[int, Any]) -> dict[Any, Any]:
    """A response map: the given success schemas plus the common error body."""
    return {**ok, ERROR_CODES: ErrorOut}


class ListParams(Schema):
    # (an offset past 2^63 is no page: 422, not a database error)
    page: int = Field(
        1, ge=1, le=INT_MAX // MAX_PAGE_SIZE, description=gettext_lazy("页码，从1开始")
    )
    page_size: int = Field(
        settings.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=gettext_lazy("每页条数，最多200")
    )


class PageBase(Schema):
    count: int
    page: int
    page_size: int


def page_of(item: type[Schema]) -> type[PageBase]:
    """The page schema for a list of ``item`` (one named component per resource)."""
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(name, __base__=PageBase, results=(list[item], ...))


def paginate(queryset: models.QuerySet, params: ListParams) -> dict[str, Any]:
    """One COUNT and one page SELECT (plus the queryset's prefetches), all in the database."""
    start = (params.page - 1) * params.page_size
    return {
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": list(queryset[start : start + params.page_size]),
    }


# --- lists from plain rows (issue 11) ----------------------------------------------------------
#
# A list endpoint that returns model objects pays for django-ninja's per-attribute getters and
# pydantic's validation of every field of every row (about 7 ms of a 50-row page). The busiest
# lists instead build each row as a plain dict from ``values()`` (only the columns shown, labels
# from the per-language dicts) and answer it already rendered: the operation keeps its declared
# response schema (the OpenAPI document and the fuzz test read it), and tests compare the bytes
# with what the schema makes of the same objects.


class _RowsEncoder(NinjaJSONEncoder):
    """The API's encoder with dates tried first: a page of 50 members has 200 dates and
    times, and ninja's encoder tests each against pydantic models, URLs, addresses and enums
    before handing it to Django's, which writes it (the same strings)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, date):  # datetimes too
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class _RowsRenderer(JSONRenderer):
    encoder_class = _RowsEncoder


_RENDERER = _RowsRenderer()
JSON_CONTENT_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"


def json_answer(body: Any, status: int = 200) -> HttpResponse:
    """``body`` rendered as the API renders a schema's output: the same encoder (dates, times
    and decimals as the schema path writes them), the same bytes."""
    return HttpResponse(
        _RENDERER.render(None, body, response_status=status),
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )


def paginate_rows(
    queryset: models.QuerySet,
    params: ListParams,
    rows: Callable[[models.QuerySet], list[dict[str, Any]]],
    *,
    counted: models.QuerySet | None = None,
) -> HttpResponse:
    """``paginate`` for a list that serialises from plain rows: one COUNT, then ``rows`` of the
    page's slice of ``queryset`` (the selector's, scope and order included) as the page schema's
    ``results``, in its field order. ``counted``: the same rows in a form cheaper to count."""
    start = (params.page - 1) * params.page_size
    return json_answer(
        {
            "count": (queryset if counted is None else counted).count(),
            "page": params.page,
            "page_size": params.page_size,
            "results": rows(queryset[start : start + params.page_size]),
        }
    )


def person_ref(
    pk: int, name: str, gender: str, id_number: str | None, mobile: str | None
) -> dict[str, Any]:
    """``PersonRef`` from plain values: the ID number and mobile masked."""
    return {
        "id": pk,
        "name": name,
        "gender": gender,
        "id_number_masked": mask_id_number(id_number or ""),
        "mobile_masked": mask_phone(mobile or ""),
    }


def org_ref(pk: int, name: str, code: str, kind: str) -> dict[str, Any]:
    """``OrgRef`` from plain values."""
    return {"id": pk, "name": name, "code": code, "kind": kind}


def require_can(user: User, action: str, model: type[models.Model]) -> None:
    """A role that may never take this action on this model gets 403 before anything else."""
    if not user_can(user, action, model):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def visible_one(
    model: type[M],
    pk: int | None,
    *,
    user: User,
    field: str,
    queryset: models.QuerySet | None = None,
) -> M | None:
    """A referenced object, looked up within what the user may see.

    Missing and out of scope give the same 400 message on the field, so ids cannot be probed.
    """
    if pk is None:
        return None
    base = queryset if queryset is not None else model.objects.all()
    obj = base.restrict(user, Action.VIEW).filter(pk=pk).first()
    if obj is None:
        raise ValidationError(
            {
                field: _("所选%(what)s（编号%(id)s）不存在或不在您的管辖范围内。")
                % {"what": model._meta.verbose_name, "id": pk}
            }
        )
    return obj


def visible_many(
    model: type[M],
    pks: Iterable[int] | None,
    *,
    user: User,
    field: str,
    queryset: models.QuerySet | None = None,
    scope: dict[str, Any] | None = None,
) -> list[M] | None:
    """Referenced objects by id, all of them visible to the user, in the order given
    (``scope``: options of the model's ``restrict``, e.g. ``serving`` for members)."""
    if pks is None:
        return None
    wanted = list(dict.fromkeys(pks))
    base = queryset if queryset is not None else model.objects.all()
    rows = base.restrict(user, Action.VIEW, **(scope or {})).filter(pk__in=wanted)
    found = {obj.pk: obj for obj in rows}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                field: _("以下编号的%(what)s不存在或不在您的管辖范围内：%(ids)s")
                % {"what": model._meta.verbose_name, "ids": "、".join(missing)}
            }
        )
    return [found[pk] for pk in wanted]


def label(value: Any) -> str:
    return str(value) if value is not None else ""


def choice_label(field: str) -> staticmethod:
    """The resolver of a ``<field>_label`` schema field: the choice's Chinese label, written
    ``resolve_kind_label = choice_label("kind")``."""

    def resolve(obj: Any) -> str:
        # The per-language dict, not get_FOO_display's gettext for every row (issue 11).
        value = getattr(obj, field)
        return label(field_labels(type(obj), field).get(value, value))

    return staticmethod(resolve)


class OrgRef(Schema):
    id: int
    name: str
    code: str
    kind: str


class PersonRef(Schema):
    """A person as the API shows them: ID number and mobile always masked."""

    id: int
    name: str
    gender: str
    id_number_masked: str
    mobile_masked: str


# --- auth/token ------------------------------------------------------------------------------

router = Router(tags=[gettext_lazy("账号与令牌")])


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    otp: str | None = Field(
        None,
        max_length=32,
        description=gettext_lazy(
            "两步验证：验证器上的 6 位动态验证码或一个恢复码（区、街道管理员和超级管理员必填）"
        ),
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post(
    "/auth/token",
    auth=None,
    response=errors_response({200: TokenOut}),
    exclude_none=True,
    summary=gettext_lazy("用用户名和密码换取接口令牌"),
)
def token_issue(request: HttpRequest, response: HttpResponse, payload: TokenIn) -> Any:
    """Good credentials answer a bearer token (shown once, only its hash is stored).

    Bad credentials answer 401 with the login check's Chinese message, the same for an
    unknown user as for a wrong password; repeated failures lock the account
    (``LOGIN_MAX_FAILURES``) or the client address (``LOGIN_ADDRESS_MAX_FAILURES``), and a
    lock answers **429** with the lock message and a ``Retry-After`` header, so a client can
    tell "wrong password" from "wait". A user with two-factor (required for district and
    street admins and the superuser) must send ``otp``; missing or wrong answers 401 and a
    wrong one counts as a failure. The token ends when the password changes or the user is
    deactivated.
    """

    def refuse(exc: LoginError) -> Any:
        if exc.locked:
            response["Retry-After"] = str(settings.LOGIN_LOCK_MINUTES * 60)
        return Status(429 if exc.locked else 401, {"detail": exc.message})

    try:
        user = login_check(request=request, username=payload.username, password=payload.password)
        if twofactor.otp_needed(user):
            if not twofactor.otp_enrolled(user):
                raise LoginError(_("该账号必须使用两步验证：请先在网页上登录并设置验证器。"))
            if not (payload.otp or "").strip():
                raise LoginError(
                    _("该账号已启用两步验证，请在 otp 字段中填写验证器上的动态验证码或一个恢复码。")
                )
            if twofactor.match(user, payload.otp or "") is None:
                exc = fail(request=request, username=user.username, user=user)
                if not exc.locked:
                    exc = LoginError(_("动态验证码不正确。"))
                raise exc
    except LoginError as exc:
        return refuse(exc)
    login_succeeded(user)
    raw = ApiToken.issue(user)
    token = ApiToken.lookup(raw)
    return {"token": raw, "expires_at": token.expires_at}


@router.delete(
    "/auth/token",
    response=errors_response({204: None}),
    summary=gettext_lazy("吊销当前使用的令牌"),
)
def token_revoke(request: HttpRequest) -> Any:
    """Revoke the bearer token this request was made with (a session has none: 400)."""
    token = getattr(request, "api_token", None)
    if token is None:
        raise ValidationError(_("当前请求未使用令牌，无需吊销。"))
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    return Status(204, None)


# --- me --------------------------------------------------------------------------------------


class RoleOut(Schema):
    kind: str
    kind_label: str
    organization: OrgRef

    resolve_kind_label = choice_label("kind")


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_superuser: bool
    roles: list[RoleOut]
    permissions: dict[str, list[str]] = Field(
        description=gettext_lazy("每类资源上允许的操作：view、add、change、delete、view_sensitive")
    )


@router.get("/me", response=errors_response({200: MeOut}), summary=gettext_lazy("当前用户"))
def me(request: HttpRequest) -> Any:
    """The user's roles (each at an organization, whose subtree is the scope) and, per
    resource, the actions the roles allow somewhere in that scope."""
    user = request.user
    roles = (
        Role.objects.filter(user=user, is_active=True)
        .select_related("organization")
        .order_by("organization__depth", "id")
    )
    permissions = {
        r.name: [str(action) for action in r.actions if user_can(user, action, r.model)]
        for r in resources()
    }
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name or user.username,
        "is_superuser": user.is_superuser,
        "roles": list(roles),
        "permissions": permissions,
    }


__all__ = [
    "ERROR_CODES",
    "MAX_PAGE_SIZE",
    "ErrorOut",
    "ListParams",
    "OrgRef",
    "PageBase",
    "PersonRef",
    "errors_response",
    "json_answer",
    "label",
    "org_ref",
    "page_of",
    "paginate",
    "paginate_rows",
    "person_ref",
    "require_can",
    "router",
    "visible_many",
    "visible_one",
]
