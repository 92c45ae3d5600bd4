"""Background jobs of meetings (see xianfeng/core/jobs.py): thin, they read the rhythm and
write notices.

* ``meetings.remind_rhythm``: before a period ends (``REMIND_DAYS``), every organization still
  short of a required meeting gets one notice (``work.Notice``, once per organization, rule and
  period) naming the meeting and how many are still to hold. In the year's last
  ``LESSON_REMIND_DAYS``, every open contact point whose leader has not yet given the year's
  party lesson there gets one notice too (to the point and the leader, once a year).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.jobs import job
from xianfeng.core.models import JobRun
from xianfeng.meetings.rhythm import active_rules, rhythm_rows
from xianfeng.orgs.models import Organization
from xianfeng.work.choices import NoticeKind
from xianfeng.work.models import Notice

REMIND_DAYS = 7
LESSON_REMIND_DAYS = 30
CHUNK = 500


def remind_rhythm_now(today: date | None = None) -> int:
    """Write the notices; answers how many were new (run again the same period: none)."""
    today = today or timezone.localdate()
    kinds = list(active_rules())
    orgs = Organization.objects.filter(kind__in=kinds).order_by("pk")
    sent = 0
    chunk: list[Organization] = []
    for org in orgs.iterator(chunk_size=CHUNK):
        chunk.append(org)
        if len(chunk) == CHUNK:
            sent += _remind(chunk, today)
            chunk = []
    if chunk:
        sent += _remind(chunk, today)
    return sent + remind_lessons_now(today)


def remind_lessons_now(today: date | None = None) -> int:
    """Contact points still owing this year's party lesson, near the year's end: one notice
    each (answers how many were new)."""
    from django.db.models import Count, Q

    from xianfeng.meetings.choices import HELD_STATES, MeetingKind
    from xianfeng.meetings.models import ContactPoint
    from xianfeng.meetings.selectors import LESSONS_A_YEAR

    today = today or timezone.localdate()
    if (date(today.year, 12, 31) - today).days > LESSON_REMIND_DAYS:
        return 0
    owing = (
        ContactPoint.objects.filter(ended_on__isnull=True)
        .select_related("leader__person")
        .annotate(
            held=Count(
                "lessons",
                filter=Q(
                    lessons__kind=MeetingKind.PARTY_LESSON,
                    lessons__state__in=HELD_STATES,
                    lessons__starts_at__year=today.year,
                ),
            )
        )
        .filter(held__lt=LESSONS_A_YEAR)
        .order_by("pk")
    )
    sent = 0
    for point in owing.iterator(chunk_size=CHUNK):
        text = _(
            "联系点领导%(name)s（%(title)s）今年还没有为联系点党员上党课，请在年底前安排。"
        ) % {
            "name": point.leader.person.name,
            "title": point.title,
        }
        _notice, created = Notice.objects.get_or_create(
            dedup_key=f"meetings:point:{point.pk}:{today.year}",
            defaults={
                "organization_id": point.organization_id,
                "member": point.leader,
                "kind": NoticeKind.REMINDER,
                "text": text[:300],
            },
        )
        sent += created
    return sent


def _remind(orgs: list[Organization], today: date) -> int:
    sent = 0
    for row in rhythm_rows(orgs, today):
        if not row.due or row.current is None or (row.current[1] - today).days > REMIND_DAYS:
            continue
        text = _("%(kind)s本期（至%(end)s）还需召开%(n)d次，请按制度安排。") % {
            "kind": row.rule.get_meeting_kind_display(),
            "end": row.current[1].isoformat(),
            "n": row.due,
        }
        _notice, created = Notice.objects.get_or_create(
            dedup_key=f"meetings:{row.organization.pk}:{row.rule.pk}:{row.current[0].isoformat()}",
            defaults={
                "organization": row.organization,
                "kind": NoticeKind.REMINDER,
                "text": text[:300],
            },
        )
        sent += created
    return sent


@job("meetings.remind_rhythm")
def remind_rhythm(run: JobRun, today: str | None = None) -> dict[str, int]:
    day = date.fromisoformat(today) if today else None
    return {"reminded": remind_rhythm_now(day)}
