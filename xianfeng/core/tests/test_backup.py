"""Backup and restore (``manage.py backup`` / ``restore``, ``xianfeng.core.backup``): the demo
district backed up and restored loses nothing, on SQLite and on PostgreSQL.

* into a fresh, empty SQLite file database in another process (restore migrates it first):
  from the PostgreSQL pass this also proves the archive is database-agnostic;
* in place, over a database that has since changed (``--force``), every table's row count
  and checksum back to what they were, the uploaded files too;
* a database holding other data is refused without ``--force``; a tampered archive is
  refused and changes nothing.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xianfeng.core.backup import backed_up_models, table_state
from xianfeng.core.models import User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def states() -> dict[str, tuple[int, str]]:
    return {m._meta.label_lower: table_state(m) for m in backed_up_models()}


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    (root / "photos" / "2026").mkdir(parents=True)
    (root / "photos" / "2026" / "visit.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)))
    (root / "exports").mkdir()
    (root / "exports" / "名单.xlsx").write_bytes(b"PK\x03\x04 workbook")
    settings.MEDIA_ROOT = str(root)
    return root


def test_backup_restores_into_a_fresh_database_with_nothing_lost(personas, media, tmp_path):
    before = states()
    assert before["core.user"][0] > 0
    archive = tmp_path / "demo.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    manifest = manifest_of(archive)
    assert {label: (t["rows"], t["sha256"]) for label, t in manifest["tables"].items()} == before
    assert sum(t["rows"] for t in manifest["tables"].values()) > 1000
    assert set(manifest["media"]) == {"photos/2026/visit.jpg", "exports/名单.xlsx"}

    fresh = tmp_path / "fresh.sqlite3"
    restored_media = tmp_path / "restored-media"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{fresh}",
        "XIANFENG_MEDIA_DIR": str(restored_media),
        "DJANGO_DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "无数据丢失" in result.stdout

    # Counted again here, straight from the file, beside the restore's own checksum check.
    with sqlite3.connect(fresh) as db:
        for label, entry in manifest["tables"].items():
            (count,) = db.execute(f'SELECT COUNT(*) FROM "{entry["table"]}"').fetchone()
            assert count == entry["rows"] == before[label][0], label
    for name in manifest["media"]:
        assert (restored_media / name).read_bytes() == (media / name).read_bytes()
    # ID numbers and phones stay encrypted: the archive holds the tokens, and the restored file
    # holds the very same tokens.
    from xianfeng.people.models import Person

    person = Person.objects.exclude(id_number=None).exclude(mobile="").order_by("pk").first()
    with tarfile.open(archive, "r:gz") as tar:
        people = tar.extractfile("tables/people.person.jsonl").read().decode()
    assert person.id_number not in people and person.mobile not in people
    with sqlite3.connect(fresh) as db:
        (token,) = db.execute(
            "SELECT id_number FROM people_person WHERE id = ?", [person.pk]
        ).fetchone()
    assert token.startswith("gAAAAA") and token in people


def test_restore_in_place_brings_every_table_and_file_back(personas, media, tmp_path):
    before = states()
    archive = tmp_path / "demo.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())

    User.objects.filter(username="shequ").update(first_name="改过")
    history = next(
        m
        for m in backed_up_models()
        if m._meta.model_name.startswith("historical") and m._base_manager.exists()
    )
    history._base_manager.filter(pk=history._base_manager.order_by("pk")[0].pk).delete()
    (media / "photos" / "2026" / "visit.jpg").write_bytes(b"changed")
    (media / "exports" / "名单.xlsx").unlink()
    assert states() != before

    with pytest.raises(CommandError, match="数据库不是空的") as refused:
        call_command("restore", str(archive), no_migrate=True, stdout=io.StringIO())
    assert "core.user" in str(refused.value)
    assert User.objects.get(username="shequ").first_name == "改过"

    out = io.StringIO()
    call_command("restore", str(archive), no_migrate=True, force=True, stdout=out)
    assert "无数据丢失" in out.getvalue()
    assert states() == before
    assert User.objects.get(username="shequ").first_name != "改过"
    assert (media / "photos" / "2026" / "visit.jpg").read_bytes().startswith(b"\xff\xd8\xff")
    assert (media / "exports" / "名单.xlsx").read_bytes() == b"PK\x03\x04 workbook"


def test_a_tampered_archive_is_refused_and_changes_nothing(personas, media, tmp_path):
    archive = tmp_path / "demo.tar.gz"
    call_command("backup", str(archive), no_media=True, stdout=io.StringIO())
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    users = unpacked / "tables" / "core.user.jsonl"
    text = users.read_text(encoding="utf-8")
    assert '"shequ"' in text
    users.write_text(text.replace('"shequ"', '"shequ-x"'), encoding="utf-8")  # one name changed
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        for child in sorted(unpacked.iterdir()):
            tar.add(child, arcname=child.name)

    before = states()
    with pytest.raises(CommandError, match=r"校验失败：表 core\.user"):
        call_command("restore", str(tampered), no_migrate=True, force=True, stdout=io.StringIO())
    assert states() == before

    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "none.tar.gz"), no_migrate=True)
