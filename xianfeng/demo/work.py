"""Demo data for 双领: the district's 安全大检查 campaign, its projects and tasks in every state,
and household visits (``xianfeng.demo.visits``). Called at the end of
``xianfeng.demo.district.build_demo_district``.

Idempotent by natural key: the campaign ``(organization, title)``; once it exists nothing more
is made, so a second build changes nothing. Dates are relative to today (a demo should show
coverage for "the last 30 days"), the choices come from the demo's seed.

In the persona grid (XF-S01-C01-G01): tasks for ``dangyuan`` in each state (one open to claim,
claimed, in progress, submitted for ``wangge`` to verify, returned, done, overdue), a
supervision note from the street to the community, and visits to most — not all —
households, so the not-visited list has rows. Other grid branches get one open and one done
task and visits to about a third of their households (district scale: about 12,000 visits).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from xianfeng.core.models import User
from xianfeng.demo.context import _count, _ledger
from xianfeng.demo.visits import build_visits_demo
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember
from xianfeng.work.choices import ProjectOrigin, SupervisionStatus, TaskState
from xianfeng.work.models import Campaign, Project, Supervision, Task

CAMPAIGN_TITLE = "安全大检查"
CAMPAIGN_THEME = "以“安全大检查”为主题深入开展“双领”活动"
CAMPAIGN_GOALS = (
    "组织领项目、党员领任务，将“安全大检查”相关项目和任务落实到党组织、责任到党员；\n"
    "按照“走村不漏户，户户见干部”的要求，健全安全工作联社到户制度。"
)
PERSONA_BRANCH = "XF-S01-C01-G01"
STREET1 = "XF-S01"
COMMUNITY1 = "XF-S01-C01"

PERSONA_TASKS: list[tuple[str, str]] = [
    ("排查北辰大道出租屋消防通道", TaskState.OPEN),
    ("宣传“不租违建房、不住有安全隐患住所”", TaskState.OPEN),
    ("检查三小场所电气线路", TaskState.CLAIMED),
    ("走访孤老户，检查燃气安全", TaskState.IN_PROGRESS),
    ("排查楼道堆放杂物", TaskState.SUBMITTED),
    ("清理电动车楼道充电", TaskState.RETURNED),
    ("核查出租屋登记信息", TaskState.DONE),
    ("检查沿街商铺灭火器", TaskState.OVERDUE),
]


def build_work_demo(ctx: Any) -> None:
    """Build the 双领 demo into the district ``ctx`` (see the module docstring)."""
    district = ctx.orgs.get("XF")
    if (
        district is None
        or Campaign.objects.filter(organization=district, title=CAMPAIGN_TITLE).exists()
    ):
        return
    rng = random.Random(ctx.seed + 4)
    now = timezone.now()
    today = timezone.localdate()
    admin = User.objects.filter(username="qu").first()
    campaign = Campaign.objects.create(
        organization=district,
        title=CAMPAIGN_TITLE,
        theme=CAMPAIGN_THEME,
        goals=CAMPAIGN_GOALS,
        starts_on=today - timedelta(days=45),
        ends_on=today + timedelta(days=90),
        created_by=admin,
    )
    _count(ctx, Campaign, 1)
    orgs = list(Organization.objects.filter(path__startswith=district.path).order_by("path"))
    by_id = {o.pk: o for o in orgs}
    communities = [o for o in orgs if o.kind == OrgKind.COMMUNITY]
    branches = [o for o in orgs if o.kind == OrgKind.GRID_BRANCH]
    members_by_branch: dict[int, list[PartyMember]] = {}
    for m in PartyMember.objects.filter(branch__in=branches).order_by("pk"):
        members_by_branch.setdefault(m.branch_id, []).append(m)

    projects = []
    for street in (o for o in orgs if o.kind == OrgKind.STREET):
        projects.append(
            Project(
                campaign=campaign,
                organization=street,
                origin=ProjectOrigin.ASSIGNED,
                title="街道班子成员负责到社区",
                goals="每名班子成员联系一个社区，督导安全大检查。",
                measures="每月到联系社区不少于两次；问题清单销号管理。",
                deadline=today + timedelta(days=80),
                leader=ctx.first_member.get(street.code),
                created_by=admin,
            )
        )
    for community in communities:
        projects.append(
            Project(
                campaign=campaign,
                organization=community,
                origin=ProjectOrigin.CLAIMED,
                title="出租屋和三小场所消防安全排查",
                goals="辖区出租屋、三小场所全部排查一遍，隐患限期整改。",
                measures="党员分户包干，一户一档；发现隐患当场告知、拍照上报。",
                deadline=today + timedelta(days=60),
                leader=ctx.first_member.get(community.code),
                created_by=admin,
            )
        )
    Project.objects.bulk_create(projects)
    _count(ctx, Project, len(projects))
    community_project = {
        p.organization_id: p for p in projects if p.organization.kind == OrgKind.COMMUNITY
    }

    def community_of(branch: Organization) -> Organization:
        ids = [int(s) for s in branch.path.split(".") if s]
        return next(by_id[i] for i in ids if by_id[i].kind == OrgKind.COMMUNITY)

    tasks: list[Task] = []
    persona = ctx.orgs.get(PERSONA_BRANCH)
    dangyuan = User.objects.filter(username="dangyuan").select_related("person__member").first()
    dangyuan_member = getattr(getattr(dangyuan, "person", None), "member", None)
    for branch in branches:
        project = community_project.get(community_of(branch).pk)
        if project is None:
            continue
        members = members_by_branch.get(branch.pk, [])
        if branch == persona and dangyuan_member is not None:
            for i, (title, state) in enumerate(PERSONA_TASKS):
                late = state == TaskState.OVERDUE
                task = Task(
                    project=project,
                    organization=branch,
                    title=title,
                    description="按照安全大检查要点逐户检查，发现问题拍照记录。",
                    deadline=today + timedelta(days=-3 if late else 7 + i * 3),
                    state=state,
                )
                if state != TaskState.OPEN:
                    task.assignee = dangyuan_member
                    task.claimed_at = now - timedelta(days=10 - i)
                if state in (TaskState.SUBMITTED, TaskState.DONE):
                    task.evidence_notes = "已逐户检查，发现问题已当场告知住户整改。"
                    task.submitted_at = now - timedelta(days=2)
                if state == TaskState.RETURNED:
                    task.return_reason = "缺少现场照片，请补充后再提交。"
                if state == TaskState.DONE:
                    task.verified_at = task.done_at = now - timedelta(days=1)
                tasks.append(task)
            continue
        for j, state in enumerate((TaskState.OPEN, TaskState.DONE)):
            task = Task(
                project=project,
                organization=branch,
                title=f"{branch.display_name}出租屋消防排查（第{j + 1}批）",
                deadline=today + timedelta(days=14 + j * 7),
                state=state,
            )
            if state == TaskState.DONE and members:
                task.assignee = rng.choice(members)
                task.claimed_at = now - timedelta(days=12)
                task.submitted_at = now - timedelta(days=5)
                task.verified_at = task.done_at = now - timedelta(days=4)
                task.evidence_notes = "排查完毕。"
            elif state == TaskState.DONE:
                task.state = TaskState.OPEN
            tasks.append(task)
    Task.objects.bulk_create(tasks)
    _count(ctx, Task, len(tasks))
    if ctx.history:
        Task.history.bulk_history_create(tasks, default_change_reason="演示数据")
        Project.history.bulk_history_create(projects, default_change_reason="演示数据")
        Campaign.history.bulk_history_create([campaign], default_change_reason="演示数据")

    street1, community1 = ctx.orgs.get(STREET1), ctx.orgs.get(COMMUNITY1)
    if street1 is not None and community1 is not None:
        Supervision.objects.create(
            issuer=street1,
            organization=community1,
            project=community_project.get(community1.pk),
            content="请于本周内报送出租屋排查进度和发现的隐患清单。",
            due_on=today + timedelta(days=5),
            status=SupervisionStatus.OPEN,
            created_by=User.objects.filter(username="jiedao").first(),
        )
        _count(ctx, Supervision, 1)

    # Ledger rows for the persona tasks' claims and completions (through the one writer).
    for task in tasks:
        if task.assignee_id and task.organization_id == getattr(persona, "pk", None):
            _ledger(
                dangyuan, "task.claim", task.organization_id, task, task.assignee, task.claimed_at
            )
            if task.state == TaskState.DONE:
                _ledger(
                    dangyuan,
                    "task.submit",
                    task.organization_id,
                    task,
                    task.assignee,
                    task.submitted_at,
                )

    build_visits_demo(
        ctx, rng, branches, members_by_branch, persona, dangyuan, dangyuan_member, now
    )
