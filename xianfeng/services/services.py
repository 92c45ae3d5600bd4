"""Writes of services: the three lists (三张清单) and orders — created by a resident (群众点单,
no account), by staff for a resident (代办) or from a visit's "群众有诉求，需办理"; the order's
later steps are its workflow (``xianfeng.services.workflows``), taken with
``xianfeng.core.workflow.take``; the resident's rating goes through :func:`order_rate` (the
signed link or the short code, checked here first).

``create_public_order`` is the one entry for a resident's order from any channel (the public
page, Open311 POST): keep its signature stable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.validators import mask_phone, validate_phone
from xianfeng.core.workflow import take, write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community
from xianfeng.places.models import Building, normalize_address
from xianfeng.services.choices import OrderSource, OrderState
from xianfeng.services.models import ContactAccess, CoProject, Order, Resource, Service

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.visits.models import Visit

#: Hours to serve an order told in the resident's own words (a service sets its own).
DEFAULT_HOURS = 72
#: Limits of the public order form (count, seconds): per client address, per phone, per
#: postal address. Counted in the shared cache (Redis in production).
LIMITS = {"ip": (10, 3600), "phone": (5, 86400), "address": (8, 86400)}
MAX_CONTENT = 1000
MAX_NAME = 30
MAX_ADDRESS = 120
#: The rating link and the short code work this many days after the order was made.
RATING_DAYS = 60
RATING_SALT = "xianfeng.services.order-rating"


class OrderThrottled(PermissionDenied):
    """Too many orders from this client, phone or address: 429."""


class RatingLinkInvalid(PermissionDenied):
    """A forged, broken or expired rating link or code: its Chinese message says which."""


# ---------------------------------------------------------------------------------------------
# The three lists


def _require_scope(actor: User, org: Organization, model: type, action: str) -> None:
    if not org_in_scope(user=actor, org=org, model=model, action=action):
        raise ValidationError(
            {"organization": _("所选组织不在您的管辖范围内，或您无权在其下操作。")}
        )


_LIST_FIELDS = {
    Service: (
        "code",
        "title",
        "description",
        "available",
        "time_limit_hours",
        "is_active",
        "provider_name_public",
    ),
    Resource: ("kind", "title", "owner_name", "address", "hours", "booking", "is_active"),
    CoProject: ("title", "description", "partners", "status", "is_active"),
}
_LIST_LEDGER = {
    Service: "service.publish",
    Resource: "resource.publish",
    CoProject: "coproject.publish",
}


@transaction.atomic
def list_item_save(
    *,
    actor: User,
    model: type[Service | Resource | CoProject],
    organization: Organization,
    values: dict[str, Any],
    instance: Service | Resource | CoProject | None = None,
    provider_member: Any = None,
    work_project: Any = None,
) -> Service | Resource | CoProject:
    """Add or change one line of a list (服务/资源/项目清单) at an organization in the actor's
    scope; a new line writes its publish kind to the ledger."""
    creating = instance is None
    _require_scope(actor, organization, model, Action.ADD if creating else Action.CHANGE)
    obj = instance or model()
    obj.organization = organization
    for field in _LIST_FIELDS[model]:
        if field in values:
            value = values[field]
            setattr(obj, field, value.strip() if isinstance(value, str) else value)
    if model is Service:
        obj.provider_member = provider_member
    if model is CoProject:
        obj.work_project = work_project
    save_with_history(instance=obj, actor=actor, reason=_("新增") if creating else _("修改"))
    if creating:
        write_ledger(obj, _LIST_LEDGER[model], actor=actor, member=None, note=obj.title)
    return obj


# ---------------------------------------------------------------------------------------------
# Orders


def communities() -> Any:
    """The district's communities, for the public pages' community choice."""
    return Organization.objects.filter(kind=OrgKind.COMMUNITY).order_by("path")


def _community(value: Any) -> Organization:
    if isinstance(value, Organization):
        found = value if value.kind == OrgKind.COMMUNITY else None
    else:
        found = public_community(value)
    if found is None:
        raise ValidationError(
            {"community": _("请选择本区的一个社区（其他地区的诉求请向当地社区反映）。")}
        )
    return found


def match_building(community: Organization, address: str) -> Building | None:
    """The community's building whose address begins the given address (the longest such),
    so that 幸福里3栋2单元301 finds 幸福里3栋."""
    norm = normalize_address(address)
    if not norm:
        return None
    return (
        Building.objects.filter(organization__path__startswith=community.path)
        .exclude(address_normalized="")
        .annotate(given=Value(norm))
        .filter(given__startswith=F("address_normalized"))
        .order_by(Length("address_normalized").desc(), "pk")
        .first()
    )


def _clean_text(
    errors: dict[str, list[str]], field: str, value: Any, *, limit: int, required: str
) -> str:
    text = str(value or "").strip()
    if not text and required:
        errors[field] = [required]
    elif len(text) > limit:
        errors[field] = [_("请不超过%(n)d个字（现有%(m)d个）。") % {"n": limit, "m": len(text)}]
    return text


@dataclass(frozen=True)
class OrderInput:
    """A resident's order as checked: what, who, where."""

    community: Organization
    service: Service | None
    content: str
    name: str
    phone: str
    address: str


