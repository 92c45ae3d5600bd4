"""走访登记: the service, the phone form and the API, with the bad input the issue lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.places.models import Household
from xianfeng.visits import services
from xianfeng.visits.models import HouseholdResponsibility, Photo, Visit
from xianfeng.visits.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(personas):
    return f.household_under(role_org(personas["wangge"]))


def visit(actor, household, **kw):
    fields = {"visited_at": timezone.now(), "purposes": ["safety"], "household": household, **kw}
    return services.visit_create(actor=actor, **fields)


def test_a_visit_is_stored_with_the_ledger(personas, household):
    v, created = visit(
        personas["dangyuan"],
        household,
        findings="燃气软管老化",
        latitude=Decimal("25.04"),
        longitude=Decimal("102.70"),
        raises_hazard=True,
    )
    assert created and v.member == f.dangyuan() and v.organization == household.organization
    record = DutyRecord.objects.get(action="visit.log", object_id=str(v.pk))
    assert record.member == f.dangyuan() and record.note == "燃气软管老化"


def test_the_same_key_twice_stores_once(personas, household):
    first, created = visit(personas["dangyuan"], household, client_key="k-1")
    again, created_again = visit(personas["dangyuan"], household, client_key="k-1")
    assert created and not created_again and first.pk == again.pk
    assert Visit.objects.filter(client_key="k-1").count() == 1
    assert DutyRecord.objects.filter(action="visit.log", object_id=str(first.pk)).count() == 1


def test_a_visit_in_the_future_is_refused(personas, household):
    with pytest.raises(ValidationError, match="不能晚于现在"):
        visit(personas["dangyuan"], household, visited_at=timezone.now() + timedelta(hours=2))
    assert not Visit.objects.filter(household=household).exists()


def test_purposes_are_required_and_known(personas, household):
    with pytest.raises(ValidationError, match="至少选择一项"):
        visit(personas["dangyuan"], household, purposes=[])
    with pytest.raises(ValidationError, match="至少选择一项"):
        visit(personas["dangyuan"], household, purposes=["nonsense"])


def test_outside_their_responsibility_a_member_must_give_a_reason(personas, household):
    # A superuser who is also a member of street 2 sees every household; one in street 1 is
    # outside the member's responsibility: accepted only with a reason.
    admin = personas["admin"]
    admin.person = f.member_under(role_org(personas["shequ2"])).person
    admin.save()
    with pytest.raises(ValidationError, match="请写明理由"):
        visit(admin, household)
    v, created = visit(admin, household, outside_reason="帮邻居社区的孤老户查燃气")
    assert created and v.outside_reason


def test_a_member_answers_for_households_assigned_by_hand(personas):
    other = f.household_under(role_org(personas["shequ2"]))
    assert not services.member_households(f.dangyuan()).filter(pk=other.pk).exists()
    n = services.household_responsibility_assign(
        actor=personas["admin"], households=[other], member=f.dangyuan()
    )
    assert n == 1
    assert services.member_households(f.dangyuan()).filter(pk=other.pk).exists()
    assert f.dangyuan() in services.responsible_members(other)


def test_zone_members_answer_for_the_zone_households(personas):
    zone = f.dangyuan().zones.first()
    household = Household.objects.filter(building__in=zone.buildings.all()).first()
    assert {m.pk for m in services.responsible_members(household)} >= {
        f.dangyuan().pk,
        f.wangge().pk,
    }


def test_photos_must_be_images_under_the_limit(personas, household):
    text = SimpleUploadedFile("notes.jpg", b"hello, not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是图片"):
        visit(personas["dangyuan"], household, photos=[text])
    big = SimpleUploadedFile("big.jpg", f.JPEG + b"\x00" * (50 * 1024 * 1024), "image/jpeg")
    with pytest.raises(ValidationError, match="超过了10MB的上限"):
        visit(personas["dangyuan"], household, photos=[big])
    assert not Visit.objects.filter(household=household).exists()
    ok = SimpleUploadedFile("ok.png", f.PNG, content_type="image/png")
    v, _ = visit(personas["dangyuan"], household, photos=[ok])
    assert Photo.objects.get(visit=v).content_type == "image/png"


def test_the_phone_form_stores_a_visit_and_a_resubmit_once(client_for, household):
    client = client_for("dangyuan")
    page = client.get("/work/visits/new/")
    assert page.status_code == 200
    assert str(household) in page.content.decode()
    data = {
        "household": household.pk,
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "purposes": ["safety", "policy"],
        "findings": "楼道堆物",
        "client_key": "form-key-1",
    }
    first = client.post("/work/visits/new/", data)
    second = client.post("/work/visits/new/", data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Visit.objects.filter(client_key="form-key-1").count() == 1
    assert "没有重复保存" in client.get(second.url).content.decode()


def test_the_phone_form_keeps_what_was_typed_when_refused(client_for, household):
    future = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("dangyuan").post(
        "/work/visits/new/",
        {
            "household": household.pk,
            "visited_at": future,
            "purposes": ["safety"],
            "findings": "留着",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "走访时间不能晚于现在" in body and "留着" in body


def test_the_form_refuses_a_household_outside_scope_like_a_missing_one(client_for, personas):
    other = f.household_under(role_org(personas["shequ2"]))
    response = client_for("dangyuan").post(
        "/work/visits/new/",
        {"household": other.pk, "visited_at": "2025-01-01T10:00", "purposes": ["safety"]},
    )
    assert response.status_code == 400
    assert "不存在或不在您的管辖范围内" in response.content.decode()


def test_the_picker_searches_the_members_households(client_for, household):
    body = client_for("dangyuan").get(f"/work/visits/households/?q={household.room}").content
    assert str(household).encode() in body


def test_the_api_logs_a_visit_and_answers_the_resubmit_with_200(client_for, household):
    client = client_for("dangyuan")
    data = {"household": household.pk, "purposes": ["safety", "care"], "findings": "好"}
    first = client.post("/api/v1/visits", data, HTTP_IDEMPOTENCY_KEY="api-key-1")
    again = client.post("/api/v1/visits", data, HTTP_IDEMPOTENCY_KEY="api-key-1")
    assert first.status_code == 201, first.content
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert first.json()["purposes"] == ["safety", "care"]


@pytest.mark.parametrize(
    ("extra", "files", "field", "words"),
    [
        ({"visited_at": "2099-01-01T10:00:00+08:00"}, None, "visited_at", "不能晚于现在"),
        ({}, ("x.jpg", b"%PDF-1.4 fake"), "photos", "不是图片"),
        ({}, ("big.jpg", f.JPEG + b"\x00" * (50 * 1024 * 1024)), "photos", "上限"),
        ({"household": 99999999}, None, "household", "不存在或不在您的管辖范围内"),
    ],
)
def test_the_api_refuses_bad_visits_in_chinese(client_for, household, extra, files, field, words):
    data = {"household": household.pk, "purposes": ["safety"], **extra}
    if files:
        data["photos"] = SimpleUploadedFile(files[0], files[1], content_type="image/jpeg")
    response = client_for("dangyuan").post("/api/v1/visits", data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert words in " ".join(body["errors"][field])
    assert not Visit.objects.filter(household=household).exists()


def test_the_api_refuses_a_visit_from_an_account_without_a_member(client_for, household):
    response = client_for("wangge").post(
        "/api/v1/visits", {"household": household.pk, "purposes": ["safety"]}
    )
    assert response.status_code == 201
    response = client_for("shequ").post(
        "/api/v1/visits", {"household": household.pk, "purposes": ["safety"]}
    )
    assert response.status_code == 403
    assert "没有关联党员身份" in response.json()["detail"]


def test_the_not_visited_page_puts_households_in_a_members_charge(client_for, personas):
    branch = role_org(personas["wangge"])
    client = client_for("wangge")
    page = client.get(f"/work/coverage/not-visited/?org={branch.pk}&days=90")
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert rows
    response = client.post(
        f"/work/coverage/not-visited/?org={branch.pk}&days=90",
        {"households": [rows[0].pk], "member": f.dangyuan().pk},
    )
    assert response.status_code == 302
    assert HouseholdResponsibility.objects.filter(household=rows[0], member=f.dangyuan()).exists()
    refused = client.post(f"/work/coverage/not-visited/?org={branch.pk}", {"households": []})
    assert refused.status_code == 400
    assert (
        client_for("dangyuan")
        .post(f"/work/coverage/not-visited/?org={branch.pk}", {"households": [rows[0].pk]})
        .status_code
        == 403
    )


def test_an_agency_member_checks_a_paired_community_and_reports_home(personas, household):
    """安全结对检查 / 部门包居: a member of an agency paired with a community visits one of its
    households; the visit is the same record, and the agency sees it too (``reported_to``)."""
    from django.test import Client

    from xianfeng.core.choices import RoleKind
    from xianfeng.core.models import Role, User
    from xianfeng.orgs.choices import OrgKind
    from xianfeng.orgs.models import Organization, Pairing
    from xianfeng.people.models import PartyMember, Person

    community = role_org(personas["shequ"])
    agency = Organization.objects.filter(kind=OrgKind.AGENCY).order_by("pk").first()
    assert Pairing.objects.filter(
        Q(org_a=agency, org_b=community) | Q(org_a=community, org_b=agency)
    ).exists()
    person = Person.objects.create(organization=agency, name="机关党员")
    member = PartyMember.objects.create(person=person, branch=agency)
    user = User.objects.create(username="jiguan", person=person)
    Role.objects.create(user=user, kind=RoleKind.MEMBER, organization=agency)

    unpaired = f.household_under(role_org(personas["shequ2"]))
    with pytest.raises(Http404):
        services.household_for_visit(user=user, pk=unpaired.pk)
    found = services.household_for_visit(user=user, pk=household.pk)
    v, created = visit(user, found, findings="灭火器过期")
    assert created and v.member == member and not v.outside_reason
    assert v.organization == household.organization and v.reported_to == agency
    assert Visit.objects.restrict(user).filter(pk=v.pk).exists()
    assert Visit.objects.restrict(personas["shequ"]).filter(pk=v.pk).exists()

    client = Client()
    client.force_login(user)
    response = client.post("/api/v1/visits", {"household": household.pk, "purposes": ["safety"]})
    assert response.status_code == 201, response.content
    refused = client.post("/api/v1/visits", {"household": unpaired.pk, "purposes": ["safety"]})
    assert refused.status_code == 400
