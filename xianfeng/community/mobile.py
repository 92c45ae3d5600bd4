"""Mobile members (流动党员): the twenty-townsmen goal (一名流动党员结对20名老乡; configurable,
nothing capped) with contacts per month, and the 流动党员之家's services to them (job
referrals, rights protection, training), which the flow-out branch sees."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.community.choices import MobileServiceKind, PairingState
from xianfeng.community.models import MobileService, Townsman, TownsmanContact
from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.choices import CaseKind, CaseState, MemberKind, MemberStatus
from xianfeng.people.models import MemberCase, PartyMember
from xianfeng.people.selectors import PICKER_ROWS, name_search

if TYPE_CHECKING:
    from xianfeng.core.models import User


def townsmen_goal() -> int:
    """How many townsmen each mobile member pairs with (``XIANFENG_TOWNSMEN_GOAL``, 20 by
    default): a goal, not a cap."""
    return settings.XIANFENG_TOWNSMEN_GOAL


def townsmen_progress(member: PartyMember, *, today: date | None = None) -> dict[str, Any]:
    """Paired townsmen against the goal (beyond it counted, never capped) and this month's
    contacts."""
    today = today or timezone.localdate()
    goal = townsmen_goal()
    paired = Townsman.objects.filter(member=member, state=PairingState.ACTIVE).count()
    contacts = TownsmanContact.objects.filter(
        member=member, contacted_at__year=today.year, contacted_at__month=today.month
    ).count()
    return {
        "goal": goal,
        "paired": paired,
        "left": max(goal - paired, 0),
        "beyond": max(paired - goal, 0),
        "percent": min(100, round(paired * 100 / goal)) if goal else 100,
        "contacts_this_month": contacts,
    }


def contacts_per_month(member: PartyMember, months: int = 6) -> list[dict[str, Any]]:
    """The member's contacts with townsmen per month, the last ``months`` months with any."""
    rows = (
        TownsmanContact.objects.filter(member=member)
        .annotate(month=TruncMonth("contacted_at"))
        .values("month")
        .annotate(count=Count("id"))
        .order_by("-month")[:months]
    )
    return [{"month": r["month"], "count": r["count"]} for r in rows]


def _count(qs: QuerySet) -> Subquery:
    """A per-member count as a subquery (joins would multiply townsmen by contacts)."""
    return Coalesce(
        Subquery(qs.order_by().values("member").annotate(n=Count("id")).values("n")),
        Value(0),
        output_field=IntegerField(),
    )


def mobile_members(user: Any) -> QuerySet:
    """The mobile members the user tracks or serves: mobile and in the user's scope (the
    flow-out branch), or received by a home in scope through an active flow case (their branch
    may lie anywhere), neither transferred out nor deceased. Read through ``restrict`` on the
    members and on the cases alike."""
    mobile = (
        Q(kind=MemberKind.MOBILE)
        | Q(status=MemberStatus.MOBILE)
        | Q(branch__kind__in=[OrgKind.MOBILE, OrgKind.MOBILE_HOME])
    )
    own = PartyMember.objects.restrict(user).filter(mobile).values("pk")
    received = (
        MemberCase.objects.restrict(user)
        .filter(kind__in=[CaseKind.FLOW_OUT, CaseKind.FLOW_IN], state=CaseState.ACTIVE)
        .values("member_id")
    )
    return PartyMember.objects.filter(Q(pk__in=own) | Q(pk__in=received)).exclude(
        status__in=[MemberStatus.TRANSFERRED_OUT, MemberStatus.DECEASED]
    )


def service_member_choices(user: Any, q: str = "", chosen: str = "") -> dict[str, Any]:
    """The service form's picker (search as you type, the people app's picker rows): the
    mobile members the user's homes serve (:func:`mobile_members`, the list the form and the
    API accept), found by name, pinyin, initials or a whole ID or mobile number; at most
    ``PICKER_ROWS`` by name and how many more a longer search would narrow down, never a
    silent cap. The member already chosen (a form shown again) stays first and ticked."""
    qs = (
        mobile_members(user)
        .select_related("person", "branch")
        .order_by("person__name_pinyin", "pk")
    )
    if q:
        qs = qs.filter(name_search(q, "person__"))
    rows = list(qs[: PICKER_ROWS + 1])
    more = qs.count() - PICKER_ROWS if len(rows) > PICKER_ROWS else 0
    rows = rows[:PICKER_ROWS]
    chosen = str(chosen or "").strip()
    if chosen.isdigit() and all(str(m.pk) != chosen for m in rows):
        kept = mobile_members(user).select_related("person", "branch").filter(pk=chosen).first()
        if kept is not None:
            rows.insert(0, kept)
    return {"members": rows, "more": more, "q": q, "chosen": chosen}


