"""Democratic evaluation of members (民主评议党员, 星级党员 by democratic evaluation): writes
and reads.

A round is held by an organization (a branch, a community) for a year. While it is open,
members of the organization (signed in) and residents (a one-time code, or a phone registered
in the organization, as the round chose; the meetings app's way of voting) each cast one
ballot, grading any of the round's members 优秀 / 合格 / 基本合格 / 不合格 (a member never grades
themselves). A second ballot from the same member, code or phone is refused by the database.
Counting (the round's ``close`` step) writes each member's result and feeds it into the year's
star rating: the stars become ``round((3 × index stars + 2 × evaluation stars) / 5)``, and a
member graded 不合格 on more than a third of the ballots that graded them gets one star."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.services import save_unique_with_history, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.meetings.choices import VoterProof
from xianfeng.meetings.votes import (
    CODE_ALPHABET,
    MAX_CODES,
    PER_ADDRESS,
    PER_VOTER,
    VoteThrottled,
    normalise_code,
)
from xianfeng.people.choices import MemberStatus
from xianfeng.people.members import member_of
from xianfeng.people.models import PartyMember
from xianfeng.scoring.choices import EvaluationState, Grade
from xianfeng.scoring.evaluation_workflows import organizer
from xianfeng.scoring.models import (
    EvaluationBallot,
    EvaluationCode,
    EvaluationMark,
    EvaluationResult,
    EvaluationRound,
    StarRating,
)

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization

__all__ = ["VoteThrottled"]

#: A round grades at most this many members on one ballot (hold rounds per branch above it).
MAX_MEMBERS = 200
#: Fewer votes on a member than this leave their stars as the index gave them.
MIN_VOTES = 3
GRADE_POINTS = {
    Grade.EXCELLENT: Decimal(100),
    Grade.COMPETENT: Decimal(80),
    Grade.BASIC: Decimal(60),
    Grade.POOR: Decimal(0),
}
GONE = (MemberStatus.TRANSFERRED_OUT, MemberStatus.DECEASED)


def _digest(kind: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"evaluation\x00{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


# --- rounds ----------


@transaction.atomic
def round_create(
    *,
    actor: User,
    organization: Organization,
    year: int,
    title: str,
    vote_starts: date,
    vote_ends: date,
    proof: str = VoterProof.CODE,
) -> EvaluationRound:
    """Prepare a round (筹备中); one per organization and year."""
    probe = EvaluationRound(organization=organization)
    refusal = organizer(probe, actor)
    if refusal:
        raise PermissionDenied(refusal)
    errors: dict[str, str] = {}
    this_year = timezone.localdate().year
    if not 2000 <= int(year or 0) <= this_year + 1:
        errors["year"] = _("评议年度不正确。")
    if not (title or "").strip():
        errors["title"] = _("请填写评议名称。")
    if proof not in VoterProof.values:
        errors["proof"] = _("请选择群众投票方式。")
    if vote_starts and vote_ends and vote_ends < vote_starts:
        errors["vote_ends"] = _("投票截止日期不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    round_ = EvaluationRound(
        organization=organization,
        year=int(year),
        title=title.strip()[:120],
        vote_starts=vote_starts,
        vote_ends=vote_ends,
        proof=proof,
        created_by=actor,
    )
    save_unique_with_history(instance=round_, actor=actor, reason=_("发起民主评议"))
    write_ledger(round_, "evaluation.create", actor=actor, note=round_.title)
    return round_


def round_members(round_: EvaluationRound) -> QuerySet[PartyMember]:
    """The members the round evaluates: those under its organization, not transferred out."""
    return (
        PartyMember.objects.filter(branch__path__startswith=round_.organization.path)
        .exclude(status__in=GONE)
        .select_related("person", "branch")
        .order_by("branch__path", "pk")
    )


def check_openable(round_: EvaluationRound) -> None:
    """Called by the ``open`` step: the round has members, not too many for one ballot."""
    n = round_members(round_).count()
    if n == 0:
        raise ValidationError(_("该组织没有党员，无法开展民主评议。"))
    if n > MAX_MEMBERS:
        raise ValidationError(
            _("该组织有%(n)d名党员，超过一张评议票的上限%(max)d名，请按支部分别组织评议。")
            % {"n": n, "max": MAX_MEMBERS}
        )


@transaction.atomic
def codes_issue(*, actor: User, round_: EvaluationRound, count: int) -> list[str]:
    """One-time codes for residents (shown once: only their digests are kept)."""
    refusal = organizer(round_, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if round_.proof != VoterProof.CODE:
        raise ValidationError(_("本次评议群众按手机号投票，不发放投票码。"))
    if round_.state not in (EvaluationState.DRAFT, EvaluationState.VOTING):
        raise ValidationError(_("评议已结束，不再发放投票码。"), code="invalid_state")
    if not 1 <= int(count or 0) <= MAX_CODES:
        raise ValidationError({"count": _("一次发放1到%(n)d个投票码。") % {"n": MAX_CODES}})
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _i in range(8)) for _n in range(count)]
    EvaluationCode.objects.bulk_create(
        [EvaluationCode(round=round_, digest=_digest("code", c), issued_by=actor) for c in codes]
    )
    return codes


# --- voting ----------


def _open_for_votes(round_: EvaluationRound) -> None:
    today = timezone.localdate()
    if round_.state in (EvaluationState.CLOSED, EvaluationState.CANCELLED) or (
        today > round_.vote_ends
    ):
        raise ValidationError(
            _("投票已于%(d)s截止，感谢关注。") % {"d": round_.vote_ends}, code="invalid_state"
        )
    if round_.state != EvaluationState.VOTING or today < round_.vote_starts:
        raise ValidationError(
            _("投票%(d)s开始，请届时再来。") % {"d": round_.vote_starts}, code="invalid_state"
        )


def _grades(round_: EvaluationRound, raw: dict[Any, Any], voter: PartyMember | None):
    """member id -> grade from the ballot, checked against the round's members."""
    chosen: dict[int, str] = {}
    for key, value in raw.items():
        if value in (None, ""):
            continue
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"grades": _("选票格式不正确。")}) from None
        if value not in Grade.values:
            raise ValidationError({"grades": _("评议等次应为优秀、合格、基本合格或不合格。")})
        chosen[pk] = value
    if not chosen:
        raise ValidationError({"grades": _("请至少评议一名党员。")})
    if voter is not None and voter.pk in chosen:
        raise ValidationError({"grades": _("不能评议自己。")})
    known = set(round_members(round_).filter(pk__in=list(chosen)).values_list("pk", flat=True))
    if known != set(chosen):
        raise ValidationError({"grades": _("选票上有不属于本次评议的党员。")})
    return chosen


