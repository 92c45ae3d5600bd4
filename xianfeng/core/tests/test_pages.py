"""Pages answer in Chinese, list in the database, and keep query counts flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xianfeng.core.testing import role_org
from xianfeng.demo.testing import objects_under
from xianfeng.orgs.models import Organization
from xianfeng.people.models import PartyMember, Person
from xianfeng.places.models import Grid, Household

pytestmark = pytest.mark.django_db

LIST_PAGES = [
    "/",
    "/orgs/",
    "/members/",
    "/members/?q=z",
    "/places/grids/",
    "/places/buildings/",
    "/zones/",
    "/search/?q=a",
]


def _queries(client, url, page_size, settings):
    settings.PAGE_SIZE = page_size
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_do_not_grow_queries_with_the_page_size(client_for, url, settings):
    client = client_for("qu")
    small = _queries(client, url, 2, settings)
    large = _queries(client, url, 50, settings)
    assert large == small, f"{url}: {small} queries for 2 rows, {large} for 50"
    # The home page is a dashboard of fixed sections (today's lines, campaigns, 督办, tiles),
    # each a query or two whatever the scope's size (safety: its counts in one query, the
    # buildings due, the open hazards' first rows; the order queue, problems waiting for
    # moderation or a check, complaints waiting for verification, meetings due against their
    # rhythm, points; hours to confirm and, in December and January, the yearly records to
    # write).
    assert large <= (43 if url == "/" else 20)


def test_detail_pages_render_for_objects_in_scope(client_for, personas):
    client = client_for("shequ")
    objs = objects_under(role_org(personas["wangge"]))
    urls = [
        f"/orgs/{objs['org'].pk}/",
        f"/members/{objs['member'].pk}/",
        f"/places/grids/{objs['grid'].pk}/",
        f"/places/buildings/{objs['building'].pk}/",
        f"/places/households/{objs['household'].pk}/",
        f"/zones/{objs['zone'].pk}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "修改历史" in response.content.decode()


def test_the_member_list_masks_phone_numbers(client_for, personas):
    member = PartyMember.objects.restrict(personas["shequ"]).exclude(person__mobile="").first()
    html = client_for("shequ").get(f"/members/?q={member.person.name}").content.decode()
    assert member.person.mobile_masked in html
    assert member.person.mobile not in html


def test_the_member_page_masks_until_revealed_and_records_the_reveal(client_for, personas):
    from xianfeng.core.models import SensitiveAccess

    client = client_for("shequ")
    member = PartyMember.objects.restrict(personas["shequ"]).select_related("person").first()
    html = client.get(f"/members/{member.pk}/").content.decode()
    assert member.person.id_number not in html
    assert "显示完整" in html
    revealed = client.post(f"/persons/{member.person_id}/reveal/").content.decode()
    assert member.person.id_number in revealed
    assert SensitiveAccess.objects.filter(person=member.person, channel="page").count() == 1


def test_the_auditor_sees_no_reveal_button_and_cannot_reveal(client_for, personas):
    client = client_for("jiancha")
    member = PartyMember.objects.select_related("person").first()
    assert "显示完整" not in client.get(f"/members/{member.pk}/").content.decode()
    assert client.post(f"/persons/{member.person_id}/reveal/").status_code == 403


def test_search_finds_a_member_by_pinyin_initials(client_for, personas):
    member = PartyMember.objects.restrict(personas["shequ"]).select_related("person").first()
    html = client_for("shequ").get(f"/search/?q={member.person.name_initials}").content.decode()
    assert member.person.name in html


def test_search_does_not_leak_members_outside_scope(client_for, personas):
    outsider = PartyMember.objects.restrict(personas["shequ2"]).select_related("person").first()
    unique = outsider.person.name
    if PartyMember.objects.restrict(personas["shequ"]).filter(person__name=unique).exists():
        pytest.skip("same name on both sides")
    html = client_for("shequ").get(f"/search/?q={unique}").content.decode()
    assert f">{unique}<" not in html


def test_registering_a_member_with_bad_data_shows_chinese_errors_and_stores_nothing(
    client_for, personas
):
    branch = role_org(personas["wangge"])
    before = Person.objects.count()
    response = client_for("wangge").post(
        "/members/new/",
        {
            "name": "王五",
            "id_number": "110105194912310021",
            "mobile": "123",
            "branch": branch.pk,
            "kind": "community",
            "category": "full",
            "status": "normal",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "校验位" in html
    assert "手机号" in html
    assert Person.objects.count() == before


def test_registering_a_member_in_a_branch_outside_scope_is_refused(client_for, personas):
    outside = role_org(personas["shequ2"])
    response = client_for("shequ").post(
        "/members/new/",
        {
            "name": "王五",
            "branch": outside.pk,
            "kind": "community",
            "category": "full",
            "status": "normal",
        },
    )
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.content.decode()


def test_registering_a_member_through_the_page_works(client_for, personas):
    branch = role_org(personas["wangge"])
    response = client_for("wangge").post(
        "/members/new/",
        {
            "name": "赵六",
            "id_number": "11010519491231002X",
            "mobile": "13912345678",
            "branch": branch.pk,
            "kind": "community",
            "category": "full",
            "status": "normal",
            "joined_on": "2001-07-01",
        },
    )
    assert response.status_code == 302
    member = PartyMember.objects.get(person__in=Person.objects.with_id_number("11010519491231002X"))
    assert member.branch == branch


def test_moving_an_org_under_its_descendant_through_the_page_is_refused(client_for, personas):
    community = role_org(personas["shequ"])
    child = community.children.first()
    response = client_for("qu").post(f"/orgs/{community.pk}/move/", {"parent": child.pk})
    assert response.status_code == 400
    assert "下级组织之下" in response.content.decode()
    community.refresh_from_db()
    assert community.parent_id != child.pk


def test_deleting_an_org_with_children_shows_why_and_keeps_it(client_for, personas):
    community = role_org(personas["shequ"])
    client = client_for("qu")
    assert "下级组织" in client.get(f"/orgs/{community.pk}/delete/").content.decode()
    response = client.post(f"/orgs/{community.pk}/delete/")
    assert response.status_code == 400
    assert Organization.objects.filter(pk=community.pk).exists()


def test_a_grid_with_an_invalid_boundary_is_refused_on_the_page(client_for, personas):
    grid = Grid.objects.restrict(personas["shequ"]).first()
    response = client_for("shequ").post(
        f"/places/grids/{grid.pk}/edit/",
        {"code": grid.code, "name": grid.name, "boundary": '{"type": "Point"}'},
    )
    assert response.status_code == 400
    assert "Polygon" in response.content.decode()


def test_a_duplicate_room_is_refused_on_the_page(client_for, personas):
    household = Household.objects.restrict(personas["wangge"]).first()
    before = Household.objects.count()
    response = client_for("wangge").post(
        f"/places/buildings/{household.building_id}/households/new/",
        {"unit": household.unit, "room": household.room},
    )
    assert response.status_code == 400
    assert "已登记" in response.content.decode()
    assert Household.objects.count() == before


def test_the_zone_page_shows_the_public_board(client_for, personas):
    from xianfeng.places.models import ResponsibilityZone

    zone = ResponsibilityZone.objects.restrict(personas["shequ"]).first()
    html = client_for("shequ").get(f"/zones/{zone.pk}/").content.decode()
    assert "公示牌" in html
    assert zone.duties[0] in html
