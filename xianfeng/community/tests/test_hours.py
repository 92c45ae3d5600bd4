"""Hours after work (8小时外): sessions from a task, a visit, a team activity or self-reported
with a photo; the community confirms self-reported ones (never one's own); the year's hours
for a member and their branch; bad hours refused in Chinese."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.community import hours, teams
from xianfeng.community.models import ServiceSession
from xianfeng.community.tests import factories as cf
from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import take
from xianfeng.visits.services import visit_create
from xianfeng.work.tests.factories import JPEG, chain, household_under

pytestmark = pytest.mark.django_db


def photo():
    return SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")


@pytest.fixture
def serving(personas):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    return member, cf.account_for(member)


def test_self_reported_hours_wait_for_the_community(personas, serving):
    member, user = serving
    today = timezone.localdate()
    session = hours.session_log(
        actor=user, served_on=today, hours="2", content="清理楼道杂物", photo=photo()
    )
    assert session.state == "pending" and session.organization == cf.community()
    assert session.branch == member.branch
    # recorded against both the community and the member's branch
    orgs = set(
        DutyRecord.objects.filter(action="service.log", object_id=str(session.pk)).values_list(
            "organization_id", flat=True
        )
    )
    assert orgs == {cf.community().pk, member.branch_id}
    assert hours.member_year_hours(member, today.year)["hours"] == 0
    hours.session_confirm(actor=personas["shequ"], session=session)
    figures = hours.member_year_hours(member, today.year)
    assert figures["hours"] == Decimal("2.0") and figures["sessions"] == 1
    rows = hours.branch_year_hours(personas["danwei"], cf.unit(), today.year)
    assert [r["hours"] for r in rows if r["member_id"] == member.pk] == [Decimal("2.0")]
    assert not hours.branch_year_hours(personas["shequ2"], cf.unit(), today.year).exists()


def test_nobody_confirms_their_own_hours(personas, serving):
    _member, user = serving
    session = hours.session_log(
        actor=user, served_on=timezone.localdate(), hours="1", content="值守", photo=photo()
    )
    with pytest.raises(PermissionDenied, match="不能确认自己申报的服务时长"):
        take(session, "confirm", actor=user)
    with pytest.raises(PermissionDenied, match="只有服务社区的管理人员"):
        take(session, "confirm", actor=personas["shequ2"])
    with pytest.raises(ValidationError, match="请说明不予确认的原因"):
        hours.session_reject(actor=personas["shequ"], session=session, note=" ")


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"hours": "25"}, "一天的服务时长不能超过24小时"),
        ({"hours": "0"}, "服务时长必须大于0"),
        ({"hours": "两个"}, "请填写服务时长"),
        ({"served_on": 1}, "服务日期不能晚于今天"),
        ({"photo": None}, "请上传一张现场照片"),
    ],
)
def test_bad_hours_are_refused_in_chinese(serving, fields, message):
    member, user = serving
    args = {"served_on": timezone.localdate(), "hours": "2", "content": "服务", "photo": photo()}
    if fields.get("served_on") == 1:
        fields = {"served_on": timezone.localdate() + timedelta(days=1)}
    args.update(fields)
    with pytest.raises(ValidationError, match=message):
        hours.session_log(actor=user, **args)
    assert not ServiceSession.objects.filter(member=member).exists()


def test_a_day_holds_at_most_24_hours(serving):
    _member, user = serving
    today = timezone.localdate()
    hours.session_log(actor=user, served_on=today, hours="20", content="服务", photo=photo())
    with pytest.raises(ValidationError, match="将超过一天24小时"):
        hours.session_log(actor=user, served_on=today, hours="5", content="服务", photo=photo())


def test_hours_from_a_claimed_task_and_a_visit_count_at_once(personas, serving):
    member, user = serving
    task = chain(cf.community())
    take(task, "claim", actor=user)
    task.refresh_from_db()
    from_task = hours.session_log(
        actor=user, source="task", task=task, served_on=timezone.localdate(), hours="1.5"
    )
    assert from_task.state == "confirmed" and from_task.content == task.title
    with pytest.raises(ValidationError, match="已经登记过了"):
        hours.session_log(
            actor=user, source="task", task=task, served_on=timezone.localdate(), hours="1"
        )
    household = household_under(cf.community())
    visit, _ = visit_create(
        actor=user, visited_at=timezone.now(), purposes=["safety"], household=household
    )
    assert visit.reported_to == member.branch and visit.organization.path.startswith(
        cf.community().path
    )
    from_visit = hours.session_log(
        actor=user, source="visit", visit=visit, served_on=timezone.localdate(), hours="0.5"
    )
    assert from_visit.state == "confirmed"
    assert hours.member_year_hours(member, timezone.localdate().year)["hours"] == Decimal("2.0")


def test_a_team_claims_a_task_as_one_and_logs_a_patrol(personas, serving):
    member, user = serving
    team = teams.team_create(
        actor=personas["shequ"], organization=cf.community(), name="安全巡查一队", kind="patrol"
    )
    teams.team_member_add(actor=personas["shequ"], team=team, member=member)
    task = chain(cf.community())
    with pytest.raises(PermissionDenied, match="只有该队队员"):
        teams.team_task_claim(actor=personas["dangyuan"], team=team, task=task)
    claim = teams.team_task_claim(actor=user, team=team, task=task)
    task.refresh_from_db()
    assert claim.team == team and task.assignee_id == member.pk
    other = cf.in_service_member(1)
    with pytest.raises(ValidationError, match="不是该队队员"):
        teams.team_activity_log(
            actor=user,
            team=team,
            kind="patrol",
            held_on=timezone.localdate(),
            hours="2",
            content="夜间巡查",
            participants=[member, other],
        )
    activity = teams.team_activity_log(
        actor=user,
        team=team,
        kind="patrol",
        held_on=timezone.localdate(),
        hours="2",
        content="夜间巡查",
        participants=[member],
        place="一号楼至五号楼",
    )
    session = ServiceSession.objects.get(activity=activity)
    assert session.member == member and session.state == "confirmed" and session.source == "patrol"
