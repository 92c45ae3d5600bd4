"""Shared makers for the public app's tests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from xianfeng.core import workflow
from xianfeng.orgs.models import Organization
from xianfeng.public import services
from xianfeng.public.models import Problem

COMMUNITY = "XF-S01-C01"
OTHER_COMMUNITY = "XF-S02-C01"


def community(code: str = COMMUNITY) -> Organization:
    return Organization.objects.get(code=code)


def report(client: Client | None = None, **values: Any) -> Any:
    data = {"category": "environment", "title": "3栋门口垃圾堆积", "phone": "13900000001"}
    data.update(values)
    return (client or Client()).post(f"/public/c/{COMMUNITY}/report/", data)


def problem(**values: Any) -> Problem:
    data = {
        "organization": community(),
        "category": "facilities",
        "title": "路灯坏了",
        "phone": "13900000002",
        "client": "10.0.0.9",
    }
    data.update(values)
    return services.problem_report(**data)


def on_wall(personas: dict, **values: Any) -> Problem:
    p = problem(**values)
    return workflow.take(p, "approve", actor=personas["shequ"])


def published(personas: dict, **values: Any) -> Problem:
    """Approved, planned, solved by shequ, checked by jiedao: on the echo wall."""
    from datetime import timedelta

    from django.utils import timezone

    p = on_wall(personas, **values)
    workflow.take(
        p,
        "plan",
        actor=personas["shequ"],
        responsible="物业公司",
        measures="更换灯泡",
        deadline=timezone.localdate() + timedelta(days=7),
    )
    workflow.take(p, "solve", actor=personas["shequ"], result="已更换，恢复照明")
    return workflow.take(p, "verify", actor=personas["jiedao"])
