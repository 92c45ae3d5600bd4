#!/usr/bin/env bash
# A throwaway Redis of the project's own, the Celery broker for the test suite.
#
#   scripts/redis.sh start    start it (daemonized); a no-op when it already runs
#   scripts/redis.sh stop     stop it and wait; a no-op when it is not running
#   scripts/redis.sh status   exit 0 when it runs, 3 when it does not
#
# Debian's redis-server (`make system-deps`), listening on 127.0.0.1 only, port 63799
# (XIANFENG_REDIS_PORT overrides), no persistence, its pid file, log and data in .redis/ at the
# repository root (gitignored). Runs the same as root or not. Use it with
# CELERY_BROKER_URL=redis://127.0.0.1:63799/0.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PORT=${XIANFENG_REDIS_PORT:-63799}
DIR=${XIANFENG_REDIS_DIR:-$ROOT/.redis}
PIDFILE="$DIR/redis.pid"
SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
CLI=${REDIS_CLI:-$(command -v redis-cli || echo /usr/bin/redis-cli)}

die() {
  echo "redis.sh: $*" >&2
  exit 1
}

is_running() {
  "$CLI" -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG
}

start() {
  [ -x "$SERVER" ] || die "redis-server not found: run 'make system-deps' (Debian package redis-server)"
  if is_running; then
    echo "redis.sh: already running on 127.0.0.1:$PORT"
    return 0
  fi
  mkdir -p "$DIR"
  "$SERVER" --bind 127.0.0.1 --port "$PORT" --daemonize yes --dir "$DIR" \
    --pidfile "$PIDFILE" --logfile "$DIR/redis.log" --save "" --appendonly no \
    --protected-mode yes
  for _ in $(seq 1 50); do
    if is_running; then
      echo "redis.sh: started on 127.0.0.1:$PORT ($DIR)"
      return 0
    fi
    sleep 0.1
  done
  die "did not start; see $DIR/redis.log"
}

stop() {
  if ! is_running; then
    echo "redis.sh: not running"
    return 0
  fi
  "$CLI" -h 127.0.0.1 -p "$PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do
    is_running || { echo "redis.sh: stopped"; return 0; }
    sleep 0.1
  done
  die "did not stop"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if is_running; then
      echo "redis.sh: running on 127.0.0.1:$PORT"
    else
      echo "redis.sh: not running"
      exit 3
    fi
    ;;
  *) die "usage: scripts/redis.sh start|stop|status" ;;
esac
