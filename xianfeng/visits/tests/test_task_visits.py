"""A task completed by visits: target households or a count of visits, progress, and the
submit refused while visits are missing."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.places.models import Household
from xianfeng.visits import services as visit_services
from xianfeng.visits.models import Visit
from xianfeng.visits.tests import factories as f
from xianfeng.work import services
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(personas):
    return role_org(personas["wangge"])


@pytest.fixture
def targets(branch):
    return list(
        Household.objects.filter(organization__path__startswith=branch.path)
        .select_related("building", "organization")
        .order_by("pk")[:2]
    )


@pytest.fixture
def task(personas, branch, targets):
    task = services.task_create(
        actor=personas["shequ"],
        project=f.chain(role_org(personas["shequ"]), branch).project,
        organization=branch,
        title="走访两户",
        deadline=timezone.localdate(),
        target_households=targets,
    )
    task.assignee = f.dangyuan()
    task.state = TaskState.IN_PROGRESS
    task.save()
    return task


def visit(actor, household, task):
    return visit_services.visit_create(
        actor=actor,
        visited_at=timezone.now(),
        purposes=["safety"],
        household=household,
        task=task,
    )[0]


def submits(task):
    return DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Task),
        object_id=str(task.pk),
        action="task.submit",
    )


def test_submit_is_refused_until_every_target_household_is_visited(personas, task, targets):
    actor = personas["dangyuan"]
    progress = services.task_visit_progress(task)
    assert (progress.target, progress.visited, progress.complete) == (2, 0, False)
    with pytest.raises(ValidationError, match="还有2户未走访"):
        services.task_submit(actor=actor, task=task, notes="完成")
    visit(actor, targets[0], task)
    # A visit to the household that is not linked to the task does not count.
    visit_services.visit_create(
        actor=actor, visited_at=timezone.now(), purposes=["safety"], household=targets[1]
    )
    with pytest.raises(ValidationError, match="已走访1户，还有1户"):
        services.task_submit(actor=actor, task=task, notes="完成")
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS and not submits(task).exists()
    visit(actor, targets[1], task)
    services.task_submit(actor=actor, task=task, notes="两户都查了")
    task.refresh_from_db()
    assert task.state == TaskState.SUBMITTED
    assert submits(task).get().member == f.dangyuan()
    linked = [str(pk) for pk in Visit.objects.filter(task=task).values_list("pk", flat=True)]
    assert DutyRecord.objects.filter(action="visit.log", object_id__in=linked).count() == 2


def test_a_target_count_of_visits(personas, task, targets):
    task.target_households.clear()
    task.target_visits = 2
    task.save()
    actor = personas["dangyuan"]
    visit(actor, targets[0], task)
    with pytest.raises(ValidationError, match="要求走访2户次，已登记1户次"):
        services.task_submit(actor=actor, task=task, notes="完成")
    visit(actor, targets[1], task)
    services.task_submit(actor=actor, task=task, notes="完成")


def test_a_task_without_targets_needs_no_visits(personas, task):
    task.target_households.clear()
    assert not services.task_visit_progress(task).needed
    services.task_submit(actor=personas["dangyuan"], task=task, notes="完成")


def test_targets_must_be_under_the_posting_organization(personas, branch):
    project = f.chain(role_org(personas["shequ"]), branch).project
    elsewhere = f.household_under(role_org(personas["shequ2"]))
    with pytest.raises(ValidationError, match="目标住户必须在任务发布组织的范围内"):
        services.task_create(
            actor=personas["shequ"],
            project=project,
            organization=branch,
            title="x",
            deadline=timezone.localdate(),
            target_households=[elsewhere],
        )
    with pytest.raises(ValidationError, match="不能是负数"):
        services.task_create(
            actor=personas["shequ"],
            project=project,
            title="x",
            deadline=timezone.localdate(),
            target_visits=-1,
        )


def test_the_task_page_lists_its_visits_and_progress(client_for, personas, task, targets):
    visit(personas["dangyuan"], targets[0], task)
    body = client_for("dangyuan").get(f"/work/tasks/{task.pk}/").content.decode()
    assert 'data-progress="1/2"' in body and "还差 1" in body
    assert str(targets[0]) in body and f.dangyuan().person.name in body
    assert f"?task={task.pk}&household={targets[1].pk}" in body
    # Out of scope: the other community's admin does not see the task at all.
    assert client_for("shequ2").get(f"/work/tasks/{task.pk}/").status_code == 404


def test_the_visit_form_opened_from_a_task_links_the_visit(client_for, personas, task, targets):
    client = client_for("dangyuan")
    page = client.get(f"/work/visits/new/?task={task.pk}&household={targets[0].pk}")
    assert "关联任务：走访两户" in page.content.decode()
    data = {
        "household": targets[0].pk,
        "task": task.pk,
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purposes": ["safety"],
    }
    assert client.post("/work/visits/new/", data).status_code == 302
    assert Visit.objects.get(task=task).household == targets[0]
    other = f.chain(role_org(personas["shequ2"]))
    refused = client.post("/work/visits/new/", {**data, "task": other.pk})
    assert refused.status_code == 400
    assert "所选任务不存在或不在您的管辖范围内" in refused.content.decode()
    assert not Visit.objects.filter(task=other).exists()


def test_the_submit_button_shows_the_missing_visits(client_for, task):
    response = client_for("dangyuan").post(f"/work/tasks/{task.pk}/submit/", {"notes": "完成"})
    assert response.status_code == 400
    assert "还有2户未走访" in response.content.decode()
    task.refresh_from_db()
    assert task.state == TaskState.IN_PROGRESS


def test_the_api_sets_targets_shows_progress_and_refuses_early_submits(
    client_for, personas, branch, targets
):
    shequ = client_for("shequ")
    project = f.chain(role_org(personas["shequ"]), branch).project
    body = {
        "project": project.pk,
        "title": "走访",
        "deadline": str(timezone.localdate()),
        "organization": branch.pk,
        "target_households": [h.pk for h in targets],
    }
    created = shequ.post("/api/v1/tasks", body, content_type="application/json")
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    assert created.json()["visit_progress"]["missing"] == [h.pk for h in targets]
    outside = f.household_under(role_org(personas["shequ2"]))
    bad = shequ.post(
        "/api/v1/tasks",
        {**body, "target_households": [outside.pk]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "target_households" in bad.json()["errors"]
    negative = shequ.post(
        "/api/v1/tasks", {**body, "target_visits": -3}, content_type="application/json"
    )
    assert negative.status_code in (400, 422)

    member = client_for("dangyuan")
    assert member.post(f"/api/v1/tasks/{tid}/claim").status_code == 200
    refused = member.post(f"/api/v1/tasks/{tid}/submit", {"notes": "完成"})
    assert refused.status_code == 400 and "未走访" in refused.json()["detail"]
    task = Task.objects.get(pk=tid)
    for h in targets:
        visit(personas["dangyuan"], h, task)
    listed = member.get(f"/api/v1/tasks/{tid}/visits").json()
    assert listed["count"] == 2
    assert member.post(f"/api/v1/tasks/{tid}/submit", {"notes": "完成"}).status_code == 200
    assert client_for("shequ2").get(f"/api/v1/tasks/{tid}/visits").status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/work/tasks/{id}/", "/api/v1/tasks/{id}/visits?page_size={n}"])
def test_task_visit_lists_do_not_grow_with_the_visits(client_for, personas, task, branch, url):
    households = list(Household.objects.filter(organization__path__startswith=branch.path)[:12])
    for h in households[:2]:
        visit(personas["dangyuan"], h, task)
    client = client_for("qu")
    small = _queries(client, url.format(id=task.pk, n=2))
    for h in households[2:]:
        visit(personas["dangyuan"], h, task)
    large = _queries(client, url.format(id=task.pk, n=40))
    assert small == large, (small, large)
