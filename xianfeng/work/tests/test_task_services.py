"""The task state machine: each transition by its service, with roles, history and the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.visits.models import Photo
from xianfeng.work import services
from xianfeng.work.choices import ProjectOrigin, TaskState
from xianfeng.work.models import Notice, Task
from xianfeng.work.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(personas):
    return f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))


def ledger(task, action):
    return DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Task), object_id=str(task.pk), action=action
    )


def test_a_task_goes_from_open_to_done_with_history_and_ledger(personas, task):
    services.task_claim(actor=personas["dangyuan"], task=task)
    services.task_start(actor=personas["dangyuan"], task=task)
    photo = SimpleUploadedFile("a.jpg", f.JPEG, content_type="image/jpeg")
    services.task_submit(actor=personas["dangyuan"], task=task, notes="查了12户", photos=[photo])
    services.task_verify(actor=personas["wangge"], task=task)
    services.task_complete(actor=personas["shequ"], task=task)
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    assert task.assignee == f.dangyuan()
    assert task.verified_by == personas["wangge"]
    assert Photo.objects.filter(task=task).count() == 1
    assert [getattr(h.history_user, "username", None) for h in task.history.order_by("history_id")][
        1:
    ] == [
        "dangyuan",
        "dangyuan",
        "dangyuan",
        "wangge",
        "shequ",
    ]
    assert ledger(task, "task.claim").get().member == f.dangyuan()
    submit = ledger(task, "task.submit").get()
    verify = ledger(task, "task.verify").get()
    assert verify.verified and verify.verifies == submit
    assert ledger(task, "task.complete").exists()


def test_the_second_claim_is_told_who_was_first(personas, task):
    services.task_claim(actor=personas["dangyuan"], task=task)
    with pytest.raises(services.StateConflict, match="已被李晓梅认领"):
        services.task_claim(actor=personas["wangge"], task=task)
    task.refresh_from_db()
    assert task.assignee == f.dangyuan()
    assert ledger(task, "task.claim").count() == 1


def test_an_account_without_a_member_cannot_claim(personas, task):
    with pytest.raises(PermissionDenied, match="没有关联党员身份"):
        services.task_claim(actor=personas["shequ"], task=task)


def test_a_member_outside_the_posting_organization_cannot_claim(personas):
    task = f.chain(role_org(personas["shequ2"]))
    with pytest.raises(PermissionDenied, match="不在该任务的发布范围内"):
        services.task_claim(actor=personas["dangyuan"], task=task)


def test_nobody_verifies_their_own_task(personas, task):
    services.task_claim(actor=personas["wangge"], task=task)
    services.task_submit(actor=personas["wangge"], task=task, notes="完成")
    with pytest.raises(PermissionDenied, match="不能核验自己"):
        services.task_verify(actor=personas["wangge"], task=task)
    with pytest.raises(PermissionDenied, match="不能核验自己"):
        services.task_return(actor=personas["wangge"], task=task, reason="x")
    services.task_verify(actor=personas["shequ"], task=task)


def test_a_member_cannot_verify(personas, task):
    f.submitted(task, f.wangge())
    with pytest.raises(PermissionDenied):
        services.task_verify(actor=personas["dangyuan"], task=task)


def test_only_the_assignee_starts_and_submits(personas, task):
    services.task_claim(actor=personas["dangyuan"], task=task)
    with pytest.raises(PermissionDenied):
        services.task_start(actor=personas["wangge"], task=task)
    with pytest.raises(PermissionDenied):
        services.task_submit(actor=personas["wangge"], task=task, notes="x")


def test_a_return_needs_a_reason_and_the_member_can_submit_again(personas, task):
    services.task_claim(actor=personas["dangyuan"], task=task)
    services.task_submit(actor=personas["dangyuan"], task=task, notes="完成")
    with pytest.raises(ValidationError, match="写明原因"):
        services.task_return(actor=personas["wangge"], task=task, reason=" ")
    services.task_return(actor=personas["wangge"], task=task, reason="缺照片")
    task.refresh_from_db()
    assert task.state == TaskState.RETURNED and task.return_reason == "缺照片"
    services.task_submit(actor=personas["dangyuan"], task=task, notes="补了照片")
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED and task.return_reason == ""


def test_moves_out_of_order_are_refused_in_chinese(personas, task):
    with pytest.raises(services.StateConflict, match="不能核验"):
        services.task_verify(actor=personas["wangge"], task=task)
    with pytest.raises(services.StateConflict, match="不能办结"):
        services.task_complete(actor=personas["wangge"], task=task)


def test_submitting_needs_notes_and_real_photos(personas, task):
    services.task_claim(actor=personas["dangyuan"], task=task)
    with pytest.raises(ValidationError, match="请填写完成情况"):
        services.task_submit(actor=personas["dangyuan"], task=task, notes="")
    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是图片"):
        services.task_submit(actor=personas["dangyuan"], task=task, notes="完成", photos=[fake])
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED
    assert not Photo.objects.filter(task=task).exists()


def test_the_organization_assigns_and_reassigns_within_its_subtree(personas, task):
    services.task_assign(actor=personas["wangge"], task=task, member=f.dangyuan())
    services.task_assign(actor=personas["shequ"], task=task, member=f.wangge())
    task.refresh_from_db()
    assert task.assignee == f.wangge() and task.state == TaskState.CLAIMED
    outsider = f.member_under(role_org(personas["shequ2"]))
    with pytest.raises(ValidationError, match="不在该任务发布组织的范围内"):
        services.task_assign(actor=personas["shequ"], task=task, member=outsider)


def test_overdue_marking_only_touches_late_active_tasks(personas, task):
    today = timezone.localdate()
    task.deadline = today - timedelta(days=1)
    task.save()
    assert services.task_mark_overdue(actor=None, task=task)
    assert not services.task_mark_overdue(actor=None, task=task)
    task.refresh_from_db()
    assert task.state == TaskState.OVERDUE
    # an overdue task can still be claimed and finished
    services.task_claim(actor=personas["dangyuan"], task=task)


def test_projects_are_claimed_by_an_organization_or_assigned_from_above(personas):
    community = role_org(personas["shequ"])
    branch = role_org(personas["wangge"])
    campaign = f.chain(community).project.campaign
    deadline = campaign.ends_on
    own = services.project_create(
        actor=personas["shequ"],
        campaign=campaign,
        organization=community,
        title="领",
        deadline=deadline,
    )
    given = services.project_create(
        actor=personas["shequ"],
        campaign=campaign,
        organization=branch,
        title="交办",
        deadline=deadline,
    )
    assert own.origin == ProjectOrigin.CLAIMED
    assert given.origin == ProjectOrigin.ASSIGNED
    with pytest.raises(ValidationError):
        services.project_create(
            actor=personas["wangge"],
            campaign=campaign,
            organization=community,
            title="越级",
            deadline=deadline,
        )


def test_supervision_goes_down_and_is_answered_once(personas, task):
    branch = role_org(personas["wangge"])
    note = services.supervision_create(
        actor=personas["shequ"],
        organization=branch,
        content="请报进度",
        due_on=timezone.localdate() + timedelta(days=2),
        task=task,
    )
    assert note.issuer == role_org(personas["shequ"])
    assert Notice.objects.get(dedup_key=f"supervision:{note.pk}").organization == branch
    with pytest.raises(ValidationError, match="只能督办本组织的下级"):
        services.supervision_create(
            actor=personas["wangge"],
            organization=branch,
            content="x",
            due_on=timezone.localdate(),
        )
    services.supervision_answer(actor=personas["wangge"], supervision=note, answer="已完成八成")
    with pytest.raises(services.StateConflict, match="已经答复"):
        services.supervision_answer(actor=personas["wangge"], supervision=note, answer="again")


def test_task_actions_offer_only_what_the_user_may_do(personas, task):
    assert services.task_actions(personas["dangyuan"], task) == ["claim"]
    assert "assign" in services.task_actions(personas["wangge"], task)
    assert services.task_actions(personas["jiancha"], task) == []
    f.submitted(task, f.dangyuan())
    assert services.task_actions(personas["dangyuan"], task) == []
    assert set(services.task_actions(personas["wangge"], task)) == {"verify", "return"}
