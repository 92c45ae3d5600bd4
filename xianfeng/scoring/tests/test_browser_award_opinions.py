"""评优评先征求社区意见 in real headless Chromium: the unit's liaison on a desktop asks the
community (only the communities of its street offered, the member searched for with the
picker, a missing award refused in Chinese first), the community's admin on a phone sees it
waiting and agrees; the unit's 述职评议 page links to it. axe-core checks every page.
Screenshots ``awards-*.png`` in ``artifacts/screenshots/``."""

from __future__ import annotations

import pytest

from xianfeng.core.tests.test_browser import (  # noqa: F401
    _axe,
    _login,
    _page,
    _shot,
    browser,
    demo_live_server,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unit_asks_and_the_community_agrees_on_a_phone(demo_live_server, browser):  # noqa: F811
    from xianfeng.community.tests import factories as cf
    from xianfeng.core.models import DutyRecord, User
    from xianfeng.core.testing import role_org
    from xianfeng.people.models import PartyMember
    from xianfeng.scoring.models import AwardOpinion

    base = demo_live_server.url

    # 1. the unit's liaison: from the 述职评议 page to the list, a refusal, then the request
    context, page, external = _page(browser, "desktop")
    _login(page, base, "danwei")
    page.goto(f"{base}/scoring/assessment/units/")
    _axe(page)
    with page.expect_navigation():
        page.click("#award-opinions-link")
    page.wait_for_selector("#award-opinion-form")
    _axe(page)
    _shot(page, "awards-desktop-01-list")
    # the liaison's one unit is chosen already; the community is chosen by hand among those
    # of the unit's street (not the other street's)
    assert page.locator("#id_unit").input_value() == str(cf.unit().pk)
    other = role_org(User.objects.get(username="shequ2"))
    assert page.locator(f"#id_community option[value='{other.pk}']").count() == 0
    # the member is searched for, not typed as a number: the unit's members are offered
    unit_member = (
        PartyMember.objects.filter(branch__path__startswith=cf.unit().path)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    page.fill("#member-search", unit_member.person.name)
    page.wait_for_selector(f"#member-choices input[value='{unit_member.pk}']")
    assert page.locator("#id_member").count() == 0
    page.select_option("#id_community", value=str(cf.community().pk))
    with page.expect_navigation():
        page.click("#award-opinion-submit")
    assert "请填写评选项目" in page.locator("#award-opinion-form").inner_text()
    _axe(page)
    _shot(page, "awards-desktop-02-refused")
    page.fill("#id_award", "先进基层党组织")
    page.fill("#id_reason", "与社区共建助老食堂")
    with page.expect_navigation():
        page.click("#award-opinion-submit")
    page.wait_for_selector("#award-opinion-waiting")
    assert page.locator("#award-opinion-state").inner_text() == "待社区反馈"
    _axe(page)
    _shot(page, "awards-desktop-03-waiting")
    assert not external, external
    context.close()
    obj = AwardOpinion.objects.get(award="先进基层党组织")

    # 2. the community's admin on a phone: the reason to disagree is required in the form
    context, phone, external = _page(browser, "phone")
    _login(phone, base, "shequ")
    phone.goto(f"{base}/scoring/awards/?state=asked")
    _axe(phone)
    phone.goto(f"{base}{obj.get_absolute_url()}")
    _axe(phone)
    _shot(phone, "awards-phone-01-to-answer")
    assert phone.locator("form.step-form[data-step=disagree] [name=note][required]").count()
    phone.fill("form.step-form[data-step=agree] input[name=note]", "共建扎实，同意推荐")
    with phone.expect_navigation():
        phone.click("form.step-form[data-step=agree] button")
    assert phone.locator("#award-opinion-state").inner_text() == "社区同意推荐"
    assert "共建扎实" in phone.locator("#award-opinion-answer").inner_text()
    _axe(phone)
    _shot(phone, "awards-phone-02-agreed")
    assert DutyRecord.objects.filter(action="award_opinion.agree", object_id=str(obj.pk)).exists()
    assert not external, external
    context.close()
