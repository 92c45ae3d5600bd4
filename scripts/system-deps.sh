#!/usr/bin/env bash
# Install, from Debian packages, the system tools the test suite needs, and only those missing:
#   chromium        headless browser tests (Playwright drives /usr/bin/chromium; no downloads)
#   fonts-noto-cjk  Chinese glyphs in screenshots and PDFs
#   postgresql-15   the PostgreSQL half of the test run (scripts/pg.sh)
#   redis-server    the Celery broker in production-like runs
#   gettext         makemessages (xgettext, msgmerge, msgen) for `make messages-check`
# `make demo` needs none of these.
set -euo pipefail

missing=()
have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }

{ command -v chromium >/dev/null 2>&1 && have_pkg chromium; } || missing+=(chromium)
have_pkg fonts-noto-cjk || missing+=(fonts-noto-cjk)
{ [ -x /usr/lib/postgresql/15/bin/postgres ] && have_pkg postgresql-15; } || missing+=(postgresql-15)
{ command -v redis-server >/dev/null 2>&1 && have_pkg redis-server; } || missing+=(redis-server)
{ command -v xgettext >/dev/null 2>&1 && have_pkg gettext; } || missing+=(gettext)
# WeasyPrint's text layout (PDF posters and records).
have_pkg libpango-1.0-0 || missing+=(libpango-1.0-0)
have_pkg libpangoft2-1.0-0 || missing+=(libpangoft2-1.0-0)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system-deps: chromium, fonts-noto-cjk, postgresql-15, redis-server, gettext, pango already installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "system-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  }
  SUDO=(sudo)
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "${missing[@]}"
