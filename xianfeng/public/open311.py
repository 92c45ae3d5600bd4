"""Open311 GeoReport v2 at ``/open311/v2/``: discovery, services (the problem categories and the
service menu of the ``services`` app), service definitions, requests (GET with the standard's
filters, POST), a request by id and tokens, in JSON and XML as the standard writes them, with
its error format (``[{"code": 404, "description": "..."}]``, ``<errors><error>...``).

Service codes: ``problem-<category>`` for the problem wall, a ``Service.code`` for the menu.
Request ids: ``problem-<code>`` and ``order-<code>``. A problem's POST waits for moderation, so
it answers a token (``GET tokens/<token>`` gives the id once it is on the wall); an order's
answers its id at once. Our states map to ``open``/``closed`` with ``status_notes``. Nothing
personal leaves: no reporter, and of an order only its service, status and dates.

POST takes ``api_key`` (an API token of the system's account, ``core.models.ApiToken``);
without one it is allowed only when the district says so (``PublicSettings``)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from xianfeng.core import ratelimit
from xianfeng.core.models import ApiToken
from xianfeng.core.publicurl import public_url
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.places.models import Building
from xianfeng.public import services as public_services
from xianfeng.public import wallcache
from xianfeng.public.choices import (
    OPEN_STATES as PROBLEM_OPEN,
)
from xianfeng.public.choices import (
    ProblemCategory,
    ProblemSource,
    ProblemState,
)
from xianfeng.public.models import Problem, PublicSettings
from xianfeng.services import menucache
from xianfeng.services import services as order_services
from xianfeng.services.choices import OrderState, open311_status
from xianfeng.services.models import Order, Service

SPEC = "http://wiki.open311.org/GeoReport_v2"
PROBLEM_PREFIX = "problem-"
ORDER_PREFIX = "order-"
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, str(description)


# --- rendering ------------------------------------------------------------------------------


def _xml_value(parent: ET.Element, key: str, value: Any, item_tags: dict[str, str]) -> None:
    node = ET.SubElement(parent, key)
    if isinstance(value, list):
        child = item_tags.get(key, key.rstrip("s"))
        for entry in value:
            _xml_item(node, child, entry, item_tags)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(node, k, v, item_tags)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)


def _xml_item(parent: ET.Element, tag: str, entry: Any, item_tags: dict[str, str]) -> None:
    if isinstance(entry, dict):
        node = ET.SubElement(parent, tag)
        for k, v in entry.items():
            _xml_value(node, k, v, item_tags)
    else:
        ET.SubElement(parent, tag).text = str(entry)


def render(data: Any, fmt: str, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    """JSON as is; XML as GeoReport v2 writes it: a root element, one child per item."""
    if fmt == "xml":
        tags = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
        }
        top = ET.Element(root)
        if isinstance(data, list):
            for entry in data:
                _xml_item(top, item, entry, tags)
        else:
            for k, v in data.items():
                _xml_value(top, k, v, tags)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def error(fmt: str, code: int, description: str) -> HttpResponse:
    return render(
        [{"code": code, "description": str(description)}],
        fmt,
        root="errors",
        item="error",
        status=code,
    )


# --- services -------------------------------------------------------------------------------


def _communities() -> list[Organization]:
    return list(Organization.objects.filter(kind=OrgKind.COMMUNITY).order_by("code"))


def service_list() -> list[dict[str, Any]]:
    out = [
        {
            "service_code": f"{PROBLEM_PREFIX}{value}",
            "service_name": str(label),
            "description": _("在问题墙反映问题（%(c)s），审核后公开。") % {"c": label},
            "metadata": True,
            "type": "batch",
            "keywords": "问题墙",
            "group": "问题墙",
        }
        for value, label in ProblemCategory.choices
    ]
    for service in Service.objects.filter(is_active=True).order_by("code")[:500]:
        out.append(
            {
                "service_code": service.code,
                "service_name": service.title,
                "description": service.description or None,
                "metadata": True,
                "type": "realtime",
                "keywords": "服务清单",
                "group": "服务清单",
            }
        )
    return out


def _attribute(
    code: str,
    datatype: str,
    required: bool,
    description: str,
    order: int,
    values: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": required,
        "datatype_description": None,
        "order": order,
        "description": description,
    }
    if values is not None:
        entry["values"] = values
    return entry


def service_definition(code: str) -> dict[str, Any]:
    problem = _problem_category(code)
    if problem is None and not Service.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(404, _("没有这个服务编码：%(c)s") % {"c": code})
    communities = [{"key": c.code, "name": c.short_name or c.name} for c in _communities()]
    attributes = [
        _attribute(
            "community",
            "singlevaluelist",
            False,
            _("所在社区（不填时按 address_id 楼栋编码确定）"),
            1,
            communities,
        )
    ]
    if problem is None:
        attributes.append(_attribute("name", "string", True, _("点单人姓名"), 2))
    return {"service_code": code, "attributes": attributes}


def _problem_category(code: str) -> str | None:
    if code.startswith(PROBLEM_PREFIX) and code[len(PROBLEM_PREFIX) :] in ProblemCategory.values:
        return code[len(PROBLEM_PREFIX) :]
    return None


# --- requests -------------------------------------------------------------------------------


#: The columns a request row reads (``values()``: no model instances, nothing decrypted).
PROBLEM_COLUMNS = (
    "id",
    "code",
    "category",
    "state",
    "title",
    "description",
    "responsible",
    "measures",
    "result",
    "close_reason",
    "referred_to",
    "deadline",
    "address",
    "latitude",
    "longitude",
    "created_at",
    "updated_at",
)
ORDER_COLUMNS = (
    "id",
    "code",
    "state",
    "service__title",
    "service__code",
    "created_at",
    "dispatched_at",
    "accepted_at",
    "done_at",
    "rated_at",
    "deadline",
)


def _problem_status(p: dict[str, Any], labels: dict[str, str]) -> tuple[str, str]:
    label = labels[p["state"]]
    if p["state"] == ProblemState.PUBLISHED:
        return "closed", f"{label}：{p['result']}"[:4000]
    if p["state"] == ProblemState.CLOSED_UNSOLVED:
        note = p["close_reason"] + (f"（{p['referred_to']}）" if p["referred_to"] else "")
        return "closed", f"{label}：{note}"
    if p["state"] in PROBLEM_OPEN and p["measures"]:
        return "open", f"{label}：{p['measures']}"[:4000]
    return "open", label


class _Rows:
    """What every row of one answer shares, worked out once: the labels of the language, the
    public address's prefix and the time zone (a 1,000-row answer used to translate, reverse
    and look the zone up per row)."""

    def __init__(self) -> None:
        self.states = {value: str(label) for value, label in ProblemState.choices}
        self.categories = {value: str(label) for value, label in ProblemCategory.choices}
        self.order_states = {value: str(label) for value, label in OrderState.choices}
        self.own_words = str(_("自述诉求"))
        marker = "CODE0"
        self.url_head, self.url_tail = public_url(reverse("public:problem", args=[marker])).rsplit(
            marker, 1
        )
        self.zone = timezone.get_current_timezone()

    def iso(self, value: datetime | None) -> str | None:
        return value.astimezone(self.zone).isoformat(timespec="seconds") if value else None

    def problem(self, p: dict[str, Any]) -> dict[str, Any]:
        status, notes = _problem_status(p, self.states)
        deadline = p["deadline"]
        return {
            "service_request_id": f"{PROBLEM_PREFIX}{p['code']}",
            "status": status,
            "status_notes": notes,
            "service_name": self.categories[p["category"]],
            "service_code": f"{PROBLEM_PREFIX}{p['category']}",
            "description": f"{p['title']}\n{p['description']}".strip()[:4000],
            "agency_responsible": p["responsible"] or None,
            "service_notice": None,
            "requested_datetime": self.iso(p["created_at"]),
            "updated_datetime": self.iso(p["updated_at"]),
            "expected_datetime": (
                datetime.combine(deadline, datetime.min.time(), self.zone).isoformat(
                    timespec="seconds"
                )
                if deadline
                else None
            ),
            "address": p["address"] or None,
            "address_id": None,
            "zipcode": None,
            "lat": float(p["latitude"]) if p["latitude"] is not None else None,
            "long": float(p["longitude"]) if p["longitude"] is not None else None,
            "media_url": f"{self.url_head}{p['code']}{self.url_tail}",
        }

    def order(self, o: dict[str, Any]) -> dict[str, Any]:
        """An order without anything personal: no name, phone, address or words."""
        updated = o["rated_at"] or o["done_at"] or o["accepted_at"] or o["dispatched_at"]
        return {
            "service_request_id": f"{ORDER_PREFIX}{o['code']}",
            "status": open311_status(o["state"]),
            "status_notes": self.order_states[o["state"]],
            "service_name": o["service__title"] or self.own_words,
            "service_code": o["service__code"] or "",
            "requested_datetime": self.iso(o["created_at"]),
            "updated_datetime": self.iso(updated),
            "expected_datetime": self.iso(o["deadline"]),
        }


def _parse_date(raw: str, name: str) -> datetime:
    value = parse_datetime(raw.replace(" ", "+")) if raw else None
    if value is None:
        raise Open311Error(
            400, _("%(n)s 应为 W3C 日期时间，例如 2026-01-01T00:00:00+08:00。") % {"n": name}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive(params: Any, name: str, default: int, ceiling: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise Open311Error(400, _("%(n)s 应为正整数。") % {"n": name})
    return min(int(raw), ceiling)


def _open_order_states() -> list[str]:
    return [s for s in OrderState.values if open311_status(s) == "open"]


def _by_ids(ids: list[str], community: Organization | None = None) -> list[dict[str, Any]]:
    """Requests named by id (of ``community`` only, if given), in the order asked, unknown
    ones left out: one query for the problems, one for the orders."""
    problem_codes = [i[len(PROBLEM_PREFIX) :] for i in ids if i.startswith(PROBLEM_PREFIX)]
    order_codes = [i[len(ORDER_PREFIX) :] for i in ids if i.startswith(ORDER_PREFIX)]
    where = {} if community is None else {"community": community}
    rows = _Rows()
    found: dict[str, dict[str, Any]] = {}
    if problem_codes:
        problems = Problem.objects.public().filter(code__in=problem_codes, **where)
        for p in problems.values(*PROBLEM_COLUMNS):
            found[f"{PROBLEM_PREFIX}{p['code']}"] = rows.problem(p)
    if order_codes:
        for o in Order.objects.filter(code__in=order_codes, **where).values(*ORDER_COLUMNS):
            found[f"{ORDER_PREFIX}{o['code']}"] = rows.order(o)
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def jurisdiction(params: Any) -> Organization | None:
    """The community a request names by ``jurisdiction_id`` (a community's code), ``None`` for
    the whole district (no ``jurisdiction_id``, or the district's own code)."""
    code = (params.get("jurisdiction_id") or "").strip()
    if not code:
        return None
    community = public_community(code=code)
    if community is not None:
        return community
    if Organization.objects.filter(code=code[:64], kind=OrgKind.DISTRICT).exists():
        return None
    raise Open311Error(404, _("没有这个辖区：%(c)s") % {"c": code[:64]})


def request_list(params: Any, community: Organization | None = None) -> list[dict[str, Any]]:
    """GET requests: ``service_request_id`` (comma list, overrides the rest), ``service_code``,
    ``start_date``, ``end_date`` (default: the last 90 days), ``status`` (open, closed), and
    the community as ``jurisdiction_id`` (``community``, already looked up); and, beyond the
    standard, ``page_size`` (at most and by default 1000, the standard's cap) and ``page``
    (from 1) to read past the first thousand.

    Problems and orders are merged, ordered and cut to the page in the database (one UNION of
    their ids and dates), then the page's rows are read with ``values()``: three queries
    whatever the page size, and Python only formats the rows of the page."""
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        return _by_ids(ids[:MAX_REQUESTS], community)
    end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
    start = (
        _parse_date(params["start_date"], "start_date")
        if params.get("start_date")
        else end - timedelta(days=DEFAULT_DAYS)
    )
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status 只能是 open 或 closed。"))
    size = _positive(params, "page_size", MAX_REQUESTS, MAX_REQUESTS)
    number = _positive(params, "page", 1, 10**6)
    codes = [c.strip() for c in (params.get("service_code") or "").split(",") if c.strip()]
    categories = [c for c in (_problem_category(code) for code in codes) if c]
    service_codes = [c for c in codes if _problem_category(c) is None]
    parts = []
    if not codes or categories:
        qs = Problem.objects.public().filter(created_at__gte=start, created_at__lte=end)
        if community is not None:
            qs = qs.filter(community=community)
        if categories:
            qs = qs.filter(category__in=categories)
        if statuses == {"open"}:
            qs = qs.filter(state__in=PROBLEM_OPEN)
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=PROBLEM_OPEN)
        parts.append(qs.annotate(kind=Value("p")))
    if not codes or service_codes:
        qs = Order.objects.filter(created_at__gte=start, created_at__lte=end)
        if community is not None:
            qs = qs.filter(community=community)
        if service_codes:
            qs = qs.filter(service__code__in=service_codes)
        if statuses == {"open"}:
            qs = qs.filter(state__in=_open_order_states())
        elif statuses == {"closed"}:
            qs = qs.exclude(state__in=_open_order_states())
        parts.append(qs.annotate(kind=Value("o")))
    if not parts:
        return []
    heads = [part.order_by().values_list("kind", "id", "created_at") for part in parts]
    merged = heads[0].union(*heads[1:], all=True) if len(heads) > 1 else heads[0]
    offset = (number - 1) * size
    page = list(merged.order_by("-created_at", "-id")[offset : offset + size])
    problem_ids = [pk for kind, pk, _at in page if kind == "p"]
    order_ids = [pk for kind, pk, _at in page if kind == "o"]
    rows = _Rows()
    built: dict[tuple[str, int], dict[str, Any]] = {}
    if problem_ids:
        for p in Problem.objects.filter(pk__in=problem_ids).values(*PROBLEM_COLUMNS):
            built["p", p["id"]] = rows.problem(p)
    if order_ids:
        for o in Order.objects.filter(pk__in=order_ids).values(*ORDER_COLUMNS):
            built["o", o["id"]] = rows.order(o)
    return [built[kind, pk] for kind, pk, _at in page]


def request_by_id(rid: str, community: Organization | None = None) -> dict[str, Any]:
    found = _by_ids([rid], community)
    if not found:
        raise Open311Error(404, _("没有这个请求编号：%(c)s") % {"c": rid})
    return found[0]


def token_status(token: str) -> dict[str, Any]:
    import uuid

    try:
        value = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, _("没有这个回执：%(t)s") % {"t": token}) from None
    p = Problem.objects.filter(token=value).only("code", "state").first()
    if p is None:
        raise Open311Error(404, _("没有这个回执：%(t)s") % {"t": token})
    entry: dict[str, Any] = {"token": token}
    if p.state in (ProblemState.PENDING, ProblemState.REJECTED, ProblemState.MERGED):
        entry["service_request_id"] = None
    else:
        entry["service_request_id"] = f"{PROBLEM_PREFIX}{p.code}"
    return entry


