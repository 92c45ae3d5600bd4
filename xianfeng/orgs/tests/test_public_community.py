"""The one lookup of a community for the public pages (services, public, meetings): by id or
code, a community only, nothing for a malformed value."""

from __future__ import annotations

import pytest

from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.selectors import public_community

pytestmark = pytest.mark.django_db


def test_it_finds_a_community_by_id_or_code_and_nothing_else(personas):
    community = Organization.objects.filter(kind=OrgKind.COMMUNITY).order_by("pk").first()
    street = Organization.objects.filter(kind=OrgKind.STREET).order_by("pk").first()
    assert public_community(community.pk) == community
    assert public_community(str(community.pk)) == community
    assert public_community(code=community.code) == community
    assert public_community(street.pk) is None
    assert public_community(code=street.code) is None
    for bad in (None, "", "abc", "-1", "9" * 30, " ", "1.5"):
        assert public_community(bad) is None, bad
    assert public_community(code="") is None
    assert public_community(code="NO-SUCH") is None


def test_the_public_pages_answer_404_for_what_is_not_a_community(client, personas):
    street = Organization.objects.filter(kind=OrgKind.STREET).order_by("pk").first()
    assert client.get(f"/services/public/?community={street.pk}").status_code == 404
    assert client.get(f"/api/v1/public/services?community={street.pk}").status_code == 404
    assert client.get(f"/public/c/{street.code}/").status_code == 404
