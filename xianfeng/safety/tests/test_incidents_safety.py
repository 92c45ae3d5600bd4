"""安全事故 (issue 12, item 7): recorded by staff with the organizations responsible; a
serious one (较大及以上) is the assessment's veto for them and the organizations above them
(``selectors.serious_incident_veto``). Pages and API × roles × scope, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, SEES, expected
from xianfeng.safety import selectors, services
from xianfeng.safety.models import Incident

pytestmark = pytest.mark.django_db
ADMINS = {"admin", "qu", "jiedao", "shequ", "shequ2"}


def _record(actor, org, severity="larger", on=None, responsible=None, **kw):
    return services.incident_record(
        actor=actor,
        organization=org,
        title=kw.pop("title", "出租屋电动车充电起火"),
        occurred_on=on or timezone.localdate(),
        severity=severity,
        responsible=responsible or [org],
        deaths=kw.pop("deaths", 0),
        injuries=kw.pop("injuries", 2),
        **kw,
    )


def test_a_serious_incident_vetoes_the_responsible_and_those_above(personas):
    community = role_org(personas["shequ"])
    street = community.parent
    other = role_org(personas["shequ2"])
    year = timezone.localdate().year
    incident = _record(personas["shequ"], community)
    assert DutyRecord.objects.filter(action="incident.record", object_id=str(incident.pk)).exists()
    assert selectors.serious_incident_veto(community, year)
    assert selectors.serious_incident_veto(street, year)  # a community of the street's
    assert not selectors.serious_incident_veto(other, year)
    assert not selectors.serious_incident_veto(community, year - 1)
    minor = _record(personas["shequ2"], other, severity="general")
    assert minor.pk and not selectors.serious_incident_veto(other, year)


def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(personas):
    community = role_org(personas["shequ"])
    before = Incident.objects.count()
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        _record(personas["shequ"], community, on=future)
    assert "发生日期不能晚于今天。" in err.value.messages
    with pytest.raises(ValidationError) as err:
        services.incident_record(
            actor=personas["shequ"], organization=community, title="", occurred_on=date(2024, 1, 1),
            severity="odd", responsible=[],
        )  # fmt: skip
    assert set(err.value.message_dict) == {"title", "severity", "responsible"}
    with pytest.raises(ValidationError) as err:  # a community shequ does not see
        _record(personas["shequ"], community, responsible=[role_org(personas["shequ2"])])
    assert "所选组织不存在或不在您的管辖范围内。" in err.value.messages
    with pytest.raises(PermissionDenied):  # a grid secretary records none
        _record(personas["wangge"], role_org(personas["wangge"]))
    assert Incident.objects.count() == before


@pytest.fixture
def sides(personas):
    out = []
    for name in ("shequ", "shequ2"):
        org = role_org(personas[name])
        out.append({"org": org.pk, "incident": _record(personas["admin"], org).pk})
    return out


@pytest.mark.parametrize("persona", PERSONAS)
def test_incident_pages_and_api_answer_by_scope_and_role(client_for, sides, persona):
    client = client_for(persona)
    assert client.get("/safety/incidents/").status_code == 200
    assert client.get("/api/v1/safety/incidents").status_code == 200
    assert client.get("/safety/incidents/new/").status_code == (200 if persona in ADMINS else 403)
    for side in (0, 1):
        ids = sides[side]
        want = expected(persona, side, set(PERSONAS))
        if persona in ("wangge", "dangyuan"):  # recorded at the community, above their branch
            want = 404
        assert client.get(f"/safety/incidents/{ids['incident']}/").status_code == want, persona
        assert client.get(f"/api/v1/safety/incidents/{ids['incident']}").status_code == want
        body = {"organization": ids["org"], "title": "燃气泄漏", "severity": "general",
                "occurred_on": "2025-05-01", "responsible": [ids["org"]]}  # fmt: skip
        api = client.post("/api/v1/safety/incidents", body, content_type="application/json")
        if persona not in ADMINS:
            want = 403
        else:
            want = 201 if SEES[persona][side] else 400
        assert api.status_code == want, f"{persona} {'AB'[side]} {api.content[:200]!r}"
        assert "detail" in api.json() or want == 201
        page = client.post("/safety/incidents/new/", body)
        assert page.status_code == {201: 302, 403: 403, 400: 400}[want], persona


def test_the_api_answers_bad_input_with_the_json_error_body(client_for, personas):
    org = role_org(personas["shequ"]).pk
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    bad = client_for("shequ").post(
        "/api/v1/safety/incidents",
        {"organization": org, "title": "x", "severity": "major", "occurred_on": future,
         "responsible": [org]},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["errors"]["occurred_on"] == ["发生日期不能晚于今天。"]
    worse = client_for("shequ").post(
        "/api/v1/safety/incidents",
        {"organization": org, "title": "x", "severity": "huge", "occurred_on": "2025-01-01",
         "responsible": [org], "deaths": -1},
        content_type="application/json",
    )  # fmt: skip
    assert worse.status_code in (400, 422) and "detail" in worse.json()


def test_the_incident_list_reads_a_page_in_a_few_queries(
    client_for, personas, django_assert_max_num_queries
):
    for n in range(4):
        _record(personas["shequ"], role_org(personas["shequ"]), title=f"事故{n}")
    client = client_for("qu")
    client.get("/api/v1/safety/incidents")  # warm the session
    with django_assert_max_num_queries(8):
        data = client.get(f"/api/v1/safety/incidents?year={timezone.localdate().year}").json()
    assert data["count"] >= 4 and data["results"][0]["serious"] is True
    with django_assert_max_num_queries(12):
        page = client.get("/safety/incidents/")
    assert "事故3" in page.content.decode()
