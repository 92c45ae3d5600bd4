"""The problem wall and echo wall as residents and staff use them: moderation before anything
shows, responsible party / measures / deadline, a check by someone other than the solver,
rating and one reopening from the reporter's link, closed-not-solved, support and merging,
rate limits, escaping and what public pages never show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xianfeng.core import workflow
from xianfeng.core.models import DutyRecord
from xianfeng.public import services
from xianfeng.public.models import EchoEntry, Problem
from xianfeng.public.tests.helpers import (
    COMMUNITY,
    OTHER_COMMUNITY,
    community,
    on_wall,
    problem,
    published,
    report,
)

pytestmark = pytest.mark.django_db


def wall(client: Client | None = None, code: str = COMMUNITY) -> str:
    return (client or Client()).get(f"/public/c/{code}/").content.decode()


def test_a_report_waits_for_moderation_then_shows_on_the_wall(personas, client_for):
    response = report(title="5栋楼道灯不亮", phone="13900000011", name="王阿姨")
    assert response.status_code == 200
    p = Problem.objects.get(title="5栋楼道灯不亮")
    assert p.state == "pending" and not p.on_wall
    assert "5栋楼道灯不亮" not in wall()
    assert Client().get(f"/public/p/{p.code}/").status_code == 404
    # The reporter's link is on the page they got, and works before moderation.
    assert p.get_reporter_url() in response.content.decode()
    assert "正在审核" in Client().get(p.get_reporter_url()).content.decode()
    # Staff see it in the queue and approve it.
    queue = client_for("shequ").get("/public/problems/?state=pending").content.decode()
    assert "5栋楼道灯不亮" in queue
    client_for("shequ").post(f"/public/problems/{p.pk}/approve/")
    p.refresh_from_db()
    assert p.state == "accepted"
    page = wall()
    assert "5栋楼道灯不亮" in page
    assert "王阿姨" not in page and "13900000011" not in page
    public = Client().get(f"/public/p/{p.code}/").content.decode()
    assert "王阿姨" not in public and "1390000" not in public
    assert DutyRecord.objects.filter(action="problem.approve", object_id=str(p.pk)).exists()


def test_a_rejected_report_never_shows(personas, client_for):
    p = problem(title="广告广告")
    response = client_for("shequ").post(f"/public/problems/{p.pk}/reject/", {"reason": ""})
    assert response.status_code == 400 and "请写明不予公开的理由" in response.content.decode()
    client_for("shequ").post(f"/public/problems/{p.pk}/reject/", {"reason": "广告"})
    p.refresh_from_db()
    assert p.state == "rejected" and "广告广告" not in wall()


def test_script_tags_are_escaped_and_long_or_bad_input_keeps_what_was_typed(personas):
    response = report(title="x" * 61, description="<script>alert(1)</script>", phone="12345")
    body = response.content.decode()
    assert response.status_code == 400
    assert "最多60个字符" in body and "手机号应为以1开头的11位数字" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert 'value="12345"' in body and "x" * 61 in body
    assert not Problem.objects.filter(description__contains="script").exists()
    report(title="<b>粗体</b>", description="<script>alert(1)</script>")
    p = on_wall(personas, title="<img src=x onerror=alert(1)>")
    assert "<img src=x" not in wall() and "&lt;img src=x" in wall()
    assert "<img src=x" not in Client().get(f"/public/p/{p.code}/").content.decode()


def test_a_control_character_is_refused_in_chinese():
    with pytest.raises(ValidationError) as caught:
        problem(title="路灯\x00坏了")
    assert "控制字符" in str(caught.value)


def test_the_whole_loop_plan_solve_check_rate_reopen(personas, client_for):
    p = on_wall(personas)
    shequ = client_for("shequ")
    deadline = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = shequ.post(
        f"/public/problems/{p.pk}/plan/",
        {"responsible": "社区物业", "measures": "联系供电所更换", "deadline": deadline},
    )
    assert response.status_code == 302
    shown = Client().get(f"/public/p/{p.code}/").content.decode()
    assert "社区物业" in shown and "联系供电所更换" in shown and deadline in shown
    shequ.post(f"/public/problems/{p.pk}/solve/", {"result": "已更换路灯"})
    p.refresh_from_db()
    assert p.state == "solved" and not EchoEntry.objects.filter(problem=p).exists()
    # The solver may not check their own result.
    response = shequ.post(f"/public/problems/{p.pk}/verify/")
    assert response.status_code == 403 and "不能核实自己办结的问题" in response.content.decode()
    client_for("jiedao").post(f"/public/problems/{p.pk}/verify/")
    p.refresh_from_db()
    assert p.state == "published"
    echo = Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    assert "已更换路灯" in echo and "待评议" in echo
    # The reporter rates it from their link: unsatisfied, then reopens once.
    link = p.get_reporter_url()
    resident = Client()
    response = resident.post(link, {"action": "rate", "rating": "unsatisfied", "comment": "还是暗"})
    assert response.status_code == 302
    again = resident.post(link, {"action": "rate", "rating": "satisfied"})
    assert again.status_code == 400 and "已经评议过" in again.content.decode()
    assert "不满意" in Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    response = resident.post(link, {"action": "reopen", "reason": ""})
    assert response.status_code == 400 and "请写明不满意的理由" in response.content.decode()
    resident.post(link, {"action": "reopen", "reason": "灯还是不亮"})
    p.refresh_from_db()
    assert p.state == "in_progress" and p.reopened == 1
    # Solved and published again: rated again, but no second reopening.
    shequ.post(f"/public/problems/{p.pk}/solve/", {"result": "更换了线路"})
    client_for("jiedao").post(f"/public/problems/{p.pk}/verify/")
    resident.post(link, {"action": "rate", "rating": "unsatisfied"})
    response = resident.post(link, {"action": "reopen", "reason": "仍不满意"})
    assert response.status_code == 400 and "只能重新办理一次" in response.content.decode()
    kinds = set(
        DutyRecord.objects.filter(object_id=str(p.pk), action__startswith="problem.").values_list(
            "action", flat=True
        )
    )
    assert {"problem.plan", "problem.solve", "problem.verify", "problem.rate"} <= kinds
    assert "problem.reopen" in kinds


def test_a_forged_or_expired_rating_link_is_refused(personas):
    p = published(personas)
    assert Client().get(f"/public/p/{p.code}/forged-secret/").status_code == 404
    assert (
        Client().post(f"/public/p/{p.code}/forged/", {"action": "rate", "rating": "satisfied"})
    ).status_code == 404
    EchoEntry.objects.filter(problem=p).update(published_at=timezone.now() - timedelta(days=31))
    response = Client().post(p.get_reporter_url(), {"action": "rate", "rating": "satisfied"})
    assert response.status_code == 400 and "评议期已过" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.problem_rate(problem=p, secret="nope", rating="satisfied")


def test_reopening_needs_an_unsatisfied_rating(personas):
    p = published(personas)
    response = Client().post(p.get_reporter_url(), {"action": "reopen", "reason": "想重办"})
    assert response.status_code == 400 and "不满意" in response.content.decode()


def test_closed_not_solved_is_its_own_state_never_shown_as_solved(personas, client_for):
    p = on_wall(personas, title="高速路噪音")
    client_for("shequ").post(
        f"/public/problems/{p.pk}/close/", {"reason": "不属本社区职责", "referred_to": "区交通局"}
    )
    p.refresh_from_db()
    assert p.state == "closed_unsolved"
    page = Client().get(f"/public/p/{p.code}/").content.decode()
    assert "已关闭（未解决）" in page and "区交通局" in page and "已解决" not in page
    assert not EchoEntry.objects.filter(problem=p).exists()
    assert "高速路噪音" not in Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    assert "高速路噪音" in wall(Client()) and "已关闭（未解决）" in wall(Client())
    closed = Client().get(f"/public/c/{COMMUNITY}/?state=closed_unsolved").content.decode()
    assert "高速路噪音" in closed
    published_only = Client().get(f"/public/c/{COMMUNITY}/?state=published").content.decode()
    assert "高速路噪音" not in published_only
    problem(title="待审核不上墙")
    pending = Client().get(f"/public/c/{COMMUNITY}/?state=pending").content.decode()
    assert "待审核不上墙" not in pending and "暂时没有公开的问题" in pending


def test_support_counts_once_per_resident_and_a_merge_carries_supporters(personas, client_for):
    keep = on_wall(personas, title="小区门口积水", phone="13900000021")
    dup = on_wall(personas, title="门口一下雨就积水", phone="13900000022")
    for n in range(3):
        Client(REMOTE_ADDR=f"10.1.0.{n}").post(f"/public/p/{dup.code}/")
    Client(REMOTE_ADDR="10.1.0.0").post(f"/public/p/{dup.code}/")  # the same address again
    Client(REMOTE_ADDR="10.1.0.0").post(f"/public/p/{keep.code}/")  # supports both
    dup.refresh_from_db()
    keep.refresh_from_db()
    assert (dup.supporters, keep.supporters) == (4, 2)
    response = client_for("shequ").post(f"/public/problems/{dup.pk}/merge/", {"into": "P0000000"})
    assert response.status_code == 400 and "没有找到" in response.content.decode()
    client_for("shequ").post(f"/public/problems/{dup.pk}/merge/", {"into": keep.code})
    dup.refresh_from_db()
    keep.refresh_from_db()
    # The duplicate's reporter and two new addresses join; 10.1.0.0 is counted once.
    assert dup.state == "merged" and dup.merged_into == keep and keep.supporters == 5
    assert "门口一下雨就积水" not in wall()


def test_support_is_refused_once_solved(personas):
    p = published(personas)
    response = Client().post(f"/public/p/{p.code}/")
    assert response.status_code == 409 and "不能再附议" in response.content.decode()


def test_reports_are_limited_per_address_and_per_phone(personas):
    before = Problem.objects.filter(state="pending").count()
    for n in range(3):
        assert report(Client(REMOTE_ADDR=f"10.2.0.{n}"), phone="13900000031").status_code == 200
    refused = report(Client(REMOTE_ADDR="10.2.0.9"), phone="13900000031")
    assert refused.status_code == 429 and "太频繁" in refused.content.decode()
    for n in range(5):
        phone = f"1390000004{n}"
        assert report(Client(REMOTE_ADDR="10.3.0.1"), phone=phone).status_code == 200
    assert report(Client(REMOTE_ADDR="10.3.0.1"), phone="13900000049").status_code == 429
    assert Problem.objects.filter(state="pending").count() == before + 8


def test_the_honeypot_keeps_nothing(personas):
    before = Problem.objects.count()
    response = report(website="http://spam.example")
    assert response.status_code == 200 and Problem.objects.count() == before


def test_an_unknown_community_or_a_zone_of_another_is_not_found(personas):
    from xianfeng.places.models import ResponsibilityZone

    assert Client().get("/public/c/NOPE/").status_code == 404
    other = ResponsibilityZone.objects.filter(
        organization__path__startswith=community(OTHER_COMMUNITY).path
    ).first()
    if other is not None:
        url = f"/public/c/{COMMUNITY}/report/?zone={other.public_code}"
        assert Client().get(url).status_code == 404
    assert Client().get(f"/public/c/{COMMUNITY}/report/?zone=not-a-uuid").status_code == 404


def test_the_wall_reads_a_page_in_constant_queries(personas):
    for n in range(3):
        on_wall(personas, title=f"问题{n}", phone=f"1390000005{n}")
    with CaptureQueriesContext(connection) as few:
        Client().get(f"/public/c/{COMMUNITY}/")
    for n in range(3, 12):
        on_wall(personas, title=f"问题{n}", phone=f"1390000006{n % 10}")
    with CaptureQueriesContext(connection) as many:
        body = Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(re.findall(r'class="pstate', body)) >= 12


def test_the_echo_wall_reads_a_page_in_constant_queries(personas):
    published(personas, phone="13900000071")
    with CaptureQueriesContext(connection) as few:
        Client().get(f"/public/c/{COMMUNITY}/echo/")
    for n in range(3):
        published(personas, phone=f"1390000008{n}")
    with CaptureQueriesContext(connection) as many:
        Client().get(f"/public/c/{COMMUNITY}/echo/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_raise_a_problem_from_a_visit_straight_onto_the_wall(personas):
    p = services.problem_raise(
        actor=personas["shequ"],
        organization=community(),
        source="visit",
        category="safety",
        title="走访发现楼道堆放杂物",
        source_note="走访 3栋",
    )
    assert p.state == "accepted" and p.on_wall
    assert DutyRecord.objects.filter(action="problem.report", object_id=str(p.pk)).exists()
    with pytest.raises(PermissionDenied):
        services.problem_raise(
            actor=personas["shequ2"],
            organization=community(),
            source="meeting",
            category="safety",
            title="越权",
        )


def test_only_staff_in_scope_moderate(personas):
    p = problem()
    with pytest.raises(PermissionDenied):
        workflow.take(p, "approve", actor=personas["dangyuan"])
    with pytest.raises(PermissionDenied):
        workflow.take(p, "approve", actor=personas["shequ2"])
    with pytest.raises(workflow.StateConflict):
        workflow.take(p, "solve", actor=personas["shequ"], result="x")


def test_staff_see_the_moderation_queue_on_their_home_page(personas, client_for):
    problem(title="首页待审核")
    home = client_for("shequ").get("/").content.decode()
    assert "条群众反映的问题待审核" in home and "/public/problems/?state=pending" in home
    assert "条群众反映的问题待审核" not in client_for("dangyuan").get("/").content.decode()


def test_a_cached_wall_reads_no_problem_again_until_one_changes(personas):
    first = on_wall(personas, title="楼道灯不亮", phone="13900000091")
    with CaptureQueriesContext(connection) as cold:
        assert "楼道灯不亮" in Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    with CaptureQueriesContext(connection) as warm:
        body = Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    assert "楼道灯不亮" in body
    assert any("public_problem" in q["sql"] for q in cold.captured_queries)
    assert not any("public_problem" in q["sql"] for q in warm.captured_queries)
    # A change shows at once: a new problem, a support, a state change.
    on_wall(personas, title="井盖松动", phone="13900000092")
    assert "井盖松动" in Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    services.problem_support(problem=first, client="10.0.0.77", phone="13900000093")
    assert "2人关注" in Client().get(f"/public/c/{COMMUNITY}/").content.decode()
    # Another community's wall keeps its own cache.
    other = Client().get(f"/public/c/{OTHER_COMMUNITY}/").content.decode()
    assert "井盖松动" not in other


def test_a_cached_echo_wall_shows_a_rating_at_once(personas):
    p = published(personas, title="垃圾桶满了", phone="13900000094")
    assert "待评议" in Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    assert (
        Client().post(p.get_reporter_url(), {"action": "rate", "rating": "satisfied"}).status_code
        == 302
    )
    body = Client().get(f"/public/c/{COMMUNITY}/echo/").content.decode()
    entry = body.split("垃圾桶满了")[1].split("</li>")[0]
    assert "待评议" not in entry and "满意" in entry


def test_the_wall_version_changes_again_when_the_change_commits(
    personas, django_capture_on_commit_callbacks
):
    from xianfeng.public import wallcache

    c = community()
    before = wallcache.wall_version(c.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        on_wall(personas, title="消防通道被占", phone="13900000095")
    inside = wallcache.wall_version(c.pk)
    assert inside != before  # the change's own transaction sees its rows at once
    for callback in callbacks:
        callback()
    assert wallcache.wall_version(c.pk) != inside


def test_the_residents_text_is_kept_as_written_with_full_width_punctuation(personas):
    title = "３栋门口：路灯坏了，晚上很黑！（已经一周）"
    p = on_wall(personas, title=title, address="幸福里３栋，东门", name="李（阿姨）")
    stored = Problem.objects.get(pk=p.pk)
    assert stored.title == title
    assert stored.address == "幸福里３栋，东门"
    assert stored.reporter_name == "李（阿姨）"
    assert title in wall()
