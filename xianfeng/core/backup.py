"""Backup and restore of the whole database and the uploaded files, on SQLite and PostgreSQL.

One ``.tar.gz`` archive holds

* ``manifest.json``: the format, when and from which database engine it was made, the applied
  migrations, and for every table its model, row count and a SHA-256 checksum of its rows;
  for every file under ``MEDIA_ROOT`` its size and SHA-256;
* ``tables/<app_label>.<model>.jsonl``: one table per file, a header line with the column
  names, then one JSON array per row in primary-key order;
* ``media/...``: the files under ``MEDIA_ROOT`` (photos, imports, exports).

The dump is database-agnostic: every concrete model that Django knows (``django.apps``, the
many-to-many tables, contenttypes, permissions, sessions and the history tables included) is
read through the ORM and written with its primary keys, so a SQLite backup restores into
PostgreSQL and back. Values keep their full precision (datetimes their microseconds, which
``dumpdata``'s JSON drops).

The checksum of a table is the SHA-256 of its rows in canonical JSON (sorted keys, one line
each, primary-key order), computed in the same way from the restored database, so a restore
proves that it lost nothing. Nothing here imports a domain app.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import ExpressionWrapper, F
from django.utils import timezone
from django.utils.duration import duration_string
from django.utils.translation import gettext as _

FORMAT = "xianfeng-backup/1"
BATCH = 1000
# Rebuilt by ``migrate`` in every database; a restore replaces them with the archive's rows
# (their ids are what the other tables point to), so rows there are not "data" to protect.
REBUILT_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


def rebuilt_by_migrate() -> set[str]:
    """Tables a fresh ``migrate`` fills by itself, which a restore may overwrite without asking:
    Django's own, and those an app names in its ``AppConfig.seeded_by_migrations`` (the safety
    app's default checklists, stamped with the time they were created, so never the backup's
    rows byte for byte)."""
    labels = set(REBUILT_BY_MIGRATE)
    for config in apps.get_app_configs():
        labels.update(getattr(config, "seeded_by_migrations", ()))
    return labels


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


def backed_up_models() -> list[type[models.Model]]:
    """Every table Django manages, in a stable order (by label)."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.local_concrete_fields)


