"""A zone's name is unique within its organization: the service, the API and the page answer a
duplicate in Chinese; another organization may use the same name."""

import pytest
from django.core.exceptions import ValidationError

from xianfeng.core.testing import role_org
from xianfeng.people.models import PartyMember
from xianfeng.places.models import ResponsibilityZone
from xianfeng.places.services import zone_create, zone_update

pytestmark = pytest.mark.django_db

DUPLICATE = "该党组织下已存在同名的责任区。"
NAME = "唯一性测试责任区"


def a_member(org) -> PartyMember:
    return PartyMember.objects.filter(branch__path__startswith=org.path).first()


@pytest.fixture
def zone(personas):
    branch = role_org(personas["wangge"])
    return zone_create(
        actor=personas["wangge"], organization=branch, members=[a_member(branch)], name=NAME
    )


def test_the_service_refuses_a_second_zone_of_the_same_name(personas, zone):
    branch = zone.organization
    before = ResponsibilityZone.objects.count()
    with pytest.raises(ValidationError) as exc:
        zone_create(
            actor=personas["wangge"], organization=branch, members=[a_member(branch)], name=NAME
        )
    assert exc.value.messages == [DUPLICATE]
    assert ResponsibilityZone.objects.count() == before


def test_renaming_a_zone_to_a_taken_name_is_refused(personas, zone):
    branch = zone.organization
    other = zone_create(
        actor=personas["wangge"], organization=branch, members=[a_member(branch)], name="另一个"
    )
    with pytest.raises(ValidationError) as exc:
        zone_update(actor=personas["wangge"], zone=other, name=NAME)
    assert exc.value.messages == [DUPLICATE]
    other.refresh_from_db()
    assert other.name == "另一个"


def test_another_organization_may_use_the_same_name(personas, zone):
    community = role_org(personas["shequ"])
    assert community != zone.organization
    same = zone_create(
        actor=personas["shequ"], organization=community, members=[a_member(community)], name=NAME
    )
    assert same.name == zone.name


def test_the_api_answers_a_duplicate_name_with_409_in_chinese(client_for, zone):
    before = ResponsibilityZone.objects.count()
    response = client_for("wangge").post(
        "/api/v1/zones",
        {
            "organization": zone.organization.pk,
            "name": NAME,
            "members": [a_member(zone.organization).pk],
        },
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"] == DUPLICATE
    assert ResponsibilityZone.objects.count() == before


def test_the_page_shows_the_duplicate_on_the_form(client_for, zone):
    before = ResponsibilityZone.objects.count()
    response = client_for("wangge").post(
        f"/zones/new/{zone.organization.pk}/",
        {"name": NAME, "kind": "community", "members": [a_member(zone.organization).pk]},
    )
    assert response.status_code == 400  # the form again, with the message on it
    assert DUPLICATE in response.content.decode()
    assert ResponsibilityZone.objects.count() == before


def test_a_duplicate_that_slips_past_validation_still_answers_in_chinese(
    personas, zone, monkeypatch
):
    """Another request takes the name between full_clean() and the insert."""
    from django.db import models

    monkeypatch.setattr(
        ResponsibilityZone,
        "full_clean",
        lambda self, **kw: models.Model.full_clean(self, validate_constraints=False),
    )
    branch = zone.organization
    with pytest.raises(ValidationError) as exc:
        zone_create(
            actor=personas["wangge"], organization=branch, members=[a_member(branch)], name=NAME
        )
    assert exc.value.messages == [DUPLICATE]