@transaction.atomic
def ballot_cast(
    *,
    round_: EvaluationRound,
    grades: dict[Any, Any],
    client_ip: str,
    code: str = "",
    phone: str = "",
    user: User | None = None,
) -> EvaluationBallot:
    """One ballot. A member of the organization signed in votes as a member; a resident with a
    code or a registered phone, as the round asks. A second ballot from the same member, code
    or phone is refused (409) and the first one stands."""
    from xianfeng.core.crypto import blind_index
    from xianfeng.people.models import Person

    round_ = (
        EvaluationRound.objects.select_for_update().select_related("organization").get(pk=round_.pk)
    )
    _open_for_votes(round_)
    member = member_of(user) if user is not None and user.is_authenticated else None
    if member is not None:
        if not member.branch.path.startswith(round_.organization.path):
            raise PermissionDenied(_("您不属于开展评议的组织，请以群众身份投票。"))
        voter, channel, subject = f"member:{member.pk}", "member", f"member:{member.pk}"
    elif round_.proof == VoterProof.CODE:
        plain = normalise_code(code)
        if not plain:
            raise ValidationError({"code": _("请输入投票码。")})
        voter, channel, subject = _digest("code", plain), "code", f"code:{plain}"
    else:
        index = blind_index("phone", phone)
        if not index:
            raise ValidationError({"phone": _("请输入11位手机号。")})
        voter, channel, subject = _digest("phone", index), "phone", f"phone:{index}"
    chosen = _grades(round_, grades, member)
    if not ratelimit.allow(
        f"evaluation:{round_.pk}", {f"ip:{client_ip}": PER_ADDRESS, subject: PER_VOTER}
    ):
        raise VoteThrottled(_("投票过于频繁，请一小时后再试。"))
    if channel == "code":
        ticket = (
            EvaluationCode.objects.select_for_update().filter(round=round_, digest=voter).first()
        )
        if ticket is None:
            raise ValidationError({"code": _("投票码无效，请核对后重新输入。")})
        if ticket.used_at is not None:
            raise ValidationError(
                _("这个投票码已经投过票了，每个投票码只能投一次。"), code="unique"
            )
        ticket.used_at = timezone.now()
        ticket.save(update_fields=["used_at"])
    elif channel == "phone":
        registered = Person.objects.with_mobile(phone).filter(
            organization__path__startswith=round_.organization.path
        )
        if not registered.exists():
            raise ValidationError({"phone": _("该手机号未在本社区登记，请到社区登记后再投票。")})
    ballot = EvaluationBallot(
        round=round_,
        voter=voter,
        channel=channel,
        member=member,
        client=_digest("ip", client_ip)[:24],
    )
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise ValidationError(_("您已经投过票了，每人只能投一次。"), code="unique") from None
    EvaluationMark.objects.bulk_create(
        [EvaluationMark(ballot=ballot, member_id=pk, grade=g) for pk, g in chosen.items()]
    )
    if member is not None:
        # Taking part is an act of duty (whom they graded is not recorded in the ledger).
        write_ledger(round_, "evaluation.vote", actor=user, member=member, note=round_.title)
    return ballot


