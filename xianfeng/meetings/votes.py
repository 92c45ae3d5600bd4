"""Selections and votes (评选: 园山榜样, 放心店, 诚信经营户, 文明家庭, 红旗楼院): create, nominate
candidates with their deeds, issue one-time codes, cast votes — one per resident (a code, or a
phone registered in the organization, as the organization chose) and one per member — and
read the results. Stuffing is refused by the database (one ballot per voter and selection)
and slowed by rate limits per address (``core/ratelimit.py``); every ballot is kept, with
keyed digests instead of codes, phones and addresses, so the count can be audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xianfeng.core import ratelimit
from xianfeng.core.choices import Action
from xianfeng.core.roles import AUDIT_READERS, GRID_WRITERS
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import write_ledger
from xianfeng.meetings.choices import SelectionKind, SelectionState, VoterProof
from xianfeng.meetings.models import Ballot, Candidate, Selection, VoteCode
from xianfeng.meetings.workflows import holds_role_over, organizer

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.orgs.models import Organization

#: Votes from one address per hour, and attempts with one code or phone per hour.
PER_ADDRESS = (30, 3600)
PER_VOTER = (5, 3600)
MAX_CODES = 2000
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHANNEL_LABELS = {
    "code": gettext_lazy("投票码"),
    "phone": gettext_lazy("手机号"),
    "member": gettext_lazy("党员"),
}
#: Who audits the ballots: the organizers (secretaries, staff) and the auditors of the
#: selection's organization or above.
AUDITORS = GRID_WRITERS | AUDIT_READERS


class VoteThrottled(PermissionDenied):
    """Too many votes from this address, or tries with this code or phone: 429."""


def _digest(kind: str, value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"vote\x00{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c.isalnum())


@transaction.atomic
def selection_create(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    nominate_until: date,
    vote_starts: date,
    vote_ends: date,
    proof: str = VoterProof.CODE,
    description: str = "",
) -> Selection:
    if not org_in_scope(user=actor, org=organization, model=Selection, action=Action.ADD):
        raise ValidationError({"organization": _("您无权以该组织名义发起评选。")})
    errors: dict[str, str] = {}
    if kind not in SelectionKind.values:
        errors["kind"] = _("请选择评选类型。")
    if proof not in VoterProof.values:
        errors["proof"] = _("请选择群众投票方式。")
    if not (title or "").strip():
        errors["title"] = _("请填写评选名称。")
    if vote_starts <= nominate_until:
        errors["vote_starts"] = _("投票开始日期须在提名截止之后。")
    if vote_ends < vote_starts:
        errors["vote_ends"] = _("投票截止日期不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    selection = Selection(
        organization=organization,
        kind=kind,
        title=title.strip()[:120],
        description=(description or "").strip(),
        nominate_until=nominate_until,
        vote_starts=vote_starts,
        vote_ends=vote_ends,
        proof=proof,
        created_by=actor,
    )
    save_with_history(instance=selection, actor=actor, reason=_("发起评选"))
    write_ledger(selection, "selection.create", actor=actor, member=None, note=selection.title)
    return selection


@transaction.atomic
def candidate_nominate(
    *, actor: User, selection: Selection, name: str, deeds: str, member: Any = None
) -> Candidate:
    refusal = organizer(selection, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if selection.state != SelectionState.NOMINATING:
        raise ValidationError(_("提名阶段已结束，不能再提名。"), code="invalid_state")
    if timezone.localdate() > selection.nominate_until:
        raise ValidationError(
            _("提名已于%(d)s截止。") % {"d": selection.nominate_until}, code="invalid_state"
        )
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写候选人或候选对象。")
    if not (deeds or "").strip():
        errors["deeds"] = _("请填写事迹。")
    if errors:
        raise ValidationError(errors)
    if selection.candidates.filter(name=name).exists():
        raise ValidationError(
            {"name": ValidationError(_("“%(n)s”已被提名。") % {"n": name}, code="unique")}
        )
    candidate = Candidate(
        selection=selection, name=name[:120], deeds=deeds.strip(), member=member, nominated_by=actor
    )
    save_with_history(instance=candidate, actor=actor, reason=_("提名"))
    return candidate


@transaction.atomic
def codes_issue(*, actor: User, selection: Selection, count: int) -> list[str]:
    """One-time codes for residents (shown once: only their digests are kept)."""
    refusal = organizer(selection, actor)
    if refusal:
        raise PermissionDenied(refusal)
    if selection.proof != VoterProof.CODE:
        raise ValidationError(_("本次评选按手机号投票，不发放投票码。"))
    if selection.state == SelectionState.PUBLISHED:
        raise ValidationError(_("评选结果已公布，不再发放投票码。"), code="invalid_state")
    if not 1 <= count <= MAX_CODES:
        raise ValidationError({"count": _("一次发放1到%(n)d个投票码。") % {"n": MAX_CODES}})
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _i in range(8)) for _n in range(count)]
    VoteCode.objects.bulk_create(
        [VoteCode(selection=selection, digest=_digest("code", c), issued_by=actor) for c in codes]
    )
    return codes


def _open_for_votes(selection: Selection) -> None:
    today = timezone.localdate()
    if selection.state == SelectionState.PUBLISHED or today > selection.vote_ends:
        raise ValidationError(
            _("投票已于%(d)s截止，感谢关注。") % {"d": selection.vote_ends}, code="invalid_state"
        )
    if selection.state != SelectionState.VOTING or today < selection.vote_starts:
        raise ValidationError(
            _("投票%(d)s开始，请届时再来。") % {"d": selection.vote_starts}, code="invalid_state"
        )


@transaction.atomic
def vote_cast(
    *,
    selection: Selection,
    candidate: int | None,
    client_ip: str,
    code: str = "",
    phone: str = "",
    user: User | None = None,
) -> Ballot:
    """One vote. A member signed in votes as a member; a resident with a code or a registered
    phone, as the selection asks. A second vote from the same code, phone or member is
    refused (409) and the first one stands."""
    from xianfeng.people.members import member_of
    from xianfeng.people.models import Person

    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    _open_for_votes(selection)
    chosen = selection.candidates.filter(pk=candidate).first() if candidate else None
    if chosen is None:
        raise ValidationError({"candidate": _("请选择一名候选。")})
    member = member_of(user) if user is not None and user.is_authenticated else None
    if member is not None:
        if not member.branch.path.startswith(selection.organization.path):
            raise PermissionDenied(_("您不属于发起评选的组织，请以群众身份投票。"))
        voter, channel, subject = f"member:{member.pk}", "member", f"member:{member.pk}"
    elif selection.proof == VoterProof.CODE:
        plain = normalise_code(code)
        if not plain:
            raise ValidationError({"code": _("请输入投票码。")})
        voter, channel, subject = _digest("code", plain), "code", f"code:{plain}"
    else:
        from xianfeng.core.crypto import blind_index

        index = blind_index("phone", phone)
        if not index:
            raise ValidationError({"phone": _("请输入11位手机号。")})
        voter, channel, subject = _digest("phone", index), "phone", f"phone:{index}"
    allowed = ratelimit.allow(
        f"vote:{selection.pk}", {f"ip:{client_ip}": PER_ADDRESS, subject: PER_VOTER}
    )
    if not allowed:
        raise VoteThrottled(_("投票过于频繁，请一小时后再试。"))
    if channel == "code":
        ticket = (
            VoteCode.objects.select_for_update().filter(selection=selection, digest=voter).first()
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
            organization__path__startswith=selection.organization.path
        )
        if not registered.exists():
            raise ValidationError({"phone": _("该手机号未在本社区登记，请到社区登记后再投票。")})
    ballot = Ballot(
        selection=selection,
        candidate=chosen,
        voter=voter,
        channel=channel,
        member=member,
        client=_digest("ip", client_ip)[:24],
    )
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise ValidationError(_("您已经投过票了，每人只能投一票。"), code="unique") from None
    return ballot


def results(selection: Selection) -> QuerySet[Candidate]:
    """Candidates with their votes, most first (one grouped query)."""
    return selection.candidates.annotate(votes=Count("ballots")).order_by("-votes", "id")


def public_candidates(selection: Selection) -> list[dict[str, Any]]:
    """The candidates as the public sees them: their votes only once the results are
    published (a running count would steer the vote)."""
    if selection.state == SelectionState.PUBLISHED:
        return list(results(selection).values("id", "name", "deeds", "votes"))
    return [
        {**row, "votes": None}
        for row in selection.candidates.order_by("id").values("id", "name", "deeds")
    ]


# --- the audit of the ballots ----------------------------------------------------------------


def audit_refusal(selection: Selection, user: User) -> str | None:
    """None when the user may audit the ballots, else why not."""
    if holds_role_over(user, selection.organization, AUDITORS):
        return None
    return _("只有发起评选的组织的书记、管理员和审计员可以查看选票审计。")


def voter_tag(voter: str) -> str:
    """What the audit shows of a voter: the same tag for the same voter (a duplicate would
    show), never the code, the phone or which member voted for whom."""
    return _digest("audit", voter)[:12]


def audit_ballots(user: User, selection: Selection) -> QuerySet[Ballot]:
    """Every ballot of the selection, in the order cast (the page paginates in the
    database)."""
    return (
        Ballot.objects.restrict(user)
        .filter(selection=selection)
        .select_related("candidate")
        .order_by("id")
    )


def audit_summary(user: User, selection: Selection) -> dict[str, Any]:
    """The checks an auditor makes, in four grouped queries: ballots per channel; one ballot
    per voter (distinct voters = ballots); codes issued and used (used codes = code ballots);
    and the addresses most ballots came from (stuffing from one place shows there)."""
    ballots = Ballot.objects.restrict(user).filter(selection=selection)
    by_channel = {
        row["channel"]: row["n"]
        for row in ballots.order_by().values("channel").annotate(n=Count("pk"))
    }
    totals = ballots.aggregate(n=Count("pk"), voters=Count("voter", distinct=True))
    codes = (
        VoteCode.objects.restrict(user)
        .filter(selection=selection)
        .aggregate(issued=Count("pk"), used=Count("pk", filter=Q(used_at__isnull=False)))
    )
    busiest = (
        ballots.order_by().values("client").annotate(n=Count("pk")).order_by("-n", "client")[:10]
    )
    return {
        "ballots": totals["n"],
        "by_channel": by_channel,
        "codes_issued": codes["issued"],
        "codes_used": codes["used"],
        "distinct_voters": totals["voters"],
        "busiest_clients": [{"client_tag": r["client"][:12], "ballots": r["n"]} for r in busiest],
    }
