"""Small builders for the 双领 tests: a campaign → project → task chain at given organizations."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from PIL import Image

from xianfeng.demo.base import persona_member
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Household
from xianfeng.work.choices import TaskState
from xianfeng.work.models import Campaign, Project, Supervision, Task


def image_bytes(fmt: str, size: tuple[int, int] = (8, 6), **save: Any) -> bytes:
    """A real picture (photos are decoded and re-encoded by Pillow)."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")


def chain(org: Organization, task_org: Organization | None = None, **task_fields: Any) -> Task:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        organization=org,
        title="测试行动",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=60),
    )
    project = Project.objects.create(
        campaign=campaign, organization=org, title="测试项目", deadline=today + timedelta(days=50)
    )
    fields = {"title": "测试任务", "deadline": today + timedelta(days=20), **task_fields}
    return Task.objects.create(project=project, organization=task_org or org, **fields)


def task_in(task: Task, **fields: Any) -> Task:
    today = timezone.localdate()
    fields.setdefault("title", "另一项任务")
    fields.setdefault("deadline", today + timedelta(days=20))
    return Task.objects.create(project=task.project, organization=task.organization, **fields)


def submitted(task: Task, member: PartyMember) -> Task:
    task.assignee = member
    task.state = TaskState.SUBMITTED
    task.evidence_notes = "完成"
    task.save()
    return task


def member_under(org: Organization, exclude: tuple[int, ...] = ()) -> PartyMember:
    return (
        PartyMember.objects.filter(branch__path__startswith=org.path)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .first()
    )


def household_under(org: Organization) -> Household:
    return (
        Household.objects.filter(organization__path__startswith=org.path)
        .select_related("building")
        .order_by("pk")
        .first()
    )


def supervision(issuer: Organization, org: Organization, task: Task | None = None) -> Supervision:
    return Supervision.objects.create(
        issuer=issuer,
        organization=org,
        project=task.project if task else None,
        task=task,
        content="请报送进度",
        due_on=timezone.localdate() + timedelta(days=3),
    )


def dangyuan() -> PartyMember:
    return persona_member("dangyuan")


def wangge() -> PartyMember:
    return persona_member("wangge")
