# A throwaway PostgreSQL server for tests and benchmarks (sourced):
# initdb and pg_ctl from Debian's postgresql package, in a fresh temporary
# directory, listening on a unix socket only; no system service is used.
# PostgreSQL refuses to run as root, so as root it runs as `postgres`.
#
#   pg_start [fsync]   sets PG_URL (database "hot"); fsync: keep fsync on
#   pg_stop            stops the server and removes the directory
# Callers: trap pg_stop EXIT, so that a failing test cleans up too.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PG_DIR=
PG_URL=
_pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

pg_start() {
  local fsync=off
  [ "${1:-}" = fsync ] && fsync=on
  [ -x "$PG_BIN/initdb" ] || { echo "# no PostgreSQL server binaries (Debian package postgresql)"; return 1; }
  PG_DIR=$(mktemp -d /tmp/rti-pg.XXXXXX) || return 1
  chmod 755 "$PG_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
  _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C -N \
    >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" | sed 's/^/# /'; return 1; }
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c fsync=$fsync -c max_connections=30" \
    start >/dev/null || { sed 's/^/# /' "$PG_DIR/server.log"; return 1; }
  _pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres hot || return 1
  PG_URL="postgresql:///hot?host=$PG_DIR&user=postgres"
}

pg_stop() {
  [ -n "$PG_DIR" ] || return 0
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$PG_DIR"
  PG_DIR=
}

# psql: pg_sql "SELECT ..." [DATABASE]
pg_sql() { _pg_as "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d "${2:-hot}" -XAtq -c "$1"; }

# pg_db NAME: a new database on the server; prints its URL
pg_db() {
  _pg_as "$PG_BIN/createdb" -h "$PG_DIR" -U postgres "$1" || return 1
  echo "postgresql:///$1?host=$PG_DIR&user=postgres"
}
