# Sourced by scripts/test: installs (Debian packages, only when missing), starts and stops
# the real servers the side-effect tests need, on 127.0.0.1 and non-default ports, in a
# temporary folder this script owns:
#
#   PostgreSQL  port 55432  CROSSCHECK_TEST_POSTGRES_URL=postgres://crosscheck@127.0.0.1:55432/crosscheck
#   Redis       port 56379  CROSSCHECK_TEST_BROKER_URL=redis://127.0.0.1:56379/
#
# Set CROSSCHECK_TEST_POSTGRES_URL / CROSSCHECK_TEST_BROKER_URL yourself to use servers you
# already run; then nothing is installed or started. Safe to run twice: a server left behind
# by an interrupted run is stopped first.

CROSSCHECK_PG_PORT="${CROSSCHECK_PG_PORT:-55432}"
CROSSCHECK_REDIS_PORT="${CROSSCHECK_REDIS_PORT:-56379}"
CROSSCHECK_SERVERS_DIR="${TMPDIR:-/tmp}/crosscheck-test-servers"

crosscheck_apt_install() {
  # $@: Debian packages to install when a command is missing.
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $* is needed by the tests and apt-get is not available; install it, or set" \
      "CROSSCHECK_TEST_POSTGRES_URL and CROSSCHECK_TEST_BROKER_URL to servers you run" >&2
    exit 3
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "== installing $* (Debian packages)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

crosscheck_pg_bin() {
  # The folder holding initdb and pg_ctl (Debian keeps them out of PATH).
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && echo "$d"
}

crosscheck_as_pg() {
  # Runs a command as the postgres user when we are root (initdb refuses root).
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

crosscheck_stop_servers() {
  local bin
  bin=$(crosscheck_pg_bin || true)
  if [ -n "$bin" ] && [ -f "$CROSSCHECK_SERVERS_DIR/pg/postmaster.pid" ]; then
    crosscheck_as_pg "'$bin/pg_ctl' -D '$CROSSCHECK_SERVERS_DIR/pg' -m fast -w stop" >/dev/null 2>&1 || true
  fi
  if [ -f "$CROSSCHECK_SERVERS_DIR/redis.pid" ]; then
    local pid
    pid=$(cat "$CROSSCHECK_SERVERS_DIR/redis.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$CROSSCHECK_SERVERS_DIR/redis.pid"
  fi
}

crosscheck_start_postgres() {
  local bin
  bin=$(crosscheck_pg_bin || true)
  if [ -z "$bin" ]; then
    crosscheck_apt_install postgresql
    bin=$(crosscheck_pg_bin)
  fi
  local data="$CROSSCHECK_SERVERS_DIR/pg"
  rm -rf "$data"
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres "$CROSSCHECK_SERVERS_DIR/pg"; chmod 755 "$CROSSCHECK_SERVERS_DIR"; fi
  crosscheck_as_pg "'$bin/initdb' -D '$data' -U crosscheck --auth=trust -E UTF8 --no-sync" >"$CROSSCHECK_SERVERS_DIR/initdb.log" 2>&1 || {
    echo "error: initdb failed; see $CROSSCHECK_SERVERS_DIR/initdb.log" >&2; cat "$CROSSCHECK_SERVERS_DIR/initdb.log" >&2; exit 3; }
  crosscheck_as_pg "'$bin/pg_ctl' -D '$data' -l '$data/server.log' -w -t 30 -o \"-p $CROSSCHECK_PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start" >/dev/null || {
    echo "error: PostgreSQL did not start on 127.0.0.1:$CROSSCHECK_PG_PORT; its log:" >&2; cat "$data/server.log" >&2; exit 3; }
  crosscheck_as_pg "psql -h 127.0.0.1 -p $CROSSCHECK_PG_PORT -U crosscheck -d postgres -qc 'CREATE DATABASE crosscheck'" >/dev/null
  export CROSSCHECK_TEST_POSTGRES_URL="postgres://crosscheck@127.0.0.1:$CROSSCHECK_PG_PORT/crosscheck"
}

crosscheck_start_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    crosscheck_apt_install redis-server
  fi
  mkdir -p "$CROSSCHECK_SERVERS_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$CROSSCHECK_REDIS_PORT" --daemonize yes \
    --pidfile "$CROSSCHECK_SERVERS_DIR/redis.pid" --dir "$CROSSCHECK_SERVERS_DIR/redis" \
    --save "" --appendonly no --logfile "$CROSSCHECK_SERVERS_DIR/redis.log" >/dev/null
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$CROSSCHECK_REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
      export CROSSCHECK_TEST_BROKER_URL="redis://127.0.0.1:$CROSSCHECK_REDIS_PORT/"
      return
    fi
    sleep 0.1
  done
  echo "error: Redis did not start on 127.0.0.1:$CROSSCHECK_REDIS_PORT; its log:" >&2
  cat "$CROSSCHECK_SERVERS_DIR/redis.log" >&2 || true
  exit 3
}

crosscheck_servers_up() {
  if [ -n "${CROSSCHECK_TEST_POSTGRES_URL:-}" ] && [ -n "${CROSSCHECK_TEST_BROKER_URL:-}" ]; then
    return
  fi
  mkdir -p "$CROSSCHECK_SERVERS_DIR"
  crosscheck_stop_servers
  trap crosscheck_stop_servers EXIT
  [ -n "${CROSSCHECK_TEST_POSTGRES_URL:-}" ] || crosscheck_start_postgres
  [ -n "${CROSSCHECK_TEST_BROKER_URL:-}" ] || crosscheck_start_redis
  echo "== servers: PostgreSQL $CROSSCHECK_TEST_POSTGRES_URL, Redis $CROSSCHECK_TEST_BROKER_URL" >&2
}
