# Xianfeng (先锋). `make demo` starts a working demo; `make test` runs everything CI runs.
#
#   make demo          venv + assets + migrate + demo district + accounts table + runserver
#                      (SQLite; needs only python3 and npm; PORT=8000 by default)
#   make serve         production: check --deploy, migrate, collectstatic, gunicorn on
#                      127.0.0.1:$(PORT) behind nginx (needs DJANGO_SECRET_KEY; README 部署)
#   make test          system-deps + venv + assets, then lint, check, pytest on SQLite and on
#                      PostgreSQL (PYTEST_ARGS="-k zone -x" passes arguments to pytest)
#   make test-sqlite   pytest on SQLite only
#   make test-pg       pytest on the project's own PostgreSQL 15 (scripts/pg.sh) and Redis
#                      (scripts/redis.sh), both always stopped after
#   make lint          ruff check + ruff format --check + lint-imports (layers contract)
#   make check         manage.py check + makemigrations --check + messages-check
#   make messages      update the gettext catalog (xianfeng/locale/zh_Hans) from the code
#   make messages-check  fail when the code has strings the committed catalog lacks
#   make venv          .venv with the project installed editable, with its dev extras
#   make assets        htmx, ECharts and Leaflet from npm (package-lock.json) into xianfeng/static/vendor
#   make migrate       apply migrations to DATABASE_URL (default: SQLite db.sqlite3)
#   make system-deps   Debian packages for the tests: chromium, fonts-noto-cjk, postgresql-15, redis,
#                      gettext

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
PORT ?= 8000
PGPORT ?= 54329
PYTEST_ARGS ?=
# The suite runs on both cores (pytest-xdist). "load" hands out tests in pytest-django's order,
# so each worker still runs the transactional tests (which empty the tables) after the others.
# XDIST= runs it in one process.
XDIST ?= $(if $(findstring no:xdist,$(PYTEST_ARGS)),,-n 2 --dist load)

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENV_STAMP := $(VENV)/.installed
VENDOR := xianfeng/static/vendor
VENDOR_FILES := $(VENDOR)/htmx.min.js $(VENDOR)/echarts.min.js $(VENDOR)/leaflet/leaflet.js \
	$(VENDOR)/leaflet/leaflet.css
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3
PG_URL := postgres://xianfeng:xianfeng@127.0.0.1:$(PGPORT)/xianfeng

export PGPORT

.PHONY: help venv assets system-deps migrate demo serve lint check messages messages-check test \
	test-sqlite test-pg

help:
	@sed -n '2,21s/^# \{0,1\}//p' Makefile

# --- environment -------------------------------------------------------------------------

venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

assets: $(VENDOR_FILES)

$(VENDOR_FILES) &: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the front-end assets (Debian: apt-get install npm)" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	@mkdir -p $(VENDOR)/leaflet/images
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/*.png $(VENDOR)/leaflet/images/
	@touch $(VENDOR_FILES)

system-deps:
	scripts/system-deps.sh

# --- running -----------------------------------------------------------------------------

migrate: venv
	$(PY) manage.py migrate --noinput

demo: export DJANGO_DEBUG = 1
demo: venv assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_district --scale district
	$(PY) manage.py demo_accounts
	$(PY) manage.py recover_jobs
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

PROD_STAMP := $(VENV)/.installed-prod

$(PROD_STAMP): pyproject.toml | $(VENV_STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[prod]"
	@touch $@

# Production (not DJANGO_DEBUG): refuses a missing or development DJANGO_SECRET_KEY or personal-data
# keys (XIANFENG_FIELD_KEYS, XIANFENG_INDEX_KEY). gunicorn's
# on_starting hook (deploy/gunicorn.conf.py) fails the jobs of the server that ran before.
serve: $(PROD_STAMP) assets
	$(PY) manage.py check --deploy
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	XIANFENG_BIND=127.0.0.1:$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py xianfeng.wsgi

# --- checks ------------------------------------------------------------------------------

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check: venv
	DATABASE_URL=$(SQLITE_URL) $(PY) manage.py check
	DATABASE_URL=$(SQLITE_URL) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory messages-check

# The catalog is checked, not compiled: msgstr equals msgid (the sources are Chinese), so the
# app needs no .mo at runtime (scripts/messages.py says more). Both need GNU gettext.
messages: venv
	DATABASE_URL=$(SQLITE_URL) $(PY) scripts/messages.py update

messages-check: venv
	DATABASE_URL=$(SQLITE_URL) $(PY) scripts/messages.py check

test-sqlite: venv assets
	DATABASE_URL=$(SQLITE_URL) $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The cluster and Redis (the Celery broker the Celery-path test uses) are stopped whatever
# pytest answers; pytest's exit code is kept.
test-pg: venv assets
	trap 'scripts/pg.sh stop; scripts/redis.sh stop' EXIT; \
	scripts/pg.sh start; \
	scripts/redis.sh start; \
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test: system-deps venv assets
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

# --- benchmark ---------------------------------------------------------------------------

# make bench: demo district on the project's PostgreSQL, then p50/p95 of the scoped lists
# through gunicorn (bench/README.md). BENCH_ARGS="--quick" for a smoke check. The cluster is
# stopped whatever the script answers; its exit code is kept.
.PHONY: bench
bench: venv
	trap 'scripts/pg.sh stop' EXIT; \
	scripts/pg.sh start; \
	$(PY) bench/foundation.py $(BENCH_ARGS)

# make bench-ceiling: every scoped list beside a bare view with the same authentication, under
# one mixed load of 8 clients through the production server (bench/ceiling.py).
.PHONY: bench-ceiling
bench-ceiling: venv
	trap 'scripts/pg.sh stop' EXIT; \
	scripts/pg.sh start; \
	$(PY) bench/ceiling.py $(BENCH_ARGS)

# make bench-safety: 100,000 buildings and 1,000,000 hazards in their own database, then the
# open-and-overdue list of a street, the district's colour counts and a community's map data
# (bench/safety.py). The cluster is stopped whatever the script answers.
.PHONY: bench-safety
bench-safety: venv
	trap 'scripts/pg.sh stop' EXIT; \
	scripts/pg.sh start; \
	$(PY) bench/safety.py $(BENCH_ARGS)
