"""The transition walk of a landlord declaration's review (xianfeng/core/workflow_walk.py)."""

from __future__ import annotations

from itertools import count

import pytest

from xianfeng.core.workflow import take
from xianfeng.core.workflow_walk import Walk, walk
from xianfeng.exchange.declarations import declaration_submit
from xianfeng.exchange.models import LandlordDeclaration
from xianfeng.places.models import Building, Household

pytestmark = pytest.mark.django_db
_room = count(901)


def _declaration(p, reviewed: bool = False) -> LandlordDeclaration:
    """A declaration for a building of wangge's grid (so shequ and wangge review it)."""
    building = Building.objects.filter(code__startswith="B-S01-C01-G01").order_by("pk").first()
    d = declaration_submit(
        building=building,
        landlord_name="房东甲",
        landlord_mobile="13700000000",
        rows=[{"unit": "9", "room": str(next(_room))}],
    )
    if reviewed:
        take(d, "reject", actor=p["wangge"], note="房号不对")
        d.refresh_from_db()
    return d


API = "/api/v1/declarations/{pk}/"
PAGE = "/exchange/declarations/{pk}/"

WALKS = [
    Walk(LandlordDeclaration, "accept", _declaration, lambda p: _declaration(p, True),
         "wangge", "dangyuan", API + "accept", PAGE + "accept/"),
    Walk(LandlordDeclaration, "reject", _declaration, lambda p: _declaration(p, True),
         "wangge", "dangyuan", API + "reject", PAGE + "reject/", {"note": "房东电话打不通"}),
]  # fmt: skip


@pytest.mark.parametrize("w", WALKS, ids=str)
def test_walk(w, personas, client_for):
    walk(w, personas, client_for)


def test_accepting_writes_the_declared_room_once(personas):
    d = _declaration(personas)
    room = d.rooms[0]["room"]
    take(d, "accept", actor=personas["wangge"])
    assert Household.objects.filter(building=d.building, unit="9", room=room).count() == 1


# --- import runs: the uploader's one step, and the jobs' steps ----------------------------------


