"""Keep the gettext catalog xianfeng/locale/zh_Hans/LC_MESSAGES/django.po in step with the code.

    python scripts/messages.py update   rewrite the catalog from the code (`make messages`)
    python scripts/messages.py check    fail, listing them, when the code has msgids the
                                        committed catalog lacks (`make messages-check`, run by
                                        `make check` and so by `make test`)

Both run Django's makemessages for zh_Hans over xianfeng/ (Python and templates, domain
"django"; there is no JavaScript of our own with strings, so no "djangojs"), leaving out
migrations, tests and vendored assets. `check` writes into a temporary copy of the catalog and
never touches the committed one.

The source strings are Chinese and the only language is zh-hans, so every msgstr equals its
msgid (msgen fills them in). gettext returns the msgid when no translation is found, so the
app needs no compiled .mo file at runtime and none is built or committed; the catalog is
there so that every user-facing string is known and extractable for a later language.

makemessages needs GNU gettext (xgettext, msguniq, msgmerge, msgattrib, msgen): the Debian
package "gettext", which scripts/system-deps.sh installs.
"""

import ast
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans"
DOMAIN = "django"
CATALOG = ROOT / "xianfeng" / "locale" / LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgen")
# Directory names (at any depth) and paths makemessages does not read.
IGNORE = [
    "locale",  # else makemessages would write into the committed catalog found there
    "node_modules",
    "migrations",
    "tests",
    "vendor",
    "staticfiles",
    "media",
    "artifacts",
    "bench",
    "scripts",
    "build",
    "*.egg-info",
    "conftest.py",
    "manage.py",
]


def fail(message: str) -> None:
    print(f"messages: {message}", file=sys.stderr)
    sys.exit(1)


def require_gettext() -> None:
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        fail(
            "GNU gettext is missing ("
            + ", ".join(missing)
            + " not found on PATH); install the Debian package 'gettext' "
            "(scripts/system-deps.sh does, as root: apt-get install gettext)"
        )


def makemessages(locale_dir: Path) -> None:
    """Run makemessages from the repository root with the catalog written under locale_dir."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xianfeng.settings")
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command
    from django.core.management.commands import makemessages as base

    class Command(base.Command):
        # A new msgid must not inherit a neighbour's msgstr as a "fuzzy" guess.
        msgmerge_options = [*base.Command.msgmerge_options, "--no-fuzzy-matching"]

    settings.LOCALE_PATHS = [str(locale_dir)]
    os.chdir(ROOT)  # the root has no locale/ of its own, so locale_dir is the only target
    call_command(
        Command(),
        locale=[LOCALE],
        domain=DOMAIN,
        extensions=["html", "txt", "py"],
        ignore_patterns=IGNORE,
        add_location="file",
        no_obsolete=True,
        verbosity=0,
    )
    po = locale_dir / LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    # msgstr = msgid for every entry not yet translated (the sources are Chinese already).
    subprocess.run(["msgen", "--no-wrap", "-o", str(po), str(po)], check=True)
    # No creation date in the header: the catalog changes only when a string does.
    text = po.read_text(encoding="utf-8")
    po.write_text(
        "".join(
            line
            for line in text.splitlines(keepends=True)
            if not line.startswith('"POT-Creation-Date:')
        ),
        encoding="utf-8",
    )


def msgids(po: Path) -> set[tuple[str, str]]:
    """(msgctxt, msgid) of every live entry of a .po file; the header is left out."""
    found: set[tuple[str, str]] = set()
    parts: dict[str, str] = {}
    field = None

    def flush() -> None:
        if parts.get("msgid"):
            found.add((parts.get("msgctxt", ""), parts["msgid"]))
        parts.clear()

    for raw in po.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # comments, and obsolete "#~" entries
            continue
        if line.startswith('"'):
            parts[field] = parts.get(field, "") + ast.literal_eval(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in {"msgctxt", "msgid"} and field == "msgstr":
            flush()
        field = "msgstr" if keyword.startswith("msgstr") else keyword
        parts[field] = parts.get(field, "") + ast.literal_eval(rest)
    flush()
    return found


def update() -> None:
    require_gettext()
    CATALOG.parent.mkdir(parents=True, exist_ok=True)
    makemessages(CATALOG.parents[2])
    print(f"messages: {CATALOG.relative_to(ROOT)} has {len(msgids(CATALOG))} msgids")


def check() -> None:
    require_gettext()
    if not CATALOG.exists():
        fail(f"{CATALOG.relative_to(ROOT)} is missing; run `make messages`")
    committed = msgids(CATALOG)
    with tempfile.TemporaryDirectory(prefix="xianfeng-messages-") as tmp:
        locale_dir = Path(tmp) / "locale"
        copy = locale_dir / LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
        copy.parent.mkdir(parents=True)
        shutil.copyfile(CATALOG, copy)
        makemessages(locale_dir)
        current = msgids(copy)
    missing = sorted(current - committed, key=lambda key: (key[1], key[0]))
    stale = committed - current
    if stale:
        print(f"messages: {len(stale)} msgids of the catalog are no longer used (`make messages`)")
    if missing:
        listing = "\n".join(
            f"  {msgid!r}" + (f" (context {ctx!r})" if ctx else "") for ctx, msgid in missing
        )
        fail(
            f"{len(missing)} msgids in the code are missing from "
            f"{CATALOG.relative_to(ROOT)}; run `make messages` and commit it:\n{listing}"
        )
    print(f"messages: catalog complete ({len(current)} msgids)")


if __name__ == "__main__":
    actions = {"update": update, "check": check}
    if len(sys.argv) != 2 or sys.argv[1] not in actions:
        fail("usage: python scripts/messages.py update|check")
    actions[sys.argv[1]]()
