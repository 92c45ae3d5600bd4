"""不合格党员处置 (the procedure for a member who falls short): services and selectors.

Cases are opened from the duty ledger, never from another app: safety writes
``landlord.violation`` when a hazard is confirmed on a party-member landlord's rental, the
community writes ``record.negative`` when an in-service member's record (进社区现实表现鉴定)
lists negative items (负面清单), services writes ``complaint.confirmed`` against each member
a resident's complaint names once the community verified it as true (群众投诉经核实属实), and
``conduct_open_pending`` (the periodic job ``scoring.conduct``) opens one case per such record
past its high-water mark, in the member's branch. The steps (谈话/限期整改, 整改合格,
组织处置) are the workflow's (``take``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from xianfeng.core.models import DutyRecord
from xianfeng.core.services import save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.scoring.choices import ConductState
from xianfeng.scoring.models import ConductCase, ScoringMark
from xianfeng.scoring.services import LAG

if TYPE_CHECKING:
    from xianfeng.core.models import User

MARK = "conduct"
#: The ledger kinds that start the procedure (declared by the apps that write them), with
#: the case's reason when the record has no note and the reason kept in its history.
STARTS = {
    # safety: a hazard confirmed on a party-member landlord's rental (seed 000)
    "landlord.violation": (
        gettext_lazy("党员房东出租屋违规"),
        gettext_lazy("党员房东出租屋违规，启动不合格党员处置"),
    ),
    # community: a negative-list item on an in-service member's record (seed 002, 正负面清单)
    "record.negative": (
        gettext_lazy("进社区现实表现列入负面清单"),
        gettext_lazy("进社区现实表现列入负面清单，启动不合格党员处置"),
    ),
    # services: a resident's complaint the community verified as true (群众投诉经核实属实)
    "complaint.confirmed": (
        gettext_lazy("群众投诉经核实属实"),
        gettext_lazy("群众投诉经核实属实，启动不合格党员处置"),
    ),
}


@transaction.atomic
def conduct_open_pending(*, batch: int = 500, lag: timedelta = LAG) -> int:
    """Open a case for every starting record past the mark; answers how many were opened.
    Its cost follows the new records (the ledger's index on ``action``), not the ledger.
    Records younger than ``lag`` wait for the next run, as in ``award_pending``: an id taken
    by a transaction still open must not be skipped."""
    ScoringMark.objects.get_or_create(name=MARK)
    mark = ScoringMark.objects.select_for_update().get(name=MARK)
    rows = list(
        DutyRecord.objects.filter(action__in=list(STARTS), id__gt=mark.last_record_id)
        .select_related("member")
        .order_by("id")[:batch]
    )
    cutoff = timezone.now() - lag
    for i, record in enumerate(rows):
        if record.recorded_at > cutoff:
            rows = rows[:i]
            break
    opened = 0
    for record in rows:
        member = record.member
        if member is None or member.branch_id is None:
            continue
        if ConductCase.objects.filter(record=record).exists():
            continue
        default_reason, history_reason = STARTS[record.action]
        case = ConductCase(
            member=member,
            organization_id=member.branch_id,
            record=record,
            reason=record.note or str(default_reason),
            location=record.location,
        )
        save_with_history(instance=case, actor=None, reason=str(history_reason))
        write_ledger(case, "conduct_case.open", actor=None, note=case.reason)
        opened += 1
    if rows:
        mark.last_record_id = rows[-1].id
        mark.save(update_fields=["last_record_id", "updated_at"])
    return opened


def conduct_talk(*, actor: User, case: ConductCase, note: str, deadline: Any) -> Any:
    return take(case, "talk", actor=actor, note=note, deadline=deadline)


def conduct_cases(user: User, *, state: str = "") -> QuerySet[ConductCase]:
    """The one list of cases (page and API), in the user's scope."""
    qs = ConductCase.objects.restrict(user).select_related("member__person", "organization")
    if state in ConductState.values:
        qs = qs.filter(state=state)
    return qs.order_by("-opened_at", "-pk")
