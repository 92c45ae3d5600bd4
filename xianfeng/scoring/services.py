"""Writes of scoring: point rules, points from the ledger (the high-water mark and the recorded
recomputation), manual adjustments and appeals.

Points are computed from the duty ledger only (``core.DutyRecord``) and the rules set per ledger
kind (``core.ledger.all_kinds()``); no domain app is imported, so a kind some app declares
tomorrow is scorable as soon as the district sets a rule for it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xianfeng.core import ledger
from xianfeng.core.choices import Action, RoleKind
from xianfeng.core.models import DutyRecord
from xianfeng.core.roles import AUDIT_READERS
from xianfeng.core.scope import active_roles
from xianfeng.core.services import org_in_scope, save_with_history
from xianfeng.core.workflow import take, write_ledger
from xianfeng.orgs.models import Organization
from xianfeng.people.members import member_of
from xianfeng.scoring import totals
from xianfeng.scoring.choices import CapPeriod, EntryKind
from xianfeng.scoring.models import (
    Adjustment,
    Appeal,
    PointEntry,
    PointRule,
    PublicBoard,
    Recomputation,
    ScoringMark,
)
from xianfeng.scoring.periods import period_of
from xianfeng.scoring.sums import PointsSum
from xianfeng.scoring.totals import NewEntry

if TYPE_CHECKING:
    from xianfeng.core.models import User
    from xianfeng.people.models import PartyMember

CENT = Decimal("0.01")
MAX_POINTS = Decimal("1000")
MARK = "ledger"
#: A record is scored once it is this old: a transaction that took its id earlier but commits
#: later than a younger one is still seen (the recomputation covers anything slower).
LAG = timedelta(seconds=5)
BATCH = 5000
_FIELD = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


# --- who may ----------


def district_org(actor: User) -> Organization | None:
    """The organization where the actor sets district-wide things (the district admin's, or
    the tree's root for a superuser)."""
    for role in active_roles(actor):
        if role.kind == RoleKind.DISTRICT_ADMIN:
            return Organization.objects.get(pk=role.organization_id)
    if actor.is_superuser:
        return Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    return None


def may_set_rules(actor: User) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and district_org(actor) is not None


def may_read_anomalies(user: User) -> bool:
    """The auditor and the administrators read the anomalies of their scope."""
    return user.is_superuser or any(r.kind in AUDIT_READERS for r in active_roles(user))


def _require_district(actor: User) -> Organization:
    org = district_org(actor) if getattr(actor, "is_authenticated", False) else None
    if org is None:
        raise PermissionDenied(_("只有区委组织部可以设置积分规则或重算积分。"))
    return org


# --- rules ----------


RULE_FIELDS = (
    "points",
    "daily_cap",
    "period_cap",
    "cap_period",
    "verified_only",
    "once_per_target_per_day",
    "multiplier_field",
    "multiplier_base",
)


def _decimal(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value in (None, "") and allow_none:
        return None
    try:
        number = Decimal(str(value)).quantize(CENT)
    except Exception:
        raise ValidationError({field: _("请填写数字。")}) from None
    if abs(number) > MAX_POINTS * 10:
        raise ValidationError({field: _("数值过大。")})
    return number


@transaction.atomic
def rule_publish(
    *,
    actor: User,
    kind: str,
    effective_from: date,
    effective_to: date | None = None,
    note: str = "",
    **values: Any,
) -> PointRule:
    """A new version of the rule for one ledger kind, from ``effective_from``. An earlier
    open-ended version is closed the day before; any other overlap is refused. Points earned
    before stay as they are (a recomputation, asked for and recorded, applies the new rule to
    a past period)."""
    district = _require_district(actor)
    if not ledger.is_declared(kind):
        raise ValidationError({"kind": _("没有这种履职事项。")})
    wrong = [k for k in values if k not in RULE_FIELDS]
    if wrong:
        raise ValidationError({wrong[0]: _("该字段不能在此修改。")})
    if effective_from is None:
        raise ValidationError({"effective_from": _("请填写生效日期。")})
    if effective_to is not None and effective_to < effective_from:
        raise ValidationError({"effective_to": _("失效日期不能早于生效日期。")})
    points = _decimal(values.get("points"), "points")
    if points is None or abs(points) > MAX_POINTS:
        raise ValidationError({"points": _("分值应在-1000到1000之间。")})
    caps = {}
    for cap in ("daily_cap", "period_cap"):
        caps[cap] = _decimal(values.get(cap), cap, allow_none=True)
        if caps[cap] is not None and caps[cap] < 0:
            raise ValidationError({cap: _("上限不能为负数；扣分规则的上限也按扣分的绝对值填写。")})
    cap_period = values.get("cap_period") or CapPeriod.MONTH
    if cap_period not in CapPeriod.values:
        raise ValidationError({"cap_period": _("上限周期应为每月、每季度或每年。")})
    field = str(values.get("multiplier_field") or "").strip()
    if field and not _FIELD.match(field):
        raise ValidationError({"multiplier_field": _("乘数来源应为对象的一个字段名，如 rating。")})
    base = _decimal(values.get("multiplier_base") or 1, "multiplier_base")
    if base is None or base <= 0:
        raise ValidationError({"multiplier_base": _("乘数基数必须大于0。")})
    # Lock the kind's versions: two editors cannot both take the next number.
    versions = list(PointRule.objects.select_for_update().filter(kind=kind).order_by("version"))
    for old in versions:
        old_end = old.effective_to
        if old_end is None and old.effective_from < effective_from:
            continue  # closed below
        ends_before = effective_to is not None and effective_to < old.effective_from
        starts_after = old_end is not None and effective_from > old_end
        if not (ends_before or starts_after):
            raise ValidationError(
                {
                    "effective_from": _(
                        "与第%(v)d版（%(start)s起%(end)s）的有效期重叠，请调整生效或失效日期。"
                    )
                    % {
                        "v": old.version,
                        "start": old.effective_from,
                        "end": _("至%(d)s") % {"d": old_end} if old_end else _("长期有效"),
                    }
                }
            )
    for old in versions:
        if old.effective_to is None and old.effective_from < effective_from:
            later = [v for v in versions if v.effective_from > old.effective_from]
            if later:
                raise ValidationError(
                    {"effective_from": _("与长期有效的第%(v)d版重叠。") % {"v": old.version}}
                )
            old.effective_to = effective_from - timedelta(days=1)
            save_with_history(instance=old, actor=actor, reason=_("发布新版本，本版本截止于前一日"))
    rule = PointRule(
        kind=kind,
        version=(versions[-1].version + 1) if versions else 1,
        effective_from=effective_from,
        effective_to=effective_to,
        points=points,
        daily_cap=caps["daily_cap"],
        period_cap=caps["period_cap"],
        cap_period=cap_period,
        verified_only=bool(values.get("verified_only")),
        once_per_target_per_day=bool(values.get("once_per_target_per_day")),
        multiplier_field=field,
        multiplier_base=base,
        note=str(note or "").strip()[:200],
        created_by=actor,
    )
    save_with_history(instance=rule, actor=actor, reason=_("发布积分规则"))
    write_ledger(
        rule,
        "point_rule.publish",
        actor=actor,
        organization=district,
        note=f"{kind} v{rule.version} {points}",
    )
    return rule


def rules_in_force(day: date) -> dict[str, PointRule]:
    """kind -> the rule version in force on ``day``."""
    found = PointRule.objects.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    return {r.kind: r for r in found}


# --- scoring ----------


#: Read once: ``CapPeriod.values`` builds a new list at every call, and a recomputation adds
#: usage for every record (about a tenth of its time, profiled).
_CAP_PERIODS = tuple(CapPeriod.values)


@lru_cache(maxsize=8192)
def _start_of(cap: str, day: date) -> date:
    """The first day of the cap period holding ``day`` (asked several times per record)."""
    return period_of(cap, day).start


@dataclass
class _Record:
    id: int
    member_id: int
    organization_id: int
    action: str
    day: date
    ct: int | None
    obj: str
    verified: bool


class _Rules:
    """Every rule version, by kind, for finding the one in force on a day."""

    def __init__(self, kinds: Iterable[str] | None = None) -> None:
        qs = PointRule.objects.all().order_by("kind", "effective_from")
        if kinds is not None:
            qs = qs.filter(kind__in=set(kinds))
        self.by_kind: dict[str, list[PointRule]] = defaultdict(list)
        for rule in qs:
            self.by_kind[rule.kind].append(rule)

    def on(self, kind: str, day: date) -> PointRule | None:
        for rule in self.by_kind.get(kind, ()):
            if rule.effective_from <= day and (
                rule.effective_to is None or day <= rule.effective_to
            ):
                return rule
        return None


class _Usage:
    """What a member has already earned of a kind per day and per cap period, and which
    targets earned points on which day: the state the caps and fair-play rules read."""

    def __init__(self) -> None:
        self.day: dict[tuple[int, str, date], Decimal] = defaultdict(Decimal)
        self.period: dict[tuple[int, str, str, date], Decimal] = defaultdict(Decimal)
        self.targets: set[tuple[int, str, int, str, date]] = set()

    def add(self, member: int, kind: str, day: date, points: Decimal) -> None:
        self.day[(member, kind, day)] += points
        for cap in _CAP_PERIODS:
            self.period[(member, kind, cap, _start_of(cap, day))] += points

    def load(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.add(row["member_id"], row["kind"], row["occurred_on"], row["total"] or Decimal(0))


def _multipliers(records: list[_Record], rules: dict[int, PointRule]) -> dict[int, Decimal | None]:
    """record id -> the value of its rule's ``multiplier_field`` on the recorded object (one
    query per object type and field)."""
    wanted: dict[tuple[int, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for rec in records:
        rule = rules.get(rec.id)
        if rule is not None and rule.multiplier_field and rec.ct and rec.obj:
            wanted[(rec.ct, rule.multiplier_field)][rec.obj].append(rec.id)
    out: dict[int, Decimal | None] = {}
    for (ct, field), by_obj in wanted.items():
        model = ContentType.objects.get_for_id(ct).model_class()
        try:
            model._meta.get_field(field)
        except (FieldDoesNotExist, AttributeError):
            continue
        pks = [o for o in by_obj if o.isdigit()]
        for pk, value in model._base_manager.filter(pk__in=pks).values_list("pk", field):
            for rid in by_obj.get(str(pk), ()):
                try:
                    out[rid] = Decimal(str(value)) if value is not None else None
                except Exception:
                    out[rid] = None
    return out


def _score(
    rec: _Record, rule: PointRule, usage: _Usage, multiplier: Decimal | None
) -> tuple[Decimal, str]:
    """The points one record earns under its rule, given what was earned before; the
    note says why it is less than the rule's value."""
    notes = []
    amount = rule.points
    if rule.multiplier_field:
        if multiplier is None:
            notes.append(_("无乘数数据，按1倍计"))
        else:
            amount = amount * multiplier / rule.multiplier_base
            notes.append(
                _("按乘数折算：×%(v)s÷%(base)s") % {"v": multiplier, "base": rule.multiplier_base}
            )
    amount = amount.quantize(CENT)
    target_key = (rec.member_id, rec.action, rec.ct or 0, rec.obj, rec.day)
    if rule.once_per_target_per_day and rec.ct and rec.obj and target_key in usage.targets:
        return Decimal("0.00"), _("同一对象当日已计分")
    sign = Decimal(1) if amount >= 0 else Decimal(-1)
    # The labels are translated only when a note is written: translating both for every
    # record was a quarter of a recomputation's time (profiled).
    for cap, used, daily in (
        (
            rule.daily_cap,
            usage.day[(rec.member_id, rec.action, rec.day)] if rule.daily_cap is not None else 0,
            True,
        ),
        (
            rule.period_cap,
            usage.period[
                (
                    rec.member_id,
                    rec.action,
                    rule.cap_period,
                    _start_of(rule.cap_period, rec.day),
                )
            ]
            if rule.period_cap is not None
            else 0,
            False,
        ),
    ):
        if cap is None:
            continue
        room = cap - abs(used)
        if room <= 0:
            amount = Decimal("0.00")
            notes.append(_("已达%(cap)s") % {"cap": _cap_label(daily)})
        elif abs(amount) > room:
            amount = (sign * room).quantize(CENT)
            notes.append(_("按%(cap)s计") % {"cap": _cap_label(daily)})
    return amount, "；".join(str(n) for n in notes)[:200]


def _cap_label(daily: bool) -> str:
    return _("每日上限") if daily else _("周期上限")


_RECORD_FIELDS = (
    "id",
    "member_id",
    "actor__person__member__id",
    "organization_id",
    "action",
    "occurred_at",
    "content_type_id",
    "object_id",
    "verified",
    "verifies_id",
)


_MEMBER_RECORD_FIELDS = tuple(f for f in _RECORD_FIELDS if f != "actor__person__member__id")


def _records(rows: Iterable[dict[str, Any]], verified_ids: set[int]) -> list[_Record]:
    out = []
    tz = timezone.get_current_timezone()  # once: localtime() looks it up again per row
    for row in rows:
        member = row["member_id"] or row.get("actor__person__member__id")
        if member is None:
            continue
        out.append(
            _Record(
                id=row["id"],
                member_id=member,
                organization_id=row["organization_id"],
                action=row["action"],
                day=row["occurred_at"].astimezone(tz).date(),
                ct=row["content_type_id"],
                obj=row["object_id"] or "",
                verified=row["verified"] or row["id"] in verified_ids,
            )
        )
    return out


def _entry(rec: _Record, **fields: Any) -> NewEntry:
    return NewEntry(
        member_id=rec.member_id,
        organization_id=rec.organization_id,
        kind=rec.action,
        occurred_on=rec.day,
        record_id=rec.id,
        target_type_id=rec.ct,
        target_id=rec.obj,
        **fields,
    )


def _window(records: list[_Record], rules: dict[int, PointRule]) -> tuple[date, date]:
    starts = [
        _start_of(rules[r.id].cap_period, r.day) if rules[r.id].period_cap is not None else r.day
        for r in records
    ]
    return min(starts), max(r.day for r in records)


def _used_rows(members: set[int], kinds: set[str], start: date, end: date, exclude=None):
    qs = PointEntry.objects.filter(
        member_id__in=members, kind__in=kinds, occurred_on__range=(start, end)
    )
    if exclude is not None:
        qs = qs.exclude(occurred_on__range=exclude)
    return qs.values("member_id", "kind", "occurred_on").annotate(total=PointsSum("points"))


def _seen_targets(members: set[int], kinds: set[str], days: set[date], exclude=None):
    qs = PointEntry.objects.filter(
        member_id__in=members,
        kind__in=kinds,
        occurred_on__in=days,
        points__gt=0,
        entry_kind__in=(EntryKind.AWARD, EntryKind.CORRECTION),
        reversed_by__isnull=True,
    ).exclude(target_id="")
    if exclude is not None:
        qs = qs.exclude(occurred_on__range=exclude)
    return qs.values_list("member_id", "kind", "target_type_id", "target_id", "occurred_on")


def award_pending(*, batch: int = BATCH, lag: timedelta = LAG) -> int:
    """Score the ledger's new records past the high-water mark, batch by batch; answers how
    many records were taken. Its cost follows the new records, never the ledger's size."""
    taken = 0
    while True:
        n = _award_batch(batch=batch, cutoff=timezone.now() - lag)
        taken += n
        if n < batch:
            return taken


@transaction.atomic
def _award_batch(*, batch: int, cutoff: datetime) -> int:
    ScoringMark.objects.get_or_create(name=MARK)
    mark = ScoringMark.objects.select_for_update().get(name=MARK)
    rows = list(
        DutyRecord.objects.filter(id__gt=mark.last_record_id)
        .order_by("id")
        .values(*_RECORD_FIELDS, "recorded_at")[:batch]
    )
    # Stop at the first record younger than the lag: the ids before it are all settled.
    for i, row in enumerate(rows):
        if row["recorded_at"] > cutoff:
            rows = rows[:i]
            break
    if not rows:
        return 0
    last = rows[-1]["id"]
    # An act verified by one of the new records is scored again (a "verified only" rule).
    verified_now = {r["verifies_id"] for r in rows if r["verifies_id"]}
    in_batch = {r["id"] for r in rows}
    older = verified_now - in_batch
    if older:
        rows += list(DutyRecord.objects.filter(id__in=older).values(*_RECORD_FIELDS))
    ids = [r["id"] for r in rows]
    verified_ids = set(
        DutyRecord.objects.filter(verifies_id__in=ids).values_list("verifies_id", flat=True)
    )
    written = _score_new(_records(rows, verified_ids))
    mark.last_record_id = last
    mark.save(update_fields=["last_record_id", "updated_at"])
    return len(in_batch) if written >= 0 else 0


def _score_new(records: list[_Record]) -> int:
    if not records:
        return 0
    rules_of = _Rules({r.action for r in records})
    rules: dict[int, PointRule] = {}
    for rec in records:
        rule = rules_of.on(rec.action, rec.day)
        if rule is not None and (rec.verified or not rule.verified_only):
            rules[rec.id] = rule
    records = [r for r in records if r.id in rules]
    if not records:
        return 0
    done = set(
        PointEntry.objects.filter(
            entry_kind=EntryKind.AWARD, record_id__in=[r.id for r in records]
        ).values_list("record_id", "rule_id")
    )
    records = [r for r in records if (r.id, rules[r.id].pk) not in done]
    if not records:
        return 0
    members = {r.member_id for r in records}
    kinds = {r.action for r in records}
    usage = _Usage()
    start, end = _window(records, rules)
    usage.load(_used_rows(members, kinds, start, end))
    once = {r.action for r in records if rules[r.id].once_per_target_per_day}
    if once:
        usage.targets.update(_seen_targets(members, once, {r.day for r in records}))
    multipliers = _multipliers(records, rules)
    entries = []
    for rec in sorted(records, key=lambda r: (r.day, r.id)):
        rule = rules[rec.id]
        amount, note = _score(rec, rule, usage, multipliers.get(rec.id))
        entries.append(
            _entry(rec, entry_kind=EntryKind.AWARD, rule_id=rule.pk, points=amount, note=note)
        )
        usage.add(rec.member_id, rec.action, rec.day, amount)
        if amount > 0 and rec.ct and rec.obj:
            usage.targets.add((rec.member_id, rec.action, rec.ct, rec.obj, rec.day))
    totals.store_rows(entries)
    return len(entries)


# --- recomputation ----------


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, datetime.min.time())
    return timezone.make_aware(moment)


def recompute_check(
    *, actor: User, start: date | None, end: date | None, reason: str
) -> tuple[Organization, str]:
    """What a recomputation asks before it starts (the page checks it before queueing the
    job): the district's admin, a reason, days in order and at most a year."""
    district = _require_district(actor)
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请写明重算原因。")})
    if start is None or end is None or end < start:
        raise ValidationError({"end": _("截止日期不能早于起始日期。")})
    if (end - start).days > 366:
        raise ValidationError({"end": _("一次最多重算一年。")})
    return district, text


def points_recompute(
    *, actor: User, start: date, end: date, reason: str, chunk: int = 5000
) -> Recomputation:
    """Score the days ``start``–``end`` again under the rules in force now (the district's
    request, recorded with its reason). Nothing is deleted: an entry that no longer holds is
    reversed, and the new amount is written as an award under the new rule version or as a
    correction under the same one. Members are taken in chunks of ids."""
    district, text = recompute_check(actor=actor, start=start, end=end, reason=reason)
    with transaction.atomic():
        ScoringMark.objects.get_or_create(name=MARK)
        ScoringMark.objects.select_for_update().get(name=MARK)
        run = Recomputation.objects.create(
            start=start, end=end, reason=text[:200], requested_by=actor, organization=district
        )
        write_ledger(run, "points.recompute", actor=actor, note=f"{start}–{end} {text}"[:500])
        rules_of = _Rules()
        since, until = _aware(start), _aware(end, end=True)
        from xianfeng.people.models import PartyMember

        bounds = PartyMember.objects.order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), bounds.last()
        records_seen = entries_written = 0
        by_actor = _actor_rows(since, until)
        lo = low or 0
        while low is not None and lo <= high:
            hi = lo + chunk - 1
            n_records, n_entries = _recompute_chunk(
                run, rules_of, since, until, start, end, lo, hi, by_actor
            )
            records_seen += n_records
            entries_written += n_entries
            lo = hi + 1
        run.records, run.entries = records_seen, entries_written
        run.save(update_fields=["records", "entries"])
        if entries_written >= ANALYZE_AFTER:
            transaction.on_commit(totals.analyze)
    return run


#: A recomputation writing at least this many entries refreshes the planner's statistics of
#: the entries and totals once it commits: read right after a quarter's 900,000 entries, with
#: the statistics of the empty tables, a leaderboard took 356 ms instead of 40 (measured).
ANALYZE_AFTER = 10_000


def _actor_rows(since: datetime, until: datetime) -> dict[int, list[dict[str, Any]]]:
    """Records without a member whose actor is one, by that member (read once per
    recomputation: few, and the member-id chunks then need no join)."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in (
        DutyRecord.objects.filter(
            member__isnull=True,
            actor__person__member__isnull=False,
            occurred_at__gte=since,
            occurred_at__lt=until,
        )
        .order_by("occurred_at", "id")
        .values(*_RECORD_FIELDS)
    ):
        out[row["actor__person__member__id"]].append(row)
    return out


def _recompute_chunk(
    run: Recomputation,
    rules_of: _Rules,
    since: datetime,
    until: datetime,
    start: date,
    end: date,
    lo: int,
    hi: int,
    by_actor: dict[int, list[dict[str, Any]]],
) -> tuple[int, int]:
    # These records name their member: no join to the actor's member (three tables a row).
    rows = list(
        DutyRecord.objects.filter(
            member_id__gte=lo, member_id__lte=hi, occurred_at__gte=since, occurred_at__lt=until
        ).values(*_MEMBER_RECORD_FIELDS)
    )
    acted = [row for m, found in by_actor.items() if lo <= m <= hi for row in found]
    rows += acted
    rows.sort(key=lambda r: (r["occurred_at"], r["id"]))
    verified_ids = set(
        DutyRecord.objects.filter(
            verifies__member_id__gte=lo,
            verifies__member_id__lte=hi,
            verifies__occurred_at__gte=since,
            verifies__occurred_at__lt=until,
        ).values_list("verifies_id", flat=True)
    )
    if acted:
        verified_ids.update(
            DutyRecord.objects.filter(verifies_id__in=[r["id"] for r in acted]).values_list(
                "verifies_id", flat=True
            )
        )
    records = _records(rows, verified_ids)
    existing = list(
        PointEntry.objects.filter(
            member_id__gte=lo,
            member_id__lte=hi,
            occurred_on__range=(start, end),
            record__isnull=False,
        ).values(*_EXISTING_FIELDS)
    )
    if not records and not existing:
        return 0, 0
    reversed_ids = {e["reverses_id"] for e in existing if e["reverses_id"]}
    by_record: dict[int, list[dict[str, Any]]] = defaultdict(list)
    awarded: set[tuple[int, int]] = set()
    for e in existing:
        by_record[e["record_id"]].append(e)
        if e["entry_kind"] == EntryKind.AWARD:
            awarded.add((e["record_id"], e["rule_id"]))
    rules: dict[int, PointRule] = {}
    for rec in records:
        rule = rules_of.on(rec.action, rec.day)
        if rule is not None and (rec.verified or not rule.verified_only):
            rules[rec.id] = rule
    usage = _Usage()
    members = {r.member_id for r in records}
    kinds = {r.action for r in records}
    if members:
        first = min(period_of(CapPeriod.YEAR, start).start, start)
        usage.load(
            _used_rows(members, kinds, first, period_of(CapPeriod.YEAR, end).end, (start, end))
        )
    multipliers = _multipliers([r for r in records if r.id in rules], rules)
    entries: list[PointEntry] = []
    by_id = {r.id: r for r in records}
    for rec in records:
        rule = rules.get(rec.id)
        target = None
        note = ""
        if rule is not None:
            target, note = _score(rec, rule, usage, multipliers.get(rec.id))
            usage.add(rec.member_id, rec.action, rec.day, target)
            if target > 0 and rec.ct and rec.obj:
                usage.targets.add((rec.member_id, rec.action, rec.ct, rec.obj, rec.day))
        entries.extend(
            _settle(run, rec, rule, target, note, by_record.pop(rec.id, []), reversed_ids, awarded)
        )
    # Entries of records that moved out of the days (or whose member changed) are reversed.
    for rid, old in by_record.items():
        if rid not in by_id:
            entries.extend(_reverse_live(run, old, reversed_ids))
    totals.store_rows(entries)
    return len(records), len(entries)


#: What a recomputation reads of the entries it may reverse (all a reversal copies).
_EXISTING_FIELDS = (
    "id",
    "record_id",
    "rule_id",
    "entry_kind",
    "points",
    "reverses_id",
    "member_id",
    "organization_id",
    "kind",
    "occurred_on",
    "target_type_id",
    "target_id",
)


def _reverse_live(
    run: Recomputation, old: list[dict[str, Any]], reversed_ids: set[int]
) -> list[NewEntry]:
    return [
        NewEntry(
            member_id=e["member_id"],
            organization_id=e["organization_id"],
            kind=e["kind"],
            occurred_on=e["occurred_on"],
            record_id=e["record_id"],
            rule_id=e["rule_id"],
            target_type_id=e["target_type_id"],
            target_id=e["target_id"],
            entry_kind=EntryKind.REVERSAL,
            points=-e["points"],
            reverses_id=e["id"],
            recomputation_id=run.pk,
            note=_("重算冲正"),
        )
        for e in old
        if e["entry_kind"] != EntryKind.REVERSAL and e["id"] not in reversed_ids
    ]


def _settle(
    run: Recomputation,
    rec: _Record,
    rule: PointRule | None,
    target: Decimal | None,
    note: str,
    old: list[dict[str, Any]],
    reversed_ids: set[int],
    awarded: set[tuple[int, int]],
) -> list[PointEntry]:
    """The entries that bring one record from what it has to what it earns now."""
    net = sum((e["points"] for e in old), Decimal(0))
    live = [e for e in old if e["entry_kind"] != EntryKind.REVERSAL and e["id"] not in reversed_ids]
    live_rules = {e["rule_id"] for e in live}
    if rule is None:
        return _reverse_live(run, old, reversed_ids) if net or live else []
    if net == target and live_rules == {rule.pk}:
        return []
    out = []
    for e in live:
        out.append(
            NewEntry(
                member_id=rec.member_id,
                organization_id=rec.organization_id,
                kind=rec.action,
                occurred_on=rec.day,
                record_id=rec.id,
                rule_id=e["rule_id"],
                target_type_id=rec.ct,
                target_id=rec.obj,
                entry_kind=EntryKind.REVERSAL,
                points=-e["points"],
                reverses_id=e["id"],
                recomputation_id=run.pk,
                note=_("重算冲正"),
            )
        )
    kind = EntryKind.CORRECTION if (rec.id, rule.pk) in awarded else EntryKind.AWARD
    out.append(
        _entry(
            rec,
            entry_kind=kind,
            rule_id=rule.pk,
            points=target,
            note=note,
            recomputation_id=run.pk,
        )
    )
    return out


# --- adjustments and appeals ----------


def _member_org(member: PartyMember) -> Organization:
    return member.branch


@transaction.atomic
def adjustment_request(
    *,
    actor: User,
    member: PartyMember,
    points: Any,
    reason: str,
    occurred_on: date | None = None,
) -> Adjustment:
    """An administrator asks to add (or take) points by hand; another administrator decides."""
    org = _member_org(member)
    if not org_in_scope(user=actor, org=org, model=Adjustment, action=Action.ADD):
        raise PermissionDenied(_("只有党员所在组织的上级管理员可以申请积分调整。"))
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请写明调整理由。")})
    value = _decimal(points, "points")
    if not value:
        raise ValidationError({"points": _("调整分值不能为0。")})
    if abs(value) > MAX_POINTS:
        raise ValidationError({"points": _("调整分值应在-1000到1000之间。")})
    adjustment = Adjustment(
        member=member,
        organization=org,
        points=value,
        reason=text[:500],
        occurred_on=occurred_on or timezone.localdate(),
        requested_by=actor,
    )
    save_with_history(instance=adjustment, actor=actor, reason=_("申请积分调整"))
    write_ledger(adjustment, "adjustment.request", actor=actor, member=member, note=text)
    return adjustment


def adjustment_entry(adjustment: Adjustment) -> PointEntry:
    """The point entry of an approved adjustment (called by its ``approve`` step)."""
    entry = PointEntry(
        member_id=adjustment.member_id,
        organization_id=adjustment.organization_id,
        entry_kind=EntryKind.ADJUSTMENT,
        kind="adjustment",
        points=adjustment.points,
        occurred_on=adjustment.occurred_on,
        adjustment=adjustment,
        note=adjustment.reason[:200],
    )
    totals.store([entry])
    return entry


def adjustment_decide(
    *, actor: User, adjustment: Adjustment, step: str, note: str = ""
) -> Adjustment:
    return take(adjustment, step, actor=actor, note=note)


@transaction.atomic
def appeal_submit(*, actor: User, reason: str, entry: PointEntry | None = None) -> Appeal:
    """A member disputes their points (one entry, or the period as a whole)."""
    member = member_of(actor)
    if member is None:
        raise PermissionDenied(_("您的账号没有关联党员身份，不能提出积分申诉。"))
    if entry is not None and entry.member_id != member.pk:
        raise ValidationError({"entry": _("只能对自己的积分明细提出申诉。")})
    text = str(reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请写明申诉理由。")})
    appeal = Appeal(
        member=member,
        organization=member.branch,
        entry=entry,
        reason=text[:500],
        submitted_by=actor,
    )
    save_with_history(instance=appeal, actor=actor, reason=_("提出积分申诉"))
    write_ledger(appeal, "appeal.submit", actor=actor, member=member, note=text)
    return appeal


# --- public board ----------


@transaction.atomic
def board_set(*, actor: User, organization: Organization, enabled: bool) -> PublicBoard:
    if not org_in_scope(user=actor, org=organization, model=PublicBoard, action=Action.CHANGE):
        raise PermissionDenied(_("只有本组织或上级的管理员可以设置公开排行榜。"))
    board = PublicBoard.objects.filter(organization=organization).first() or PublicBoard(
        organization=organization, updated_by=actor
    )
    board.enabled = bool(enabled)
    board.updated_by = actor
    save_with_history(
        instance=board, actor=actor, reason=_("公开排行榜") if enabled else _("不公开排行榜")
    )
    return board


# --- star ratings (星级党员) ----------


def stars_from_index(index: int) -> int:
    """Five stars from the top tenth of the like group's index, one below fifteen."""
    for floor, stars in ((90, 5), (70, 4), (40, 3), (15, 2)):
        if index >= floor:
            return stars
    return 1


@transaction.atomic
def star_ratings_rate(*, actor: User, organization: Organization, year: int) -> int:
    """Rate every member under ``organization`` for ``year`` from the annual index (their
    like group: same kind, same community). A rating a democratic evaluation has reviewed
    keeps its stars; its index is brought up to date. Answers how many were written."""
    from xianfeng.scoring.models import StarRating
    from xianfeng.scoring.periods import period_of
    from xianfeng.scoring.selectors import community_of, group_figures

    if not org_in_scope(user=actor, org=organization, model=StarRating, action=Action.ADD):
        raise PermissionDenied(_("只有本组织或上级的管理员可以评定星级党员。"))
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise ValidationError({"year": _("年度不正确。")})
    figures = group_figures(community_of(organization), period_of("year", date(int(year), 1, 1)))
    from xianfeng.people.models import PartyMember

    members = PartyMember.objects.restrict(actor).filter(
        branch__path__startswith=organization.path, pk__in=list(figures.index)
    )
    existing = {r.member_id: r for r in StarRating.objects.filter(year=year, member__in=members)}
    written = 0
    for member in members.only("pk", "branch_id"):
        index = figures.index.get(member.pk, 0)
        rating = existing.get(member.pk) or StarRating(
            member_id=member.pk, organization_id=member.branch_id, year=year
        )
        rating.index = index
        rating.points = figures.totals.get(member.pk, Decimal(0))
        rating.index_stars = stars_from_index(index)
        if rating.reviewed_by_id is None:
            rating.stars = rating.index_stars
        save_with_history(instance=rating, actor=actor, reason=_("按年度先锋指数评定"))
        written += 1
    write_ledger(
        organization,
        "star.rate",
        actor=actor,
        organization=organization,
        note=_("%(y)s年度星级党员评定，%(n)d人") % {"y": year, "n": written},
    )
    return written


@transaction.atomic
def star_review(*, actor: User, rating: Any, stars: Any, note: str) -> Any:
    """Record a democratic evaluation (民主评议) of one member's rating: the stars it gives and
    why. The index's stars stay beside it, so the change is visible."""
    from xianfeng.scoring.models import StarRating

    if not org_in_scope(
        user=actor, org=rating.organization, model=StarRating, action=Action.CHANGE
    ):
        raise PermissionDenied(_("只有本组织或上级的管理员可以记录民主评议。"))
    text = str(note or "").strip()
    if not text:
        raise ValidationError({"note": _("请写明民主评议的结果和依据。")})
    try:
        value = int(stars)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"stars": _("星级应为1到5星。")})
    locked = StarRating.objects.select_for_update().get(pk=rating.pk)
    locked.stars = value
    locked.review_note = text[:500]
    locked.reviewed_by = actor
    save_with_history(instance=locked, actor=actor, reason=_("记录民主评议"))
    write_ledger(locked, "star.review", actor=actor, member=locked.member, note=text)
    return locked
