"""Democratic evaluation, assessment and the annual member file in real headless Chromium:
a resident votes on a phone with a code (an empty ballot refused in Chinese first); the grid
secretary counts the round on a desktop; a member reads their annual file on a phone; the
street scores a community's 述职 and reads the ranking. axe-core checks every page.
Screenshots ``review-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_votes_on_a_phone_and_the_secretary_counts(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.core.workflow import take
    from xianfeng.scoring import evaluation
    from xianfeng.scoring.models import EvaluationResult

    base = demo_live_server.url
    wangge = User.objects.get(username="wangge")
    today = timezone.localdate()
    round_ = evaluation.round_create(
        actor=wangge,
        organization=role_org(wangge),
        year=today.year,
        title="本年度民主评议党员",
        vote_starts=today,
        vote_ends=today + timedelta(days=3),
    )
    round_ = take(round_, "open", actor=wangge)
    code = evaluation.codes_issue(actor=wangge, round_=round_, count=1)[0]
    member = evaluation.round_members(round_).first()

    # 1. a resident on a phone: an empty ballot is refused, then a grade with the code counts
    context, phone, external = _page(browser, "phone")
    phone.goto(f"{base}/scoring/evaluate/{round_.pk}/")
    _axe(phone)
    phone.fill("#id_code", code)
    phone.click("#cast")
    phone.wait_for_selector("#vote-error")
    assert "至少评议一名党员" in phone.locator("#vote-error").inner_text()
    _axe(phone)
    _shot(phone, "review-phone-01-ballot-refused")
    phone.check(f"input[name=grade_{member.pk}][value=excellent]")
    phone.fill("#id_code", code)
    phone.click("#cast")
    phone.wait_for_selector("#vote-done")
    _axe(phone)
    _shot(phone, "review-phone-02-ballot-done")
    assert not external, external
    context.close()

    # 2. the grid secretary counts on a desktop: results and stars
    context, page, external = _page(browser, "desktop")
    _login(page, base, "wangge")
    page.goto(f"{base}/scoring/evaluations/{round_.pk}/")
    _axe(page)
    with page.expect_navigation():
        page.click("form.step-form[data-step=close] button")
    page.wait_for_selector("#results")
    assert EvaluationResult.objects.filter(round=round_, member=member, excellent=1).exists()
    _axe(page)
    _shot(page, "review-desktop-01-round-counted")
    page.goto(f"{base}/scoring/evaluations/")
    _axe(page)
    assert not external, external
    context.close()

    # 3. the member reads their annual file on a phone (the index goes to their own file)
    context, phone, external = _page(browser, "phone")
    _login(phone, base, "dangyuan")
    phone.goto(f"{base}/scoring/files/")
    phone.wait_for_selector("#file-figures")
    assert phone.locator("#file-acts").is_visible()
    _axe(phone)
    _shot(phone, "review-phone-03-member-file")
    assert not external, external
    context.close()


def test_the_street_scores_a_report_and_reads_the_ranking(demo_live_server, browser):  # noqa: F811
    from xianfeng.core.models import User
    from xianfeng.core.testing import role_org
    from xianfeng.scoring.models import Assessment, ReviewerScore

    base = demo_live_server.url
    community = role_org(User.objects.get(username="shequ"))
    mine = (
        Assessment.objects.filter(organization=community, cycle__state="scoring")
        .order_by("-id")
        .first()
    )
    assert mine is not None, "the demo has a cycle being scored"

    # the community reads its assessment and its report (phone-sized: a secretary in the field)
    context, phone, external = _page(browser, "phone")
    _login(phone, base, "shequ")
    phone.goto(f"{base}/scoring/assessment/{mine.pk}/")
    phone.wait_for_selector("#report-form")
    _axe(phone)
    _shot(phone, "review-phone-04-assessment-report")
    context.close()

    # the street scores the 述职评议 (a score past 100 refused in Chinese), reads the ranking
    context, page, external = _page(browser, "desktop")
    _login(page, base, "jiedao")
    page.goto(f"{base}/scoring/assessment/")
    _axe(page)
    _shot(page, "review-desktop-02-assessment-list")
    page.goto(f"{base}/scoring/assessment/{mine.pk}/")
    form = page.locator("form.score-form").first
    form.locator("input[name=score]").fill("120")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "0到100" in page.content()
    _axe(page)
    form = page.locator("form.score-form").first
    form.locator("input[name=score]").fill("88")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_selector("text=已评分")
    assert ReviewerScore.objects.filter(assessment=mine, score=88).exists()
    _axe(page)
    _shot(page, "review-desktop-03-assessment-scored")
    page.goto(f"{base}/scoring/assessment/cycles/{mine.cycle_id}/")
    page.wait_for_selector("#ranking")
    _axe(page)
    _shot(page, "review-desktop-04-cycle")
    page.goto(f"{base}/scoring/assessment/sets/{mine.cycle.indicator_set_id}/")
    _axe(page)
    _shot(page, "review-desktop-05-indicator-set")
    assert not external, external
    context.close()
