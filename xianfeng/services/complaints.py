"""群众投诉 (a resident's complaint about how an order or a problem was handled): services and
selectors. A resident complains from the order's own page (the link given with it, or the
short code and the phone's last four digits: the same way they rate it), or staff record a
complaint received by phone (代录) about an order or a problem of the wall. The community
verifies it through the workflow (``ComplaintFlow``): 属实 writes one ``complaint.confirmed``
duty record against each member concerned — the point rules deduct for it and the
不合格党员 procedure opens on it (``scoring.conduct``) — and the resident sees the outcome on
the order's page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.scope import user_can
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.validators import validate_no_controls
from xianfeng.core.workflow import write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.services import selectors
from xianfeng.services.choices import ComplaintSource, ComplaintState, ComplaintSubject
from xianfeng.services.models import Complaint, Order

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_CONTENT = 500
MAX_NAME = 30
MAX_PHONE = 20
MAX_PROBLEM_CODE = 12
#: A resident's complaints (count, seconds): per client address and per order. An order
#: gets a few complaints a day at most; more is someone flooding the community's list.
LIMITS = {"ip": (5, 3600), "order": (3, 86400)}


class ComplaintThrottled(PermissionDenied):
    """Too many complaints from this client or on this order: 429."""


def _text(
    errors: dict[str, list[str]], field: str, value: Any, *, limit: int, required: str = ""
) -> str:
    text = str(value or "").strip()
    if not text:
        if required:
            errors.setdefault(field, []).append(required)
        return text
    if len(text) > limit:
        errors.setdefault(field, []).append(
            _("请不超过%(n)d个字（现有%(m)d个）。") % {"n": limit, "m": len(text)}
        )
        return text
    try:
        validate_no_controls(text)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
    return text


def order_members(order: Order) -> list[PartyMember]:
    """The members an order's complaint is about: the member it was dispatched to and, for a
    team's order, the team's members who took part in serving it (from the ledger)."""
    found: dict[int, PartyMember] = {}
    if order.assignee_id is not None:
        found[order.assignee_id] = order.assignee
    for member in selectors.order_participants(order):
        found.setdefault(member.pk, member)
    return list(found.values())


def _save(
    *,
    actor: User | None,
    organization: Organization,
    community: Organization,
    subject: str,
    source: str,
    content: str,
    members: list[PartyMember],
    order: Order | None = None,
    problem_code: str = "",
    name: str = "",
    phone: str = "",
) -> Complaint:
    complaint = Complaint(
        organization=organization,
        community=community,
        subject=subject,
        order=order,
        problem_code=problem_code,
        source=source,
        content=content,
        name=name,
        phone=phone,
        created_by=actor,
    )
    save_with_history(instance=complaint, actor=actor, reason=str(ComplaintSource(source).label))
    if members:
        complaint.members.set(members)
    write_ledger(complaint, "complaint.create", actor=actor, member=None, note=content[:500])
    return complaint


@transaction.atomic
def complaint_from_resident(
    *, order: Order, content: str, client_ip: str = "", throttle: bool = True
) -> Complaint:
    """The resident complains about how their order was handled, from its own page
    (``order`` comes from ``services.order_for_token`` or ``order_for_code``: it is theirs).
    Refused in Chinese when the text is empty or too long; :class:`ComplaintThrottled` past the
    limits per client address and per order."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, "content", content, limit=MAX_CONTENT, required=_("请写明投诉的内容。"))
    if errors:
        raise ValidationError(errors)
    if throttle and not ratelimit.allow(
        "services.complaint",
        {f"ip:{client_ip or 'unknown'}": LIMITS["ip"], f"order:{order.pk}": LIMITS["order"]},
    ):
        raise ComplaintThrottled(
            _("提交太频繁了：这张点单或同一网络的投诉已达上限，请稍后再试或拨打社区电话。")
        )
    return _save(
        actor=None,
        organization=order.organization,
        community=order.community,
        subject=ComplaintSubject.ORDER,
        source=ComplaintSource.RESIDENT,
        content=text,
        members=order_members(order),
        order=order,
        name=order.name,
    )


@transaction.atomic
def complaint_about_problem(
    *,
    organization: Organization,
    community: Organization,
    problem_code: str,
    members: list[PartyMember],
    content: str,
    name: str = "",
    client_ip: str = "",
    throttle: bool = True,
) -> Complaint:
    """The reporter of a problem of the wall complains about how it was handled, from the
    problem's own follow link. The problem wall lives in ``public`` (above this app), which
    checked the reporter's link and passes the problem's organization, community and code,
    and the members who handled it. Refused and throttled as :func:`complaint_from_resident`."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, "content", content, limit=MAX_CONTENT, required=_("请写明投诉的内容。"))
    if errors:
        raise ValidationError(errors)
    if throttle and not ratelimit.allow(
        "services.complaint",
        {
            f"ip:{client_ip or 'unknown'}": LIMITS["ip"],
            f"problem:{problem_code}": LIMITS["order"],
        },
    ):
        raise ComplaintThrottled(
            _("提交太频繁了：这个问题或同一网络的投诉已达上限，请稍后再试或拨打社区电话。")
        )
    return _save(
        actor=None,
        organization=organization,
        community=community,
        subject=ComplaintSubject.PROBLEM,
        source=ComplaintSource.RESIDENT,
        content=text,
        members=members,
        problem_code=problem_code[:MAX_PROBLEM_CODE],
        name=name[:MAX_NAME],
    )


def problem_complaints(problem_code: str) -> list[Complaint]:
    """The complaints on a problem of the wall, for its reporter's page (reached by the
    reporter's own link)."""
    if not problem_code:
        return []
    return list(
        Complaint.objects.filter(
            subject=ComplaintSubject.PROBLEM, problem_code=problem_code
        ).order_by("created_at", "pk")
    )


