"""The record for the work unit (进社区现实表现鉴定) counts the orders the in-service member
served in the community and the residents' ratings of them (issue 14): counted by the services
app's selector, which the community app (below it) receives through ``register_figures``;
shown on the record page, in the API and in the PDF."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from xianfeng.community import records
from xianfeng.community.tests import factories as cf
from xianfeng.core.workflow import take
from xianfeng.services import selectors, services
from xianfeng.services.tests import factories as f

pytestmark = pytest.mark.django_db
SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"


@pytest.fixture
def serving(personas):
    member = cf.in_service_member()
    cf.reported(member, personas["shequ"])
    return member, cf.account_for(member)


def _served(personas, member, user, *, rating=None, community=None):
    order = f.order(community or f.community_of(personas["shequ"]))
    take(order, "dispatch", actor=personas["shequ"], member=str(member.pk))
    take(order, "accept", actor=user)
    take(order, "serve", actor=user, note="已上门修好")
    if rating is not None:
        services.order_rate(order=order, rating=rating, comment="")
    return order


def _write(personas, member):
    return records.record_write(
        actor=personas["shequ"],
        member=member,
        community=cf.community(),
        rating="excellent",
        opinion="积极参加社区服务。",
        year=timezone.localdate().year,
    )


def test_the_record_counts_the_orders_served_and_their_ratings(personas, serving):
    member, user = serving
    _served(personas, member, user, rating=4)
    _served(personas, member, user, rating=5)
    _served(personas, member, user, rating=5)
    _served(personas, member, user)  # served, not yet rated
    # another member's rated order in the same community is not theirs
    other = cf.in_service_member(1)
    cf.reported(other, personas["shequ"])
    _served(personas, other, cf.account_for(other, "qita"), rating=1)
    record = _write(personas, member)
    assert (record.orders_served, record.orders_rated) == (4, 3)
    assert record.order_rating == Decimal("4.7")  # (4 + 5 + 5) / 3, to one decimal


def test_a_member_with_no_rated_order_has_no_average(personas, serving):
    member, user = serving
    assert selectors.record_order_figures(
        member, cf.community(), timezone.localdate().replace(month=1, day=1), timezone.localdate()
    ) == {"orders_served": 0, "orders_rated": 0, "order_rating": None}
    _served(personas, member, user)
    record = _write(personas, member)
    assert (record.orders_served, record.orders_rated, record.order_rating) == (1, 0, None)


def test_orders_outside_the_period_are_not_counted(personas, serving):
    member, user = serving
    _served(personas, member, user, rating=3)
    last_year = timezone.localdate().year - 1
    figures = records.period_figures(
        member,
        cf.community(),
        timezone.localdate().replace(year=last_year, month=1, day=1),
        timezone.localdate().replace(year=last_year, month=12, day=31),
    )
    assert (figures["orders_served"], figures["orders_rated"]) == (0, 0)


def test_the_page_the_api_and_the_pdf_show_the_ratings(personas, serving, client_for):
    member, user = serving
    _served(personas, member, user, rating=5)
    _served(personas, member, user, rating=4)
    record = _write(personas, member)
    page = client_for("danwei").get(f"/work/records/{record.pk}/")
    assert page.status_code == 200
    assert "群众评价2次，平均4.5星" in page.content.decode()
    body = client_for("danwei").get(f"/api/v1/records/{record.pk}").json()
    assert (body["orders_served"], body["orders_rated"]) == (2, 2)
    assert Decimal(str(body["order_rating"])) == Decimal("4.5")
    pdf = client_for("danwei").get(f"/work/records/{record.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(pdf.content)[0]
    text = page.get_textpage().get_text_range().replace("\r", "").replace("\n", "")
    assert "办结点单" in text and "4.5星（2次）" in text
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.2).to_pil().save(SHOTS / "community-record-ratings-pdf.png")


def test_a_team_member_who_took_part_has_the_order_counted(personas, serving):
    """A team's order counts in the record of each member of the team who took part (the
    ledger's ``order.served``), not only of the one who served it; a member of the team who
    did not take part has nothing counted."""
    from xianfeng.community import teams
    from xianfeng.demo.base import persona_member

    member, _user = serving
    team = teams.team_create(
        actor=personas["shequ"], organization=cf.community(), name="宣传队", kind="publicity"
    )
    leader = persona_member("dangyuan")
    teams.team_member_add(actor=personas["shequ"], team=team, member=leader, role="leader")
    teams.team_member_add(actor=personas["shequ"], team=team, member=member)
    idle = cf.in_service_member(2)
    cf.reported(idle, personas["shequ"])
    teams.team_member_add(actor=personas["shequ"], team=team, member=idle)
    order = f.order(f.community_of(personas["shequ"]))
    take(order, "claim_for_team", actor=personas["dangyuan"], team=team.pk)
    take(order, "serve", actor=personas["dangyuan"], note="宣传", participants=[member.pk])
    services.order_rate(order=order, rating=4, comment="")
    year = timezone.localdate().replace(month=1, day=1)
    took_part = selectors.record_order_figures(member, cf.community(), year, timezone.localdate())
    assert took_part == {"orders_served": 1, "orders_rated": 1, "order_rating": Decimal("4.0")}
    assert (
        selectors.record_order_figures(idle, cf.community(), year, timezone.localdate())[
            "orders_served"
        ]
        == 0
    )