# --- counting ----------


def evaluation_stars(score: Decimal) -> int:
    for floor, stars in ((90, 5), (80, 4), (70, 3), (60, 2)):
        if score >= floor:
            return stars
    return 1


def combined_stars(index_stars: int, eval_stars: int) -> int:
    """Three fifths the index, two fifths the evaluation, rounded half up."""
    value = (Decimal(3 * index_stars + 2 * eval_stars) / 5).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(1, min(5, int(value)))


@dataclass
class _Tally:
    excellent: int = 0
    competent: int = 0
    basic: int = 0
    poor: int = 0
    member_votes: int = 0
    resident_votes: int = 0

    @property
    def votes(self) -> int:
        return self.excellent + self.competent + self.basic + self.poor

    def score(self) -> Decimal | None:
        if not self.votes:
            return None
        total = (
            GRADE_POINTS[Grade.EXCELLENT] * self.excellent
            + GRADE_POINTS[Grade.COMPETENT] * self.competent
            + GRADE_POINTS[Grade.BASIC] * self.basic
        )
        return (total / self.votes).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _tallies(round_: EvaluationRound) -> dict[int, _Tally]:
    """member -> votes per grade and channel, in one grouped query."""
    out: dict[int, _Tally] = {}
    rows = (
        EvaluationMark.objects.filter(ballot__round=round_)
        .values("member_id", "grade")
        .annotate(
            n=Count("id"),
            by_members=Count("id", filter=Q(ballot__channel="member")),
        )
    )
    for row in rows:
        tally = out.setdefault(row["member_id"], _Tally())
        setattr(tally, row["grade"], getattr(tally, row["grade"]) + row["n"])
        tally.member_votes += row["by_members"]
        tally.resident_votes += row["n"] - row["by_members"]
    return out


def _ratings(round_: EvaluationRound, members: list[PartyMember]) -> dict[int, StarRating]:
    """The year's star ratings of the members, created from the annual index where missing."""
    from xianfeng.scoring.periods import period_of
    from xianfeng.scoring.selectors import community_of, group_figures
    from xianfeng.scoring.services import stars_from_index

    found = {
        r.member_id: r
        for r in StarRating.objects.filter(year=round_.year, member__in=[m.pk for m in members])
    }
    missing = [m for m in members if m.pk not in found]
    if missing:
        figures = group_figures(
            community_of(round_.organization), period_of("year", date(round_.year, 1, 1))
        )
        for m in missing:
            index = figures.index.get(m.pk, 0)
            found[m.pk] = StarRating(
                member_id=m.pk,
                organization_id=m.branch_id,
                year=round_.year,
                index=index,
                points=figures.totals.get(m.pk, Decimal(0)),
                index_stars=stars_from_index(index),
                stars=stars_from_index(index),
            )
    return found