def _member_in_scope(actor: User, member: Any, errors: dict[str, list[str]]) -> Any:
    if member in (None, ""):
        return None
    pk = int(member) if str(member).strip().isdigit() and len(str(member)) < 18 else None
    found = (
        PartyMember.objects.restrict(actor, serving=True)
        .select_related("person", "branch")
        .filter(pk=pk)
        .first()
        if pk
        else None
    )
    if found is None:
        errors.setdefault("member", []).append(_("所选党员不存在或不在您的管辖范围内。"))
    return found


def record_communities(actor: User) -> QuerySet[Organization]:
    """The communities where the actor may record a complaint (the form's choices)."""
    return (
        Organization.objects.restrict(actor, Action.ADD, rules_of=Complaint)
        .filter(kind=OrgKind.COMMUNITY)
        .order_by("path")
    )


@transaction.atomic
def complaint_record(
    *,
    actor: User,
    subject: str,
    content: str,
    order_code: str = "",
    problem_code: str = "",
    community: Any = None,
    member: Any = None,
    name: str = "",
    phone: str = "",
) -> Complaint:
    """Staff record a complaint received by phone (代录): about an order (named by its code;
    its members are the ones complained about) or a problem of the wall (named by its code,
    in a community of the actor's scope, with the member picked if known). Refused in Chinese
    on a missing or wrong value; an order or community outside the actor's scope is refused
    as unknown."""
    errors: dict[str, list[str]] = {}
    text = _text(errors, "content", content, limit=MAX_CONTENT, required=_("请写明投诉的内容。"))
    name = _text(errors, "name", name, limit=MAX_NAME)
    phone = _text(errors, "phone", phone, limit=MAX_PHONE)
    picked = _member_in_scope(actor, member, errors)
    order = None
    place: Organization | None = None
    if subject == ComplaintSubject.ORDER:
        code = str(order_code or "").strip().upper().replace(" ", "")
        order = (
            Order.objects.restrict(actor, teams=False)
            .select_related("assignee__person", "organization", "community")
            .filter(code=code)
            .first()
            if code and len(code) <= 12
            else None
        )
        if order is None:
            errors.setdefault("order_code", []).append(
                _("没有这个点单号，或这张点单不在您的管辖范围内。")
            )
    elif subject == ComplaintSubject.PROBLEM:
        problem_code = _text(
            errors,
            "problem_code",
            problem_code,
            limit=MAX_PROBLEM_CODE,
            required=_("请填写问题墙上的问题编号。"),
        )
        pk = int(community) if str(community or "").strip().isdigit() else None
        place = record_communities(actor).filter(pk=pk).first() if pk else None
        if place is None:
            errors.setdefault("community", []).append(
                _("请选择问题所在的社区（须在您的管辖范围内）。")
            )
    else:
        errors.setdefault("subject", []).append(_("请选择投诉的是点单办理还是问题办理。"))
    if errors:
        raise ValidationError(errors)
    organization = order.organization if order is not None else place
    if not org_in_scope(user=actor, org=organization, model=Complaint, action=Action.ADD):
        raise PermissionDenied(_("只有社区的书记或管理员可以代录群众投诉。"))
    members = order_members(order) if order is not None else []
    if picked is not None and picked.pk not in {m.pk for m in members}:
        members.append(picked)
    return _save(
        actor=actor,
        organization=organization,
        community=order.community if order is not None else place,
        subject=subject,
        source=ComplaintSource.PHONE,
        content=text,
        members=members,
        order=order,
        problem_code=problem_code if order is None else "",
        name=name or (order.name if order is not None else ""),
        phone=phone,
    )


def complaints(user: User, *, state: str = "", order: int | None = None) -> QuerySet[Complaint]:
    """The one list of complaints (page and API), in the user's scope, newest first; the
    members named come in one more query, whatever the page's length."""
    qs = (
        Complaint.objects.restrict(user)
        .select_related("order", "community", "organization")
        .prefetch_related(
            Prefetch(
                "members", queryset=PartyMember.objects.select_related("person").order_by("pk")
            )
        )
    )
    if state in ComplaintState.values:
        qs = qs.filter(state=state)
    if order is not None:
        qs = qs.filter(order_id=order)
    return qs.order_by("-created_at", "-pk")


def order_complaints(order: Order) -> list[Complaint]:
    """The complaints on an order, for its own page (the resident sees each outcome). The
    order was reached by its signed link or code; these are its own rows."""
    return list(Complaint.objects.filter(order=order).order_by("created_at", "pk"))


def pending_count(user: User) -> int:
    """The home page's line for those who verify: complaints waiting in scope (no query for
    a role that never verifies)."""
    if not user_can(user, Action.CHANGE, Complaint):
        return 0
    return Complaint.objects.restrict(user).filter(state=ComplaintState.PENDING).count()