# --- POST -----------------------------------------------------------------------------------


def anonymous_allowed() -> bool:
    row = PublicSettings.objects.filter(organization__kind=OrgKind.DISTRICT).first()
    return bool(row and row.open311_anonymous_post)


def _where(data: Any) -> tuple[Organization, Organization | None]:
    """The community (from ``attribute[community]``, a community's ``jurisdiction_id`` as a
    client set to one community sends it, or the building of ``address_id``) and the
    organization the request belongs to."""
    code = (data.get("attribute[community]") or "").strip()
    if not code and jurisdiction(data) is not None:
        code = data.get("jurisdiction_id", "").strip()
    if code:
        community = public_community(code=code)
        if community is None:
            raise Open311Error(400, _("没有这个社区：%(c)s") % {"c": code})
        return community, community
    address_id = (data.get("address_id") or "").strip()
    if address_id:
        building = Building.objects.select_related("organization").filter(code=address_id).first()
        if building is None:
            raise Open311Error(400, _("没有这个楼栋编码：%(c)s") % {"c": address_id})
        community = public_services.community_of(building.organization)
        if community is None:
            raise Open311Error(400, _("这个楼栋不在本区的社区内。"))
        return community, building.organization
    raise Open311Error(
        400, _("请用 attribute[community]（社区编码）或 address_id（楼栋编码）说明地点。")
    )


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "；".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return "；".join(exc.messages)


