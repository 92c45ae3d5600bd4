"""Every form page saves through its service: redirect, the change stored, history by the user."""

import pytest

from xianfeng.core.testing import first_in, role_org
from xianfeng.demo.testing import objects_under
from xianfeng.orgs.models import Organization, Pairing
from xianfeng.people.models import PartyMember
from xianfeng.places.models import Building, Grid, Household, ResponsibilityZone

pytestmark = pytest.mark.django_db

SQUARE = (
    '{"type": "Polygon", "coordinates": [[[102.7, 25.0], [102.71, 25.0], [102.71, 25.01],'
    " [102.7, 25.01], [102.7, 25.0]]]}"
)


def _ok(response):
    assert response.status_code == 302, response.content.decode()[:3000]
    return response.url


def test_creating_and_editing_an_organization(client_for, personas):
    client = client_for("shequ")
    community = role_org(personas["shequ"])
    url = _ok(
        client.post(
            f"/orgs/{community.pk}/new/",
            {
                "kind": "grid_branch",
                "name": "园山社区第九网格党支部",
                "code": "T-G9",
                "category": "branch",
                "unit_situation": "urban_community",
            },
        )
    )
    org = Organization.objects.get(code="T-G9")
    assert url == f"/orgs/{org.pk}/"
    assert org.parent == community
    _ok(
        client.post(
            f"/orgs/{org.pk}/edit/",
            {
                "name": "园山社区第九网格党支部",
                "code": "T-G9",
                "category": "branch",
                "unit_situation": "urban_community",
                "contact_phone": "0871-63123456",
            },
        )
    )
    org.refresh_from_db()
    assert org.contact_phone == "0871-63123456"
    assert org.history.latest().history_user == personas["shequ"]


def test_moving_an_organization_through_the_page(client_for, personas):
    branch = role_org(personas["wangge"])
    target = role_org(personas["shequ2"])
    _ok(client_for("qu").post(f"/orgs/{branch.pk}/move/", {"parent": target.pk}))
    branch.refresh_from_db()
    assert branch.parent == target


def test_pairing_through_the_page(client_for, personas):
    community = role_org(personas["shequ"])
    partner = (
        Organization.objects.filter(kind="resident_unit")
        .exclude(pk=role_org(personas["danwei"]).pk)
        .first()
    )
    _ok(
        client_for("shequ").post(
            f"/orgs/{community.pk}/pairings/new/",
            {
                "kind": "ten_ones",
                "org_b": partner.pk,
                "starts_on": "2026-01-01",
                "commitments_a": "提供活动场地",
                "commitments_b": "每季度开展一次志愿服务",
            },
        )
    )
    assert Pairing.objects.filter(org_a=community, org_b=partner, kind="ten_ones").exists()


def test_a_pairing_ending_before_it_starts_is_refused(client_for, personas):
    community = role_org(personas["shequ"])
    partner = Organization.objects.filter(kind="resident_unit").first()
    response = client_for("shequ").post(
        f"/orgs/{community.pk}/pairings/new/",
        {
            "kind": "ten_ones",
            "org_b": partner.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_editing_a_member_through_the_page(client_for, personas):
    member = first_in(PartyMember, role_org(personas["wangge"]), "branch")
    client = client_for("wangge")
    form = client.get(f"/members/{member.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["current_place"] = "北京路100号"
    _ok(client.post(f"/members/{member.pk}/edit/", data))
    member.refresh_from_db()
    assert member.current_place == "北京路100号"
    assert member.history.latest().history_user == personas["wangge"]


def test_grid_pages_create_and_edit(client_for, personas):
    client = client_for("shequ")
    community = role_org(personas["shequ"])
    _ok(
        client.post(
            "/places/grids/new/",
            {"code": "G-T9", "name": "第九网格", "community": community.pk, "boundary": SQUARE},
        )
    )
    grid = Grid.objects.get(code="G-T9")
    assert grid.boundary["type"] == "Polygon"
    _ok(client.post(f"/places/grids/{grid.pk}/edit/", {"code": "G-T9", "name": "第九网格（新）"}))
    grid.refresh_from_db()
    assert grid.name == "第九网格（新）"
    assert grid.boundary is None


def test_building_and_household_pages_create_and_edit(client_for, personas):
    client = client_for("wangge")
    grid = first_in(Grid, role_org(personas["wangge"]))
    _ok(
        client.post(
            "/places/buildings/new/",
            {
                "code": "B-T9",
                "name": "测试楼",
                "address": "测试路9号",
                "grid": grid.pk,
                "kind": "rental",
            },
        )
    )
    building = Building.objects.get(code="B-T9")
    _ok(
        client.post(
            f"/places/buildings/{building.pk}/edit/",
            {
                "code": "B-T9",
                "name": "测试楼",
                "address": "测试路9号",
                "grid": grid.pk,
                "kind": "rental",
                "floors": 7,
            },
        )
    )
    building.refresh_from_db()
    assert building.floors == 7
    _ok(
        client.post(
            f"/places/buildings/{building.pk}/households/new/",
            {"unit": "1", "room": "101", "is_rental": "on", "care_tags": []},
        )
    )
    household = Household.objects.get(building=building, room="101")
    assert household.is_rental
    tag = household.care_tags.model.objects.get(code="lonely_elder")
    _ok(
        client.post(
            f"/places/households/{household.pk}/edit/",
            {"unit": "1", "room": "101", "care_tags": [tag.pk]},
        )
    )
    assert list(household.care_tags.values_list("code", flat=True)) == ["lonely_elder"]


def test_a_grid_secretary_cannot_put_a_building_in_another_grid(client_for, personas):
    outside = first_in(Grid, role_org(personas["shequ2"]))
    response = client_for("wangge").post(
        "/places/buildings/new/",
        {"code": "B-T8", "name": "越权楼", "address": "x", "grid": outside.pk, "kind": "rental"},
    )
    assert response.status_code == 400
    assert not Building.objects.filter(code="B-T8").exists()


def test_zone_pages_create_and_edit(client_for, personas):
    client = client_for("wangge")
    objs = objects_under(role_org(personas["wangge"]))
    branch = objs["org"]
    _ok(
        client.post(
            f"/zones/new/{branch.pk}/",
            {
                "name": "测试责任区",
                "kind": "community",
                "members": [objs["member"].pk],
                "buildings": [objs["building"].pk],
                "board_show_members": "on",
            },
        )
    )
    zone = ResponsibilityZone.objects.get(organization=branch, name="测试责任区")
    assert zone.duties  # the template
    _ok(
        client.post(
            f"/zones/{zone.pk}/edit/",
            {
                "name": "测试责任区",
                "kind": "community",
                "members": [objs["member"].pk],
                "duties_text": "第一条\n第二条",
            },
        )
    )
    zone.refresh_from_db()
    assert zone.duties == ["第一条", "第二条"]
    assert list(zone.buildings.all()) == []
