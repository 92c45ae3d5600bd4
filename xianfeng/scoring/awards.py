"""评优评先征求社区意见 (seed 002: "推行驻区单位党组织和党员评优评先征求街道社区党组织意见制度"):
services and selectors. A resident unit asks the community where it (or its in-service member)
serves for its opinion on an award candidacy; the community answers through the workflow
(``award_workflows``); both the request and the answer are duty records. The opinions show on
the list and detail pages, in the unit's 述职评议 and in the member's annual file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import PATH_STEP, Organization
from xianfeng.people.models import PartyMember, ServicePlace
from xianfeng.scoring.award_models import AwardOpinion
from xianfeng.scoring.choices import AwardOpinionState

if TYPE_CHECKING:
    from xianfeng.core.models import User

MAX_AWARD = 60
MAX_TEXT = 500


def may_request(user: User) -> bool:
    """Whether the user speaks for some resident unit (the list page shows the form)."""
    return units_for(user).exists()


def units_for(user: User) -> QuerySet[Organization]:
    """The resident units the user may ask for (their own unit, or those under an admin)."""
    units = Organization.objects.restrict(user).filter(kind=OrgKind.RESIDENT_UNIT)
    ids = [
        u.pk
        for u in units.only("pk", "path")
        if org_in_scope(user=user, org=u, model=AwardOpinion, action=Action.ADD)
    ]
    return Organization.objects.filter(pk__in=ids).order_by("name")


def communities_for(user: User, units: list[Organization] | None = None) -> QuerySet[Organization]:
    """The communities the user may ask, in their scope: those their roles reach
    (``restrict``) and, for each resident unit they speak for (``units_for``), the communities
    of the street where the unit stands (属地) and those its members reported to (报到). A
    liaison's own scope is the unit alone, so the unit's place widens it to where the unit
    and its members serve; never to another street's communities they have no tie to."""
    units = list(units_for(user)) if units is None else units
    condition = Q(pk__in=Organization.objects.restrict(user).filter(kind=OrgKind.COMMUNITY))
    for unit in units:
        street = unit.path[: -(PATH_STEP + 1)] if unit.parent_id else unit.path
        condition |= Q(path__startswith=street)
        condition |= Q(
            pk__in=ServicePlace.objects.filter(member__branch__path__startswith=unit.path).values(
                "community_id"
            )
        )
    return Organization.objects.filter(condition, kind=OrgKind.COMMUNITY).order_by("path")


@transaction.atomic
def opinion_request(
    *,
    actor: User,
    unit: Organization | None,
    community: Organization | None,
    award: str,
    year: int | None,
    member: PartyMember | None = None,
    reason: str = "",
) -> AwardOpinion:
    """The unit asks the community; refused in Chinese when the unit is not the actor's, the
    community is not a community, the member is not the unit's or never reported there, or
    the same candidacy was already asked."""
    errors: dict[str, list[str]] = {}
    if unit is None or unit.kind != OrgKind.RESIDENT_UNIT:
        errors.setdefault("unit", []).append(_("请选择驻区单位。"))
    elif not org_in_scope(user=actor, org=unit, model=AwardOpinion, action=Action.ADD):
        raise PermissionDenied(_("只有驻区单位的联络人或上级管理员可以发起评优评先征求意见。"))
    if community is None or community.kind != OrgKind.COMMUNITY:
        errors.setdefault("community", []).append(_("请选择征求意见的社区。"))
    elif (
        not communities_for(actor, [unit] if unit is not None else [])
        .filter(pk=community.pk)
        .exists()
    ):
        errors.setdefault("community", []).append(
            _("所选社区不在您的管辖范围内：只能征求本单位所在街道、本单位党员报到的社区的意见。")
        )
    award = str(award or "").strip()
    if not award:
        errors.setdefault("award", []).append(_("请填写评选项目，例如“优秀共产党员”。"))
    elif len(award) > MAX_AWARD:
        errors.setdefault("award", []).append(_("请不超过%(n)d个字。") % {"n": MAX_AWARD})
    this_year = timezone.localdate().year
    if year is None or not (this_year - 1 <= int(year) <= this_year + 1):
        errors.setdefault("year", []).append(
            _("年度请填%(a)d至%(b)d年。") % {"a": this_year - 1, "b": this_year + 1}
        )
    reason = str(reason or "").strip()
    if len(reason) > MAX_TEXT:
        errors.setdefault("reason", []).append(_("请不超过%(n)d个字。") % {"n": MAX_TEXT})
    if member is not None and unit is not None and not errors.get("unit"):
        if not (member.branch_id and member.branch.path.startswith(unit.path)):
            errors.setdefault("member", []).append(_("该党员不是本单位的党员。"))
        elif community is not None and not (
            ServicePlace.objects.filter(member=member, community=community).exists()
        ):
            errors.setdefault("member", []).append(_("该党员没有在这个社区报到，不能征求意见。"))
    if errors:
        raise ValidationError(errors)
    twice = AwardOpinion.objects.filter(
        organization=unit, community=community, award=award, year=year, member=member
    ).exists()
    if twice:
        message = _("已就这一评选项目征求过该社区的意见。")
        raise ValidationError({"award": ValidationError(message, code="unique")})
    obj = AwardOpinion(
        organization=unit,
        community=community,
        member=member,
        award=award,
        year=int(year),
        reason=reason,
        requested_by=actor,
    )
    save_with_history(instance=obj, actor=actor, reason=_("评优评先征求社区党组织意见"))
    write_ledger(obj, "award_opinion.request", actor=actor, note=str(obj))
    return obj


def opinions(user: User, *, state: str = "", year: int | None = None) -> QuerySet[AwardOpinion]:
    """The one list (page and API): the consultations the user sees, newest first."""
    qs = AwardOpinion.objects.restrict(user).select_related(
        "organization", "community", "member__person"
    )
    if state in AwardOpinionState.values:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-requested_at", "-pk")


def opinions_by_unit(
    user: User, unit_ids: list[int], years: set[int]
) -> dict[tuple[int, int], list[Any]]:
    """(unit id, year) -> the unit's consultations the user sees, for the 述职评议 rows (one
    query)."""
    out: dict[tuple[int, int], list[Any]] = {}
    rows = (
        AwardOpinion.objects.restrict(user)
        .filter(organization_id__in=unit_ids, year__in=years)
        .select_related("community", "member__person")
    )
    for obj in rows.order_by("year", "pk"):
        out.setdefault((obj.organization_id, obj.year), []).append(obj)
    return out


def member_opinions(member: PartyMember, year: int) -> list[AwardOpinion]:
    """The member's consultations of the year, for the annual member file (its reader was
    checked by ``memberfile.check_read``, as for the file's points and stars)."""
    return list(
        AwardOpinion.objects.filter(member=member, year=year)
        .select_related("community", "organization")
        .order_by("pk")
    )
