#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster of the project's own, for the test suite.
#
#   scripts/pg.sh start    initialise (once) and start it; a no-op when it already runs
#   scripts/pg.sh stop     stop it and wait; a no-op when it is not running
#   scripts/pg.sh status   exit 0 when it runs, 3 when it does not
#
# It listens on 127.0.0.1 only, port 54329 (PGPORT overrides), with its unix socket beside the
# data. Connect with DATABASE_URL=postgres://xianfeng:xianfeng@127.0.0.1:54329/xianfeng.
# Authentication is "trust": this cluster holds nothing but test data and takes no outside
# connections. fsync is off: a crash loses the cluster, which is fine for tests.
#
# The data lives in .pg/ at the repository root (gitignored). initdb and postgres refuse to run
# as root, so as root the binaries run as the "postgres" user; when that user cannot reach the
# repository (a home directory closed to others, say) or the socket path would be too long, the
# cluster lives in /tmp/xianfeng-pg-<uid> instead. XIANFENG_PG_DIR sets the folder outright.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${PGPORT:-54329}
DB_USER=xianfeng
DB_PASSWORD=xianfeng
DB_NAME=xianfeng

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

die() {
  echo "pg.sh: $*" >&2
  exit 1
}

# Run a command as the cluster's owner: the postgres user when we are root, else ourselves.
as_owner() {
  if [ "$IS_ROOT" -eq 1 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

owner_can_use() {
  # Whether the owner can traverse to the folder and the socket path fits (~107 bytes max).
  local dir=$1
  [ "${#dir}" -le 80 ] || return 1
  if [ "$IS_ROOT" -eq 1 ]; then
    runuser -u postgres -- test -x "$(dirname "$dir")" 2>/dev/null
  else
    return 0
  fi
}

pick_dir() {
  if [ -n "${XIANFENG_PG_DIR:-}" ]; then
    echo "$XIANFENG_PG_DIR"
  elif owner_can_use "$ROOT/.pg"; then
    echo "$ROOT/.pg"
  else
    echo "/tmp/xianfeng-pg-$(id -u)"
  fi
}

[ -x "$PGBIN/postgres" ] || die "$PGBIN/postgres not found: run 'make system-deps' (Debian package postgresql-15)"
if [ "$IS_ROOT" -eq 1 ]; then
  getent passwd postgres >/dev/null || die "no 'postgres' user to run the cluster as root"
fi

PGDIR=$(pick_dir)
DATA="$PGDIR/data"
LOG="$PGDIR/postgres.log"

is_running() {
  [ -f "$DATA/PG_VERSION" ] && as_owner "$PGBIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

psql_admin() {
  as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -p "$PORT" -U postgres -d postgres "$@"
}

init_cluster() {
  mkdir -p "$PGDIR"
  if [ "$IS_ROOT" -eq 1 ]; then
    chown -R postgres: "$PGDIR"
  fi
  chmod 700 "$PGDIR"
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "pg.sh: initialising a new cluster in $DATA"
    as_owner "$PGBIN/initdb" -D "$DATA" --username=postgres --encoding=UTF8 --locale=C \
      -A trust >"$PGDIR/initdb.log" 2>&1 || {
      cat "$PGDIR/initdb.log" >&2
      die "initdb failed"
    }
  fi
}

start() {
  if is_running; then
    echo "pg.sh: already running in $DATA (port $PORT)"
    return 0
  fi
  init_cluster
  as_owner "$PGBIN/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -o "-p $PORT -k $PGDIR \
    -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c max_connections=60 -c shared_buffers=64MB" >/dev/null || {
    tail -n 30 "$LOG" >&2 || true
    die "postgres did not start (log: $LOG)"
  }
  psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN CREATEDB SUPERUSER PASSWORD '$DB_PASSWORD';
  END IF;
END
\$\$;
SQL
  if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    psql_admin -c "CREATE DATABASE $DB_NAME OWNER $DB_USER"
  fi
  echo "pg.sh: running in $DATA on 127.0.0.1:$PORT"
}

stop() {
  if ! is_running; then
    echo "pg.sh: not running"
    return 0
  fi
  as_owner "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null
  echo "pg.sh: stopped"
}

status() {
  if is_running; then
    echo "pg.sh: running in $DATA on 127.0.0.1:$PORT"
    return 0
  fi
  echo "pg.sh: not running ($DATA)"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
