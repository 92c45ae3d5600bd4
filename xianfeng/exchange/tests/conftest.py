"""Helpers for the exchange tests: files built in memory, uploads kept in a temporary folder."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from xianfeng.core.validators import id_check_digit


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def make_id(seq: int, birth: str = "19900101", area: str = "530102") -> str:
    first17 = f"{area}{birth}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


def xlsx_bytes(rows: list[list[Any]], merge: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(",".join("" if v is None else str(v) for v in row) for row in rows)
    return text.encode(encoding)


@pytest.fixture
def write_file(tmp_path) -> Callable[[str, bytes], str]:
    def write(name: str, content: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


MEMBER_HEAD = ["姓名", "身份证号", "所在党组织代码", "手机号", "党员类型", "党员类别", "入党日期"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The declaration throttle counts in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
