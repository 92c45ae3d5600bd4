"""Background jobs: reminders, overdue marking with escalation, daily digests, and the
periodic-jobs command (the embedded default's scheduler) and Celery beat schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from xianfeng.core.jobs import beat_schedule, enqueue, periodic_jobs
from xianfeng.core.models import JobRun
from xianfeng.core.testing import role_org
from xianfeng.visits.tests import factories as f
from xianfeng.work.choices import NoticeKind, SupervisionStatus, TaskState
from xianfeng.work.models import Notice, Supervision, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Queue a job as a service would, run it when the transaction commits, answer its result."""

    def run_job(name, **kwargs):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            job = enqueue(name, **kwargs)
        job.refresh_from_db()
        assert job.status == JobRun.Status.DONE, job.error
        return job.result

    return run_job


def test_reminders_go_out_once_a_day_before_the_deadline(personas, run):
    today = timezone.localdate()
    task = f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))
    task.deadline = today + timedelta(days=1)
    task.assignee = f.dangyuan()
    task.state = TaskState.CLAIMED
    task.save()
    first = run("work.remind_deadlines", days=2)
    again = run("work.remind_deadlines", days=2)
    assert first["reminded"] >= 1 and again["reminded"] == 0
    notice = Notice.objects.get(task=task, kind=NoticeKind.REMINDER)
    assert notice.member == f.dangyuan() and "将于" in notice.text


def test_late_tasks_become_overdue_and_the_parent_is_told(personas, run):
    branch = role_org(personas["wangge"])
    task = f.chain(role_org(personas["shequ"]), branch)
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    result = run("work.mark_overdue")
    task.refresh_from_db()
    assert task.state == TaskState.OVERDUE and result["tasks_overdue"] >= 1
    escalation = Notice.objects.get(task=task, kind=NoticeKind.ESCALATION)
    assert escalation.organization_id == branch.parent_id
    assert task.history.first().history_change_reason.startswith("超过完成时限")
    assert run("work.mark_overdue")["escalated"] == 0


def test_unanswered_supervision_is_escalated_past_its_date(personas, run):
    note = f.supervision(role_org(personas["shequ"]), role_org(personas["wangge"]))
    Supervision.objects.filter(pk=note.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    run("work.mark_overdue")
    note.refresh_from_db()
    assert note.status == SupervisionStatus.OVERDUE
    assert Notice.objects.filter(
        dedup_key=f"supervision-overdue:{note.pk}", organization=note.issuer.parent
    ).exists()


def test_the_daily_digest_sums_up_yesterday_per_community(personas, run):
    household = f.household_under(role_org(personas["wangge"]))
    f.visit_at(household, f.dangyuan(), days_ago=0)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    result = run("work.daily_digest", today=tomorrow)
    assert result["digests"] >= 1
    digest = Notice.objects.get(
        kind=NoticeKind.DIGEST,
        organization=role_org(personas["shequ"]),
        dedup_key__endswith=tomorrow,
    )
    assert "走访" in digest.text
    assert run("work.daily_digest", today=tomorrow)["digests"] == 0


def test_run_periodic_jobs_runs_every_job_once(
    personas, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_periodic_jobs")
    out = capsys.readouterr().out
    names = periodic_jobs()
    assert {"work.mark_overdue", "core.reap_stale_jobs", "exchange.cleanup_files"} <= set(names)
    for name in names:
        assert f"{name}: done" in out
    assert JobRun.objects.filter(name__in=names, status="done").count() == len(names)


def test_celery_beat_schedules_each_periodic_job():
    schedule = beat_schedule()
    assert set(schedule) == set(periodic_jobs())
    assert all(e["task"] == "xianfeng.work.run_periodic" for e in schedule.values())
    from xianfeng.celery import app

    app.loader.import_default_modules()
    assert "xianfeng.work.run_periodic" in app.tasks
