"""A boundary's shape, beyond its JSON: every ring simple, holes inside their outer ring, the
parts of a MultiPolygon apart. Refused in Chinese naming the part and the ring."""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import ValidationError

from xianfeng.core.validators import (
    BOUNDARY_MAX_VERTICES,
    boundary_contains,
    validate_geojson_geometry,
)

OUTER = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]
HOLE_2 = [[6, 6], [8, 6], [8, 8], [6, 8], [6, 6]]
FAR = [[20, 20], [24, 20], [24, 24], [20, 24], [20, 20]]


def _refused(geometry: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        validate_geojson_geometry(geometry)
    return " ".join(exc.value.messages)


def test_parts_with_holes_are_a_valid_boundary():
    validate_geojson_geometry({"type": "Polygon", "coordinates": [OUTER, HOLE, HOLE_2]})
    validate_geojson_geometry({"type": "MultiPolygon", "coordinates": [[OUTER, HOLE], [FAR]]})
    # a part on an island inside another part's hole is apart from it
    island = [[2.5, 2.5], [3.5, 2.5], [3.5, 3.5], [2.5, 2.5]]
    validate_geojson_geometry({"type": "MultiPolygon", "coordinates": [[OUTER, HOLE], [island]]})


def test_a_point_repeated_in_a_row_is_harmless():
    ring = [[0, 0], [10, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    validate_geojson_geometry({"type": "Polygon", "coordinates": [ring]})


def test_a_bow_tie_is_refused():
    bow_tie = [[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]
    message = _refused({"type": "Polygon", "coordinates": [bow_tie]})
    assert "第1块的外边界自相交" in message


def test_a_hole_that_crosses_itself_is_refused():
    hole = [[2, 2], [4, 4], [4, 2], [2, 4], [2, 2]]
    message = _refused({"type": "MultiPolygon", "coordinates": [[FAR], [OUTER, HOLE_2, hole]]})
    assert "第2块的洞2（内环）自相交" in message


def test_a_ring_folding_back_on_itself_is_refused():
    flat = [[0, 0], [2, 0], [1, 0], [1, 1], [0, 0]]
    assert "自相交" in _refused({"type": "Polygon", "coordinates": [flat]})


def test_a_ring_of_fewer_than_three_distinct_vertices_is_refused():
    ring = [[0, 0], [1, 1], [0, 0], [1, 1], [0, 0]]
    assert "至少需要3个不同的顶点" in _refused({"type": "Polygon", "coordinates": [ring]})


def test_a_hole_outside_its_outer_ring_is_refused():
    message = _refused({"type": "Polygon", "coordinates": [OUTER, FAR]})
    assert "第1块的洞1（内环）不在它的外边界之内" in message


def test_a_hole_crossing_its_outer_ring_is_refused():
    across = [[8, 8], [12, 8], [12, 9], [8, 9], [8, 8]]
    message = _refused({"type": "Polygon", "coordinates": [OUTER, across]})
    assert "第1块的外边界与第1块的洞1（内环）相交或相接" in message


def test_a_hole_inside_another_hole_is_refused():
    inner = [[2.5, 2.5], [3.5, 2.5], [3.5, 3.5], [2.5, 2.5]]
    message = _refused({"type": "Polygon", "coordinates": [OUTER, HOLE, inner]})
    assert "位于另一个洞之内" in message


def test_overlapping_parts_are_refused():
    inside = [[1, 1], [3, 1], [3, 3], [1, 1]]
    message = _refused({"type": "MultiPolygon", "coordinates": [[OUTER], [inside]]})
    assert "第1块与第2块互相重叠" in message
    crossing = [[5, 5], [15, 5], [15, 15], [5, 15], [5, 5]]
    message = _refused({"type": "MultiPolygon", "coordinates": [[OUTER], [crossing]]})
    assert "第1块的外边界与第2块的外边界相交或相接" in message


def test_a_ring_of_many_vertices_is_checked_and_too_many_refused():
    n = 5000
    circle = [
        [102 + 0.01 * math.cos(2 * math.pi * i / n), 25 + 0.01 * math.sin(2 * math.pi * i / n)]
        for i in range(n)
    ]
    validate_geojson_geometry({"type": "Polygon", "coordinates": [[*circle, circle[0]]]})
    n = BOUNDARY_MAX_VERTICES + 1
    too_many = [[102 + i * 1e-6, 25 + (i % 2) * 1e-6] for i in range(n)]
    message = _refused({"type": "Polygon", "coordinates": [[*too_many, too_many[0]]]})
    assert "顶点太多" in message


def test_a_point_is_inside_a_part_and_outside_its_holes():
    shaped = {"type": "MultiPolygon", "coordinates": [[OUTER, HOLE], [FAR]]}
    assert boundary_contains(shaped, 1, 1)
    assert boundary_contains(shaped, 5, 5)
    assert not boundary_contains(shaped, 3, 3)  # in the hole
    assert boundary_contains(shaped, 22, 21)  # in the second part
    assert not boundary_contains(shaped, 15, 15)  # between the parts
    assert not boundary_contains(shaped, -1, 5)
    polygon = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [OUTER]}}
    assert boundary_contains(polygon, 3, 3) and not boundary_contains(polygon, 11, 3)
