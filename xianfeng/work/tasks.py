"""Background jobs of 双领 (see xianfeng/core/jobs.py): thin, they call services.

* ``work.remind_deadlines``: a notice to the assignee (or, for an unclaimed task, to the posting
  organization) when a task's deadline is ``days`` days away or less; once a day per task.
* ``work.mark_overdue``: tasks past their deadline become overdue (``task_mark_overdue``) and
  the parent organization of the posting one is told (逾期升级); supervision notes past their
  date unanswered become overdue and the issuer's parent is told.
* ``work.daily_digest``: one notice per community: yesterday's visits, tasks submitted and
  done, and what is overdue.

All three are idempotent (a notice has a unique ``dedup_key``), so running them again, or from
both cron and Celery beat, tells nobody twice. ``xianfeng/work/periodic.py`` says how often
each runs.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.work import services
from xianfeng.work.choices import NoticeKind, SupervisionStatus, TaskState
from xianfeng.work.hooks import count_visits
from xianfeng.work.models import Notice, Supervision, Task


def notice(*, key: str, organization_id: int, kind: str, text: str, **extra: Any) -> bool:
    """Create a notice once per key; answers whether it was new."""
    _obj, created = Notice.objects.get_or_create(
        dedup_key=key[:120],
        defaults={"organization_id": organization_id, "kind": kind, "text": text[:300], **extra},
    )
    return created


def _today(today: str | None) -> date:
    return date.fromisoformat(today) if today else timezone.localdate()


@job("work.remind_deadlines")
def remind_deadlines(run: JobRun, days: int = 2, today: str | None = None) -> dict[str, int]:
    day = _today(today)
    due = (
        Task.objects.being_worked_on()
        .filter(
            deadline__gte=day,
            deadline__lte=day + timedelta(days=days),
        )
        .select_related("assignee__person")
    )
    total = due.count()
    sent = 0
    for i, task in enumerate(due.iterator()):
        text = _("任务“%(t)s”将于%(d)s到期，请抓紧办理。") % {"t": task.title, "d": task.deadline}
        sent += notice(
            key=f"remind:{task.pk}:{day.isoformat()}",
            organization_id=task.organization_id,
            kind=NoticeKind.REMINDER,
            text=text,
            task=task,
            member=task.assignee,
        )
        if i % 100 == 0:
            run.report(i, total)
    Task.objects.filter(pk__in=due.values("pk")).update(reminded_on=day)
    run.report(total, total, _("已提醒%(n)d项") % {"n": sent})
    return {"due": total, "reminded": sent}


@job("work.mark_overdue")
def mark_overdue(run: JobRun, today: str | None = None) -> dict[str, int]:
    day = _today(today)
    late = Task.objects.past_deadline(day).select_related("organization")
    marked = escalated = 0
    for task in late.iterator():
        # The step's own declaration decides (work/workflows.py); checked again under the lock.
        marked += services.mark_overdue([task], day)
        parent = task.organization.parent_id or task.organization_id
        escalated += notice(
            key=f"overdue:{task.pk}",
            organization_id=parent,
            kind=NoticeKind.ESCALATION,
            text=_("%(org)s的任务“%(t)s”已超过时限（%(d)s）未完成，请督促。")
            % {"org": task.organization.display_name, "t": task.title, "d": task.deadline},
            task=task,
        )
    notes = Supervision.objects.filter(
        status=SupervisionStatus.OPEN, due_on__lt=day
    ).select_related("issuer", "organization")
    late_notes = 0
    for note in notes:
        late_notes += services.mark_overdue([note], day)
        escalated += notice(
            key=f"supervision-overdue:{note.pk}",
            organization_id=note.issuer.parent_id or note.issuer_id,
            kind=NoticeKind.ESCALATION,
            text=_("%(org)s未在%(d)s前答复督办事项：%(c)s")
            % {"org": note.organization.display_name, "d": note.due_on, "c": note.content[:60]},
        )
    run.report(marked + late_notes, marked + late_notes)
    return {"tasks_overdue": marked, "supervisions_overdue": late_notes, "escalated": escalated}


@job("work.daily_digest")
def daily_digest(run: JobRun, today: str | None = None) -> dict[str, int]:
    """Yesterday in each community, in one line."""
    day = _today(today)
    start = timezone.make_aware(
        timezone.datetime.combine(day - timedelta(days=1), timezone.datetime.min.time())
    )
    end = start + timedelta(days=1)
    communities = list(Organization.objects.filter(kind=OrgKind.COMMUNITY).only("pk", "path"))
    sent = 0
    for i, community in enumerate(communities):
        under = Q(organization__path__startswith=community.path)
        visits = count_visits(path=community.path, start=start, end=end)
        tasks = Task.objects.filter(under).aggregate(
            submitted=Count("pk", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
            done=Count("pk", filter=Q(done_at__gte=start, done_at__lt=end)),
            overdue=Count("pk", filter=Q(state=TaskState.OVERDUE)),
        )
        if not (visits or tasks["submitted"] or tasks["done"] or tasks["overdue"]):
            continue
        text = _("%(d)s：走访%(v)d户次，提交任务%(s)d项，办结%(done)d项，逾期未完成%(o)d项。") % {
            "d": (day - timedelta(days=1)).isoformat(),
            "v": visits,
            "s": tasks["submitted"],
            "done": tasks["done"],
            "o": tasks["overdue"],
        }
        sent += notice(
            key=f"digest:{community.pk}:{day.isoformat()}",
            organization_id=community.pk,
            kind=NoticeKind.DIGEST,
            text=text,
        )
        if i % 20 == 0:
            run.report(i, len(communities))
    run.report(len(communities), len(communities))
    return {"communities": len(communities), "digests": sent}
