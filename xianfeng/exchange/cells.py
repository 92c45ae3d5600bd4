"""Turning spreadsheet cells into values, with the reasons in Chinese when they cannot be."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from xianfeng.core.labels import labels
from xianfeng.core.validators import (
    normalize_id_number,
    normalize_text,
    validate_id_number,
    validate_mobile,
)

EXCEL_EPOCH = date(1899, 12, 30)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TRUE = {"是", "y", "yes", "true", "1", "√", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无", ""}


class CellError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0, full-width to half-width, trimmed."""
    if type(value) is str:  # most cells: no other check
        return normalize_text(value)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return normalize_text(str(value))


def date_value(value: Any) -> date | None:
    """Dates as Excel stores them (date cells, serial numbers) or as Chinese offices type them:
    2021-03-05, 2021/3/5, 2021.3.5, 2021年3月5日, 20210305, 2021年3月 (the 1st)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(_("日期“%(v)s”无法识别。") % {"v": value})
    raw = text(value).replace(" ", "")
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 5:
        return EXCEL_EPOCH + timedelta(days=int(raw))
    match = _DATE_RE.match(raw) or _COMPACT_DATE_RE.match(raw)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3) or "1"
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise CellError(_("日期“%(v)s”无法识别，请写成2021-03-05或2021年3月5日。") % {"v": raw})


def id_number(value: Any) -> str:
    """An 18-character ID number; numbers that Excel mangled are refused with the reason."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _(
                "身份证号被存成了数字（%(v)s），末位X或后几位可能已经丢失。"
                "请把该列设为“文本”格式，重新填写后再导入。"
            )
            % {"v": text(value) if float(value) < 1e15 else f"{value:.6g}"}
        )
    raw = normalize_id_number(str(value))
    if re.match(r"^\d(\.\d+)?E\+\d+$", raw):
        raise CellError(
            _("身份证号显示为科学计数法（%(v)s），后几位已经丢失，请设为文本格式后重新填写。")
            % {"v": raw}
        )
    if raw.isdigit() and len(raw) == 17:
        raise CellError(_("身份证号只有17位，末位的X可能在Excel中丢失了，请核对后补全。"))
    if raw.isdigit() and len(raw) == 15:
        raise CellError(_("这是15位的老身份证号，请换成18位身份证号。"))
    if raw.isdigit() and len(raw) < 18:
        raise CellError(
            _(
                "身份证号只有%(n)d位（应为18位），开头的0可能被Excel去掉了，请设为文本格式后重新填写。"
            )
            % {"n": len(raw)}
        )
    try:
        validate_id_number(raw)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return raw


def mobile(value: Any) -> str:
    raw = text(value).replace(" ", "").replace("-", "")
    if not raw:
        return ""
    try:
        validate_mobile(raw)
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    return raw


def choice(value: Any, choices: type[TextChoices], default: str = "") -> str:
    """By label (社区党员) or by code (community)."""
    return choice_parser(choices, default)(value)


def choice_parser(choices: type[TextChoices], default: str = "") -> Callable[[Any], str]:
    """``choice`` for one column, its labels looked up once (in the active language) rather
    than for every cell of an import."""
    by_label = labels(choices)
    codes = {**{label: code for code, label in by_label.items()}, **{c: c for c in by_label}}

    def parse(value: Any) -> str:
        raw = text(value)
        if not raw:
            return default
        code = codes.get(raw)
        if code is None:
            raise CellError(
                _("“%(v)s”不是可选的值，可选：%(options)s。")
                % {"v": raw, "options": "、".join(by_label.values())}
            )
        return code

    return parse


def boolean(value: Any) -> bool:
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("“%(v)s”应填“是”或“否”。") % {"v": raw})


def integer(value: Any) -> int | None:
    raw = text(value)
    if not raw:
        return None
    try:
        number = int(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(v)s”应为整数。") % {"v": raw}) from None
    if number < 0:
        raise CellError(_("“%(v)s”不能是负数。") % {"v": raw})
    return number


def decimal(value: Any, low: float, high: float) -> Decimal | None:
    raw = text(value)
    if not raw:
        return None
    try:
        number = Decimal(raw).quantize(Decimal("0.000001"))
    except InvalidOperation:
        raise CellError(_("“%(v)s”应为数字。") % {"v": raw}) from None
    if not low <= number <= high:
        raise CellError(
            _("“%(v)s”超出范围（%(low)s～%(high)s）。") % {"v": raw, "low": low, "high": high}
        )
    return number
