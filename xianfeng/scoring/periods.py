"""Calendar periods of scoring: months, quarters and years, named ``2026-12``, ``2026-Q4`` and
``2026``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xianfeng.scoring.choices import CapPeriod, PeriodKind

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def name(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("%(y)d年") % {"y": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("%(y)d年第%(q)d季度") % {
                "y": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}


def _month_end(year: int, month: int) -> date:
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_of(kind: str, day: date) -> Period:
    """The month, quarter or year that holds ``day``."""
    if kind in (PeriodKind.YEAR, CapPeriod.YEAR):
        return Period(PeriodKind.YEAR, date(day.year, 1, 1), date(day.year, 12, 31))
    if kind in (PeriodKind.QUARTER, CapPeriod.QUARTER):
        first = (day.month - 1) // 3 * 3 + 1
        return Period(PeriodKind.QUARTER, date(day.year, first, 1), _month_end(day.year, first + 2))
    return Period(PeriodKind.MONTH, date(day.year, day.month, 1), _month_end(day.year, day.month))


def parse_period(raw: str | None, *, today: date) -> Period:
    """``2026-12``, ``2026-Q4`` or ``2026``; empty means this month. Anything else is a
    Chinese validation error."""
    text = (raw or "").strip()
    if not text:
        return period_of(PeriodKind.MONTH, today)
    try:
        if m := _MONTH.match(text):
            return period_of(PeriodKind.MONTH, date(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.match(text):
            return period_of(PeriodKind.QUARTER, date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
        if m := _YEAR.match(text):
            return period_of(PeriodKind.YEAR, date(int(m[1]), 1, 1))
    except ValueError:
        pass
    raise ValidationError(
        {"period": _("统计周期应写作 2026-12（月）、2026-Q4（季度）或 2026（年）。")}
    )
