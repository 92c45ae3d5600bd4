"""The transition walk of 双领 (xianfeng/core/workflow_walk.py): every step of a task and of a
supervision note, through the API and the page, allowed and refused; and the overdue steps,
which only the periodic job takes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.core.workflow import take, take_due
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.work.choices import SupervisionStatus, TaskState
from xianfeng.work.models import Supervision, Task
from xianfeng.work.tests import factories as f

pytestmark = pytest.mark.django_db


def _task(p, state: str = TaskState.OPEN, assignee: bool = True) -> Task:
    """A task posted at wangge's branch (under shequ's community), in ``state``; a task past
    the open state is dangyuan's."""
    task = f.chain(role_org(p["shequ"]), task_org=role_org(p["wangge"]))
    if state != TaskState.OPEN:
        task.state = state
        task.assignee = f.dangyuan() if assignee else None
        task.evidence_notes = "已完成"
        task.save()
    return task


def _claimed_by_another(p) -> Task:
    """A task another member of the branch holds (dangyuan's own claim sent again is answered
    with the stored claim, not refused: the offline outbox resends)."""
    task = _task(p, TaskState.CLAIMED)
    task.assignee = f.member_under(role_org(p["wangge"]), exclude=(f.dangyuan().pk,))
    task.save()
    return task


def _note(p, answered: bool = False) -> Supervision:
    note = f.supervision(role_org(p["shequ"]), role_org(p["wangge"]))
    if answered:
        take(note, "answer", actor=p["wangge"], answer="已报送")
        note.refresh_from_db()
    return note


TASK_API = "/api/v1/tasks/{pk}/"
TASK_PAGE = "/work/tasks/{pk}/"
S = TaskState

WALKS = [
    Walk(Task, "claim", _task, lambda p: _claimed_by_another(p), "dangyuan", "jiancha",
         TASK_API + "claim", TASK_PAGE + "claim/"),
    Walk(Task, "assign", _task, lambda p: _task(p, S.DONE), "wangge", "dangyuan",
         TASK_API + "assign", TASK_PAGE + "assign/", {"member": None}),
    Walk(Task, "start", lambda p: _task(p, S.CLAIMED), lambda p: _task(p, S.SUBMITTED),
         "dangyuan", "wangge", TASK_API + "start", TASK_PAGE + "start/"),
    Walk(Task, "submit", lambda p: _task(p, S.IN_PROGRESS), lambda p: _task(p, S.VERIFIED),
         "dangyuan", "wangge", TASK_API + "submit", TASK_PAGE + "submit/",
         {"notes": "出租屋消防通道已全部排查"}, api_form=True),
    Walk(Task, "verify", lambda p: _task(p, S.SUBMITTED), lambda p: _task(p, S.CLAIMED),
         "wangge", "dangyuan", TASK_API + "verify", TASK_PAGE + "verify/"),
    Walk(Task, "return", lambda p: _task(p, S.SUBMITTED), lambda p: _task(p, S.DONE),
         "wangge", "dangyuan", TASK_API + "return", TASK_PAGE + "return/",
         {"reason": "缺少照片"}),
    Walk(Task, "complete", lambda p: _task(p, S.VERIFIED), lambda p: _task(p, S.SUBMITTED),
         "wangge", "dangyuan", TASK_API + "complete", TASK_PAGE + "complete/"),
    Walk(Supervision, "answer", _note, lambda p: _note(p, answered=True), "wangge", "dangyuan",
         "/api/v1/supervisions/{pk}/answer", "/work/supervisions/{pk}/answer/",
         {"answer": "本周已完成排查"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    if w.step == "assign":
        w.inputs = {"member": f.dangyuan().pk}
    walk(w, personas, client_for)


def test_overdue_is_the_jobs_step_only(personas):
    """The system steps move late objects, write the ledger, and no user may take them."""
    from xianfeng.core.models import DutyRecord

    late = _task(personas)
    late.deadline = timezone.localdate() - timedelta(days=1)
    late.save()
    done = _task(personas, S.DONE)
    done.deadline = late.deadline
    done.save()
    with pytest.raises(PermissionDenied):
        take(late, "mark_overdue", actor=personas["shequ"])
    moved = take_due(
        Task.objects.filter(pk__in=[late.pk, done.pk]),
        "mark_overdue",
        when=lambda t: t.deadline < timezone.localdate(),
    )
    assert moved == 1
    late.refresh_from_db()
    done.refresh_from_db()
    assert late.state == S.OVERDUE and done.state == S.DONE
    assert DutyRecord.objects.filter(action="task.overdue", object_id=str(late.pk)).count() == 1

    note = _note(personas)
    note.due_on = timezone.localdate() - timedelta(days=1)
    note.save()
    with pytest.raises(PermissionDenied):
        take(note, "mark_overdue", actor=personas["wangge"])
    assert take_due([note], "mark_overdue", when=lambda n: True) == 1
    note.refresh_from_db()
    assert note.status == SupervisionStatus.OVERDUE
    # an overdue note can still be answered
    take(note, "answer", actor=personas["wangge"], answer="已补报")


#: Steps taken only by jobs, and the tests that take them (for the coverage test).
SYSTEM_STEPS = {
    ("Task", "mark_overdue"): "test_overdue_is_the_jobs_step_only",
    ("Supervision", "mark_overdue"): "test_overdue_is_the_jobs_step_only",
}


def test_history_shows_a_steps_time_as_local_minutes(personas):
    import re

    from xianfeng.core.history import history_rows

    task = _task(personas, S.SUBMITTED)
    take(task, "verify", actor=personas["wangge"])
    change = next(
        c for row in history_rows(task) for c in row["changes"] if str(c["field"]) == "核验时间"
    )
    local = timezone.localtime().strftime("%Y-%m-%d")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", change["new"]), change["new"]
    assert change["new"].startswith(local)