def count_round(round_: EvaluationRound, *, actor: User) -> dict[str, int]:
    """Called by the ``close`` step (inside its transaction): each member's result, and the
    year's star rating brought to the combined stars with the votes as its recorded reason."""
    members = list(round_members(round_))
    tallies = _tallies(round_)
    ratings = _ratings(round_, members)
    results = []
    for member in members:
        tally = tallies.get(member.pk, _Tally())
        rating = ratings[member.pk]
        score = tally.score()
        result = EvaluationResult(
            round=round_,
            member=member,
            organization_id=member.branch_id,
            excellent=tally.excellent,
            competent=tally.competent,
            basic=tally.basic,
            poor=tally.poor,
            member_votes=tally.member_votes,
            resident_votes=tally.resident_votes,
            score=score,
            index_stars=rating.index_stars,
        )
        if tally.votes < MIN_VOTES or score is None:
            result.note = _("有效票不足%(n)d张，星级按先锋指数评定") % {"n": MIN_VOTES}
            result.stars = rating.stars
        else:
            result.evaluation_stars = evaluation_stars(score)
            if tally.poor * 3 > tally.votes:
                result.stars = 1
                result.note = _("不合格票超过三分之一，评为一星，须批评教育、限期整改")
            else:
                result.stars = combined_stars(rating.index_stars, result.evaluation_stars)
                result.note = _("指数%(i)d星×3/5＋评议%(e)d星×2/5") % {
                    "i": rating.index_stars,
                    "e": result.evaluation_stars,
                }
            rating.stars = result.stars
            rating.review_note = _(
                "%(t)s：优秀%(a)d票、合格%(b)d票、基本合格%(c)d票、不合格%(d)d票，"
                "评议得分%(s)s；%(note)s"
            ) % {
                "t": round_.title,
                "a": tally.excellent,
                "b": tally.competent,
                "c": tally.basic,
                "d": tally.poor,
                "s": score,
                "note": result.note,
            }
            rating.reviewed_by = actor
        if rating.pk is None or result.evaluation_stars is not None:
            save_with_history(instance=rating, actor=actor, reason=_("民主评议计票"))
        results.append(result)
    EvaluationResult.objects.bulk_create(results)
    return {"b": round_.ballots.count(), "m": len(members)}


# --- reads ----------


def rounds(user: User, *, state: str = "") -> QuerySet[EvaluationRound]:
    qs = EvaluationRound.objects.restrict(user).select_related("organization")
    if state in EvaluationState.values:
        qs = qs.filter(state=state)
    return qs.annotate(n_ballots=Count("ballots")).order_by("-year", "-id")


def round_results(user: User, round_: EvaluationRound) -> QuerySet[EvaluationResult]:
    """The counted results the user sees (a member reads the round; the figures of others are
    restricted like any other row)."""
    return (
        EvaluationResult.objects.restrict(user)
        .filter(round=round_)
        .select_related("member__person", "organization")
        .order_by("-stars", "-score", "member_id")
    )


def ballot_summary(round_: EvaluationRound) -> dict[str, int]:
    """Ballots by channel (the organizer watches turnout)."""
    rows = dict(round_.ballots.values_list("channel").annotate(n=Count("id")))
    return {
        "member": rows.get("member", 0),
        "resident": rows.get("code", 0) + rows.get("phone", 0),
        "codes": round_.codes.count(),
        "codes_used": round_.codes.filter(used_at__isnull=False).count(),
    }


def has_voted(round_: EvaluationRound, user: User) -> bool:
    member = member_of(user) if user.is_authenticated else None
    return member is not None and round_.ballots.filter(voter=f"member:{member.pk}").exists()


def may_organize(user: User, round_: EvaluationRound) -> bool:
    return organizer(round_, user) is None


def may_create(user: User) -> bool:
    from xianfeng.core.scope import user_can

    return user_can(user, Action.ADD, EvaluationRound)