def check_order_input(
    *,
    community: Any,
    name: Any,
    phone: Any,
    address: Any,
    content: Any = "",
    service: Any = None,
    phone_required: bool = True,
) -> OrderInput:
    """Validate a resident's order (every error at once, in Chinese): a community of the
    district, a service of its menu or the request in their own words, name, phone, address."""
    errors: dict[str, list[str]] = {}
    found: Organization | None = None
    try:
        found = _community(community)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen: Service | None = None
    if service not in (None, ""):
        if isinstance(service, Service):
            chosen = service
        else:
            raw = str(service).strip()
            lookup = {"pk": int(raw)} if raw.isdigit() else {"code": raw}
            chosen = Service.objects.filter(is_active=True, **lookup).first()
        if chosen is None or not chosen.is_active:
            errors["service"] = [_("所选服务不存在或已下架，请重新选择，或直接写下您的诉求。")]
            chosen = None
        elif found is not None and not (
            found.path.startswith(chosen.organization.path)
            or chosen.organization.path.startswith(found.path)
        ):
            errors["service"] = [_("所选服务不是这个社区的服务清单中的项目。")]
    text = _clean_text(
        errors,
        "content",
        content,
        limit=MAX_CONTENT,
        required="" if chosen else _("请写下您需要办理的事情，或从服务清单中选择一项。"),
    )
    who = _clean_text(errors, "name", name, limit=MAX_NAME, required=_("请填写您的称呼。"))
    where = _clean_text(
        errors,
        "address",
        address,
        limit=MAX_ADDRESS,
        required=_("请填写地址（小区、楼栋、门牌）。"),
    )
    number = str(phone or "").strip().replace(" ", "")
    if number or phone_required:
        try:
            validate_phone(number)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    assert found is not None
    return OrderInput(found, chosen, text, who, number, where)


def _throttle(*, ip: str, checked: OrderInput) -> None:
    subjects = {
        f"ip:{ip}": LIMITS["ip"],
        f"address:{normalize_address(checked.address)}": LIMITS["address"],
    }
    if checked.phone:
        subjects[f"phone:{checked.phone}"] = LIMITS["phone"]
    if not ratelimit.allow("services.order", subjects):
        raise OrderThrottled(
            _(
                "提交太频繁了：同一手机号、地址或网络在短时间内的点单已达上限，请稍后再试或拨打社区电话。"
            )
        )


