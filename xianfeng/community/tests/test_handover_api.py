"""对接 through the API: the work unit (its liaison, or staff over the member's branch) hands
a retired or laid-off member over to their residence community; the community accepts it
through the same steps as a 报到, which gives the member a service place. Every refusal is
a 4xx with a Chinese message; the permission matrix row of the endpoint is at the end."""

from __future__ import annotations

import pytest

from xianfeng.community.tests import factories as cf
from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.demo.testing import objects_under
from xianfeng.orgs.models import Organization
from xianfeng.people.models import MemberCase, PartyMember, ServicePlace

pytestmark = pytest.mark.django_db


def _post(client, member_id: int, **data):
    return client.post(
        f"/api/v1/members/{member_id}/handover", data=data, content_type="application/json"
    )


def test_the_unit_hands_a_retired_member_over_and_the_community_accepts(personas, client_for):
    member = cf.in_service_member(1, kind="retired")
    response = _post(client_for("danwei"), member.pk, community_code=cf.community().code)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["kind"] == "handover" and body["state"] == "registered"
    assert body["organization_id"] == cf.community().pk
    case = MemberCase.objects.get(pk=body["id"])
    assert DutyRecord.objects.filter(
        action="member.handover_register", object_id=str(case.pk)
    ).exists()
    # the community sees it and accepts it with the 报到 step
    accepted = client_for("shequ").post(
        f"/api/v1/member-cases/{case.pk}/report/accept", data={}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert ServicePlace.objects.filter(member=member, ended_on__isnull=True).exists()


@pytest.mark.parametrize(
    ("code", "field", "message"),
    [
        ("", "community", "社区“”不存在，请核对社区的组织代码。"),
        ("XF-NOPE", "community", "社区“XF-NOPE”不存在，请核对社区的组织代码。"),
    ],
)
def test_an_unknown_community_is_refused_in_chinese(personas, client_for, code, field, message):
    member = cf.in_service_member(2, kind="laid_off")
    response = _post(client_for("danwei"), member.pk, community_code=code)
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    assert not member.cases.exists()


def test_a_street_is_not_a_community(personas, client_for):
    member = cf.in_service_member(2, kind="laid_off")
    street = cf.community().parent
    response = _post(client_for("danwei"), member.pk, community_code=street.code)
    assert response.status_code == 400
    assert "不存在，请核对社区的组织代码" in response.json()["errors"]["community"][0]


def test_an_in_service_member_reports_and_is_not_handed_over(personas, client_for):
    member = cf.in_service_member(3)
    response = _post(client_for("danwei"), member.pk, community_code=cf.community().code)
    assert response.status_code == 400
    assert "只有离退休党员和下岗失业党员由单位对接到居住地社区。" in response.json()["detail"]


def test_a_second_hand_over_is_refused(personas, client_for):
    member = cf.in_service_member(4, kind="retired")
    first = _post(client_for("danwei"), member.pk, community_code=cf.community().code)
    assert first.status_code == 200
    again = _post(client_for("danwei"), member.pk, community_code=cf.community().code)
    assert again.status_code == 400
    assert "该党员已在社区报到，请先撤销原报到。" in again.json()["detail"]
    assert member.cases.count() == 1


def test_the_member_cannot_hand_themselves_over(personas, client_for):
    member = cf.in_service_member(5, kind="retired")
    own = cf.account_for(member)
    from django.test import Client

    client = Client()
    client.force_login(own)
    response = _post(client, member.pk, community_code=cf.community().code)
    assert response.status_code == 403
    assert response.json()["detail"] == "只有该党员所在党组织的管理人员可以办理。"


def test_a_long_note_and_a_missing_code_answer_422_or_400_not_500(personas, client_for):
    member = cf.in_service_member(6, kind="retired")
    missing = client_for("danwei").post(
        f"/api/v1/members/{member.pk}/handover", data={}, content_type="application/json"
    )
    assert missing.status_code in (400, 422)
    long = _post(client_for("danwei"), member.pk, community_code="x" * 41)
    assert long.status_code in (400, 422)
    assert not member.cases.exists()


# --- the permission matrix row: side A in wangge's grid, side B in shequ2's community ----------
HANDERS = {"admin", "qu", "jiedao", "shequ", "shequ2", "wangge"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_handing_over_answers_by_scope_and_role(personas, client_for, persona):
    client = client_for(persona)
    community = Organization.objects.get(code=cf.community().code)
    for side, owner in enumerate(("wangge", "shequ2")):
        member = objects_under(role_org(personas[owner]))["member"]
        PartyMember.objects.filter(pk=member.pk).update(kind="retired")
        response = _post(client, member.pk, community_code=community.code)
        assert response.status_code == expected(persona, side, HANDERS), (
            persona,
            side,
            response.content[:200],
        )
    # the work unit's liaison hands over its own members (and sees no one else's)
    unit_member = cf.in_service_member(7, kind="retired")
    response = _post(client, unit_member.pk, community_code=community.code)
    unit_sees = persona in {"admin", "qu", "jiedao", "danwei", "jiancha"}
    want = (200 if persona in {"admin", "qu", "jiedao", "danwei"} else 403) if unit_sees else 404
    assert response.status_code == want, (persona, response.content[:200])
