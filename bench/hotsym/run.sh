#!/usr/bin/env bash
# The hot symbol index benchmark: in-memory aggregation rate, and the time
# of one flush of 100k distinct symbols to SQLite and to PostgreSQL (a
# throwaway server with fsync on, started and removed here).
#   bench/hotsym/run.sh [BUILD_DIR]     (default build/rel; `make V=rel all` first)
set -u
cd "$(dirname "$0")/../.."
B=${1:-build/rel}
BIN=$B/bench/hotsym-bench
[ -x "$BIN" ] || { echo "no $BIN: run make V=rel all" >&2; exit 1; }
. tests/hotsym/pg.sh
tmp=$(mktemp -d /tmp/rti-hotbench.XXXXXX)
trap 'pg_stop; rm -rf "$tmp"' EXIT
echo "== hot symbol index ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
if pg_start fsync; then
  "$BIN" --sqlite "$tmp/bench.db" --pg "$PG_URL"
else
  echo "(no PostgreSQL server: SQLite only)"
  "$BIN" --sqlite "$tmp/bench.db"
fi