def post_request(request: HttpRequest) -> dict[str, Any]:
    data = request.POST
    key = (data.get("api_key") or "").strip()
    if key:
        token = ApiToken.lookup(key)
        if token is None:
            raise Open311Error(403, _("api_key 无效或已过期。"))
    elif not anonymous_allowed():
        raise Open311Error(403, _("本区要求其他系统提交时带 api_key。"))
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("请提供 service_code。"))
    category = _problem_category(code)
    if category is None and not Service.objects.filter(code=code, is_active=True).exists():
        raise Open311Error(404, _("没有这个服务编码：%(c)s") % {"c": code})
    # Checked for every request, orders too: a bad coordinate is refused, never dropped.
    latitude = _coordinate(data.get("lat"), "lat", 90)
    longitude = _coordinate(data.get("long"), "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, _("lat 和 long 要一起提供。"))
    community, organization = _where(data)
    client = ratelimit.client_ip(request)
    phone = (data.get("phone") or "").strip()
    name = " ".join(x for x in (data.get("first_name", ""), data.get("last_name", "")) if x)
    name = (data.get("attribute[name]") or name).strip()
    description = (data.get("description") or "").strip()
    address = (data.get("address_string") or "").strip()
    if category is not None:
        if not public_services.report_allowed(address=client, phone=phone):
            raise Open311Error(429, _("提交太频繁，请稍后再试。"))
        title, _nl, rest = description.partition("\n")
        try:
            problem = public_services.problem_report(
                organization=organization,
                category=category,
                title=title[:60] if len(title) > 60 else title,
                description=(description if len(title) > 60 else rest),
                address=address,
                name=name,
                phone=phone,
                client=client,
                source=ProblemSource.OPEN311,
                latitude=latitude,
                longitude=longitude,
            )
        except ValidationError as exc:
            raise Open311Error(400, _errors(exc)) from None
        return {
            "token": str(problem.token),
            "service_notice": _("已收到，审核后在问题墙公开。"),
        }
    try:
        order = order_services.create_public_order(
            community=community,
            name=name,
            phone=phone,
            address=address,
            content=description,
            service=code,
            client_ip=client,
        )
    except order_services.OrderThrottled as exc:
        raise Open311Error(429, str(exc) or _("提交太频繁，请稍后再试。")) from None
    except ValidationError as exc:
        raise Open311Error(400, _errors(exc)) from None
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from None
    return {
        "service_request_id": f"{ORDER_PREFIX}{order.code}",
        "service_notice": _("已收到点单，社区将派单办理。"),
    }


def _coordinate(raw: Any, name: str, limit: int) -> Any:
    """A WGS-84 latitude (``limit`` 90) or longitude (180) to six places; 400 for text,
    ``NaN``/``Infinity`` or a value out of range."""
    from decimal import Decimal, InvalidOperation

    raw = str(raw if raw is not None else "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw[:40])
        if not value.is_finite():
            raise InvalidOperation
        value = value.quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise Open311Error(400, _("%(n)s 应为数字（WGS-84 经纬度）。") % {"n": name}) from None
    if not (-limit <= value <= limit):
        raise Open311Error(400, _("%(n)s 超出范围（-%(l)s 到 %(l)s）。") % {"n": name, "l": limit})
    return value


# --- views ----------------------------------------------------------------------------------


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(400, _("格式只能是 json 或 xml。"))
    return fmt


class Open311View(View):
    """Every Open311 path answers errors in the standard's own format."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = kwargs.get("fmt", "json")
        try:
            _fmt(fmt)
            return super().dispatch(request, *args, **kwargs)
        except Open311Error as exc:
            return error("xml" if fmt == "xml" else "json", exc.code, exc.description)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any):
        raise Open311Error(405, _("不支持这个请求方法。"))


class DiscoveryView(Open311View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        base = public_url(reverse("open311:services", args=["json"])).rsplit("/", 1)[0] + "/"
        data = {
            "changeset": "2026-12-01T00:00:00+08:00",
            "contact": _("先锋平台管理员"),
            "key_service": _("向区委组织部申请接口令牌（api_key）"),
            "endpoints": [
                {
                    "specification": SPEC,
                    "url": base,
                    "changeset": "2026-12-01T00:00:00+08:00",
                    "type": "production",
                    "formats": ["application/json", "text/xml"],
                }
            ],
        }
        return render(data, fmt, root="discovery")


def cached_service_list() -> list[dict[str, Any]]:
    """``service_list`` from the cache under the menu's version (any change to a service
    replaces it) and the language (its labels)."""
    key = f"open311:services:{get_language()}:{menucache.menu_version()}"
    data = cache.get(key)
    if data is None:
        data = service_list()
        cache.set(key, data, menucache.MENU_TTL)
    return data


def cached_request_list(params: Any) -> list[dict[str, Any]]:
    """``request_list`` from the cache under the version of its community (``jurisdiction_id``;
    the district's version without one): a change to a problem, echo entry or order of one
    community leaves the other communities' cached lists alone. Keyed also by the language and
    the parameters as given."""
    community = jurisdiction(params)
    version = wallcache.requests_version(community.pk if community is not None else None)
    asked = urlencode(sorted((k, v) for k in params for v in params.getlist(k)))
    digest = hashlib.sha256(asked.encode()).hexdigest()[:32]
    where = community.pk if community is not None else "all"
    key = f"open311:requests:{get_language()}:{where}:{version}:{digest}"
    data = cache.get(key)
    if data is None:
        data = request_list(params, community)
        cache.set(key, data, wallcache.REQUESTS_TTL)
    return data


def cached_service_definition(code: str) -> dict[str, Any]:
    """``service_definition`` from the cache under the menu's version (a service or an
    organization saved replaces it: the definition lists the communities)."""
    key = f"open311:definition:{get_language()}:{menucache.menu_version()}:"
    key += hashlib.sha256(code.encode()).hexdigest()[:32]
    data = cache.get(key)
    if data is None:
        data = service_definition(code)  # an unknown code raises: errors are not cached
        cache.set(key, data, menucache.MENU_TTL)
    return data


class ServicesView(Open311View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        return render(cached_service_list(), fmt, root="services", item="service")


class ServiceDefinitionView(Open311View):
    def get(self, request: HttpRequest, code: str, fmt: str) -> HttpResponse:
        return render(cached_service_definition(code), fmt, root="service_definition")


@method_decorator(csrf_exempt, name="dispatch")
class RequestsView(Open311View):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        data = cached_request_list(request.GET)
        return render(data, fmt, root="service_requests", item="request")

    def post(self, request: HttpRequest, fmt: str) -> HttpResponse:
        # 200, not 201: the standard's text names no success status, and its swagger
        # (open311/open311.github.io data/georeport_v2-1.yaml, ../shared/open311-schema) gives
        # the POST one answer, 200. Clients written against 200-answering cities (Bloomington)
        # once accepted nothing else, while FixMyStreet's client takes any 2xx.
        answer = post_request(request)
        return render([answer], fmt, root="service_requests", item="request", status=200)


class RequestView(Open311View):
    def get(self, request: HttpRequest, rid: str, fmt: str) -> HttpResponse:
        found = request_by_id(rid, jurisdiction(request.GET))
        return render([found], fmt, root="service_requests", item="request")


class TokenView(Open311View):
    def get(self, request: HttpRequest, token: str, fmt: str) -> HttpResponse:
        return render([token_status(token)], fmt, root="service_requests", item="request")
