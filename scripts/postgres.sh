# Sourced by scripts/test and scripts/bench: starts a throw-away PostgreSQL server on loopback for
# the tests and sets STEWARD_TEST_POSTGRES_URL. Installs Debian's `postgresql` package when no server
# binaries are found. The server is stopped and its files removed when the calling script exits.

steward_find_pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  fi
}

# `steward_start_postgres durable` keeps PostgreSQL's own fsync on (for benchmarks); without it
# the server skips fsync, since a test server's durability does not matter and its speed does.
steward_start_postgres() {
  local settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${1:-}" = "durable" ] && settings=""
  local bin
  bin=$(steward_find_pg_bin)
  if [ -z "$bin" ]; then
    echo "scripts: installing PostgreSQL (Debian package postgresql)" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
    bin=$(steward_find_pg_bin)
    [ -n "$bin" ] || { echo "scripts: PostgreSQL did not install" >&2; return 1; }
  fi

  STEWARD_PG_DIR=$(mktemp -d /tmp/steward-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" -eq 0 ]; then
    # The server refuses to run as root: run it as the package's `postgres` user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$STEWARD_PG_DIR"
    run=(runuser -u postgres --)
  fi
  "${run[@]}" "$bin/initdb" -D "$STEWARD_PG_DIR/data" -U steward -A trust -E UTF8 --no-locale >"$STEWARD_PG_DIR/initdb.log" 2>&1 \
    || { cat "$STEWARD_PG_DIR/initdb.log" >&2; return 1; }

  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  done
  "${run[@]}" "$bin/pg_ctl" -D "$STEWARD_PG_DIR/data" -l "$STEWARD_PG_DIR/server.log" -w -t 60 \
    -o "-p $port -k $STEWARD_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $settings" \
    start >/dev/null || { cat "$STEWARD_PG_DIR/server.log" >&2; return 1; }
  STEWARD_PG_BIN=$bin
  STEWARD_PG_RUN=("${run[@]}")
  export STEWARD_TEST_POSTGRES_URL="postgres://steward@127.0.0.1:$port/postgres"
  trap steward_stop_postgres EXIT
  echo "scripts: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

steward_stop_postgres() {
  if [ -n "${STEWARD_PG_DIR:-}" ] && [ -d "$STEWARD_PG_DIR/data" ]; then
    "${STEWARD_PG_RUN[@]}" "$STEWARD_PG_BIN/pg_ctl" -D "$STEWARD_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$STEWARD_PG_DIR"
  fi
}