def _previewed_run(p, client_for, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from xianfeng.exchange.models import ImportRun
    from xianfeng.exchange.tests.conftest import MEMBER_HEAD, make_id, xlsx_bytes

    rows = [["甲", make_id(next(_room)), "XF-S01-C01-G01", "", "", "", ""]]
    upload = SimpleUploadedFile("党员.xlsx", xlsx_bytes([MEMBER_HEAD, *rows]))
    with django_capture_on_commit_callbacks(execute=True):
        client_for("shequ").post("/exchange/imports/new/", {"kind": "members", "file": upload})
    return ImportRun.objects.order_by("-pk").first()


def test_import_run_apply_walk(personas, client_for, django_capture_on_commit_callbacks):
    """Apply: the uploader, in 待确认导入 (202, the jobs move it to 已导入, each a ledger row);
    the same again answers 409; anyone else does not see the run (404) — only the uploader
    ever does, so there is no one to refuse with 403."""
    from xianfeng.core.models import DutyRecord
    from xianfeng.exchange.models import ImportRun

    run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    assert run.status == ImportRun.Status.PREVIEWED
    assert (
        client_for("wangge")
        .post(f"/api/v1/imports/{run.pk}/apply", {}, "application/json")
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for("shequ").post(f"/api/v1/imports/{run.pk}/apply", {}, "application/json")
    assert answer.status_code == 202, answer.content
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    again = client_for("shequ").post(f"/api/v1/imports/{run.pk}/apply", {}, "application/json")
    assert again.status_code == 409 and "已导入" in again.json()["detail"]
    kinds = set(
        DutyRecord.objects.filter(object_id=str(run.pk), action__startswith="import.").values_list(
            "action", flat=True
        )
    )
    assert kinds == {"import.preview", "import.apply", "import.applied"}

    page_run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client_for("shequ").post(
            f"/exchange/imports/{page_run.pk}/apply/", {"mode": "all"}
        )
    assert answer.status_code == 302
    page_run.refresh_from_db()
    assert page_run.status == ImportRun.Status.APPLIED
    answer = client_for("shequ").post(f"/exchange/imports/{page_run.pk}/apply/", {"mode": "all"})
    assert answer.status_code == 409 and "已导入" in answer.content.decode()


def _crashed_apply(run):
    """The apply job's process died (kill -9): 导入中 with a job that never reports again."""
    from datetime import timedelta

    from django.utils import timezone

    from xianfeng.core.models import JobRun
    from xianfeng.exchange.models import ImportRun

    old = timezone.now() - timedelta(hours=1)
    job = JobRun.objects.create(
        name="exchange.import_apply",
        status=JobRun.Status.RUNNING,
        started_at=old,
        heartbeat_at=old,
        created_by=run.created_by,
    )
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.APPLYING, apply_job=job)


def test_import_run_retry_walk(personas, client_for, django_capture_on_commit_callbacks):
    """Retry: an import whose process died reads 导入失败 in the API (no page needed); the
    uploader previews the same kept file again (202, ledger ``import.retry``) and applies it;
    retry of a run that has not failed answers 409, and nobody else sees the run (404)."""
    from xianfeng.core.models import DutyRecord
    from xianfeng.exchange.models import ImportRun
    from xianfeng.people.models import PartyMember

    run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    _crashed_apply(run)
    shequ = client_for("shequ")
    detail = shequ.get(f"/api/v1/imports/{run.pk}").json()
    assert detail["status"] == "failed" and "任务中断" in detail["message"]
    assert shequ.post(f"/api/v1/imports/{run.pk}/apply", {}, "application/json").status_code == 409
    assert client_for("wangge").post(f"/api/v1/imports/{run.pk}/retry").status_code == 404
    members = PartyMember.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        answer = shequ.post(f"/api/v1/imports/{run.pk}/retry")
    assert answer.status_code == 202, answer.content
    run.refresh_from_db()
    assert run.status == ImportRun.Status.PREVIEWED and run.message == ""
    again = shequ.post(f"/api/v1/imports/{run.pk}/retry")
    assert again.status_code == 409 and "导入失败" in again.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        shequ.post(f"/api/v1/imports/{run.pk}/apply", {}, "application/json")
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert PartyMember.objects.count() == members + 1
    kinds = list(
        DutyRecord.objects.filter(object_id=str(run.pk), action__startswith="import.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert kinds == [
        "import.preview",
        "import.fail",
        "import.retry",
        "import.preview",
        "import.apply",
        "import.applied",
    ]

    page_run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    _crashed_apply(page_run)
    page = shequ.get(page_run.get_absolute_url()).content.decode()
    assert f"/exchange/imports/{page_run.pk}/retry/" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = shequ.post(f"/exchange/imports/{page_run.pk}/retry/")
    assert answer.status_code == 302
    page_run.refresh_from_db()
    assert page_run.status == ImportRun.Status.PREVIEWED
    answer = shequ.post(f"/exchange/imports/{page_run.pk}/retry/")
    assert answer.status_code == 409 and "只有导入失败的记录可以重新预检" in answer.content.decode()


def test_import_run_retry_needs_the_kept_file(
    personas, client_for, django_capture_on_commit_callbacks
):
    import os

    from xianfeng.exchange.models import ImportRun

    run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    _crashed_apply(run)
    client_for("shequ").get(f"/api/v1/imports/{run.pk}")
    os.remove(run.stored_path)
    answer = client_for("shequ").post(f"/api/v1/imports/{run.pk}/retry")
    assert answer.status_code == 400 and "重新上传" in answer.json()["detail"]
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED


def test_import_run_system_steps_refuse_a_user(
    personas, client_for, django_capture_on_commit_callbacks
):
    from django.core.exceptions import PermissionDenied

    from xianfeng.core.workflow import steps_of
    from xianfeng.exchange.models import ImportRun

    run = _previewed_run(personas, client_for, django_capture_on_commit_callbacks)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.APPLYING)
    system = {s.name: s for s in steps_of(ImportRun) if s.system}
    assert set(system) == {"previewed", "applied", "refuse", "fail"}
    for spec in system.values():
        assert spec.permits(run, personas["shequ"]) is not None
    with pytest.raises(PermissionDenied):
        take(run, "fail", actor=personas["shequ"], message="x")


#: Steps taken only by jobs, and the tests that take them (for the coverage test).
SYSTEM_STEPS = {
    ("ImportRun", "previewed"): "test_import_run_apply_walk",
    ("ImportRun", "applied"): "test_import_run_apply_walk",
    ("ImportRun", "refuse"): "exchange/tests/test_imports.py (refused files)",
    ("ImportRun", "fail"): "exchange/tests/test_stale_imports.py",
}
USER_STEPS_WALKED_BY_HAND = {
    ("ImportRun", "apply"): "test_import_run_apply_walk",
    ("ImportRun", "retry"): "test_import_run_retry_walk",
}


def test_the_auditor_sees_the_landlords_mobile_masked(personas, client_for):
    d = _declaration(personas)
    page = client_for("jiancha").get(f"/exchange/declarations/{d.pk}/").content.decode()
    assert "13700000000" not in page and "137****0000" in page
    page = client_for("wangge").get(f"/exchange/declarations/{d.pk}/").content.decode()
    assert "13700000000" in page


@pytest.mark.parametrize(
    ("unit", "room"), [("1", "101"), ("单元1", "房101"), ("", "1单元101"), ("", "1-101")]
)
def test_a_declared_room_written_any_way_is_the_registered_household(personas, unit, room):
    """The building has 101 without a unit: the declaration's 1单元101 is that door."""
    from xianfeng.exchange.declarations import proposed_matches

    building = Building.objects.filter(code__startswith="B-S01-C01-G01").order_by("pk").first()
    Household.objects.filter(building=building, room__in=["101", "1单元101", "1-101"]).delete()
    existing = Household.objects.create(
        building=building, organization=building.organization, unit="", room="101"
    )
    d = declaration_submit(
        building=building,
        landlord_name="房东乙",
        landlord_mobile="13700000001",
        rows=[{"unit": unit, "room": room}],
    )
    assert proposed_matches(d)[0]["household"] == existing
    before = Household.objects.filter(building=building).count()
    take(d, "accept", actor=personas["wangge"])
    assert Household.objects.filter(building=building).count() == before
    existing.refresh_from_db()
    assert existing.is_rental


def test_the_review_page_shows_the_match_and_the_buildings_households(personas, client_for):
    d = _declaration(personas)
    page = client_for("wangge").get(f"/exchange/declarations/{d.pk}/").content.decode()
    assert "采纳后登记为" in page and "新住户" in page and "本楼栋已登记的住户" in page
