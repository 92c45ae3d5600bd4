"""The 双领 API beyond the matrix: a whole task's life through its endpoints, the 409 answers
and creating campaigns, projects, tasks and supervision notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.visits.models import Photo
from xianfeng.work.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(personas):
    return f.chain(role_org(personas["shequ"]), role_org(personas["wangge"]))


def test_a_task_lives_through_its_endpoints(client_for, task):
    member, secretary, community = client_for("dangyuan"), client_for("wangge"), client_for("shequ")
    assert member.post(f"/api/v1/tasks/{task.pk}/claim").json()["state"] == "claimed"
    assert member.post(f"/api/v1/tasks/{task.pk}/start").json()["state"] == "in_progress"
    photo = SimpleUploadedFile("p.jpg", f.JPEG, content_type="image/jpeg")
    body = member.post(
        f"/api/v1/tasks/{task.pk}/submit", {"notes": "完成", "photos": [photo]}
    ).json()
    assert body["state"] == "submitted" and len(body["photos"]) == 1
    assert Photo.objects.filter(task=task).count() == 1
    back = secretary.post(
        f"/api/v1/tasks/{task.pk}/return", {"reason": "再拍一张"}, content_type="application/json"
    )
    assert back.json()["state"] == "returned"
    member.post(f"/api/v1/tasks/{task.pk}/submit", {"notes": "补拍了"})
    ok = secretary.post(f"/api/v1/tasks/{task.pk}/verify", {}, content_type="application/json")
    assert ok.json()["state"] == "verified"
    done = community.post(f"/api/v1/tasks/{task.pk}/complete")
    assert done.json()["state"] == "done" and done.json()["actions"] == []


def test_a_late_claim_answers_409_with_who_has_it(client_for, task):
    assert client_for("dangyuan").post(f"/api/v1/tasks/{task.pk}/claim").status_code == 200
    late = client_for("wangge").post(f"/api/v1/tasks/{task.pk}/claim")
    assert late.status_code == 409
    assert "已被李晓梅认领" in late.json()["detail"]


def test_verifying_ones_own_task_answers_403(client_for, task):
    client = client_for("wangge")
    client.post(f"/api/v1/tasks/{task.pk}/claim")
    client.post(f"/api/v1/tasks/{task.pk}/submit", {"notes": "完成"})
    response = client.post(f"/api/v1/tasks/{task.pk}/verify", {}, content_type="application/json")
    assert response.status_code == 403
    assert "不能核验自己" in response.json()["detail"]


def test_a_submit_with_a_non_image_answers_400_and_keeps_the_state(client_for, task):
    client = client_for("dangyuan")
    client.post(f"/api/v1/tasks/{task.pk}/claim")
    fake = SimpleUploadedFile("p.jpg", b"<?php echo 1;", content_type="image/jpeg")
    response = client.post(f"/api/v1/tasks/{task.pk}/submit", {"notes": "完成", "photos": [fake]})
    assert response.status_code == 400
    assert "不是图片" in response.json()["errors"]["photos"][0]
    assert client.get(f"/api/v1/tasks/{task.pk}").json()["state"] == "claimed"


def test_claimable_and_mine_filters(client_for, task):
    client = client_for("dangyuan")
    claimable = {
        t["id"] for t in client.get("/api/v1/tasks?claimable=true&page_size=200").json()["results"]
    }
    assert task.pk in claimable
    client.post(f"/api/v1/tasks/{task.pk}/claim")
    mine = {t["id"] for t in client.get("/api/v1/tasks?mine=true&page_size=200").json()["results"]}
    assert task.pk in mine


def test_campaign_project_task_and_supervision_are_created_through_the_api(client_for, personas):
    today = timezone.localdate()
    community = role_org(personas["shequ"])
    branch = role_org(personas["wangge"])
    client = client_for("shequ")
    campaign = client.post(
        "/api/v1/campaigns",
        {
            "organization": community.pk,
            "title": "安全大检查",
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=30)),
        },
        content_type="application/json",
    )
    assert campaign.status_code == 201, campaign.content
    project = client.post(
        "/api/v1/projects",
        {
            "campaign": campaign.json()["id"],
            "organization": branch.pk,
            "title": "网格排查",
            "deadline": str(today + timedelta(days=20)),
            "leader": f.wangge().pk,
        },
        content_type="application/json",
    )
    assert project.status_code == 201 and project.json()["origin"] == "assigned"
    task = client.post(
        "/api/v1/tasks",
        {
            "project": project.json()["id"],
            "title": "查一栋楼",
            "deadline": str(today + timedelta(days=5)),
        },
        content_type="application/json",
    )
    assert task.status_code == 201 and task.json()["organization"]["id"] == branch.pk
    late = client.post(
        "/api/v1/tasks",
        {
            "project": project.json()["id"],
            "title": "x",
            "deadline": str(today + timedelta(days=90)),
        },
        content_type="application/json",
    )
    assert late.status_code == 400 and "不能晚于项目" in late.json()["detail"]
    note = client.post(
        "/api/v1/supervisions",
        {"organization": branch.pk, "content": "请加快", "due_on": str(today + timedelta(days=2))},
        content_type="application/json",
    )
    assert note.status_code == 201
    answer = client_for("wangge").post(
        f"/api/v1/supervisions/{note.json()['id']}/answer",
        {"answer": "已加快"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "answered"
    again = client_for("wangge").post(
        f"/api/v1/supervisions/{note.json()['id']}/answer",
        {"answer": "again"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_a_campaign_with_its_end_before_its_start_is_refused(client_for, personas):
    today = timezone.localdate()
    response = client_for("shequ").post(
        "/api/v1/campaigns",
        {
            "organization": role_org(personas["shequ"]).pk,
            "title": "x",
            "starts_on": str(today),
            "ends_on": str(today - timedelta(days=1)),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.json()["errors"]["ends_on"][0]


def test_the_task_page_shows_only_the_buttons_the_user_may_press(client_for, task):
    body = client_for("dangyuan").get(f"/work/tasks/{task.pk}/").content.decode()
    assert 'data-action="claim"' in body and 'data-action="verify"' not in body
    body = client_for("jiancha").get(f"/work/tasks/{task.pk}/").content.decode()
    assert "data-action" not in body


def test_a_page_claim_too_late_says_who_was_first(client_for, task):
    client_for("dangyuan").post(f"/work/tasks/{task.pk}/claim/")
    response = client_for("wangge").post(f"/work/tasks/{task.pk}/claim/")
    assert response.status_code == 409
    assert "已被李晓梅认领" in response.content.decode()


def test_pages_create_campaign_project_and_task(client_for, personas):
    today = timezone.localdate()
    client = client_for("shequ")
    community = role_org(personas["shequ"])
    r = client.post(
        "/work/campaigns/new/",
        {
            "organization": community.pk,
            "title": "夏季安全",
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=30)),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.post(
        r.url + "projects/new/",
        {
            "organization": community.pk,
            "title": "项目",
            "deadline": str(today + timedelta(days=10)),
        },
    )
    assert r.status_code == 302
    r = client.post(
        r.url + "tasks/new/", {"title": "任务", "deadline": str(today + timedelta(days=5))}
    )
    assert r.status_code == 302 and "/work/tasks/" in r.url


def test_pages_send_and_answer_a_supervision_note(client_for, personas, task):
    branch = role_org(personas["wangge"])
    due = str(timezone.localdate() + timedelta(days=3))
    r = client_for("shequ").post(
        f"/work/projects/{task.project_id}/supervise/",
        {"organization": branch.pk, "content": "请本周报进度", "due_on": due},
    )
    assert r.status_code == 302
    page = client_for("wangge").get(r.url).content.decode()
    assert "请本周报进度" in page and "/answer/" in page
    note = task.project.supervisions.get()
    r = client_for("wangge").post(f"/work/supervisions/{note.pk}/answer/", {"answer": "已报"})
    assert r.status_code == 302
    note.refresh_from_db()
    assert note.status == "answered" and note.answered_by == personas["wangge"]
    again = client_for("wangge").post(f"/work/supervisions/{note.pk}/answer/", {"answer": "x"})
    assert again.status_code == 409 and "已经答复" in again.content.decode()
    early = client_for("shequ").post(
        f"/work/projects/{task.project_id}/supervise/",
        {"organization": branch.pk, "content": "x", "due_on": "2000-01-01"},
    )
    assert early.status_code == 400 and "答复时限不能早于今天" in early.content.decode()