def _save_order(
    *,
    actor: User | None,
    checked: OrderInput,
    source: str,
    building: Building | None = None,
    household: Any = None,
    visit: Visit | None = None,
    organization: Organization | None = None,
) -> Order:
    building = building or match_building(checked.community, checked.address)
    hours = checked.service.time_limit_hours if checked.service else DEFAULT_HOURS
    order = Order(
        community=checked.community,
        organization=building.organization if building else organization or checked.community,
        service=checked.service,
        source=source,
        content=checked.content,
        name=checked.name,
        phone=checked.phone,
        address=checked.address,
        building=building,
        household=household,
        visit=visit,
        deadline=timezone.now() + timedelta(hours=hours),
        created_by=actor,
    )
    save_with_history(instance=order, actor=actor, reason=str(OrderSource(source).label))
    kind = "order.proxy" if source == OrderSource.PROXY else "order.create"
    write_ledger(order, kind, actor=actor, member=None, note=order.summary)
    return order


@transaction.atomic
def create_public_order(
    *,
    community: Any,
    name: str,
    phone: str,
    address: str,
    content: str = "",
    service: Any = None,
    client_ip: str = "",
    throttle: bool = True,
) -> Order:
    """群众点单: a resident's order, no account. ``community`` is a community of the district
    (an Organization or its id); ``service`` a Service, its id or its code (Open311
    ``service_code``), or nothing for a request in the resident's own words (``content``).
    Raises ``ValidationError`` (field → Chinese messages) on bad input and
    :class:`OrderThrottled` past the limits per client address, phone and postal address
    (``client_ip`` is the caller's ``ratelimit.client_ip(request)``). ``throttle=False`` is for
    the demo district only, which places its residents' orders again after a test emptied the
    tables, in a process whose cache still counts the first ones."""
    checked = check_order_input(
        community=community,
        name=name,
        phone=phone,
        address=address,
        content=content,
        service=service,
    )
    if throttle:
        _throttle(ip=client_ip or "unknown", checked=checked)
    source = OrderSource.MENU if checked.service else OrderSource.OWN_WORDS
    return _save_order(actor=None, checked=checked, source=source)


@transaction.atomic
def order_create_proxy(
    *,
    actor: User,
    community: Any,
    name: str,
    phone: str,
    address: str,
    content: str = "",
    service: Any = None,
) -> Order:
    """代办: staff or a member enters an order for a resident (an elderly one without a phone
    of their own may give a family member's or none)."""
    checked = check_order_input(
        community=community,
        name=name,
        phone=phone,
        address=address,
        content=content,
        service=service,
        phone_required=False,
    )
    building = match_building(checked.community, checked.address)
    if not _works_in(actor, checked.community):
        raise PermissionDenied(_("只能为您所在社区（或管辖范围内）的群众代办点单。"))
    place = None
    if building is None and not org_in_scope(
        user=actor, org=checked.community, model=Order, action=Action.VIEW
    ):
        # A branch's member or secretary: the order is theirs to follow, and the community's.
        from xianfeng.core.scope import active_roles

        inside = [r for r in active_roles(actor) if r.path.startswith(checked.community.path)]
        place = Organization.objects.get(pk=inside[0].organization_id)
    return _save_order(
        actor=actor,
        checked=checked,
        source=OrderSource.PROXY,
        building=building,
        organization=place,
    )


def _works_in(actor: User, community: Organization) -> bool:
    """The actor may enter orders at the community: it is in their scope, or one of their
    roles that may add orders lies inside it (a member or secretary of one of its branches)."""
    from xianfeng.core.scope import active_roles, allowed_role_kinds

    if org_in_scope(user=actor, org=community, model=Order, action=Action.ADD):
        return True
    kinds = allowed_role_kinds(Order, Action.ADD)
    return any(r.kind in kinds and r.path.startswith(community.path) for r in active_roles(actor))


