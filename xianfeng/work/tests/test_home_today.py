""" "今天需要我处理" on the home page is complete and actionable (issue 10): a member's returned
and overdue tasks, the 督办 to answer (a link to the answer form, gone once answered) and, for
the organization that issued it, the answer to read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Task
from xianfeng.work.services import supervision_answer, supervision_create
from xianfeng.work.tests.factories import chain

pytestmark = pytest.mark.django_db


def test_a_members_returned_and_overdue_tasks_are_on_her_home_until_they_move_on(
    client_for, personas
):
    member = persona_member("dangyuan")
    Task.objects.filter(assignee=member, state=TaskState.RETURNED).update(state=TaskState.DONE)
    assert "项我的任务被退回" not in client_for("dangyuan").get("/").content.decode()
    returned = chain(member.branch, title="退回的任务", assignee=member, state=TaskState.RETURNED)
    chain(member.branch, title="逾期的任务", assignee=member, state=TaskState.OVERDUE)
    overdue = Task.objects.filter(assignee=member, state=TaskState.OVERDUE).count()
    home = client_for("dangyuan").get("/").content.decode()
    assert '?mine=1&amp;state=returned"><b>1</b>项我的任务被退回' in home
    assert f'?mine=1&amp;state=overdue"><b>{overdue}</b>项我的任务已逾期' in home
    listed = client_for("dangyuan").get("/work/tasks/?mine=1&state=returned").content.decode()
    assert "退回的任务" in listed and "逾期的任务" not in listed
    returned.state = TaskState.SUBMITTED
    returned.save()
    assert "项我的任务被退回" not in client_for("dangyuan").get("/").content.decode()


def test_a_supervision_is_a_link_to_answer_until_answered_then_the_issuer_reads_it(
    client_for, personas
):
    community = role_org(personas["shequ"])
    note = supervision_create(
        actor=personas["jiedao"],
        organization=community,
        content="请核查辖区出租屋消防通道",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    home = client_for("shequ").get("/").content.decode()
    assert f'href="/work/supervisions/{note.pk}/answer/"' in home
    assert "请核查辖区出租屋消防通道" in home
    assert client_for("shequ").get(f"/work/supervisions/{note.pk}/answer/").status_code == 200
    supervision_answer(actor=personas["shequ"], supervision=note, answer="已全部核查，清理3处")
    home = client_for("shequ").get("/").content.decode()
    assert f"/work/supervisions/{note.pk}/answer/" not in home
    assert "请核查辖区出租屋消防通道" not in home  # nor as a plain-text reminder
    issuer_home = client_for("jiedao").get("/").content.decode()
    assert "已答复督办：请核查辖区出租屋消防通道" in issuer_home


def test_pending_declarations_are_on_the_reviewers_home_until_reviewed(client_for, personas):
    from xianfeng.exchange.models import LandlordDeclaration
    from xianfeng.places.models import Building

    LandlordDeclaration.objects.all().delete()
    assert "份房东申报待审核" not in client_for("shequ").get("/").content.decode()
    building = Building.objects.restrict(personas["shequ"]).first()
    declaration = LandlordDeclaration.objects.create(
        building=building, landlord_name="房东", landlord_mobile="13700000000", rooms=[]
    )
    home = client_for("shequ").get("/").content.decode()
    assert '/exchange/declarations/?status=submitted"><b>1</b>份房东申报待审核' in home
    assert "份房东申报待审核" not in client_for("shequ2").get("/").content.decode()  # not theirs
    declaration.status = LandlordDeclaration.Status.REJECTED
    declaration.save()
    assert "份房东申报待审核" not in client_for("shequ").get("/").content.decode()


def test_this_months_visits_link_to_this_months_visits(client_for, personas):
    from xianfeng.visits.models import Visit

    member = persona_member("dangyuan")
    now = timezone.localtime()
    month_start = now.replace(day=1).date()
    home = client_for("dangyuan").get("/").content.decode()
    this_month = Visit.objects.filter(
        member=member, visited_at__gte=now.replace(day=1, hour=0, minute=0, second=0)
    ).count()
    link = f'/work/visits/?mine=1&amp;since={month_start:%Y-%m-%d}"><b>{this_month}</b>次本月走访'
    assert link in home
    api = client_for("dangyuan").get(f"/api/v1/visits?mine=true&since={month_start:%Y-%m-%d}")
    assert api.json()["count"] == this_month
    page = client_for("dangyuan").get(f"/work/visits/?mine=1&since={month_start:%Y-%m-%d}")
    assert "以来的走访" in page.content.decode()
    assert client_for("dangyuan").get("/work/visits/?since=not-a-day").status_code == 200


def test_after_a_visit_the_member_is_offered_the_next_one(client_for, personas):
    from xianfeng.visits.models import Visit

    member = persona_member("dangyuan")
    visit = Visit.objects.filter(member=member).first()
    assert visit is not None  # the demo district gives dangyuan visits
    page = client_for("dangyuan").get(f"/work/visits/{visit.pk}/").content.decode()
    assert "登记下一户走访" in page and "None" not in page
    other = client_for("shequ").get(f"/work/visits/{visit.pk}/").content.decode()
    assert "登记下一户走访" not in other


def test_the_supervision_form_offers_only_organizations_below_the_users_own(client_for, personas):
    jiedao = personas["jiedao"]
    street = role_org(jiedao)
    project = chain(street).project
    page = client_for("jiedao").get(f"/work/projects/{project.pk}/supervise/").content.decode()
    options = re.findall(r'<input type="radio" name="organization" value="(\d+)"', page)
    assert options, page[:500]
    assert str(street.pk) not in options  # the own street: the service would refuse it
    # The picker's search offers the same: a child found by name, the own street never.
    spec = re.search(r'"spec": "([^"]+)"', page).group(1)
    child = street.children.order_by("path").last()

    def found(q: str) -> list[str]:
        answer = client_for("jiedao").get(
            "/orgs/pick/", {"spec": spec, "name": "organization", "q": q}
        )
        return re.findall(r'value="(\d+)"', answer.content.decode())

    assert str(child.pk) in found(child.name)
    assert str(street.pk) not in found(street.name)


def test_street_and_district_staff_see_campaigns_projects_and_their_waiting_supervision(
    client_for, personas
):
    """qu sees the running campaign with its figures; jiedao its street's project in it; both
    the 督办 they issued that wait for an answer, an overdue one as a link. Each line clears:
    an answered 督办 leaves the waiting count."""
    from xianfeng.work import services as work_services
    from xianfeng.work.models import Campaign, Project, Supervision

    campaign = Campaign.objects.get()
    district = client_for("qu").get("/").content.decode()
    assert campaign.title in district and f"/work/campaigns/{campaign.pk}/" in district
    street = role_org(personas["jiedao"])
    project = Project.objects.filter(organization=street).first()
    mine = client_for("jiedao").get("/").content.decode()
    assert f"/work/projects/{project.pk}/" in mine and "本组织承担的项目" in mine
    child = street.children.order_by("path").first()
    note = work_services.supervision_create(
        actor=personas["jiedao"],
        project=project,
        organization=child,
        content="请本周内报送排查台账",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    Supervision.objects.filter(pk=note.pk).update(status="overdue")
    mine = client_for("jiedao").get("/").content.decode()
    assert "发出的督办" in mine and "逾期未答复：请本周内报送排查台账" in mine
    Supervision.objects.filter(issuer=street).update(status="answered")
    assert "发出的督办" not in client_for("jiedao").get("/").content.decode()
