"""The transition walk of adjustments and appeals (xianfeng/core/workflow_walk.py): every
step through the API and the page, allowed and refused, in a state that allows it and one
that does not."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core import workflow
from xianfeng.core.testing import role_org
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.demo.base import persona_member
from xianfeng.orgs.choices import OrgKind
from xianfeng.scoring import assessment, declarations, evaluation, services
from xianfeng.scoring.models import AssessmentCycle, EvaluationRound, SelfDeclaration

pytestmark = pytest.mark.django_db


def _adjustment(p):
    return services.adjustment_request(
        actor=p["shequ"], member=persona_member("dangyuan"), points=2, reason="补记走访"
    )


def _adjustment_done(p):
    adj = _adjustment(p)
    return workflow.take(adj, "approve", actor=p["qu"])


def _appeal(p):
    return services.appeal_submit(actor=p["dangyuan"], reason="漏记")


def _appeal_done(p):
    return workflow.take(_appeal(p), "answer", actor=p["shequ"], answer="已核实")


WALKS = [
    Walk(services.Adjustment, "approve", _adjustment, _adjustment_done, "jiedao", "shequ",
         "/api/v1/scoring/adjustments/{pk}/approve", "/scoring/adjustments/{pk}/approve/"),
    Walk(services.Adjustment, "reject", _adjustment, _adjustment_done, "qu", "shequ",
         "/api/v1/scoring/adjustments/{pk}/reject", "/scoring/adjustments/{pk}/reject/",
         {"note": "证据不足"}),
    Walk(services.Appeal, "answer", _appeal, _appeal_done, "shequ", "dangyuan",
         "/api/v1/scoring/appeals/{pk}/answer", "/scoring/appeals/{pk}/answer/",
         {"answer": "已按规则计分"}),
]  # fmt: skip


# --- democratic evaluation and assessment cycles ----------

_years = itertools.count(6)


def _round(p):
    """A fresh round of wangge's grid branch (one per organization and year: a past year each)."""
    today = timezone.localdate()
    return evaluation.round_create(
        actor=p["wangge"],
        organization=role_org(p["wangge"]),
        year=today.year - next(_years),
        title="民主评议",
        vote_starts=today,
        vote_ends=today + timedelta(days=3),
    )


def _round_open(p):
    return workflow.take(_round(p), "open", actor=p["wangge"])


def _round_closed(p):
    return workflow.take(_round_open(p), "close", actor=p["wangge"])


def _cycle(p):
    today = timezone.localdate()
    found = assessment.indicator_set_create(
        actor=p["jiedao"],
        organization=role_org(p["jiedao"]),
        target_kind=OrgKind.COMMUNITY,
        year=today.year,
        title=f"走访考核{next(_years)}",
    )
    assessment.indicator_add(
        actor=p["jiedao"], indicator_set=found, name="走访户次", kind="quant", metric="visits"
    )
    return assessment.cycle_open(
        actor=p["jiedao"], indicator_set=found, kind="quarter", period=f"{today.year}-Q1"
    )


def _cycle_closed(p):
    return workflow.take(_cycle(p), "close", actor=p["jiedao"])


def _cycle_reported(p):
    return workflow.take(_cycle_closed(p), "report", actor=p["jiedao"])


WALKS += [
    Walk(EvaluationRound, "open", _round, _round_open, "wangge", "dangyuan",
         "/api/v1/scoring/evaluations/{pk}/open", "/scoring/evaluations/{pk}/open/"),
    Walk(EvaluationRound, "close", _round_open, _round_closed, "shequ", "jiancha",
         "/api/v1/scoring/evaluations/{pk}/close", "/scoring/evaluations/{pk}/close/"),
    Walk(EvaluationRound, "cancel", _round, _round_closed, "wangge", "dangyuan",
         "/api/v1/scoring/evaluations/{pk}/cancel", "/scoring/evaluations/{pk}/cancel/",
         {"reason": "改期"}),
    Walk(AssessmentCycle, "close", _cycle, _cycle_closed, "jiedao", "jiancha",
         "/api/v1/scoring/assessment/cycles/{pk}/close",
         "/scoring/assessment/cycles/{pk}/close/"),
    Walk(AssessmentCycle, "report", _cycle_closed, _cycle_reported, "qu", "jiancha",
         "/api/v1/scoring/assessment/cycles/{pk}/report",
         "/scoring/assessment/cycles/{pk}/report/", {"note": "备案"}),
]  # fmt: skip


# --- self-declared acts (自行申报) ----------


def _declaration(p):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.work.tests.factories import JPEG

    kind = declarations.kinds().filter(name="走访核实").first() or declarations.kind_set(
        actor=p["qu"], name="走访核实"
    )
    return declarations.declaration_submit(
        actor=p["dangyuan"],
        kind=kind,
        description=f"核实住户{next(_years)}",
        done_on=timezone.localdate(),
        photo=SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg"),
    )


def _declaration_done(p):
    return workflow.take(_declaration(p), "approve", actor=p["wangge"])


WALKS += [
    Walk(SelfDeclaration, "approve", _declaration, _declaration_done, "wangge", "dangyuan",
         "/api/v1/scoring/self-declared/{pk}/approve", "/scoring/declared/{pk}/approve/"),
    Walk(SelfDeclaration, "reject", _declaration, _declaration_done, "shequ", "jiancha",
         "/api/v1/scoring/self-declared/{pk}/reject", "/scoring/declared/{pk}/reject/",
         {"note": "照片不清楚"}),
]  # fmt: skip


# --- 不合格党员处置 ----------

# Walked in test_conduct_cases.py (a case is opened from the ledger, not by a user): the
# steps, their refusals in Chinese, and every role inside and outside the scope.
USER_STEPS_WALKED_BY_HAND = {
    ("ConductCase", "talk"): "test_cases_answer_by_scope_and_role",
    ("ConductCase", "rectified"): "test_a_case_put_right_is_closed_on_the_page",
    ("ConductCase", "dispose"): "test_the_branch_talks_sets_a_deadline_and_closes_it",
    # 评优评先征求社区意见: walked in test_award_opinions.py (page, API, every role)
    ("AwardOpinion", "agree"): "test_the_unit_asks_on_the_page_and_the_community_answers_by_api",
    ("AwardOpinion", "disagree"): "test_an_opinion_is_read_and_answered_by_scope_and_role",
}


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)