def order_from_visit(visit: Visit) -> Order | None:
    """A visit's "群众有诉求，需办理" opens an order linked to the visit, queued at the
    household's community."""
    community = visit.organization.community()
    if community is None:
        return None
    household = visit.household
    where = str(household) if household is not None else str(visit.building)
    text = (visit.suggestions or visit.findings or "").strip() or _("走访中群众提出的诉求")
    checked = OrderInput(
        community=community,
        service=None,
        content=text[:MAX_CONTENT],
        name=_("走访住户"),
        phone="",
        address=where[:MAX_ADDRESS],
    )
    return _save_order(
        actor=visit.recorded_by,
        checked=checked,
        source=OrderSource.VISIT,
        building=visit.building,
        household=household,
        visit=visit,
    )


# ---------------------------------------------------------------------------------------------
# The resident's contact details: shown in full only where needed, and every look logged


def mask_address(value: str) -> str:
    """An address with its door left out: the first third (at most six characters: the estate
    or street) kept, the rest starred, so that a reader knows the area and not the home."""
    value = (value or "").strip()
    if not value:
        return ""
    keep = min(6, len(value) // 3)
    return value[:keep] + "****"


def may_see_contact(user: User, order: Order) -> bool:
    """The member the order is dispatched to (to call and find the resident) and staff who
    may see full numbers in the order's scope (those who dispatch and enter orders for
    residents); not the auditor, not other members."""
    from xianfeng.people.members import member_of

    member = member_of(user)
    if member is not None and order.assignee_id == member.pk:
        return True
    return Order.objects.restrict(user, Action.VIEW_SENSITIVE).filter(pk=order.pk).exists()


def order_contact(*, user: User, order: Order, channel: str) -> dict[str, Any]:
    """The resident's phone and address as this user may see them. A full view is written to
    the contact log (who, whose, when, which way, which order) before it is shown; everyone
    else gets the masked values and no row."""
    if not may_see_contact(user, order):
        if (
            order.state == OrderState.NEW
            and not Order.objects.restrict(user, teams=False).filter(pk=order.pk).exists()
        ):
            # seen only as a team's leader who may claim it: neither the phone nor any part of
            # the address before the claim (the claim makes the leader the order's member)
            return {"phone": "", "address": "", "full": False, "hidden": True}
        return {
            "phone": mask_phone(order.phone or ""),
            "address": mask_address(order.address),
            "full": False,
        }
    contact_access_record(
        user=user,
        order=order,
        fields="phone,address" if order.phone else "address",
        channel=channel,
    )
    return {"phone": order.phone or "", "address": order.address, "full": True}


@transaction.atomic
def contact_access_record(*, user: User, order: Order, fields: str, channel: str) -> ContactAccess:
    """One look in the contact log: the first look of the local day by this user at this order
    by this way makes a row; each later one that day adds to its ``count`` and ``last_at``
    (in the database, so two looks at once both count). The only change a row ever takes."""
    now = timezone.now()
    key = {"user": user, "order": order, "channel": channel, "fields": fields}
    key["day"] = timezone.localdate(now)
    day_row = ContactAccess.objects.filter(**key)
    if day_row.update(count=F("count") + 1, last_at=now):
        return day_row.get()
    try:
        with transaction.atomic():
            return ContactAccess.objects.create(**key, last_at=now)
    except IntegrityError:  # another request made the day's row meanwhile: add to it
        day_row.update(count=F("count") + 1, last_at=now)
        return day_row.get()


# ---------------------------------------------------------------------------------------------
# The resident's rating


def rating_token(order: Order) -> str:
    """The signed part of the rating link given with the order."""
    return signing.dumps({"o": order.pk, "c": order.code}, salt=RATING_SALT)


def order_for_token(token: str) -> Order:
    """The order a rating link names; :class:`RatingLinkInvalid` when forged or expired."""
    try:
        data = signing.loads(token, salt=RATING_SALT, max_age=timedelta(days=RATING_DAYS))
    except signing.SignatureExpired:
        raise RatingLinkInvalid(
            _("评价链接已过期（点单%(n)d天内有效），如需反映情况请联系社区。") % {"n": RATING_DAYS}
        ) from None
    except signing.BadSignature:
        raise RatingLinkInvalid(_("评价链接无效，请核对链接是否完整，或输入点单号评价。")) from None
    order = (
        Order.objects.select_related("service").filter(pk=data.get("o"), code=data.get("c")).first()
    )
    if order is None:
        raise RatingLinkInvalid(_("评价链接无效，请核对链接是否完整，或输入点单号评价。"))
    return order


def order_for_code(code: str, phone_tail: str) -> Order:
    """The order a resident names by its short code and the last four digits of the phone
    they gave; the same refusal whether the code is unknown or the digits are wrong."""
    refusal = RatingLinkInvalid(_("点单号或手机号后四位不正确，请核对后再试。"))
    raw = str(code or "").strip().upper().replace(" ", "")
    tail = str(phone_tail or "").strip()
    if not raw or len(raw) > 12:
        raise refusal
    order = Order.objects.select_related("service").filter(code=raw).first()
    if order is None:
        raise refusal
    if order.phone and (len(tail) != 4 or not order.phone.endswith(tail)):
        raise refusal
    if order.created_at < timezone.now() - timedelta(days=RATING_DAYS):
        raise RatingLinkInvalid(
            _("这张点单已超过%(n)d天，不能再在线评价，如需反映情况请联系社区。")
            % {"n": RATING_DAYS}
        )
    return order


def order_rate(*, order: Order, rating: Any, comment: str = "") -> Order:
    """The resident confirms and rates (1–5 and a comment): once; a second rating is refused
    (409) by the workflow. ``order`` comes from :func:`order_for_token` or
    :func:`order_for_code`."""
    return take(order, "rate", actor=None, rating=rating, comment=comment)


# ---------------------------------------------------------------------------------------------
# Members who leave


def release_orders_of_absent_members() -> int:
    """Orders held by members no longer at their post (transferred out, lost contact,
    deceased) go back to the queue (the system step ``release``)."""
    from xianfeng.core.workflow import take_due
    from xianfeng.people.choices import MemberStatus

    gone = (MemberStatus.TRANSFERRED_OUT, MemberStatus.LOST_CONTACT, MemberStatus.DECEASED)
    held = Order.objects.filter(
        state__in=(OrderState.DISPATCHED, OrderState.ACCEPTED), assignee__status__in=gone
    ).select_related("organization", "assignee")
    return take_due(held.iterator(), "release", when=lambda o: o.assignee.status in gone)


def order_hours_record(*, actor: User, order: Order, hours: Any, member: Any = None) -> Any:
    """Hours after work (8小时外) for an order served: one confirmed service session of the
    member who served it (the team's leader for a team's order, or ``member``: another of the
    team who took part), in the order's community, named by the order's code. Taken inside the
    ``serve`` step; a second call for the same order and member (a re-served order) records
    nothing new and answers the stored session."""
    from xianfeng.community.choices import SessionSource, SessionState
    from xianfeng.community.hours import session_record
    from xianfeng.community.models import ServiceSession

    member = member or order.assignee
    if member is None:
        raise ValidationError({"hours": _("这个点单没有接单党员，不能登记服务时长。")})
    stored = (
        ServiceSession.objects.filter(
            member=member, source=SessionSource.ORDER, reference=order.code
        )
        .exclude(state=SessionState.REJECTED)
        .first()
    )
    if stored is not None:
        return stored
    note = _("群众点单%(code)s：%(what)s") % {"code": order.code, "what": order.summary}
    if order.team_id:
        note = _("%(note)s（%(team)s）") % {"note": note, "team": order.team.name}
    return session_record(
        actor=actor,
        member=member,
        community=order.community,
        source=SessionSource.ORDER,
        served_on=timezone.localdate(),
        hours=hours,
        content=note,
        reference=order.code,
    )
