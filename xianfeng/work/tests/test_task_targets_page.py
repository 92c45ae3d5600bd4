"""A task's target households are chosen on the page (issue 10), with the household picker
that finds any household under the project's organization by search as you type."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.testing import role_org
from xianfeng.places.models import Household
from xianfeng.work.models import Task
from xianfeng.work.tests.factories import chain

pytestmark = pytest.mark.django_db


def _project(personas):
    return chain(role_org(personas["shequ"])).project


def test_the_task_form_sets_target_households_found_by_the_picker(client_for, personas):
    project = _project(personas)
    client = client_for("shequ")
    page = client.get(f"/work/projects/{project.pk}/tasks/new/").content.decode()
    assert "目标住户" in page and "/places/households/pick/" in page
    under = Household.objects.filter(organization__path__startswith=project.organization.path)
    wanted = list(under.order_by("-pk")[:2])
    found = client.get(
        "/places/households/pick/",
        {"q": wanted[0].room, "under": project.organization_id, "name": "target_households"},
    ).content.decode()
    assert f'name="target_households" value="{wanted[0].pk}"' in found
    response = client.post(
        f"/work/projects/{project.pk}/tasks/new/",
        {
            "title": "走访两户",
            "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "target_households": [h.pk for h in wanted],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(title="走访两户")
    assert set(task.target_households.all()) == set(wanted)


def test_a_household_outside_the_scope_is_refused_in_chinese_and_nothing_is_created(
    client_for, personas
):
    project = _project(personas)
    elsewhere = Household.objects.exclude(
        organization__path__startswith=role_org(personas["shequ"]).path
    ).first()
    response = client_for("shequ").post(
        f"/work/projects/{project.pk}/tasks/new/",
        {
            "title": "越界的任务",
            "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "target_households": [elsewhere.pk],
        },
    )
    assert response.status_code == 400
    assert "所选住户不存在或不在您的管辖范围内" in response.content.decode()
    assert not Task.objects.filter(title="越界的任务").exists()


def test_the_picker_keeps_ticked_households_and_says_how_many_more(client_for, personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    under = Household.objects.filter(organization__path__startswith=community.path)
    first = under.order_by("pk").first()
    page = (
        client_for("shequ")
        .get(
            "/places/households/pick/",
            {
                "under": community.pk,
                "name": "target_households",
                "target_households": first.pk,
                "q": "不会有这样的楼",
            },
        )
        .content.decode()
    )
    assert f'value="{first.pk}" checked' in page  # kept although the search does not find it
    if under.count() > 31:
        listing = client_for("shequ").get("/places/households/pick/", {"under": community.pk})
        assert f"还有{under.count() - 30}户未列出" in listing.content.decode()
    other = client_for("shequ2").get("/places/households/pick/", {"q": first.room}).content.decode()
    assert f'value="{first.pk}"' not in other
