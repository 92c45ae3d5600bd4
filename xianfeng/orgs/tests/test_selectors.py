"""The organization and pairing lists are one selector each: the tree page's children and the
detail page's pairings are what the API lists for the same filter and user (the organization
export is compared in ``xianfeng/exchange/tests/test_selectors.py``)."""

from __future__ import annotations

import pytest

from xianfeng.core.testing import role_org
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.orgs.selectors import OrganizationFilters, organization_list, organization_roots

pytestmark = pytest.mark.django_db


def api_ids(client, url: str) -> list[int]:
    sep = "&" if "?" in url else "?"
    body = client.get(f"{url}{sep}page_size=200").json()
    assert body["count"] == len(body["results"])
    return [row["id"] for row in body["results"]]


def context_ids(client, url: str, key: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return [row.pk for row in response.context[key]]


@pytest.mark.parametrize("who", ["shequ", "jiedao", "jiancha"])
def test_children_on_the_page_are_the_apis_children(client_for, personas, who):
    client = client_for(who)
    top = role_org(personas[who])
    for org in Organization.objects.filter(path__startswith=top.path).order_by("path")[:6]:
        page = context_ids(client, f"/orgs/{org.pk}/children/", "children")
        api = api_ids(client, f"/api/v1/organizations?parent={org.pk}")
        # The page orders siblings by sort_order, the API in tree order: the same set.
        assert sorted(page) == sorted(api), org
        detail = context_ids(client, f"/orgs/{org.pk}/", "children")
        assert detail == page


def test_searching_and_filtering_organizations(personas):
    user = personas["jiedao"]
    street = role_org(user)
    everyone = list(organization_list(user=user, filters=OrganizationFilters()))
    assert everyone and all(o.path.startswith(street.path) for o in everyone)
    community = next(o for o in everyone if o.kind == OrgKind.COMMUNITY)
    by_code = organization_list(user=user, filters=OrganizationFilters(q=community.code[2:-1]))
    assert community in by_code
    by_kind = organization_list(
        user=user, filters=OrganizationFilters(root=community.pk, kind=OrgKind.GRID_BRANCH)
    )
    assert list(by_kind) == [
        o for o in everyone if o.kind == OrgKind.GRID_BRANCH and o.path.startswith(community.path)
    ]
    outside = Organization.objects.exclude(path__startswith=street.path).first()
    assert not organization_list(user=user, filters=OrganizationFilters(root=outside.pk)).exists()


def test_the_tree_starts_at_the_top_of_the_users_scope(personas):
    assert list(organization_roots(user=personas["shequ"])) == [role_org(personas["shequ"])]
    assert set(organization_roots(user=personas["admin"])) == set(
        Organization.objects.filter(parent__isnull=True)
    )


@pytest.mark.parametrize("who", ["shequ", "qu"])
def test_pairings_on_the_detail_page_are_the_apis(client_for, personas, who):
    user = personas[who]
    client = client_for(who)
    paired = {p.org_a_id for p in Pairing.objects.restrict(user)}
    paired |= {p.org_b_id for p in Pairing.objects.restrict(user)}
    visible = Organization.objects.restrict(user)
    orgs = [*visible.filter(pk__in=paired), *visible.exclude(pk__in=paired)[:2]]
    assert len(orgs) > 2, "the demo district has pairings in this scope"
    for org in orgs:
        page = context_ids(client, f"/orgs/{org.pk}/", "pairings")
        api = api_ids(client, f"/api/v1/pairings?organization={org.pk}")
        assert page == api, org
    kind = Pairing.objects.restrict(user).first().kind
    api = api_ids(client, f"/api/v1/pairings?kind={kind}")
    assert api and set(Pairing.objects.filter(pk__in=api).values_list("kind", flat=True)) == {kind}
