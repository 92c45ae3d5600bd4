"""Writes of safety: checklist revisions, inspections (start, record an item, submit), the
building colour (only through an inspection or a recorded review), hazard reports. The
hazard's later steps are its workflow (``xianfeng.safety.workflows``), taken with
``xianfeng.core.workflow.take``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core.choices import Action, RoleKind
from xianfeng.core.models import DutyRecord
from xianfeng.core.offline import clean_act_time
from xianfeng.core.scope import active_roles
from xianfeng.core.services import duty_record, org_in_scope, save_with_history
from xianfeng.people.members import field_member
from xianfeng.places.choices import BuildingKind, SafetyColour
from xianfeng.places.models import Building
from xianfeng.safety.choices import (
    ColourSource,
    HazardCategory,
    HazardSource,
    HazardState,
    IncidentSeverity,
    InspectionState,
    Outcome,
    PhotoStage,
    ResponsibleParty,
    Severity,
)
from xianfeng.safety.models import (
    BuildingSafety,
    ChecklistItem,
    ChecklistTemplate,
    ColourChange,
    Hazard,
    HazardPhoto,
    Incident,
    Inspection,
    InspectionResult,
)
from xianfeng.work.photos import clean_photo, clean_photos

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.visits.models import Visit
    from xianfeng.work.models import Task

#: Days to fix a hazard by its severity (a deadline chosen on confirming overrides it).
HAZARD_DAYS = {Severity.MAJOR: 7, Severity.GENERAL: 15, Severity.MINOR: 30}
#: Who answers for a hazard by the kind of building it is in (主体责任), unless its item says.
PARTY_BY_KIND = {
    BuildingKind.RENTAL: ResponsibleParty.LANDLORD,
    BuildingKind.SMALL_VENUE: ResponsibleParty.OPERATOR,
    BuildingKind.INDUSTRIAL_PARK: ResponsibleParty.ENTERPRISE,
    BuildingKind.CROWDED: ResponsibleParty.UNIT,
    BuildingKind.SCHOOL: ResponsibleParty.UNIT,
    BuildingKind.HOSPITAL: ResponsibleParty.UNIT,
    BuildingKind.RESIDENTIAL: ResponsibleParty.PROPERTY,
}
L_INSPECTION = "inspection.submit"
L_REVIEW = "building.colour_review"
L_REPORT = "hazard.report"
L_REVISE = "checklist.revise"


def hazard_days(severity: str) -> int:
    return HAZARD_DAYS.get(severity, HAZARD_DAYS[Severity.GENERAL])


def default_deadline(severity: str, today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=hazard_days(severity))


def last_ledger(obj: Any, kind: str) -> DutyRecord | None:
    return (
        DutyRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=str(obj.pk),
            action=kind,
        )
        .order_by("-id")
        .first()
    )


# --- checklists ------------------------------------------------------------------------------


def current_template(place_kind: str) -> ChecklistTemplate:
    found = ChecklistTemplate.objects.filter(place_kind=place_kind, is_current=True).first()
    if found is None:
        raise ValidationError(_("这类场所还没有安全检查表，请联系区委组织部设置。"))
    return found


def _district_role(actor: User) -> Any:
    for role in active_roles(actor):
        if role.kind == RoleKind.DISTRICT_ADMIN:
            return role
    return None


def may_revise_templates(actor: User) -> bool:
    return actor.is_superuser or _district_role(actor) is not None


TEMPLATE_FIELDS = ("name", "yellow_fails", "red_fails", "red_days", "yellow_days", "green_days")
ITEM_FIELDS = ("title", "guidance", "category", "severity", "responsible_party", "standard", "veto")


@transaction.atomic
def template_revise(
    *,
    actor: User,
    template: ChecklistTemplate,
    note: str,
    changes: dict[str, Any] | None = None,
    items: Sequence[dict[str, Any]] | None = None,
) -> ChecklistTemplate:
    """A new version of a checklist (the district's): the old one stays as it was, with the
    inspections started on it, and stops being current. ``items`` replaces the item list
    (each a dict of ``ITEM_FIELDS``); none keeps the old items."""
    if not may_revise_templates(actor):
        raise PermissionDenied(_("只有区委组织部可以修订安全检查表。"))
    locked = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
    if not locked.is_current:
        raise ValidationError(_("这不是现行版本，请在现行版本上修订。"))
    if not (note or "").strip():
        raise ValidationError({"note": _("请写明修订说明。")})
    changes = dict(changes or {})
    wrong = [k for k in changes if k not in TEMPLATE_FIELDS]
    if wrong:
        raise ValidationError({wrong[0]: _("该字段不能在此修改。")})
    old_items = list(locked.items.all())
    new_items = (
        list(items)
        if items is not None
        else [{f: getattr(i, f) for f in ITEM_FIELDS} for i in old_items]
    )
    if not new_items:
        raise ValidationError({"items": _("检查表至少要有一个检查项目。")})
    locked.is_current = False
    save_with_history(instance=locked, actor=actor, reason=_("已修订为新版本"))
    fresh = ChecklistTemplate(
        place_kind=locked.place_kind,
        version=locked.version + 1,
        note=note.strip()[:200],
        created_by=actor,
        **{f: changes.get(f, getattr(locked, f)) for f in TEMPLATE_FIELDS},
    )
    if fresh.red_fails < fresh.yellow_fails or fresh.yellow_fails < 1:
        raise ValidationError({"red_fails": _("红色的不合格项数不能少于黄色的，且都至少为1。")})
    save_with_history(instance=fresh, actor=actor, reason=note.strip()[:100])
    for order, data in enumerate(new_items, start=1):
        item = ChecklistItem(template=fresh, order=order, **{f: data[f] for f in ITEM_FIELDS})
        item.full_clean()
        item.save()
    role = _district_role(actor)
    if role is not None:
        from xianfeng.orgs.models import Organization

        duty_record(
            actor=actor,
            action=L_REVISE,
            organization=Organization.objects.get(pk=role.organization_id),
            target=fresh,
            note=fresh.note,
        )
    return fresh


# --- the colour ------------------------------------------------------------------------------


def compute_colour(
    template: ChecklistTemplate, results: Iterable[tuple[ChecklistItem, str]]
) -> str:
    """红黄绿 from an inspection's results: a failed veto item is red whatever the rest; then
    the number of failed items against the template's thresholds."""
    fails = [item for item, outcome in results if outcome == Outcome.FAIL]
    if any(item.veto for item in fails) or len(fails) >= template.red_fails:
        return SafetyColour.RED
    if len(fails) >= template.yellow_fails:
        return SafetyColour.YELLOW
    return SafetyColour.GREEN


def _due_on(building: Building, colour: str, since: date) -> date:
    template = ChecklistTemplate.objects.filter(place_kind=building.kind, is_current=True).first()
    days = template.rhythm_days(colour) if template is not None else 0
    return since + timedelta(days=days)


def _colour_set(
    *,
    actor: User | None,
    building: Building,
    colour: str,
    source: str,
    inspection: Inspection | None = None,
    reason: str = "",
) -> ColourChange | None:
    """The one place a building's colour changes; a row of its colour history when it does."""
    locked = Building.objects.select_for_update().get(pk=building.pk)
    before = locked.safety_colour
    if before == colour:
        return None
    locked.safety_colour = colour
    save_with_history(
        instance=locked,
        actor=actor,
        reason=_("安全等级：%(how)s") % {"how": ColourSource(source).label},
    )
    building.safety_colour = colour
    return ColourChange.objects.create(
        building=locked,
        organization=locked.organization,
        colour_from=before,
        colour_to=colour,
        source=source,
        inspection=inspection,
        reason=reason[:200],
        changed_by=actor,
    )


@transaction.atomic
def colour_review(*, actor: User, building: Building, colour: str, reason: str) -> ColourChange:
    """复核: staff of the building's organization set its colour by a recorded review (a
    rectification checked on the spot, a mistaken inspection), with the reason."""
    if not org_in_scope(
        user=actor, org=building.organization, model=ColourChange, action=Action.ADD
    ):
        raise PermissionDenied(_("只有楼栋所在组织的书记或管理员可以复核安全等级。"))
    if colour not in (SafetyColour.RED, SafetyColour.YELLOW, SafetyColour.GREEN):
        raise ValidationError({"colour": _("请选择红色、黄色或绿色。")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("请写明复核的依据。")})
    if building.safety_colour == colour:
        raise ValidationError({"colour": _("该楼栋已经是这个等级。")})
    change = _colour_set(
        actor=actor,
        building=building,
        colour=colour,
        source=ColourSource.REVIEW,
        reason=reason.strip(),
    )
    status, _new = BuildingSafety.objects.get_or_create(building=building)
    since = status.last_inspected_at.date() if status.last_inspected_at else timezone.localdate()
    status.due_on = _due_on(building, colour, since)
    status.save()
    duty_record(
        actor=actor,
        action=L_REVIEW,
        organization=building.organization,
        target=change,
        location=str(building),
        note=reason.strip()[:500],
    )
    return change


# --- overdue patrols ------------------------------------------------------------------------

#: Days a patrol may be late before it is escalated to the parent organization.
PATROL_GRACE_DAYS = 3
L_PATROL_ESCALATE = "patrol.escalate"


def escalate_overdue_patrols(today: date | None = None) -> int:
    """The periodic job's pass: a building whose patrol is overdue by more than
    ``PATROL_GRACE_DAYS`` (it was inspected once and its colour's rhythm has come round) is
    escalated to the parent of its organization, once until it is inspected again (the
    inspection clears it). One duty record each, written to the parent. Never-inspected
    buildings are due, not overdue: the due lists show them. Answers how many."""
    today = today or timezone.localdate()
    late = BuildingSafety.objects.filter(
        due_on__lt=today - timedelta(days=PATROL_GRACE_DAYS),
        escalated_to__isnull=True,
        building__organization__parent__isnull=False,
    ).values_list("pk", flat=True)
    moved = 0
    for pk in list(late.iterator()):
        with transaction.atomic():
            status = (
                BuildingSafety.objects.select_for_update()
                .filter(pk=pk, escalated_to__isnull=True)
                .first()
            )
            if status is None or status.due_on is None:
                continue
            building = Building.objects.select_related("organization__parent").get(pk=pk)
            parent = building.organization.parent
            status.escalated_to = parent
            status.escalated_at = timezone.now()
            status.save(update_fields=["escalated_to", "escalated_at"])
            duty_record(
                actor=None,
                action=L_PATROL_ESCALATE,
                organization=parent,
                target=building,
                location=str(building),
                note=_("应巡查日期%(d)s，已逾期") % {"d": status.due_on.isoformat()},
            )
            moved += 1
    return moved


# --- inspections -----------------------------------------------------------------------------


@transaction.atomic
def inspection_start(
    *,
    actor: User,
    building: Building,
    task: Task | None = None,
    visit: Visit | None = None,
    client_key: str = "",
    template: ChecklistTemplate | None = None,
    started_at: datetime | None = None,
) -> tuple[Inspection, bool]:
    """Open an inspection of a building (one the caller fetched through ``restrict``: 404
    outside scope) on the current checklist of its kind, or on ``template`` (the version a
    phone had when it was filled in offline). The member's own open inspection of the same
    building on the same checklist is answered instead of a second one. ``started_at`` is
    when the phone says it began (``clean_act_time``)."""
    member = field_member(actor)
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = Inspection.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    if template is not None and template.place_kind != building.kind:
        raise ValidationError({"template": _("这份检查表不适用于这类楼栋。")})
    template = template or current_template(building.kind)
    draft = Inspection.objects.filter(
        building=building, recorded_by=actor, state=InspectionState.DRAFT, template=template
    ).first()
    if draft is not None:
        if client_key and not draft.client_key:  # a repeat of this request finds it
            draft.client_key = client_key
            draft.save(update_fields=["client_key"])
        return draft, False
    inspection = Inspection.objects.create(
        started_at=clean_act_time(started_at, field="started_at"),
        building=building,
        organization=building.organization,
        template=template,
        inspector=member,
        recorded_by=actor,
        task=task,
        visit=visit,
        client_key=client_key,
    )
    return inspection, True


def _own_draft(actor: User, inspection: Inspection) -> Inspection:
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.recorded_by_id != actor.pk:
        raise PermissionDenied(_("只有开始这次检查的党员本人可以填写。"))
    return locked


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    inspection: Inspection,
    item: Any,
    outcome: str,
    note: str = "",
    photo: UploadedFile | None = None,
) -> InspectionResult:
    """One item's result (saved as the member goes, so nothing is lost to a dropped line)."""
    locked = _own_draft(actor, inspection)
    if not locked.is_draft:
        raise ValidationError(_("这次检查已经提交，不能再修改。"))
    item_id = getattr(item, "pk", item)
    found = ChecklistItem.objects.filter(template_id=locked.template_id, pk=item_id).first()
    if found is None:
        raise ValidationError({"item": _("这个检查项目不在本次检查的检查表中。")})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择合格、不合格或不适用。")})
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("情况说明最多200个字。")})
    result = InspectionResult.objects.filter(inspection=locked, item=found).first()
    result = result or InspectionResult(inspection=locked, item=found)
    result.outcome = outcome
    result.note = note
    if photo:
        cleaned, _kind = clean_photo(photo, "photo")
        result.photo = cleaned
    result.save()
    return result


