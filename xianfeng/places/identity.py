"""One household, however its unit and room are written: 1单元101, 1-101, 单元1 房101 and
（unit 1, room 101）are the same door. Used where a household is looked up from outside
(landlords' declarations), so that the same room never becomes a second household."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xianfeng.places.models import Building, Household

_UNIT_WORDS = re.compile(r"[单元]")
_ROOM_WORDS = re.compile(r"^[房]|[室号房]$")
_FULL_WIDTH = {c: c + 0xFEE0 for c in range(ord("!"), ord("~") + 1)}
_COMBINED = re.compile(r"^(\d+)\s*(?:单元|-|－|—)\s*(\d+\w*)$")


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def split_unit_room(unit: str, room: str) -> tuple[str, str]:
    """The canonical (unit, room): full-width digits folded, 单元/房/室/号 dropped, and a room
    written with its unit (1单元101, 1-101) split when no unit is given."""
    unit, room = _plain(unit), _plain(room)
    if not unit:
        combined = _COMBINED.match(room)
        if combined:
            unit, room = combined.group(1), combined.group(2)
    unit = _UNIT_WORDS.sub("", unit)
    room = _ROOM_WORDS.sub("", room)
    return unit, room


def match_household(building: Building, unit: str, room: str) -> Household | None:
    """The building's household for this door, if there is one: the same canonical unit and
    room; else, when one side gives no unit, the only household with that room number."""
    unit, room = split_unit_room(unit, room)
    if not room:
        return None
    # Every written form of the room contains its canonical digits: the database narrows the
    # building's households to those, and the comparison below decides.
    # Rows typed before input was folded may hold full-width digits (３０１): ask for both forms.
    from django.db.models import Q

    wide = room.translate(_FULL_WIDTH)
    candidates = [
        h
        for h in building.households.filter(Q(room__contains=room) | Q(room__contains=wide))
        if split_unit_room(h.unit, h.room)[1] == room
    ]
    exact = [h for h in candidates if split_unit_room(h.unit, h.room)[0] == unit]
    if exact:
        return exact[0]
    loose = [h for h in candidates if not unit or not split_unit_room(h.unit, h.room)[0]]
    return loose[0] if len(loose) == 1 else None
