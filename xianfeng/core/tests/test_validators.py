import pytest
from django.core.exceptions import ValidationError

from xianfeng.core.validators import (
    id_check_digit,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    validate_geojson_geometry,
    validate_id_number,
    validate_mobile,
    validate_phone,
)

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_a_valid_id_number_passes():
    validate_id_number(VALID_ID)


def test_the_check_digit_is_computed_as_gb11643_says():
    assert id_check_digit(VALID_ID[:17]) == "X"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("110105194913310020", "出生日期"),
        ("11010519491231A02X", "数字"),
    ],
)
def test_a_wrong_id_number_gets_a_chinese_reason(value, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert fragment in " ".join(exc.value.messages)


def test_full_width_digits_and_a_lower_case_x_are_normalised():
    assert normalize_id_number(" １１０１０５１９４９１２３１００２ｘ ") == VALID_ID
    validate_id_number("１１０１０５１９４９１２３１００２ｘ")


@pytest.mark.parametrize("value", ["13800138000", "19912345678"])
def test_mobile_numbers_pass(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12800138000", "1380013800", "138-0013-8000", "abc"])
def test_bad_mobile_numbers_are_refused_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert "手机号" in exc.value.messages[0]


def test_a_landline_with_area_code_is_a_valid_contact_phone():
    validate_phone("0871-63123456")


def test_masks_hide_the_middle():
    assert mask_id_number(VALID_ID) == "110***********002X"
    assert mask_phone("13800138000") == "138****8000"


SQUARE = [[[102.7, 25.0], [102.71, 25.0], [102.71, 25.01], [102.7, 25.01], [102.7, 25.0]]]


def test_a_polygon_and_a_feature_wrapping_one_are_valid_boundaries():
    validate_geojson_geometry({"type": "Polygon", "coordinates": SQUARE})
    validate_geojson_geometry(
        {"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]}}
    )


@pytest.mark.parametrize(
    "value",
    [
        "not json",
        {"type": "Point", "coordinates": [102.7, 25.0]},
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": [[[102.7, 25.0], [102.71, 25.0], [102.7, 25.0]]]},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0.5]]]},
        {"type": "Polygon", "coordinates": [[[200, 0], [1, 0], [1, 1], [200, 0]]]},
    ],
)
def test_invalid_geojson_is_refused_in_chinese(value):
    with pytest.raises(ValidationError) as exc:
        validate_geojson_geometry(value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.messages[0])


def test_normalize_text_half_width_and_ascii_alike():
    from xianfeng.core.validators import normalize_text

    assert normalize_text("  ＡＢＣ１２３　") == "ABC123"
    assert normalize_text("  abc 123\t") == "abc 123"
    assert normalize_text("张三 ") == "张三"
    assert normalize_text("") == ""
