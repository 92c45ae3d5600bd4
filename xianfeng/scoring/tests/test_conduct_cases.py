"""不合格党员处置: a hazard confirmed on a party-member landlord's rental writes
``landlord.violation`` to the ledger (safety); scoring reads the ledger and opens one case in
the landlord's branch, seen by the branch and above; the branch talks and sets a deadline, then
closes it as put right or with a disposal; bad input is refused in Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.tests.test_permission_matrix import PERSONAS, expected
from xianfeng.core.workflow import StateConflict, take
from xianfeng.demo.base import persona_member
from xianfeng.places.choices import BuildingKind
from xianfeng.places.models import Building
from xianfeng.safety.tests import factories as f
from xianfeng.scoring import conduct
from xianfeng.scoring.models import ConductCase

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _let_by(member, org, kind=BuildingKind.RENTAL):
    building = f.building_under(org, kind=kind)
    Building.objects.filter(pk=building.pk).update(landlord=member.person)
    building.refresh_from_db()
    return building


def _violation(personas, building, title="出租屋群租，电动车室内充电"):
    hazard = f.hazard(personas["shequ2"], building, title=title)
    return take(hazard, "confirm", actor=personas["shequ2"])


def _open():
    return conduct.conduct_open_pending(lag=timedelta(0))


@pytest.fixture
def case(personas):
    # dangyuan (side A's grid branch) lets a rental in shequ2's community (side B)
    # (the demo district already holds one case of dangyuan's: this is a second rental)
    building = _let_by(persona_member("dangyuan"), role_org(personas["shequ2"]))
    hazard = _violation(personas, building)
    assert _open() == 1
    record = DutyRecord.objects.get(action="landlord.violation", object_id=str(hazard.pk))
    return ConductCase.objects.get(record=record)


def test_a_confirmed_hazard_on_a_members_rental_opens_one_case_in_their_branch(personas, case):
    member = persona_member("dangyuan")
    record = DutyRecord.objects.get(pk=case.record_id)
    assert record.action == "landlord.violation" and record.member_id == member.pk
    assert case.organization_id == member.branch_id and case.state == "opened"
    assert "电动车室内充电" in case.reason
    assert DutyRecord.objects.filter(action="conduct_case.open", object_id=str(case.pk)).exists()
    # reading the ledger again opens nothing more
    before = ConductCase.objects.count()
    assert _open() == 0
    assert ConductCase.objects.count() == before
    assert ConductCase.objects.filter(record=record).count() == 1


def test_only_a_members_rental_and_only_a_confirmed_hazard_start_it(personas):
    before = DutyRecord.objects.filter(action="landlord.violation").count()
    side_b = role_org(personas["shequ2"])
    shop = _let_by(persona_member("dangyuan"), side_b, kind=BuildingKind.SMALL_VENUE)
    _violation(personas, shop)
    plain = f.building_under(side_b)
    _violation(personas, plain)
    reported = f.hazard(personas["shequ2"], _let_by(persona_member("dangyuan"), side_b))
    take(reported, "dismiss", actor=personas["shequ2"], reason="非隐患")
    assert DutyRecord.objects.filter(action="landlord.violation").count() == before
    assert _open() == 0


def test_a_negative_list_item_on_an_in_service_members_record_opens_a_case(personas):
    """Seed 002's 正负面清单: the community's record listing negative items writes
    ``record.negative``; the same job opens one case in the member's own branch (at the work
    unit), with the items as its reason; a record without negative items opens nothing."""
    from xianfeng.community import records
    from xianfeng.community.tests import factories as cf

    def write(member, negatives):
        return records.record_write(
            actor=personas["shequ"],
            member=member,
            community=cf.community(),
            rating="poor" if negatives else "excellent",
            opinion="社区鉴定意见",
            negatives=negatives,
            year=timezone.localdate().year,
        )

    clean, faulty = cf.in_service_member(1), cf.in_service_member(2)
    for member in (clean, faulty):
        cf.reported(member, personas["shequ"])
    _open()  # cases the demo's records may still start
    write(clean, "")
    assert _open() == 0
    written = write(faulty, "多次报名服务后无故缺席")
    record = DutyRecord.objects.get(action="record.negative", object_id=str(written.pk))
    assert record.member_id == faulty.pk and record.note == "多次报名服务后无故缺席"
    assert _open() == 1
    case = ConductCase.objects.get(record=record)
    assert case.member_id == faulty.pk and case.organization_id == faulty.branch_id
    assert case.reason == "多次报名服务后无故缺席" and case.state == "opened"
    assert DutyRecord.objects.filter(action="conduct_case.open", object_id=str(case.pk)).exists()
    assert _open() == 0  # reading the ledger again opens no second case
    assert not ConductCase.objects.filter(member=clean).exists()
    # the demo district's point rules deduct for it (a deduction the issue names)
    from xianfeng.scoring import services as scoring
    from xianfeng.scoring.models import PointEntry

    scoring.award_pending(lag=timedelta(0))
    entry = PointEntry.objects.get(record=record)
    assert entry.member_id == faulty.pk and entry.points < 0


def test_the_branch_talks_sets_a_deadline_and_closes_it(personas, case):
    wangge = personas["wangge"]
    with pytest.raises(ValidationError) as exc:
        take(case, "talk", actor=wangge, note="", deadline="")
    assert exc.value.message_dict["note"] == ["请填写谈话记录。"]
    with pytest.raises(ValidationError) as exc:
        take(
            case, "talk", actor=wangge, note="已谈话", deadline=timezone.localdate() - timedelta(1)
        )
    assert exc.value.message_dict["deadline"] == ["整改期限不能早于今天。"]
    with pytest.raises(StateConflict):
        take(case, "rectified", actor=wangge, note="已整改")
    deadline = timezone.localdate() + timedelta(days=30)
    case = conduct.conduct_talk(actor=wangge, case=case, note="支部书记谈话", deadline=deadline)
    assert case.state == "rectifying" and case.rectify_by == deadline
    with pytest.raises(ValidationError):
        take(case, "dispose", actor=wangge, note=" ")
    case = take(case, "dispose", actor=personas["shequ"], note="限期改正，年度评议定为不合格")
    assert case.state == "disposed" and case.closed_by == personas["shequ"]
    kinds = list(
        DutyRecord.objects.filter(object_id=str(case.pk), action__startswith="conduct_case.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert kinds == ["conduct_case.open", "conduct_case.talk", "conduct_case.dispose"]


def test_the_member_may_not_handle_their_own_case(personas, case):
    with pytest.raises(PermissionDenied):
        take(case, "talk", actor=personas["dangyuan"], note="x", deadline=timezone.localdate())


# --- pages and API, every role ----------

HANDLERS = {"admin", "qu", "jiedao", "shequ", "wangge"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_cases_answer_by_scope_and_role(client_for, case, persona):
    # the case lies in side A (dangyuan's branch), though the rental is in side B
    client = client_for(persona)
    want = expected(persona, 0, set(PERSONAS))
    for url in (f"/scoring/conduct/{case.pk}/", f"/api/v1/scoring/conduct-cases/{case.pk}"):
        assert client.get(url).status_code == want, f"{persona} {url}"
    for url in ("/scoring/conduct/", "/api/v1/scoring/conduct-cases"):
        assert client.get(url).status_code == 200, f"{persona} {url}"
    listed = {r["id"] for r in client.get("/api/v1/scoring/conduct-cases").json()["results"]}
    assert (case.pk in listed) == (want == 200), persona
    want = expected(persona, 0, HANDLERS)
    answer = client.post(
        f"/api/v1/scoring/conduct-cases/{case.pk}/talk",
        {"note": "谈话", "deadline": (timezone.localdate() + timedelta(9)).isoformat()},
        content_type=JSON,
    )
    assert answer.status_code == want, f"{persona} talk"
    if want != 200:
        assert client.post(f"/scoring/conduct/{case.pk}/talk/").status_code == want
        assert ConductCase.objects.get(pk=case.pk).state == "opened"


def test_a_case_put_right_is_closed_on_the_page(client_for, personas, case):
    deadline = timezone.localdate() + timedelta(days=10)
    conduct.conduct_talk(actor=personas["wangge"], case=case, note="谈话", deadline=deadline)
    client = client_for("wangge")
    refused = client.post(f"/scoring/conduct/{case.pk}/rectified/", {"note": ""})
    assert refused.status_code == 400 and "请写明整改情况。" in refused.content.decode()
    done = client.post(f"/scoring/conduct/{case.pk}/rectified/", {"note": "已清退群租，整改合格"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == "rectified" and case.outcome == "已清退群租，整改合格"
