"""Validators for Chinese ID numbers, phone numbers and GeoJSON, with Chinese messages."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from operator import mul
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_text(value: str) -> str:
    """Full-width digits and letters to half-width, spaces trimmed (NFKC)."""
    if not value:
        return ""
    if value.isascii():  # NFKC leaves ASCII as it is; an import checks millions of cells
        return value.strip()
    return unicodedata.normalize("NFKC", value).strip()


def normalize_id_number(value: str) -> str:
    return normalize_text(value).replace(" ", "").upper()


def id_check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("the check digit is computed over 17 digits")
    # map() over C functions: an import checks one number a row (a fifth of a row's checks)
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def validate_id_number(value: str) -> None:
    """GB 11643-1999: 18 characters, a valid birth date, and the check digit."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(
            _("身份证号应为18位，当前为%(n)d位。"), code="id_length", params={"n": len(value)}
        )
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号前17位应为数字，最后一位为数字或X。"), code="id_chars")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth") from None
    if born > date.today() or born.year < 1900:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth")
    if id_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对是否录入有误。"), code="id_checksum")


def birth_date_from_id(value: str) -> date | None:
    value = normalize_id_number(value)
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def gender_from_id(value: str) -> str:
    value = normalize_id_number(value)
    if len(value) < 17 or not value[16].isdigit():
        return ""
    return "male" if int(value[16]) % 2 else "female"


