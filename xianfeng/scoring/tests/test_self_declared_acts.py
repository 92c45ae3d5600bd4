"""Self-declared acts with a photo (自行申报): the district names the kinds, a member declares
one with a photo, someone in scope who is not the declarer approves (one verified ledger record
the point rules score, weighted by the kind) or refuses it with a reason (kept, earning
nothing); bad input is refused in Chinese and nothing is stored."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xianfeng.core.models import DutyRecord
from xianfeng.core.workflow import StateConflict
from xianfeng.demo.base import persona_member
from xianfeng.scoring import declarations
from xianfeng.scoring.models import PointEntry, SelfDeclaration
from xianfeng.scoring.tests.helpers import award, rule
from xianfeng.work.tests.factories import JPEG

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _photo(data: bytes = JPEG, name: str = "p.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def kind(personas):
    return declarations.kind_set(
        actor=personas["qu"], name="慰问困难党员", description="节日走访慰问", weight="1.5"
    )


def _declare(user, default_kind, **kw):
    values = {
        "kind": default_kind,
        "description": "给孤老户送米面油",
        "done_on": timezone.localdate(),
        "photo": _photo(),
    }
    values.update(kw)
    return declarations.declaration_submit(actor=user, **values)


def test_an_approved_declaration_earns_points_weighted_by_its_kind(personas, kind):
    member = persona_member("dangyuan")
    today = timezone.localdate()
    rule(
        personas["qu"],
        "self_declared.approve",
        start=today - timedelta(days=30),
        points=4,
        verified_only=True,
        multiplier_field="weight",
        multiplier_base=1,
    )
    kept = _declare(personas["dangyuan"], kind, done_on=today - timedelta(days=2))
    refused = _declare(personas["dangyuan"], kind, description="值守")
    assert kept.photo.name.endswith(".jpg") and kept.organization_id == member.branch_id
    ours = PointEntry.objects.filter(
        member=member,
        kind__startswith="self_declared",
        target_id__in=[str(kept.pk), str(refused.pk)],
    )
    award()
    assert not ours.exists()

    declarations.declaration_approve(actor=personas["wangge"], declaration=kept, note="属实")
    declarations.declaration_reject(
        actor=personas["wangge"], declaration=refused, note="照片不是现场"
    )
    award()
    entries = list(ours)
    # 4 points × the kind's weight 1.5, on the day of the act; the refused one earns nothing
    assert [(e.kind, e.points, e.occurred_on) for e in entries] == [
        ("self_declared.approve", Decimal("6.00"), today - timedelta(days=2))
    ]
    record = DutyRecord.objects.get(action="self_declared.approve", object_id=str(kept.pk))
    assert record.verified and record.member_id == member.pk and entries[0].record_id == record.pk
    refused.refresh_from_db()
    assert refused.state == "rejected" and refused.review_note == "照片不是现场"
    assert SelfDeclaration.objects.filter(pk=refused.pk).exists()


def test_the_declarer_may_not_review_their_own_declaration(personas, kind):
    # wangge is a member of their own grid branch, and its secretary
    own = _declare(personas["wangge"], kind)
    with pytest.raises(PermissionDenied, match="不能审核自己的申报"):
        declarations.declaration_approve(actor=personas["wangge"], declaration=own)
    declarations.declaration_approve(actor=personas["shequ"], declaration=own)
    own.refresh_from_db()
    assert own.state == "approved" and own.reviewed_by == personas["shequ"]


def test_a_member_may_not_review_and_a_step_is_taken_once(personas, kind):
    one = _declare(personas["dangyuan"], kind)
    with pytest.raises(PermissionDenied):
        declarations.declaration_approve(actor=personas["dangyuan"], declaration=one)
    declarations.declaration_approve(actor=personas["wangge"], declaration=one)
    with pytest.raises(StateConflict):
        declarations.declaration_reject(actor=personas["shequ"], declaration=one, note="重复")
    assert (
        DutyRecord.objects.filter(action="self_declared.approve", object_id=str(one.pk)).count()
        == 1
    )


def test_a_refusal_needs_a_reason(personas, kind):
    one = _declare(personas["dangyuan"], kind)
    with pytest.raises(ValidationError) as exc:
        declarations.declaration_reject(actor=personas["wangge"], declaration=one, note=" ")
    assert exc.value.message_dict["note"] == ["请写明不予认定的理由。"]
    one.refresh_from_db()
    assert one.state == "pending"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"photo": None}, "photo", "请上传一张现场照片。"),
        ({"photo": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")}, "photo", "照片"),
        ({"description": "  "}, "description", "请说明做了什么事。"),
        ({"description": "字" * 501}, "description", "不超过500个字"),
        ({"done_on": None}, "done_on", "请填写履职日期。"),
        ({"kind": None}, "kind", "请选择区委组织部设定的自行申报事项。"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_stored(
    personas, kind, change, field, message
):
    before = SelfDeclaration.objects.count()
    with pytest.raises(ValidationError) as exc:
        _declare(personas["dangyuan"], kind, **change)
    assert message in " ".join(exc.value.message_dict[field])
    assert SelfDeclaration.objects.count() == before


def test_dates_in_the_future_or_long_past_and_duplicates_are_refused(personas, kind):
    today = timezone.localdate()
    for day, message in (
        (today + timedelta(days=1), "不能晚于今天"),
        (today - timedelta(days=91), "90天内"),
    ):
        with pytest.raises(ValidationError) as exc:
            _declare(personas["dangyuan"], kind, done_on=day)
        assert message in exc.value.message_dict["done_on"][0]
    _declare(personas["dangyuan"], kind)
    with pytest.raises(ValidationError) as exc:
        _declare(personas["dangyuan"], kind)
    assert exc.value.message_dict["description"] == ["这件事已经申报过了，请勿重复申报。"]


def test_a_retired_kind_cannot_be_declared_and_only_the_district_sets_kinds(personas, kind):
    declarations.kind_set(
        actor=personas["qu"], kind=kind, name=kind.name, weight=kind.weight, active=False
    )
    with pytest.raises(ValidationError):
        _declare(personas["dangyuan"], kind)
    with pytest.raises(PermissionDenied):
        declarations.kind_set(actor=personas["shequ"], name="别的事")
    with pytest.raises(ValidationError) as exc:
        declarations.kind_set(actor=personas["qu"], name=kind.name, weight="0")
    assert set(exc.value.message_dict) == {"name", "weight"}


def test_someone_without_a_member_record_cannot_declare(personas, kind):
    with pytest.raises(PermissionDenied):
        _declare(personas["shequ2"], kind)


# --- pages and API ----------


def test_the_member_declares_on_the_page_and_the_secretary_approves(client_for, personas, kind):
    member = client_for("dangyuan")
    page = member.get("/scoring/declared/new/")
    assert page.status_code == 200 and "慰问困难党员" in page.content.decode()
    bad = member.post(
        "/scoring/declared/new/",
        {"kind": kind.pk, "description": "送米", "done_on": timezone.localdate().isoformat()},
    )
    assert bad.status_code == 400 and "请上传一张现场照片。" in bad.content.decode()
    done = member.post(
        "/scoring/declared/new/",
        {
            "kind": kind.pk,
            "description": "送米",
            "done_on": timezone.localdate().isoformat(),
            "photo": _photo(),
        },
    )
    assert done.status_code == 302
    obj = SelfDeclaration.objects.get(description="送米")
    # The member cannot review, yet the 审核 card says the act is waiting rather than being empty.
    waiting = member.get(f"/scoring/declared/{obj.pk}/").content.decode()
    assert 'id="declaration-waiting"' in waiting and "等待所在支部书记或上级管理员审核" in waiting
    assert 'data-step="approve"' not in waiting
    assert member.post(f"/scoring/declared/{obj.pk}/approve/").status_code == 403
    assert client_for("wangge").post(f"/scoring/declared/{obj.pk}/approve/").status_code == 302
    obj.refresh_from_db()
    assert obj.state == "approved"
    reviewed = member.get(f"/scoring/declared/{obj.pk}/").content.decode()
    assert 'id="declaration-reviewed"' in reviewed and "declaration-waiting" not in reviewed


def test_the_api_takes_a_photo_by_multipart_and_answers_errors_in_json(client_for, kind):
    member = client_for("dangyuan")
    today = timezone.localdate().isoformat()
    bad = member.post(
        "/api/v1/scoring/self-declared",
        {"kind_id": kind.pk, "description": "送米", "done_on": today},
    )
    assert bad.status_code == 400 and bad.json()["errors"]["photo"]
    made = member.post(
        "/api/v1/scoring/self-declared",
        {"kind_id": kind.pk, "description": "送米", "done_on": today, "photo": _photo()},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["state"] == "pending" and body["kind_name"] == kind.name and body["actions"] == []
    reviewer = client_for("wangge")
    seen = reviewer.get(f"/api/v1/scoring/self-declared/{body['id']}").json()
    assert seen["actions"] == ["approve", "reject"]
    refused = reviewer.post(
        f"/api/v1/scoring/self-declared/{body['id']}/reject", {}, content_type=JSON
    )
    assert refused.status_code == 400 and refused.json()["detail"]
    ok = reviewer.post(
        f"/api/v1/scoring/self-declared/{body['id']}/reject",
        {"note": "不是本人"},
        content_type=JSON,
    )
    assert ok.status_code == 200 and ok.json()["state"] == "rejected"


def test_the_declaration_list_reads_in_the_database_without_n_plus_1(
    client_for, personas, kind, django_assert_max_num_queries
):
    for n in range(6):
        _declare(personas["dangyuan"], kind, description=f"第{n}件")
    client = client_for("shequ")
    client.get("/api/v1/scoring/self-declared")  # warm the session and roles
    with django_assert_max_num_queries(8):
        page = client.get("/api/v1/scoring/self-declared?page_size=5")
    assert page.status_code == 200 and len(page.json()["results"]) == 5
    with django_assert_max_num_queries(14):
        assert client.get("/scoring/declared/").status_code == 200