@transaction.atomic
def inspection_submit(
    *, actor: User, inspection: Inspection, note: str = "", sent_late: bool = False
) -> Inspection:
    """Finish an inspection: every item answered; the building's colour from the results
    (its history row when it changes), the next patrol by the colour's rhythm, a hazard
    (reported) for every failed item, one duty record. Submitting it again changes nothing.

    ``sent_late``: filled in on a phone (offline) at ``started_at``, which is the time of the
    inspection, of its ledger record and of its hazards; when the building has been inspected
    since, that later inspection's colour and next patrol stand (the record is still kept)."""
    locked = _own_draft(actor, inspection)
    if not locked.is_draft:
        return locked
    template = locked.template
    items = list(template.items.all())
    results = {r.item_id: r for r in locked.results.all()}
    missing = [i for i in items if i.pk not in results]
    if missing:
        raise ValidationError(
            _("还有%(n)d项没有检查（如“%(first)s”），请逐项填写后再提交。")
            % {"n": len(missing), "first": missing[0].title}
        )
    building = Building.objects.select_related("organization", "landlord").get(
        pk=locked.building_id
    )
    pairs = [(i, results[i.pk].outcome) for i in items]
    colour = compute_colour(template, pairs)
    now = timezone.now()
    done_at = locked.started_at if sent_late else now
    status = BuildingSafety.objects.filter(building=building).first()
    superseded = bool(
        sent_late and status and status.last_inspected_at and status.last_inspected_at > done_at
    )
    locked.colour_before = building.safety_colour
    locked.colour = colour
    locked.fails = sum(1 for _i, o in pairs if o == Outcome.FAIL)
    locked.state = InspectionState.SUBMITTED
    locked.submitted_at = now
    locked.note = (note or "").strip()
    locked.save()
    locked.superseded = superseded
    if not superseded:
        _colour_set(
            actor=actor,
            building=building,
            colour=colour,
            source=ColourSource.INSPECTION,
            inspection=locked,
            reason=_("检查发现%(n)d项不合格") % {"n": locked.fails},
        )
        BuildingSafety.objects.update_or_create(
            building=building,
            defaults={
                "last_inspection": locked,
                "last_inspected_at": done_at,
                "due_on": _due_on(building, colour, timezone.localdate(done_at)),
                "escalated_to": None,  # inspected: an escalated overdue patrol is done
                "escalated_at": None,
            },
        )
    duty_record(
        actor=actor,
        action=L_INSPECTION,
        organization=building.organization,
        target=locked,
        member=locked.inspector,
        occurred_at=done_at,
        location=str(building),
        note=_("%(colour)s，%(n)d项不合格")
        % {"colour": SafetyColour(colour).label, "n": locked.fails},
    )
    rechecked = _recheck_verified(building, locked, items, results)
    for item in items:
        result = results[item.pk]
        if result.outcome != Outcome.FAIL or item.title in rechecked:
            continue
        hazard_report(
            actor=actor,
            building=building,
            title=item.title,
            description=result.note,
            category=item.category,
            severity=item.severity,
            responsible_party=item.responsible_party,
            standard=item.standard,
            source=HazardSource.INSPECTION,
            inspection=locked,
            item=item,
            before=[result.photo] if result.photo else [],
            reported_at=done_at if sent_late else None,
        )
    return locked


