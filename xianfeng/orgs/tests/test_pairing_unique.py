"""A pairing is unique per kind and pair of organizations, whichever side each is on: the
service, the API and the page answer a duplicate in Chinese; the database refuses it too."""

from datetime import date
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xianfeng.core.testing import role_org
from xianfeng.orgs import services
from xianfeng.orgs.choices import OrgKind, PairingKind
from xianfeng.orgs.models import Pairing

pytestmark = pytest.mark.django_db

DUPLICATE = "这两个组织之间已存在同一类型的结对。"
_codes = count(1)


@pytest.fixture
def pair(personas):
    """The community of "shequ" and a resident unit paired with it (结对共建)."""
    community = role_org(personas["shequ"])
    unit = services.organization_create(
        actor=personas["admin"],
        parent=community,
        kind=OrgKind.RESIDENT_UNIT,
        name=f"唯一性测试单位{next(_codes)}",
        code=f"UNIQ-{next(_codes):05d}",
    )
    services.pairing_create(
        actor=personas["shequ"],
        org_a=community,
        org_b=unit,
        kind=PairingKind.CO_BUILDING,
        starts_on=date(2025, 1, 1),
    )
    return community, unit


@pytest.mark.parametrize("reverse", [False, True], ids=["same order", "reversed order"])
def test_the_service_refuses_a_second_pairing_of_the_same_kind(personas, pair, reverse):
    community, unit = pair
    org_a, org_b = (unit, community) if reverse else (community, unit)
    before = Pairing.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.pairing_create(
            actor=personas["shequ"],
            org_a=org_a,
            org_b=org_b,
            kind=PairingKind.CO_BUILDING,
            starts_on=date(2026, 1, 1),
        )
    assert exc.value.messages == [DUPLICATE]
    assert Pairing.objects.count() == before


def ten_ones(personas, pair) -> Pairing:
    """The same two organizations, the other way round, in another kind (十个一)."""
    community, unit = pair
    return services.pairing_create(
        actor=personas["shequ"],
        org_a=unit,
        org_b=community,
        kind=PairingKind.TEN_ONES,
        starts_on=date(2025, 1, 1),
    )


def test_the_same_pair_may_pair_in_another_kind(personas, pair):
    assert ten_ones(personas, pair).pk


def test_changing_the_kind_into_an_existing_pairing_is_refused(personas, pair):
    other = ten_ones(personas, pair)
    with pytest.raises(ValidationError) as exc:
        services.pairing_update(actor=personas["shequ"], pairing=other, kind="co_building")
    assert exc.value.messages == [DUPLICATE]
    other.refresh_from_db()
    assert other.kind == PairingKind.TEN_ONES


def test_the_database_refuses_a_reversed_duplicate(pair):
    community, unit = pair
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(
            org_a=unit, org_b=community, kind=PairingKind.CO_BUILDING, starts_on=date(2026, 1, 1)
        )


def test_the_api_answers_a_reversed_duplicate_with_409_in_chinese(client_for, pair):
    community, unit = pair
    before = Pairing.objects.count()
    response = client_for("shequ").post(
        "/api/v1/pairings",
        {"kind": "co_building", "org_a": unit.pk, "org_b": community.pk, "starts_on": "2026-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"] == DUPLICATE
    assert Pairing.objects.count() == before


def test_the_page_shows_the_duplicate_on_the_form(client_for, pair):
    community, unit = pair
    before = Pairing.objects.count()
    response = client_for("shequ").post(
        f"/orgs/{community.pk}/pairings/new/",
        {"kind": "co_building", "org_b": unit.pk, "starts_on": "2026-01-01"},
    )
    assert response.status_code == 400  # the form again, with the message on it
    assert DUPLICATE in response.content.decode()
    assert Pairing.objects.count() == before


def test_a_duplicate_that_slips_past_validation_still_answers_in_chinese(
    personas, pair, monkeypatch
):
    """Another request takes the pair between full_clean() and the insert."""
    from django.db import models

    community, unit = pair
    monkeypatch.setattr(
        Pairing,
        "full_clean",
        lambda self, **kw: models.Model.full_clean(self, validate_constraints=False),
    )
    with pytest.raises(ValidationError) as exc:
        services.pairing_create(
            actor=personas["shequ"],
            org_a=unit,
            org_b=community,
            kind=PairingKind.CO_BUILDING,
            starts_on=date(2026, 1, 1),
        )
    assert exc.value.messages == [DUPLICATE]
