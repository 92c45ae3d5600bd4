"""The organization picker (issue 10): search as you type among thousands, offering exactly
what the form accepts (signed spec, the user's scope on top), the chosen one kept first."""

from __future__ import annotations

import re

import pytest

from xianfeng.core.choices import Action
from xianfeng.core.testing import role_org
from xianfeng.orgs.choices import OrgKind
from xianfeng.orgs.models import Organization
from xianfeng.orgs.pickers import PICKER_ROWS, OrgSpec, org_choices

pytestmark = pytest.mark.django_db


def _values(response) -> list[int]:
    return [int(v) for v in re.findall(r'value="(\d+)"', response.content.decode())]


def test_the_search_finds_by_name_short_name_and_code_within_scope(client_for, personas):
    shequ = personas["shequ"]
    community = role_org(shequ)
    child = Organization.objects.filter(parent=community).order_by("path").last()
    spec = OrgSpec(action=Action.VIEW).sign()
    client = client_for("shequ")
    by_name = _values(client.get("/orgs/pick/", {"spec": spec, "name": "branch", "q": child.name}))
    assert child.pk in by_name
    by_code = _values(client.get("/orgs/pick/", {"spec": spec, "q": child.code[:6]}))
    assert child.pk in by_code
    outside = role_org(personas["shequ2"])
    assert outside.pk not in _values(client.get("/orgs/pick/", {"spec": spec, "q": outside.name}))


def test_a_tampered_spec_is_refused_in_chinese(client_for):
    spec = OrgSpec(action=Action.VIEW).sign()
    response = client_for("shequ").get("/orgs/pick/", {"spec": spec[:-2] + "xx", "q": "社区"})
    assert response.status_code == 400 and "刷新页面" in response.content.decode()


def test_a_partner_outside_scope_is_offered_only_among_pairing_kinds(personas):
    spec = OrgSpec(action="", kinds=(OrgKind.RESIDENT_UNIT,))
    unit = role_org(personas["danwei"])
    found = org_choices(user=personas["shequ2"], spec=spec, q=unit.name)["found"]
    assert unit in found and all(o.kind == OrgKind.RESIDENT_UNIT for o in found)
    assert not org_choices(user=personas["shequ2"], spec=OrgSpec(action=""), q="")["found"]


def test_the_list_says_how_many_more_and_keeps_the_chosen_first(personas):
    qu = personas["qu"]
    spec = OrgSpec(action=Action.VIEW)
    total = Organization.objects.restrict(qu).count()
    assert total > PICKER_ROWS
    last = Organization.objects.restrict(qu).order_by("path").last()
    rows = org_choices(user=qu, spec=spec, chosen=last.pk)
    assert rows["picked"] == last and last not in rows["found"]
    assert len(rows["found"]) == PICKER_ROWS and rows["more"] == total - 1 - PICKER_ROWS


def test_the_member_form_refuses_a_branch_outside_the_offer(client_for, personas):
    """What the picker does not offer the form does not accept (and says so in Chinese)."""
    outside = role_org(personas["shequ2"])
    response = client_for("shequ").post("/members/new/", {"name": "某某", "branch": outside.pk})
    assert response.status_code == 400
    assert "所选党组织不存在或不在您的管辖范围内" in response.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["admin", "qu", "jiedao", "shequ", "shequ2", "wangge", "dangyuan", "danwei", "jiancha"],
)
def test_the_picker_answers_every_persona_within_its_scope(client_for, personas, persona):
    spec = OrgSpec(action=Action.VIEW).sign()
    response = client_for(persona).get("/orgs/pick/", {"spec": spec})
    assert response.status_code == 200
    seen = set(Organization.objects.restrict(personas[persona]).values_list("pk", flat=True))
    assert set(_values(response)) <= seen


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/orgs/pick/", {"spec": OrgSpec().sign()})
    assert response.status_code == 302 and response.url.startswith("/login/")