def _recheck_verified(
    building: Building,
    inspection: Inspection,
    items: Sequence[ChecklistItem],
    results: dict[int, InspectionResult],
) -> set[str]:
    """A re-inspection closes the loop on the building's verified hazards found by a checklist
    item (matched by the item's title, which carries over from one checklist version to the
    next): a pass closes them (the fix held), a fail returns them for rectification instead
    of raising a second hazard. Answers the titles of the items that reopened a hazard."""
    from xianfeng.core.workflow import take

    outcomes = {item.title: results[item.pk].outcome for item in items}
    verified = Hazard.objects.filter(
        building=building, state=HazardState.VERIFIED, item__title__in=list(outcomes)
    ).select_related("item", "organization")
    reopened: set[str] = set()
    for hazard in verified:
        outcome = outcomes[hazard.item.title]
        if outcome == Outcome.PASS:
            take(hazard, "recheck", actor=None, inspection=inspection)
        elif outcome == Outcome.FAIL:
            take(hazard, "reopen", actor=None, inspection=inspection)
            reopened.add(hazard.item.title)
    return reopened


@transaction.atomic
def inspection_create(
    *,
    actor: User,
    building: Building,
    results: Sequence[dict[str, Any]],
    note: str = "",
    client_key: str = "",
    task: Task | None = None,
    visit: Visit | None = None,
    template: ChecklistTemplate | None = None,
    started_at: datetime | None = None,
) -> tuple[Inspection, bool]:
    """An inspection in one request (the API, a phone that filled it offline): start, every
    result (each may carry a ``photo``), submit. The same ``client_key`` from the same account
    answers the inspection stored the first time. ``started_at``: when the phone says the
    inspection happened (checked by ``clean_act_time``; default now)."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = Inspection.objects.filter(recorded_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            inspection, _created = inspection_start(
                actor=actor,
                building=building,
                task=task,
                visit=visit,
                client_key=client_key,
                template=template,
                started_at=started_at,
            )
            for row in results:
                inspection_record(
                    actor=actor,
                    inspection=inspection,
                    item=row.get("item"),
                    outcome=row.get("outcome", ""),
                    note=row.get("note", ""),
                    photo=row.get("photo"),
                )
            done = inspection_submit(
                actor=actor, inspection=inspection, note=note, sent_late=started_at is not None
            )
            return done, True
    except IntegrityError:
        existing = Inspection.objects.filter(recorded_by=actor, client_key=client_key).first()
        if client_key and existing is not None:
            return existing, False
        raise


# --- hazards ---------------------------------------------------------------------------------


def store_hazard_photos(
    *,
    actor: User | None,
    hazard: Hazard,
    uploads: Sequence[Any],
    kinds: Sequence[str],
    stage: str,
) -> None:
    for upload, kind in zip(uploads, kinds, strict=True):
        HazardPhoto.objects.create(
            hazard=hazard,
            stage=stage,
            image=upload,
            content_type=kind,
            size=upload.size or 0,
            uploaded_by=actor,
        )


def lead_branch_of(building: Building) -> Any:
    """党员出租户: the branch of the building's landlord when the landlord is a party member
    (their open hazards are a duty they lead, 责任领办, and their branch sees them)."""
    if not building.landlord_id:
        return None
    from xianfeng.people.models import PartyMember

    found = (
        PartyMember.objects.filter(person_id=building.landlord_id, branch__isnull=False)
        .only("branch_id")
        .order_by("pk")
        .first()
    )
    return found.branch_id if found else None


def _responsible_name(building: Building) -> str:
    if building.landlord_id:
        return building.landlord.name
    return building.owner_name


@transaction.atomic
def hazard_report(
    *,
    actor: User | None,
    building: Building,
    title: str,
    category: str,
    severity: str,
    source: str = HazardSource.REPORT,
    description: str = "",
    responsible_party: str = "",
    responsible_name: str = "",
    standard: str = "",
    deadline: date | None = None,
    inspection: Inspection | None = None,
    item: ChecklistItem | None = None,
    visit: Visit | None = None,
    photos: Sequence[UploadedFile] = (),
    before: Sequence[Any] = (),
    client_key: str = "",
    reported_at: datetime | None = None,
) -> Hazard:
    """A hazard reported (from a failed item, a visit's "hazard found", or a report): its
    deadline by severity unless given (not in the past), its 主体责任 party by the building's
    kind unless given; photos are the "before" evidence. ``reported_at``: when it was found
    (a phone's offline report; checked by ``clean_act_time``), else now."""
    client_key = (client_key or "").strip()[:64]
    if client_key and actor is not None:
        existing = Hazard.objects.filter(reported_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("请简要写明是什么隐患。")]
    if category not in HazardCategory.values:
        errors["category"] = [_("请选择隐患类别。")]
    if severity not in Severity.values:
        errors["severity"] = [_("请选择隐患等级。")]
    party = responsible_party or PARTY_BY_KIND.get(building.kind, ResponsibleParty.LANDLORD)
    if party not in ResponsibleParty.values:
        errors["responsible_party"] = [_("请选择主体责任方。")]
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = [_("整改时限不能早于今天。")]
    try:
        found_at = clean_act_time(reported_at, field="reported_at")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    cleaned, kinds = clean_photos(list(photos), "photos")
    from xianfeng.people.members import member_of

    reporter = member_of(actor) if actor is not None else None
    hazard = Hazard(
        building=building,
        organization=building.organization,
        lead_branch_id=lead_branch_of(building),
        title=title.strip()[:120],
        description=(description or "").strip(),
        category=category,
        severity=severity,
        responsible_party=party,
        responsible_name=(responsible_name or _responsible_name(building))[:120],
        standard=(standard or "").strip(),
        source=source,
        inspection=inspection,
        item=item,
        visit=visit,
        deadline=deadline or default_deadline(severity),
        reported_by=actor,
        reporter_member=reporter,
        client_key=client_key if actor is not None else "",
        reported_at=found_at,
    )
    save_with_history(instance=hazard, actor=actor, reason=str(HazardSource(source).label))
    store_hazard_photos(
        actor=actor, hazard=hazard, uploads=cleaned, kinds=kinds, stage=PhotoStage.BEFORE
    )
    for stored in before:  # an inspection result's photo, already re-encoded
        HazardPhoto.objects.create(
            hazard=hazard,
            stage=PhotoStage.BEFORE,
            image=stored.name,
            content_type=mimetypes.guess_type(stored.name)[0] or "image/jpeg",
            size=getattr(stored, "size", 0) or 0,
            uploaded_by=actor,
        )
    duty_record(
        actor=actor,
        action=L_REPORT,
        organization=building.organization,
        target=hazard,
        member=reporter,
        occurred_at=found_at,
        location=str(building),
        note=hazard.title,
    )
    return hazard


def hazard_report_once(*, actor: User, client_key: str = "", **fields: Any) -> tuple[Hazard, bool]:
    """``hazard_report`` answering ``(hazard, created)``: the same ``client_key`` from the same
    account answers the hazard stored the first time (a phone's outbox sending again after a
    lost answer, or twice at once), as visits and inspections do."""
    client_key = (client_key or "").strip()[:64]
    if client_key:
        existing = Hazard.objects.filter(reported_by=actor, client_key=client_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return hazard_report(actor=actor, client_key=client_key, **fields), True
    except IntegrityError:
        existing = Hazard.objects.filter(reported_by=actor, client_key=client_key).first()
        if client_key and existing is not None:
            return existing, False
        raise


def hazard_from_visit(visit: Visit) -> Hazard:
    """The visit's "发现安全隐患，需立案" opens a case: a hazard reported from the visit."""
    findings = (visit.findings or "").strip()
    title = findings.splitlines()[0][:60] if findings else _("走访发现的安全隐患")
    return hazard_report(
        actor=visit.recorded_by,
        building=visit.building,
        title=title,
        description=findings,
        category=HazardCategory.OTHER,
        severity=Severity.GENERAL,
        source=HazardSource.VISIT,
        visit=visit,
    )


# --- incidents -------------------------------------------------------------------------------

L_INCIDENT = "incident.record"


@transaction.atomic
def incident_record(
    *,
    actor: User,
    organization: Any,
    title: str,
    occurred_on: date,
    severity: str,
    responsible: Sequence[Any],
    description: str = "",
    deaths: int = 0,
    injuries: int = 0,
    building: Building | None = None,
) -> Incident:
    """安全事故 recorded by staff of the organization where it happened (or above), with the
    organizations responsible (each one the recorder sees). One duty record."""
    from xianfeng.orgs.models import Organization

    if not org_in_scope(user=actor, org=organization, model=Incident, action=Action.ADD):
        raise PermissionDenied(_("只有事发地组织或上级的管理员可以登记安全事故。"))
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写事故名称。")]
    if severity not in IncidentSeverity.values:
        errors["severity"] = [_("请选择事故等级。")]
    if occurred_on is None:
        errors["occurred_on"] = [_("请填写发生日期。")]
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("发生日期不能晚于今天。")]
    if (deaths or 0) < 0 or (injuries or 0) < 0:
        errors["deaths"] = [_("人数不能为负数。")]
    ids = {getattr(o, "pk", o) for o in responsible or ()}
    found = list(Organization.objects.restrict(actor).filter(pk__in=ids))
    if not ids:
        errors["responsible"] = [_("请至少选择一个负有责任的组织。")]
    elif len(found) != len(ids):
        errors["responsible"] = [_("所选组织不存在或不在您的管辖范围内。")]
    if building is not None and not building.organization.path.startswith(organization.path):
        errors["building"] = [_("楼栋不在事发地组织之下。")]
    if errors:
        raise ValidationError(errors)
    incident = Incident(
        organization=organization,
        building=building,
        title=title.strip()[:120],
        description=(description or "").strip(),
        occurred_on=occurred_on,
        severity=severity,
        deaths=deaths or 0,
        injuries=injuries or 0,
        recorded_by=actor,
    )
    save_with_history(instance=incident, actor=actor, reason=_("登记安全事故"))
    incident.responsible.set(found)
    duty_record(
        actor=actor,
        action=L_INCIDENT,
        organization=organization,
        target=incident,
        location=str(building or organization),
        note=f"{IncidentSeverity(severity).label} {incident.title}"[:500],
    )
    return incident


# The small works (零星工程) and focus days (集中整治日) live in their own module; they are
# re-exported here so that callers find every write of safety in one place.
from xianfeng.safety.services_works import (  # noqa: E402, F401
    focus_candidates,
    focus_pick,
    focus_record,
    focus_schedule,
    works_building,
    works_file,
    works_for_token,
    works_hazard,
    works_token,
    works_unfiled,
)
