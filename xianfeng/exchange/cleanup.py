"""Uploaded import files and generated export files are kept ``days`` days, then removed.

Runs from ``manage.py cleanup_exchange_files --days N`` or the job
``exchange.cleanup_files`` (for the periodic runner). A file of an import still being
previewed or applied is never removed. Rows stay (they are the record of what happened): an
import whose file is gone can no longer be applied or reported, and says so; an export whose
file is gone shows "文件已被清理，请重新导出"."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from xianfeng.exchange.models import ExportRecord, ImportRun

DEFAULT_DAYS = 30


@dataclass
class Cleaned:
    imports: int = 0
    exports: int = 0
    bytes: int = 0
    expired_runs: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _old_files(folder: str, cutoff: float) -> list[str]:
    if not os.path.isdir(folder):
        return []
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                out.append(entry.path)
    return out


def _remove(path: str, cleaned: Cleaned) -> bool:
    try:
        size = os.path.getsize(path)
        os.remove(path)
    except FileNotFoundError:
        return False
    cleaned.bytes += size
    return True


def cleanup_files(*, days: int = DEFAULT_DAYS, now: float | None = None) -> Cleaned:
    """Remove import uploads and export files older than ``days`` days (by modification time)."""
    if days < 0:
        raise ValueError(_("保存天数不能为负数。"))
    cutoff = (now if now is not None else time.time()) - days * 86400
    cleaned = Cleaned()
    media = str(settings.MEDIA_ROOT)

    busy = set(
        ImportRun.objects.filter(
            status__in=(ImportRun.Status.PREVIEWING, ImportRun.Status.APPLYING)
        ).values_list("stored_path", flat=True)
    )
    removed_imports = []
    for path in _old_files(os.path.join(media, "imports"), cutoff):
        if path in busy:
            continue
        if _remove(path, cleaned):
            cleaned.imports += 1
            removed_imports.append(path)
    if removed_imports:
        cleaned.expired_runs = ImportRun.objects.filter(
            status=ImportRun.Status.PREVIEWED, stored_path__in=removed_imports
        ).update(
            status=ImportRun.Status.FAILED,
            message=_("上传的文件已超过保存期限被清理，数据未改变，请重新导入"),
        )

    removed_exports = []
    for path in _old_files(os.path.join(media, "exports"), cutoff):
        if _remove(path, cleaned):
            cleaned.exports += 1
            removed_exports.append(path)
    if removed_exports:
        ExportRecord.objects.filter(stored_path__in=removed_exports).update(stored_path="")
    return cleaned
