"""星级党员: stars from the annual index; a democratic evaluation recorded as a review with its
reason; who may rate and review (pages and API)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xianfeng.core.testing import role_org
from xianfeng.demo.base import persona_member
from xianfeng.scoring import services
from xianfeng.scoring.models import StarRating

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_stars_from_the_index_and_no_rating_of_a_year_to_come(personas):
    assert [services.stars_from_index(i) for i in (100, 90, 89, 70, 40, 15, 14, 0)] == [
        5,
        5,
        4,
        4,
        3,
        2,
        1,
        1,
    ]
    with pytest.raises(ValidationError):
        services.star_ratings_rate(
            actor=personas["shequ"], organization=role_org(personas["shequ"]), year=2099
        )


def test_rating_a_year_and_reviewing_a_rating(personas, client_for):
    community = role_org(personas["shequ"])
    year = date.today().year
    with pytest.raises(PermissionDenied):
        services.star_ratings_rate(actor=personas["dangyuan"], organization=community, year=year)
    n = services.star_ratings_rate(actor=personas["shequ"], organization=community, year=year)
    assert n > 0
    rating = StarRating.objects.filter(year=year, member=persona_member("dangyuan")).get()
    assert rating.stars == services.stars_from_index(rating.index)
    with pytest.raises(ValidationError) as err:
        services.star_review(actor=personas["shequ"], rating=rating, stars=5, note=" ")
    assert "民主评议" in str(err.value)
    api = client_for("shequ2").post(
        f"/api/v1/scoring/stars/{rating.pk}/review", {"stars": 5, "note": "好"}, content_type=JSON
    )
    assert api.status_code == 404
    ok = client_for("shequ").post(
        f"/api/v1/scoring/stars/{rating.pk}/review",
        {"stars": 5, "note": "民主评议：群众满意度高，评为五星"},
        content_type=JSON,
    )
    assert ok.status_code == 200 and ok.json()["stars"] == 5
    # rating the year again keeps the reviewed stars, beside the index's own
    services.star_ratings_rate(actor=personas["shequ"], organization=community, year=year)
    rating.refresh_from_db()
    assert rating.stars == 5 and rating.index_stars == services.stars_from_index(rating.index)
    assert client_for("dangyuan").get(f"/scoring/stars/{rating.pk}/").status_code == 200
    assert (
        client_for("dangyuan")
        .post(f"/scoring/stars/{rating.pk}/", {"stars": 1, "note": "x"})
        .status_code
        == 403
    )
    assert client_for("shequ2").get(f"/scoring/stars/{rating.pk}/").status_code == 404
    assert (
        client_for("jiancha")
        .post("/api/v1/scoring/stars/rate", {"year": year}, content_type=JSON)
        .status_code
        == 403
    )
    page = client_for("shequ").get(f"/scoring/stars/?org={community.pk}&year={year}")
    assert page.status_code == 200 and "★" in page.content.decode()


def test_the_index_counts_ties_half_and_no_points_as_zero():
    from decimal import Decimal

    from xianfeng.scoring.selectors import _percentiles

    got = _percentiles({1: Decimal(0), 2: Decimal(0), 3: Decimal(5), 4: Decimal(5), 5: Decimal(9)})
    assert got == {1: 0, 2: 0, 3: 62, 4: 62, 5: 100}