def validate_mobile(value: str) -> None:
    value = normalize_text(value)
    if not _MOBILE_RE.match(value):
        raise ValidationError(_("手机号应为以1开头的11位数字，例如13800138000。"), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile number or a landline with area code (0871-1234567)."""
    value = normalize_text(value)
    if not (_MOBILE_RE.match(value) or _LANDLINE_RE.match(value)):
        raise ValidationError(
            _("电话应为11位手机号或带区号的固定电话，例如0871-63123456。"), code="phone"
        )


def _mask(value: str, shortest: int, stars: int | None = None) -> str:
    """The first 3 and last 4 characters with stars between (``stars`` of them, else as many
    as the characters hidden); a value shorter than ``shortest`` is all stars."""
    if not value:
        return ""
    if len(value) < shortest:
        return "*" * len(value)
    hidden = len(value) - 7 if stars is None else stars
    return f"{value[:3]}{'*' * hidden}{value[-4:]}"


def mask_id_number(value: str) -> str:
    return _mask(value, 8)


def mask_phone(value: str) -> str:
    return _mask(value, 7, stars=4)


_GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}


def _is_position(p: Any) -> bool:
    return (
        isinstance(p, list | tuple)
        and len(p) >= 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in p[:2])
        and -180 <= p[0] <= 180
        and -90 <= p[1] <= 90
    )


def _check_ring(ring: Any) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("边界的每个环至少需要4个坐标点。"), code="geojson")
    if not all(_is_position(p) for p in ring):
        raise ValidationError(
            _("边界坐标应为[经度, 纬度]数字对，经度在±180、纬度在±90之内。"), code="geojson"
        )
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(_("边界的环必须首尾闭合（首点与末点相同）。"), code="geojson")


def validate_geojson_geometry(value: Any) -> None:
    """A GeoJSON Polygon or MultiPolygon (a Feature wrapping one is accepted too)."""
    if value in (None, ""):
        return
    if not isinstance(value, dict):
        raise ValidationError(_("边界必须是GeoJSON对象。"), code="geojson")
    if value.get("type") == "Feature":
        value = value.get("geometry")
        if not isinstance(value, dict):
            raise ValidationError(_("GeoJSON Feature缺少geometry。"), code="geojson")
    kind = value.get("type")
    if kind not in _GEOMETRY_TYPES:
        raise ValidationError(
            _("边界的GeoJSON类型应为Polygon或MultiPolygon，收到的是%(kind)s。"),
            code="geojson",
            params={"kind": kind or _("（无类型）")},
        )
    coords = value.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError(_("GeoJSON缺少coordinates坐标。"), code="geojson")
    polygons = coords if kind == "MultiPolygon" else [coords]
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("GeoJSON多边形格式不正确。"), code="geojson")
        for ring in polygon:
            _check_ring(ring)
    _check_shape(polygons)


# --- the shape of a boundary: simple rings, holes inside, parts apart ------------------------

# Enough for any drawn or surveyed grid; the crossing check below stays quick at this size.
BOUNDARY_MAX_VERTICES = 20000


def _open_ring(ring: list) -> list[tuple[float, float]]:
    """The ring without its closing point and without a point repeated in a row (harmless)."""
    points: list[tuple[float, float]] = []
    for p in ring[:-1]:
        point = (float(p[0]), float(p[1]))
        if not points or points[-1] != point:
            points.append(point)
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points


def _orient(a: tuple, b: tuple, c: tuple) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: tuple, b: tuple, p: tuple) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_meet(a: tuple, b: tuple, c: tuple, d: tuple) -> bool:
    """Whether segments ab and cd share any point (crossing, touching or overlapping)."""
    d1, d2 = _orient(c, d, a), _orient(c, d, b)
    d3, d4 = _orient(a, b, c), _orient(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        (d1 == 0 and _on_segment(c, d, a))
        or (d2 == 0 and _on_segment(c, d, b))
        or (d3 == 0 and _on_segment(a, b, c))
        or (d4 == 0 and _on_segment(a, b, d))
    )


def _inside(point: tuple, ring: list[tuple[float, float]]) -> bool:
    """Even-odd rule: whether ``point`` lies inside the open ring."""
    x, y = point
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def boundary_contains(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    """Whether the point lies inside a valid GeoJSON Polygon or MultiPolygon (a Feature too):
    inside some part's outer ring and none of that part's holes."""
    if geometry.get("type") == "Feature":
        geometry = geometry["geometry"]
    coords = geometry["coordinates"]
    polygons = coords if geometry["type"] == "MultiPolygon" else [coords]
    point = (float(lon), float(lat))
    for polygon in polygons:
        outer, *holes = [_open_ring(ring) for ring in polygon]
        if _inside(point, outer) and not any(_inside(point, hole) for hole in holes):
            return True
    return False


def _first_meeting(rings: list[list[tuple[float, float]]]) -> tuple[int, int] | None:
    """The first two rings (indexes, equal for a ring that meets itself) whose edges meet
    anywhere other than at the shared vertex of neighbouring edges of one ring. A sweep over
    the edges sorted by their western end keeps this near n log n for real boundaries."""
    edges = []
    for r, ring in enumerate(rings):
        n = len(ring)
        for i in range(n):
            a, b = ring[i], ring[(i + 1) % n]
            edges.append((min(a[0], b[0]), max(a[0], b[0]), r, i, n, a, b))
    edges.sort(key=lambda e: e[0])
    for k, (_west, east, r, i, n, a, b) in enumerate(edges):
        for west2, _east2, r2, i2, _n2, c, d in edges[k + 1 :]:
            if west2 > east:
                break
            if r == r2 and (abs(i - i2) == 1 or abs(i - i2) == n - 1):
                # neighbours share a vertex; they only go wrong if they fold back onto each other
                shared = b if (i + 1) % n == i2 else a
                other_1 = a if shared == b else b
                other_2 = d if shared == c else c
                if _orient(shared, other_1, other_2) == 0 and (
                    _on_segment(shared, other_1, other_2) or _on_segment(shared, other_2, other_1)
                ):
                    return r, r2
                continue
            if _segments_meet(a, b, c, d):
                return min(r, r2), max(r, r2)
    return None


def _check_shape(polygons: list) -> None:
    parts = [[_open_ring(ring) for ring in polygon] for polygon in polygons]
    if sum(len(ring) for rings in parts for ring in rings) > BOUNDARY_MAX_VERTICES:
        raise ValidationError(
            _("边界的顶点太多（最多%(max)s个），请简化后再保存。"),
            code="geojson",
            params={"max": BOUNDARY_MAX_VERTICES},
        )
    for p, rings in enumerate(parts, start=1):
        for r, ring in enumerate(rings):
            if len(set(ring)) < 3:
                raise ValidationError(
                    _("边界的第%(part)s块的%(ring)s至少需要3个不同的顶点。"),
                    code="geojson",
                    params={"part": p, "ring": _ring_name(r)},
                )
    flat = [(p, r) for p, rings in enumerate(parts) for r in range(len(rings))]
    meeting = _first_meeting([parts[p][r] for p, r in flat])
    if meeting is not None:
        (p1, r1), (p2, r2) = flat[meeting[0]], flat[meeting[1]]
        if (p1, r1) == (p2, r2):
            raise ValidationError(
                _("边界的第%(part)s块的%(ring)s自相交（边与边交叉或重叠），请移动顶点使其不交叉。"),
                code="geojson",
                params={"part": p1 + 1, "ring": _ring_name(r1)},
            )
        raise ValidationError(
            _("边界的第%(part1)s块的%(ring1)s与第%(part2)s块的%(ring2)s相交或相接，请分开。"),
            code="geojson",
            params={
                "part1": p1 + 1,
                "ring1": _ring_name(r1),
                "part2": p2 + 1,
                "ring2": _ring_name(r2),
            },
        )
    # No edges meet, so one vertex tells where a whole ring lies.
    for p, rings in enumerate(parts, start=1):
        for h, hole in enumerate(rings[1:], start=1):
            if not _inside(hole[0], rings[0]):
                raise ValidationError(
                    _("边界的第%(part)s块的%(ring)s不在它的外边界之内。"),
                    code="geojson",
                    params={"part": p, "ring": _ring_name(h)},
                )
        for h, hole in enumerate(rings[1:], start=1):
            for h2, other in enumerate(rings[1:], start=1):
                if h != h2 and _inside(hole[0], other):
                    raise ValidationError(
                        _("边界的第%(part)s块的%(ring)s位于另一个洞之内。"),
                        code="geojson",
                        params={"part": p, "ring": _ring_name(h)},
                    )
    for p, rings in enumerate(parts):
        for q, others in enumerate(parts):
            if p != q and _inside(rings[0][0], others[0]):
                if not any(_inside(rings[0][0], hole) for hole in others[1:]):
                    raise ValidationError(
                        _("边界的第%(part1)s块与第%(part2)s块互相重叠。"),
                        code="geojson",
                        params={"part1": min(p, q) + 1, "part2": max(p, q) + 1},
                    )


def _ring_name(index: int) -> str:
    if index == 0:
        return str(_("外边界"))
    return str(_("洞%(n)s（内环）")) % {"n": index}


# --- free text: length and control characters (issue 9) -------------------------------------

# C0 controls but tab, newline and carriage return; DEL; the C1 controls.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The longest a free-text (TextField) value may be, in forms and API bodies alike.
TEXT_MAX_LENGTH = 5000
# What a query parameter or a one-line field without a model column may carry.
LINE_MAX_LENGTH = 200
# The largest and smallest integers the databases store (64-bit).
INT_MAX = 2**63 - 1
INT_MIN = -(2**63)


def validate_no_controls(value: Any) -> None:
    """Refuse NUL and the other control characters; tabs and newlines are allowed (multi-line
    text). Used by forms (``NoControlsValidator``) and API schemas (``Text``)."""
    if isinstance(value, str) and _CONTROL_RE.search(value):
        char = _CONTROL_RE.search(value).group(0)
        raise ValidationError(
            _("不能含有控制字符（如 NUL、U+%(code)s），请删除后重新填写。"),
            code="control_characters",
            params={"code": f"{ord(char):04X}"},
        )


def _schema_no_controls(value: str) -> str:
    if _CONTROL_RE.search(value):
        # pydantic wants a ValueError; its message goes into the 422 body as it is
        char = _CONTROL_RE.search(value).group(0)
        raise ValueError(
            str(_("不能含有控制字符（如 NUL、U+%(code)s），请删除后重新填写。"))
            % {"code": f"{ord(char):04X}"}
        )
    return value


def Text(max_length: int = TEXT_MAX_LENGTH) -> Any:
    """A string field of an API schema: at most ``max_length`` characters (the model column's,
    or ``TEXT_MAX_LENGTH`` for a TextField), no control characters. ``name: Text(50)``."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_schema_no_controls)]


# An integer the database can store: ids, filters and body fields (``?campaign=`` with 20
# digits answers 422, not a 500 from the database driver).
DbInt = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]


class NoControlsValidator:
    """The form side of ``validate_no_controls`` (deconstructible, for model fields too)."""

    def __call__(self, value: Any) -> None:
        validate_no_controls(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoControlsValidator)

    def __hash__(self) -> int:
        return hash(NoControlsValidator)

    def deconstruct(self) -> tuple[str, tuple, dict]:
        return ("xianfeng.core.validators.NoControlsValidator", (), {})


def parse_db_int(raw: str) -> int | None:
    """A non-negative id typed as ASCII digits that the database can hold, else None
    (``"²"`` is a digit to Python but no number; past 2^63 the database cannot compare it)."""
    if raw.isascii() and raw.isdigit() and int(raw) <= INT_MAX:
        return int(raw)
    return None
