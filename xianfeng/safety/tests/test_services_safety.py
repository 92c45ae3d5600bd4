"""Safety's writes: checklists and their versions, inspections and the building colour, the
patrol rhythm, hazards and their workflow, the ledger at every act, and the bad input of
issue 12 (each refused in Chinese with nothing stored lost)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xianfeng.core.models import DutyRecord
from xianfeng.core.testing import role_org
from xianfeng.core.workflow import StateConflict, take, take_due
from xianfeng.demo.base import persona_member
from xianfeng.places.choices import BuildingKind, SafetyColour
from xianfeng.safety import selectors, services
from xianfeng.safety.choices import HazardState, Outcome, PlaceKind
from xianfeng.safety.models import (
    BuildingSafety,
    ChecklistTemplate,
    ColourChange,
    Hazard,
    HazardPhoto,
    Inspection,
)
from xianfeng.safety.tasks import escalate_overdue_hazards
from xianfeng.safety.tests import factories as f

pytestmark = pytest.mark.django_db
H = HazardState


@pytest.fixture
def building(personas):
    return f.building_under(role_org(personas["wangge"]))


def ledger(obj, kind):
    return DutyRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk), action=kind
    ).count()


# --- checklists ------------------------------------------------------------------------------


def test_every_place_kind_has_a_current_checklist():
    kinds = set(
        ChecklistTemplate.objects.filter(is_current=True).values_list("place_kind", flat=True)
    )
    assert kinds == set(PlaceKind.values)


def test_the_rental_checklist_covers_the_seeds_fire_safety_points():
    rental = services.current_template(BuildingKind.RENTAL)
    categories = set(rental.items.values_list("category", flat=True))
    assert {"escape", "ebike", "electric", "extinguisher", "three_in_one", "gas"} <= categories
    vetoes = set(rental.items.filter(veto=True).values_list("title", flat=True))
    assert vetoes == {"疏散通道", "电动自行车室内停放充电", "“三合一”场所"}
    assert all(i.guidance and i.standard and i.responsible_party for i in rental.items.all())


def test_a_revision_is_a_new_version_and_open_inspections_keep_theirs(personas, building):
    draft, _created = services.inspection_start(actor=personas["dangyuan"], building=building)
    old = draft.template
    fresh = services.template_revise(
        actor=personas["qu"],
        template=old,
        note="增加电动自行车集中充电要求",
        changes={"red_fails": 4},
    )
    old.refresh_from_db()
    assert (fresh.version, fresh.is_current, old.is_current) == (old.version + 1, True, False)
    assert fresh.items.count() == old.items.count() and fresh.red_fails == 4
    draft.refresh_from_db()
    assert draft.template_id == old.pk  # the open inspection keeps its version
    for item in old.items.all():
        services.inspection_record(
            actor=personas["dangyuan"], inspection=draft, item=item, outcome=Outcome.PASS
        )
    # an item of the new version is not one of this inspection's
    with pytest.raises(ValidationError, match="不在本次检查的检查表中"):
        services.inspection_record(
            actor=personas["dangyuan"],
            inspection=draft,
            item=fresh.items.first(),
            outcome=Outcome.PASS,
        )
    services.inspection_submit(actor=personas["dangyuan"], inspection=draft)
    later = f.inspect(personas["dangyuan"], f.building_under(role_org(personas["wangge"])))
    assert later.template_id == fresh.pk
    assert ledger(fresh, "checklist.revise") == 1


def test_only_the_district_revises_checklists(personas):
    template = services.current_template(BuildingKind.RENTAL)
    with pytest.raises(PermissionDenied, match="区委组织部"):
        services.template_revise(actor=personas["shequ"], template=template, note="改")
    with pytest.raises(ValidationError, match="修订说明"):
        services.template_revise(actor=personas["qu"], template=template, note=" ")


# --- inspections and the colour ------------------------------------------------------------


def test_two_failed_items_turn_a_rental_yellow_and_open_two_hazards(personas, building):
    inspection = f.inspect(personas["dangyuan"], building, fail=2)
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.YELLOW
    assert (inspection.colour_before, inspection.colour, inspection.fails) == (
        "unrated",
        "yellow",
        2,
    )
    hazards = Hazard.objects.filter(inspection=inspection)
    assert hazards.count() == 2 and {h.state for h in hazards} == {H.REPORTED}
    hazard = hazards.first()
    assert hazard.standard and hazard.responsible_party == "landlord"
    assert hazard.deadline > timezone.localdate()
    change = ColourChange.objects.get(building=building)
    assert (change.colour_from, change.colour_to, change.source) == (
        "unrated",
        "yellow",
        "inspection",
    )
    status = BuildingSafety.objects.get(building=building)
    assert status.due_on == timezone.localdate() + timedelta(days=14)
    assert ledger(inspection, "inspection.submit") == 1
    assert DutyRecord.objects.filter(action="hazard.report", location=str(building)).count() == 2


def test_a_failed_veto_item_makes_it_red_whatever_the_rest(personas, building):
    inspection = f.inspect(personas["dangyuan"], building, fail=1, veto=True)
    assert inspection.colour == SafetyColour.RED
    assert BuildingSafety.objects.get(building=building).due_on == (
        timezone.localdate() + timedelta(days=7)
    )


def test_three_failed_items_make_it_red_and_none_green(personas, building):
    assert f.inspect(personas["dangyuan"], building, fail=3).colour == SafetyColour.RED
    assert f.inspect(personas["dangyuan"], building).colour == SafetyColour.GREEN
    building.refresh_from_db()
    assert building.safety_colour == SafetyColour.GREEN
    assert list(
        ColourChange.objects.filter(building=building).values_list("colour_to", flat=True)
    ) == ["green", "red"]
    assert BuildingSafety.objects.get(building=building).due_on == (
        timezone.localdate() + timedelta(days=21)
    )


def test_an_inspection_with_items_left_is_not_submitted(personas, building):
    inspection, _c = services.inspection_start(actor=personas["dangyuan"], building=building)
    item = inspection.template.items.first()
    services.inspection_record(
        actor=personas["dangyuan"], inspection=inspection, item=item, outcome=Outcome.FAIL
    )
    with pytest.raises(ValidationError, match="还有8项没有检查"):
        services.inspection_submit(actor=personas["dangyuan"], inspection=inspection)
    inspection.refresh_from_db()
    building.refresh_from_db()
    assert inspection.is_draft and inspection.results.count() == 1  # the answer is kept
    assert building.safety_colour == SafetyColour.UNRATED


def test_the_same_inspection_submitted_twice_is_stored_once(personas, building):
    items = services.current_template(BuildingKind.RENTAL).items.all()
    results = [{"item": i.pk, "outcome": "fail" if i.order == 2 else "pass"} for i in items]
    first, created = services.inspection_create(
        actor=personas["dangyuan"], building=building, results=results, client_key="k-1"
    )
    again, created_again = services.inspection_create(
        actor=personas["dangyuan"], building=building, results=results, client_key="k-1"
    )
    assert created and not created_again and first.pk == again.pk
    assert Inspection.objects.filter(building=building).count() == 1
    assert Hazard.objects.filter(building=building).count() == 1
    # submitting a submitted inspection again changes nothing either
    services.inspection_submit(actor=personas["dangyuan"], inspection=first)
    assert ledger(first, "inspection.submit") == 1


def test_a_keyed_submit_over_an_open_inspection_is_stored_once(personas, building):
    services.inspection_start(actor=personas["dangyuan"], building=building)  # on the page
    items = services.current_template(BuildingKind.RENTAL).items.all()
    results = [{"item": i.pk, "outcome": "pass"} for i in items]
    for _attempt in range(2):
        services.inspection_create(
            actor=personas["dangyuan"], building=building, results=results, client_key="k-2"
        )
    assert Inspection.objects.filter(building=building).count() == 1


def test_only_the_inspector_fills_in_the_inspection(personas, building):
    inspection, _c = services.inspection_start(actor=personas["dangyuan"], building=building)
    with pytest.raises(PermissionDenied, match="本人"):
        services.inspection_record(
            actor=personas["wangge"],
            inspection=inspection,
            item=inspection.template.items.first(),
            outcome=Outcome.PASS,
        )


def test_starting_again_answers_the_open_inspection(personas, building):
    one, created = services.inspection_start(actor=personas["dangyuan"], building=building)
    two, created_two = services.inspection_start(actor=personas["dangyuan"], building=building)
    assert created and not created_two and one.pk == two.pk


def test_a_member_without_a_member_record_cannot_inspect(personas, building):
    with pytest.raises(PermissionDenied):
        services.inspection_start(actor=personas["shequ"], building=building)


def test_the_colour_changes_by_review_with_a_reason_only(personas, building):
    with pytest.raises(PermissionDenied):
        services.colour_review(
            actor=personas["dangyuan"], building=building, colour="green", reason="复查"
        )
    with pytest.raises(ValidationError, match="依据"):
        services.colour_review(
            actor=personas["wangge"], building=building, colour="green", reason=""
        )
    change = services.colour_review(
        actor=personas["wangge"], building=building, colour="red", reason="现场复核发现违规住人"
    )
    building.refresh_from_db()
    assert building.safety_colour == "red" and change.source == "review"
    assert ledger(change, "building.colour_review") == 1
    assert building.history.first().history_change_reason == "安全等级：复核"


def test_due_buildings_follow_the_rhythm(personas, building):
    user = personas["wangge"]
    assert selectors.due_buildings(user).filter(pk=building.pk).exists()  # never inspected
    f.inspect(personas["dangyuan"], building, fail=2)
    assert not selectors.due_buildings(user).filter(pk=building.pk).exists()
    later = timezone.localdate() + timedelta(days=14)
    assert selectors.due_buildings(user, today=later).filter(pk=building.pk).exists()


# --- photos ----------------------------------------------------------------------------------


def test_a_result_photo_that_is_not_an_image_is_refused(personas, building):
    inspection, _c = services.inspection_start(actor=personas["dangyuan"], building=building)
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是图片"):
        services.inspection_record(
            actor=personas["dangyuan"],
            inspection=inspection,
            item=inspection.template.items.first(),
            outcome=Outcome.FAIL,
            photo=fake,
        )
    assert inspection.results.count() == 0


def test_an_oversize_photo_is_refused(personas, building, settings):
    settings.XIANFENG_PHOTO_MAX_MB = 1
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match="超过了1MB"):
        f.hazard(personas["dangyuan"], building, photos=[big])
    assert not Hazard.objects.filter(building=building).exists()


def test_an_exif_rotated_photo_is_stored_upright(personas, building):
    image = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° to be upright
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("side.jpg", buffer.getvalue(), content_type="image/jpeg")
    hazard = f.hazard(personas["dangyuan"], building, photos=[upload])
    stored = HazardPhoto.objects.get(hazard=hazard)
    with stored.image.open("rb") as fh:
        upright = Image.open(fh)
        assert upright.size == (20, 40)
        assert not upright.getexif()


# --- hazards ---------------------------------------------------------------------------------


def test_a_hazard_gets_its_deadline_by_severity(personas, building):
    major = f.hazard(personas["dangyuan"], building, severity="major")
    minor = f.hazard(personas["dangyuan"], building, severity="minor")
    today = timezone.localdate()
    assert major.deadline == today + timedelta(days=7)
    assert minor.deadline == today + timedelta(days=30)
    assert major.responsible_party == "landlord"  # a rental's 主体责任


def test_a_deadline_in_the_past_is_refused(personas, building):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError, match="不能早于今天"):
        f.hazard(personas["dangyuan"], building, deadline=yesterday)
    hazard = f.hazard(personas["dangyuan"], building)
    with pytest.raises(ValidationError, match="不能早于今天"):
        take(hazard, "confirm", actor=personas["wangge"], deadline=yesterday)
    hazard.refresh_from_db()
    assert hazard.state == H.REPORTED


def test_the_hazard_loop_from_report_to_closed_writes_the_ledger(personas, building):
    hazard = f.hazard_in("closed", personas, building)
    assert hazard.state == H.CLOSED and hazard.closed_at
    assert hazard.verified_by == personas["wangge"]
    kinds = ["report", "confirm", "assign", "start", "submit", "verify", "close"]
    for kind in kinds:
        assert ledger(hazard, f"hazard.{kind}") == 1, kind
    verify = DutyRecord.objects.get(action="hazard.verify", object_id=str(hazard.pk))
    assert verify.verified and verify.verifies.action == "hazard.submit"
    stages = sorted(hazard.photos.values_list("stage", flat=True))
    assert stages == ["after", "before"]


def test_submitting_without_evidence_is_refused(personas, building):
    hazard = f.hazard_in("rectifying", personas, building)
    with pytest.raises(ValidationError) as err:
        take(hazard, "submit", actor=personas["dangyuan"], rectification="", photos=[])
    assert "请填写整改情况。" in err.value.message_dict["rectification"]
    assert "请上传整改后的照片作为证据。" in err.value.message_dict["photos"]
    bare = f.hazard(personas["dangyuan"], building)  # reported without a photo
    take(bare, "confirm", actor=personas["wangge"])
    take(bare, "assign", actor=personas["wangge"], member=persona_member("dangyuan").pk)
    take(bare, "start", actor=personas["dangyuan"])
    with pytest.raises(ValidationError, match="整改前的照片"):
        take(bare, "submit", actor=personas["dangyuan"], rectification="已清", photos=[f.photo()])
    take(
        bare,
        "submit",
        actor=personas["dangyuan"],
        rectification="已清",
        photos=[f.photo()],
        before_photos=[f.photo()],
    )
    hazard.refresh_from_db()
    assert hazard.state == H.RECTIFYING


def test_nobody_verifies_their_own_rectification(personas, building):
    hazard = f.hazard_in("rectifying", personas, building)
    take(hazard, "submit", actor=personas["wangge"], rectification="已清", photos=[f.photo()])
    with pytest.raises(PermissionDenied, match="不能核验自己提交的整改"):
        take(hazard, "verify", actor=personas["wangge"])
    take(hazard, "verify", actor=personas["dangyuan"])  # another member checks it
    hazard.refresh_from_db()
    assert hazard.state == H.VERIFIED


def test_a_step_the_state_does_not_allow_is_a_conflict(personas, building):
    hazard = f.hazard(personas["dangyuan"], building)
    with pytest.raises(StateConflict, match="当前状态为“已报告”，不能销号"):
        take(hazard, "close", actor=personas["wangge"])


def test_a_member_may_not_confirm_or_assign(personas, building):
    hazard = f.hazard(personas["dangyuan"], building)
    with pytest.raises(PermissionDenied):
        take(hazard, "confirm", actor=personas["dangyuan"])


def test_a_returned_rectification_is_submitted_again(personas, building):
    hazard = f.hazard_in("submitted", personas, building)
    with pytest.raises(ValidationError, match="原因"):
        take(hazard, "return", actor=personas["wangge"], reason="")
    take(hazard, "return", actor=personas["wangge"], reason="灭火器仍过期")
    hazard.refresh_from_db()
    assert hazard.state == H.RETURNED and hazard.return_reason == "灭火器仍过期"
    take(hazard, "submit", actor=personas["dangyuan"], rectification="已换新", photos=[f.photo()])
    hazard.refresh_from_db()
    assert hazard.state == H.SUBMITTED and hazard.return_reason == ""


def test_duplicates_merge_into_an_open_hazard_of_the_same_building(personas, building):
    first = f.hazard(personas["dangyuan"], building)
    second = f.hazard(personas["wangge"], building)
    other = f.hazard(personas["dangyuan"], f.building_under(role_org(personas["wangge"])))
    with pytest.raises(ValidationError, match="同一楼栋"):
        take(second, "merge", actor=personas["wangge"], into=str(other.pk))
    with pytest.raises(ValidationError, match="同一楼栋"):
        take(second, "merge", actor=personas["wangge"], into=str(second.pk))
    take(second, "merge", actor=personas["wangge"], into=str(first.pk))
    second.refresh_from_db()
    assert second.state == H.MERGED and second.merged_into == first


def test_a_dismissed_report_needs_a_reason(personas, building):
    hazard = f.hazard(personas["dangyuan"], building)
    with pytest.raises(ValidationError, match="理由"):
        take(hazard, "dismiss", actor=personas["wangge"], reason=" ")
    take(hazard, "dismiss", actor=personas["wangge"], reason="已核实不存在")
    hazard.refresh_from_db()
    assert hazard.state == H.DISMISSED


def test_overdue_hazards_escalate_to_the_parent_organization_once(personas, building):
    late = f.hazard_in("assigned", personas, building)
    Hazard.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    waiting = f.hazard_in("submitted", personas, building)
    Hazard.objects.filter(pk=waiting.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with pytest.raises(PermissionDenied):
        take(late, "escalate", actor=personas["shequ"])
    assert escalate_overdue_hazards() == 1
    assert escalate_overdue_hazards() == 0
    late.refresh_from_db()
    assert late.state == H.ASSIGNED  # the state stays; the parent now supervises it
    assert late.escalated_to == late.organization.parent
    record = DutyRecord.objects.get(action="hazard.escalate", object_id=str(late.pk))
    assert record.organization == late.organization.parent
    assert selectors.hazards(personas["shequ"], overdue=True).filter(pk=late.pk).exists()
    assert take_due([waiting], "escalate", when=lambda h: True) == 0


def test_a_visit_that_found_a_hazard_opens_a_case(personas):
    from xianfeng.visits import services as visits
    from xianfeng.work.tests.factories import household_under

    household = household_under(role_org(personas["wangge"]))
    visit, _c = visits.visit_create(
        actor=personas["dangyuan"],
        household=household,
        visited_at=timezone.now(),
        purposes=["safety"],
        findings="楼道里有三辆电动车在充电\n已提醒房东",
        raises_hazard=True,
    )
    hazard = Hazard.objects.get(visit=visit)
    assert (hazard.source, hazard.state, hazard.building) == (
        "visit",
        H.REPORTED,
        household.building,
    )
    assert hazard.title == "楼道里有三辆电动车在充电"
    assert ledger(hazard, "hazard.report") == 1