def _encode(value):
    """A JSON value for one field value; ``_decode`` (through the field) turns it back."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)  # e.g. a FieldFile's name


def _decode(f: models.Field, value):
    if value is None or isinstance(f, models.JSONField):
        return value
    return f.to_python(value)


def _raw(f: models.Field) -> bool:
    """An encrypted column is copied as the database holds it (the token), so a backup holds
    no ID number or phone in clear and restores byte for byte."""
    return getattr(f, "stores_ciphertext", False)


def _rows(model: type[models.Model], using: str) -> Iterator[list]:
    columns = [
        ExpressionWrapper(F(f.attname), output_field=models.TextField()) if _raw(f) else f.attname
        for f in _columns(model)
    ]
    queryset = model._base_manager.using(using).order_by("pk").values_list(*columns)
    for row in queryset.iterator(chunk_size=BATCH):
        yield [_encode(v) for v in row]


def _line(row: list) -> bytes:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def table_state(model: type[models.Model], using: str = "default") -> tuple[int, str]:
    """(row count, SHA-256 of the rows) of one table as the database holds it now."""
    digest, count = hashlib.sha256(), 0
    for row in _rows(model, using):
        digest.update(_line(row) + b"\n")
        count += 1
    return count, digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path.relative_to(root).as_posix(), path


def _applied_migrations(using: str) -> list[str]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


@dataclass
class Summary:
    tables: int = 0
    rows: int = 0
    files: int = 0
    bytes: int = 0
    notes: list[str] = field(default_factory=list)


def backup(archive: Path, *, using: str = "default", media: bool = True) -> Summary:
    """Write the database and (unless ``media`` is false) MEDIA_ROOT into ``archive``."""
    archive = Path(archive)
    summary = Summary()
    manifest: dict = {
        "format": FORMAT,
        "created": timezone.now().isoformat(),
        "engine": connections[using].vendor,
        "migrations": _applied_migrations(using),
        "tables": {},
        "media": {},
    }
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix=".backup-") as tmp:
        tables_dir = Path(tmp) / "tables"
        tables_dir.mkdir()
        # One repeatable-read snapshot on PostgreSQL, so the tables agree with each other.
        outermost = not connections[using].in_atomic_block
        with transaction.atomic(using=using):
            if outermost and connections[using].vendor == "postgresql":
                with connections[using].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for model in backed_up_models():
                label = model._meta.label_lower
                digest, count = hashlib.sha256(), 0
                with (tables_dir / f"{label}.jsonl").open("wb") as fh:
                    fh.write(_line([f.attname for f in _columns(model)]) + b"\n")
                    for row in _rows(model, using):
                        line = _line(row) + b"\n"
                        fh.write(line)
                        digest.update(line)
                        count += 1
                manifest["tables"][label] = {
                    "table": model._meta.db_table,
                    "rows": count,
                    "sha256": digest.hexdigest(),
                }
                summary.tables += 1
                summary.rows += count
        if media:
            root = Path(settings.MEDIA_ROOT)
            for name, path in _media_files(root):
                size = path.stat().st_size
                manifest["media"][name] = {"size": size, "sha256": _file_sha256(path)}
                summary.files += 1
                summary.bytes += size
        (Path(tmp) / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
        )
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(tmp) / "manifest.json", arcname="manifest.json")
            tar.add(tables_dir, arcname="tables")
            if media:
                root = Path(settings.MEDIA_ROOT)
                for name in manifest["media"]:
                    tar.add(root / name, arcname=f"media/{name}", recursive=False)
        os.replace(partial, archive)
    return summary


def _read_archive(archive: Path, into: Path) -> dict:
    if not archive.is_file():
        raise BackupError(_("找不到备份文件：%(path)s") % {"path": archive})
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
        raise BackupError(
            _("备份文件已损坏或不是本系统的备份：%(error)s") % {"error": exc}
        ) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("不认识的备份格式：%(format)s") % {"format": manifest.get("format")})
    return manifest


def _check_schema(manifest: dict, using: str) -> None:
    here = set(_applied_migrations(using))
    there = set(manifest["migrations"])
    if here == there:
        return
    missing = sorted(there - here)
    extra = sorted(here - there)
    detail = "；".join(
        part
        for part in (
            _("本库缺少迁移 %(names)s") % {"names": "、".join(missing[:5])} if missing else "",
            _("本库多出迁移 %(names)s") % {"names": "、".join(extra[:5])} if extra else "",
        )
        if part
    )
    raise BackupError(
        _("备份与本库的数据库结构不一致（%(detail)s）：请用与备份时相同版本的程序恢复。")
        % {"detail": detail}
    )


def _data_that_would_be_lost(manifest: dict, by_label: dict, using: str) -> list[str]:
    """Tables of this database holding rows that the archive does not hold identically."""
    lost = []
    rebuilt = rebuilt_by_migrate()
    for label, model in by_label.items():
        if label in rebuilt:
            continue
        count, sha = table_state(model, using)
        entry = manifest["tables"].get(label)
        if count and not (entry and entry["sha256"] == sha):
            lost.append(f"{label}（{count} 行）")
    return lost


def restore(
    archive: Path, *, using: str = "default", force: bool = False, media: bool = True
) -> Summary:
    """Load ``archive`` into the (migrated) database ``using`` and verify it.

    Refuses a database holding data the archive lacks unless ``force``; everything is loaded
    in one transaction, the foreign keys checked and every table's row count and checksum
    compared with the manifest before it commits, so a restore that fails changes nothing.
    """
    archive = Path(archive)
    summary = Summary()
    connection = connections[using]
    with tempfile.TemporaryDirectory(prefix=".restore-") as tmp:
        manifest = _read_archive(archive, Path(tmp))
        _check_schema(manifest, using)
        by_label = {m._meta.label_lower: m for m in backed_up_models()}
        unknown = sorted(set(manifest["tables"]) - set(by_label))
        if unknown:
            raise BackupError(
                _("备份里有本程序不认识的表：%(tables)s") % {"tables": "、".join(unknown[:5])}
            )
        if not force:
            lost = _data_that_would_be_lost(manifest, by_label, using)
            if lost:
                raise BackupError(
                    _(
                        "数据库不是空的，恢复会覆盖现有数据：%(tables)s 等。"
                        "请恢复到新建的空数据库，或确认后加 --force。"
                    )
                    % {"tables": "、".join(lost[:5])}
                )
        root = Path(settings.MEDIA_ROOT)
        if media and not force:
            clashes = [
                name
                for name, entry in manifest["media"].items()
                if (root / name).is_file() and _file_sha256(root / name) != entry["sha256"]
            ]
            if clashes:
                raise BackupError(
                    _(
                        "上传文件目录里已有同名而内容不同的文件：%(files)s 等。"
                        "确认覆盖请加 --force。"
                    )
                    % {"files": "、".join(clashes[:5])}
                )

        with transaction.atomic(using=using):
            tables = [m._meta.db_table for m in by_label.values()]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # TRUNCATE refuses tables with deferred checks still pending in this
                    # transaction; run them now (the loaded rows are checked below).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                    cursor.execute(sql)
            for label in manifest["tables"]:
                model = by_label[label]
                summary.rows += _load_table(model, Path(tmp) / "tables" / f"{label}.jsonl", using)
                summary.tables += 1
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(by_label.values())):
                    cursor.execute(sql)
            try:
                connection.check_constraints()
            except IntegrityError as exc:
                raise BackupError(
                    _("校验失败：恢复后的数据引用不一致（%(error)s），已撤销本次恢复。")
                    % {"error": exc}
                ) from exc
            for label, entry in manifest["tables"].items():
                count, sha = table_state(by_label[label], using)
                if (count, sha) != (entry["rows"], entry["sha256"]):
                    raise BackupError(
                        _(
                            "校验失败：表 %(table)s 恢复后 %(count)s 行，备份记录 %(expected)s 行"
                            "（或内容校验和不符），已撤销本次恢复。"
                        )
                        % {"table": label, "count": count, "expected": entry["rows"]}
                    )

        if media:
            for name, entry in manifest["media"].items():
                source = Path(tmp) / "media" / name
                if not source.is_file() or _file_sha256(source) != entry["sha256"]:
                    raise BackupError(
                        _("校验失败：上传文件 %(name)s 在备份里缺失或已损坏。") % {"name": name}
                    )
                target = root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                summary.files += 1
                summary.bytes += entry["size"]
    return summary


def _load_table(model: type[models.Model], path: Path, using: str) -> int:
    connection = connections[using]
    by_attname = {f.attname: f for f in _columns(model)}
    with path.open("rb") as fh:
        header = json.loads(fh.readline())
        missing = set(header) ^ set(by_attname)
        if missing:
            raise BackupError(
                _("表 %(table)s 的列与备份不一致：%(columns)s")
                % {"table": model._meta.label_lower, "columns": "、".join(sorted(missing))}
            )
        fields = [by_attname[name] for name in header]
        qn = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        count, batch = 0, []
        with connection.cursor() as cursor:
            for raw in fh:
                row = json.loads(raw)
                batch.append(
                    [
                        v if _raw(f) else f.get_db_prep_save(_decode(f, v), connection)
                        for f, v in zip(fields, row, strict=True)
                    ]
                )
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count
