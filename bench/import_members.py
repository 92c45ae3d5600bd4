"""Import benchmark: 100,000 party members from one .xlsx into PostgreSQL.

    .venv/bin/python bench/import_members.py                # 100,000 rows (and 10,000 to compare)
    .venv/bin/python bench/import_members.py --rows 20000   # one size only

On the project's PostgreSQL cluster (``scripts/pg.sh start``; 127.0.0.1, ``PGPORT`` or 54329) it
drops and creates the database ``xf_exchange_bench``, migrates it and builds the ``small`` demo
district (for its organization codes). It writes the file with openpyxl in write-only mode
(members spread over the district's grid branches, ID numbers as text, a third of the dates as
Excel serial numbers), then, in a fresh child process per size: reads the file alone with the
streaming reader (the ceiling: nothing done with the cells), previews it (the same run rolled
back), imports it with the same code as ``manage.py import members FILE`` as the superuser (rows
streamed, checked in batches of 1,000, written with COPY beside their history rows inside one
transaction), and imports it again (every row unchanged). The child reports each wall time,
rows per second against the reading alone, and its peak resident memory
(``VmHWM``; the process that reads a large sheet for the import is not in it, but the same
reading done in-process for the ceiling is). Memory is measured per process, so the sizes
show whether it grows with the file; ``--rows 10000 100000 1000000`` adds a million (the
limits of production are lifted for the bench's own child processes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.get("PGPORT", "54329")
DB = "xf_exchange_bench"
URL = f"postgres://xianfeng:xianfeng@127.0.0.1:{PORT}/{DB}"


def _django() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(reuse: bool = False) -> int:
    """The database, migrated, with the small demo district; the first row number to write
    (``reuse``: a database kept from an earlier run, its members left there, so the new file's
    ID numbers start past them and every row is still created)."""
    if reuse:
        try:
            _django()
            from django.core.management import call_command

            from xianfeng.people.models import Person

            call_command("migrate", verbosity=0)
            if not Person.objects.exists():
                from xianfeng.demo.district import build_demo_district

                build_demo_district("small")
            from xianfeng.people.models import PartyMember

            # past every row an earlier run wrote (each wrote one member per row number)
            return 1_000_000 + PartyMember.objects.count()
        except Exception as exc:  # any failure: build it afresh
            print(f"{DB}: not reusable ({exc}); building it", file=sys.stderr)
    import psycopg

    with psycopg.connect(
        f"postgresql://xianfeng:xianfeng@127.0.0.1:{PORT}/postgres", autocommit=True
    ) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xianfeng.demo.district import build_demo_district

    build_demo_district("small")
    return 0


def write_file(rows: int, path: str, offset: int = 0) -> None:
    from openpyxl import Workbook

    from xianfeng.core.validators import id_check_digit
    from xianfeng.orgs.models import Organization

    branches = list(Organization.objects.filter(kind="grid_branch").values_list("code", flat=True))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("党员")
    sheet.append(
        ["姓名", "身份证号", "所在党组织代码", "手机号", "党员类型", "党员类别", "入党日期"]
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
    for i in range(offset, offset + rows):
        first17 = f"530102{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
        # distinct numbers: fold the high part of i into the area code
        first17 = f"{530102 + i // 1000 % 900000:06d}{first17[6:]}"
        number = first17 + id_check_digit(first17)
        joined = 40000 + i % 3000 if i % 3 == 0 else f"{1990 + i % 30}年{1 + i % 12}月1日"
        sheet.append(
            [
                surnames[i % 20] + given[(i // 20) % 20] + given[(i // 400) % 20],
                number,
                branches[i % len(branches)],
                f"139{i:08d}",
                "社区党员",
                "正式党员",
                joined,
            ]
        )
    book.save(path)


def _peak_rss_kb() -> int:
    """This process's peak resident memory. Not ``getrusage``: on Linux its ``ru_maxrss``
    survives ``execve`` and so counted the parent (which built the demo district and wrote the
    file) in the child's figure; ``VmHWM`` belongs to the new image."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str, rows: int, profile: bool = False) -> None:
    _django()
    from xianfeng.core.models import User
    from xianfeng.exchange import xlsx
    from xianfeng.exchange.importers import run_import

    user = User.objects.get(username="admin")
    # The ceiling: reading the same file alone, cell by cell, with nothing done with the cells.
    started = time.monotonic()
    read = sum(1 for _ in xlsx.iter_rows(path)) - 1
    reading = time.monotonic() - started
    started, cpu = time.monotonic(), time.process_time()
    if profile:  # where the preview's time goes, on stderr
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        preview = profiler.runcall(
            run_import, kind="members", path=path, filename=path, user=user, dry_run=True
        )
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    else:
        preview = run_import(kind="members", path=path, filename=path, user=user, dry_run=True)
    previewing, preview_cpu = time.monotonic() - started, time.process_time() - cpu
    started, cpu = time.monotonic(), time.process_time()
    outcome = run_import(kind="members", path=path, filename=path, user=user, dry_run=False)
    first, first_cpu = time.monotonic() - started, time.process_time() - cpu
    started = time.monotonic()
    again = run_import(kind="members", path=path, filename=path, user=user, dry_run=False)
    second = time.monotonic() - started
    peak_kb = _peak_rss_kb()
    print(
        json.dumps(
            {
                "rows": rows,
                "read_rows": read,
                "read_seconds": round(reading, 2),
                "read_rows_per_second": round(read / reading),
                "preview_seconds": round(previewing, 1),
                # this process's CPU (both threads), not PostgreSQL's: less moved by the load
                "preview_cpu_seconds": round(preview_cpu, 1),
                "preview_created": preview.created,
                "created": outcome.created,
                "rejected": outcome.rejected,
                "seconds": round(first, 1),
                "cpu_seconds": round(first_cpu, 1),
                "rows_per_second": round(outcome.total / first),
                "reimport_unchanged": again.unchanged,
                "reimport_seconds": round(second, 1),
                "peak_rss_mb": round(peak_kb / 1024),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--child", nargs=2)
    parser.add_argument("--reuse-db", action="store_true", help="keep xf_exchange_bench")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile of each preview (slower), on stderr"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args.profile)
        return
    offset = prepare(args.reuse_db)
    results = []
    # A million rows passes the production limits (500,000 rows, 200 MB inflated): the bench
    # lifts them for its own child processes only.
    env = {
        **os.environ,
        "XIANFENG_IMPORT_MAX_ROWS": str(max(args.rows) + 100),
        "XIANFENG_IMPORT_MAX_INFLATED_BYTES": str(2 * 1024**3),
        "XIANFENG_IMPORT_MAX_BYTES": str(1024**3),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            path = os.path.join(tmp, f"members-{rows}.xlsx")
            started = time.monotonic()
            write_file(rows, path, offset)
            offset += rows
            written = time.monotonic() - started
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    path,
                    str(rows),
                    *(["--profile"] if args.profile else []),
                ],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
            if args.profile:
                print(done.stderr, file=sys.stderr)
            out = done.stdout
            result = json.loads(out.strip().splitlines()[-1])
            result["file_mb"] = round(os.path.getsize(path) / 1024 / 1024, 1)
            result["write_seconds"] = round(written, 1)
            results.append(result)
            print(json.dumps(result), flush=True)
    print()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f"; load average {os.getloadavg()[0]:.1f} at the end"
    )
    print()
    print(
        "| rows | file | read alone (ceiling) | preview | import | rows/s | of the ceiling "
        "| re-import (unchanged) | peak RSS |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['file_mb']} MB "
            f"| {r['read_seconds']} s ({r['read_rows_per_second']:,} rows/s) "
            f"| {r['preview_seconds']} s | {r['seconds']} s | {r['rows_per_second']:,} "
            f"| {100 * r['rows_per_second'] // r['read_rows_per_second']} % "
            f"| {r['reimport_seconds']} s ({r['reimport_unchanged']:,}) | {r['peak_rss_mb']} MB |"
        )
    for r in results:
        if r["rows"] == 100_000:
            print()
            print(
                f"goal (100,000 rows): import >= 10,000 rows/s: "
                f"{'yes' if r['rows_per_second'] >= 10_000 else 'no'} ({r['rows_per_second']:,}); "
                f"preview < 10 s: {'yes' if r['preview_seconds'] < 10 else 'no'} "
                f"({r['preview_seconds']} s)"
            )


if __name__ == "__main__":
    main()