def service_member(user: Any, pk: Any) -> PartyMember:
    """The member a service is recorded for, picked on the page or named in the API: one of
    :func:`mobile_members`; anyone else is refused in Chinese, the same for missing and not
    yours."""
    found = (
        mobile_members(user).select_related("person", "branch").filter(pk=pk).first()
        if str(pk or "").strip().isdigit()
        else None
    )
    if found is None:
        raise ValidationError({"member": _("请从名单中选择本流动党员之家服务的流动党员。")})
    return found


def mobile_members_progress(user: Any, *, today: date | None = None) -> QuerySet:
    """The mobile members a 流动党员之家 or a flow-out branch tracks, each with the townsmen
    paired (``paired``), this month's contacts (``contacts_this_month``) and the home's
    services (``home_services``); those furthest from the goal first. A member counts when they are
    mobile and in the user's scope, or received by a home in scope (an active flow case), so
    the home and the branch the member left both see them (一方隶属、双重管理)."""
    today = today or timezone.localdate()
    month = TownsmanContact.objects.filter(
        member=OuterRef("pk"), contacted_at__year=today.year, contacted_at__month=today.month
    )
    return (
        mobile_members(user)
        .annotate(
            paired=_count(
                Townsman.objects.filter(member=OuterRef("pk"), state=PairingState.ACTIVE)
            ),
            contacts_this_month=_count(month),
            home_services=_count(MobileService.objects.filter(member=OuterRef("pk"))),
        )
        .select_related("person", "branch")
        .order_by("paired", "branch__path", "pk")
    )


def _home_for(actor: User, member: PartyMember, home: Organization | None) -> Organization:
    if home is None or home.kind not in (OrgKind.MOBILE_HOME, OrgKind.MOBILE):
        raise ValidationError({"home": _("请选择登记服务的流动党员之家。")})
    if not org_in_scope(user=actor, org=home, model=MobileService, action=Action.ADD):
        raise PermissionDenied(_("只有流动党员之家的管理人员可以登记服务。"))
    received = MemberCase.objects.filter(
        member=member,
        organization=home,
        kind__in=[CaseKind.FLOW_OUT, CaseKind.FLOW_IN],
        state=CaseState.ACTIVE,
    ).exists()
    if not received and not member.branch.path.startswith(home.path):
        raise ValidationError({"member": _("该党员不是本流动党员之家服务的流动党员。")})
    return home


@transaction.atomic
def mobile_service_record(
    *,
    actor: User,
    member: PartyMember,
    home: Organization | None,
    kind: str,
    served_on: date,
    content: str,
) -> MobileService:
    """The 流动党员之家 records a service to a mobile member it receives."""
    home = _home_for(actor, member, home)
    errors: dict[str, list[str]] = {}
    if kind not in MobileServiceKind.values:
        errors.setdefault("kind", []).append(_("请选择服务类型。"))
    if served_on > timezone.localdate():
        errors.setdefault("served_on", []).append(_("服务日期不能晚于今天。"))
    if not (content or "").strip():
        errors.setdefault("content", []).append(_("请填写服务内容。"))
    if errors:
        raise ValidationError(errors)
    service = MobileService(
        member=member,
        organization=home,
        kind=kind,
        served_on=served_on,
        content=content.strip(),
        recorded_by=actor,
    )
    save_with_history(instance=service, actor=actor, reason=_("流动党员之家服务"))
    write_ledger(service, "mobile.service", actor=actor, member=member, note=content.strip()[:200])
    return service


def mobile_services(user: Any, *, member: PartyMember | None = None) -> QuerySet:
    """Services to mobile members the user sees: the home that gave them, and the flow-out
    branch of the member (一方隶属、双重管理)."""
    qs = MobileService.objects.restrict(user).select_related("member__person", "organization")
    if member is not None:
        qs = qs.filter(member=member)
    return qs.order_by("-served_on", "-id")
