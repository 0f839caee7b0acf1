#!/usr/bin/env bash
# The signals sink's store side (docs/hot-index.md "Signals push"): the
# batch source over a real SQLite file and a real PostgreSQL server (started
# here, tests/hotsym/pg.sh). What "Signals" received (every batch body,
# deduplicated by batch id) must add up, per symbol, to the hot index's
# counts: after crashes without ack, double acks, capped batches, a kill -9
# inside the acknowledgement, two nodes pushing one PostgreSQL index while
# a writer feeds it; plus callgraph map holding and reload, dead batches,
# deterministic bodies and the migration of a schema-3 index.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/hotsym/pg.sh"
cd "$T" || exit 1
[ -n "${KEEP:-}" ] && trap - EXIT
trap 'pg_stop; [ -n "${feeder:-}" ] && kill $feeder 2>/dev/null' EXIT
FEED=$RTI_BUILD/tests/hotsym-feed
SC=$RTI_BUILD/tests/signals-check
SUMS="$PY $RTI_ROOT/tests/delivery/signals_sums.py"

$PY "$RTI_ROOT/tests/hotsym/gen.py" 1 20000 in1.jsonl
$PY "$RTI_ROOT/tests/hotsym/gen.py" 2 20000 in2.jsonl

# exact URL NAME [sums options] DIR...: Signals' sums = the index's counts
exact() {
  local url=$1 name=$2; shift 2
  "$RTI" hot export --hot-index "$url" --format signals-ndjson -o "exp.$name" &&
    $SUMS --export "exp.$name" "$@" >"sums.$name" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || sed 's/^/#   /' "sums.$name"
  return $rc
}
# same_dir A B: the same files with the same bytes
same_dir() { diff -r "$1" "$2" >/dev/null; }
first_id() { sed -n 's/^batch \([^ ]*\) .*/\1/p' "$1" | head -1; }
applied_once() { ! grep -h ' applied$' "$@" | sort | uniq -d | grep -q .; }
store_sql() {
  case $1 in
    sqlite:*) sqlite3 "${1#sqlite:}" "$2" ;;
    *) pg_sql "$2" "$(echo "$1" | sed 's|^postgresql:///\([^?]*\).*|\1|')" ;;
  esac
}

# suite URL NAME: the checks every store must pass
suite() {
  local url=$1 n=$2
  "$FEED" --hot-index "$url" --node w1 in1.jsonl 2>/dev/null
  # a crash before the acknowledgement: the same batch again, same bytes
  mkdir -p $n.c1 $n.c2 $n.d1 $n.d2 $n.d3 $n.d4 $n.k1 $n.k2
  "$SC" --hot-index "$url" --node n1 --out $n.c1 --crash >$n.c1.log 2>&1
  "$SC" --hot-index "$url" --node n1 --out $n.c2 --crash >$n.c2.log 2>&1
  check "$n: a batch frozen before its first attempt" test -n "$(first_id $n.c1.log)"
  check "$n: closed without ack, reopened: the same batch id" \
    test "$(first_id $n.c1.log)" = "$(first_id $n.c2.log)"
  check "$n: ... and the same bytes" same_dir $n.c1 $n.c2
  # drain, acknowledging every batch twice: counted once
  "$SC" --hot-index "$url" --node n1 --out $n.d1 --ack-twice >$n.d1.log 2>&1
  check "$n: drained the 3 batches (3 image scopes; 2 host scopes skipped), acked twice: applied once" \
    grep -q "frozen 0 acked 3 before 3 dead 0 held 0 hosts 2 errors 0" $n.d1.log
  check "$n: the batch of the crash was the first one sent after it" \
    test "$(first_id $n.c1.log)" = "$(first_id $n.d1.log)"
  check "$n: Signals' sums (dedup by Idempotency-Key) = the index's counts" \
    exact "$url" $n.1 $n.c1 $n.d1
  check "$n: nothing left outstanding" \
    test "$(store_sql "$url" "SELECT count(*) FROM hot_signals_batches")" = 0
  # growth, pushed in capped batches (7 symbols each): several per scope
  "$FEED" --hot-index "$url" --node w2 in1.jsonl 2>/dev/null
  "$FEED" --hot-index "$url" --node w2 in2.jsonl 2>/dev/null
  "$SC" --hot-index "$url" --node n1 --out $n.d2 --max-lines 7 >$n.d2.log 2>&1
  check "$n: capped batches: several per scope ($(grep -c '^batch' $n.d2.log))" \
    test "$(grep -c '^batch' $n.d2.log)" -gt 6
  check "$n: hitCount = growth since the last acknowledged push: exact" \
    exact "$url" $n.2 $n.c1 $n.d1 $n.d2
  # require_callgraph: unmapped images held until the map names them
  "$FEED" --hot-index "$url" --node w3 --no-resume in1.jsonl 2>/dev/null
  "$FEED" --hot-index "$url" --node w3 --no-resume in2.jsonl 2>/dev/null
  local imgs
  imgs=$(store_sql "$url" "SELECT scope FROM hot_scopes WHERE scope LIKE 'image:%' ORDER BY scope")
  echo "$imgs" | head -1 | sed 's/^image:\(.*\)/\1: cg-first/' >map1.yaml
  echo "$imgs" | sed 's/^image:\(.*\)/\1: "cg \&+\/?x"/' >map2.yaml
  "$SC" --hot-index "$url" --node n1 --out $n.d3 --map map1.yaml --require \
    --reload map2.yaml >$n.d3.log 2>&1
  local nimg; nimg=$(echo "$imgs" | wc -l)
  check "$n: require_callgraph: $((nimg - 1)) image scopes held" \
    grep -q "held $((nimg - 1)) " $n.d3.log
  check "$n: map reloaded: none held" eval "sed -n '/^reloaded/,\$p' $n.d3.log | grep -q 'held 0 '"
  check "$n: the callgraph id is URL-encoded in the path" \
    grep -q 'callgraphId=cg%20%26%2B%2F%3Fx&imageDigest=sha256:' $n.d3/*.path
  check "$n: held, then pushed: exact" exact "$url" $n.3 --map map1.yaml --map map2.yaml $n.c1 $n.d1 $n.d2 --mapped $n.d3
  # kill -9 inside the acknowledgement's transaction: not acknowledged
  "$FEED" --hot-index "$url" --node w4 --no-resume in1.jsonl 2>/dev/null
  rm -f stalled
  "$SC" --hot-index "$url" --node n1 --out $n.k1 --stall-in-settle "$T/stalled" >$n.k1.log 2>&1 &
  local pid=$!
  check "$n: hanging inside an acknowledgement" wait_for 60 test -e stalled
  kill -9 $pid; wait $pid 2>/dev/null
  "$SC" --hot-index "$url" --node n1 --out $n.k2 >$n.k2.log 2>&1
  check "$n: kill -9 in the ack: the same batch is offered again" \
    test "$(first_id $n.k1.log)" = "$(first_id $n.k2.log)"
  check "$n: ... and applied once: exact" exact "$url" $n.4 $n.c1 $n.d1 $n.d2 $n.d3 $n.k1 $n.k2
}

# the bodies depend on the index content only: a fresh index, same input
determinism() {
  local url=$1 n=$2
  mkdir -p $n.det
  "$FEED" --hot-index "$url" --node w1 in1.jsonl 2>/dev/null
  "$SC" --hot-index "$url" --node n1 --out $n.det >/dev/null 2>&1
  same_dir $n.det sq.d1
}

# dead: a refused batch is kept aside, its counts count as pushed, delivery goes on
dead() {
  local url=$1 n=$2
  mkdir -p $n.x1 $n.x2
  "$FEED" --hot-index "$url" --node w1 in1.jsonl 2>/dev/null
  "$SC" --hot-index "$url" --node n1 --out $n.x1 --dead-status 400 >$n.x1.log 2>&1
  check "$n: refused batches are dead (3)" grep -q " dead 3 " $n.x1.log
  check "$n: ... kept in the store with their status and bytes" test \
    "$(store_sql "$url" "SELECT count(*) || ' ' || min(dead_status) FROM hot_signals_batches WHERE state = 1 AND length(body) > 0")" = "3 400"
  "$SC" --hot-index "$url" --node n1 --out $n.x2 >$n.x2.log 2>&1
  check "$n: delivery goes on: nothing re-sent" grep -q "frozen 0 acked 0" $n.x2.log
  check "$n: dead counts are accounted as pushed" test \
    "$(store_sql "$url" "SELECT sum(hit_count) FROM hot_signals_pushed")" = \
    "$(store_sql "$url" "SELECT sum(h.hit_count) FROM hot_symbols h JOIN hot_scopes s ON s.id = h.scope_id WHERE s.scope LIKE 'image:%'")"
}

# an index of schema 3 made by the program before this change: migrated in place
migrate() {
  local url=$1 n=$2
  mkdir -p $n.m
  "$RTI" hot export --hot-index "$url" --format signals-ndjson -o $n.before
  local x0
  x0=$(store_sql "$url" "SELECT count(*) || ' ' || sum(length(frames)) FROM hot_exemplars")
  "$SC" --hot-index "$url" --node n1 --out $n.m >$n.m.log 2>&1
  check "$n: a schema-3 index opens and migrates to 5" \
    test "$(store_sql "$url" "SELECT value FROM hot_meta WHERE key = 'schema_version'")" = 5
  check "$n: ... its counts unchanged" \
    eval '"$RTI" hot export --hot-index "$url" --format signals-ndjson | cmp -s - $n.before'
  check "$n: ... its exemplars kept (v5 moved them to a rowid table in SQLite): $x0" \
    test "$(store_sql "$url" "SELECT count(*) || ' ' || sum(length(frames)) FROM hot_exemplars")" = "$x0"
  check "$n: ... and pushed exactly" exact "$url" $n.m $n.m
}

# SQLite
suite "sqlite:$T/hot.db" sq
check "sqlite: same index content, same batch ids and bodies" determinism "sqlite:$T/det.db" sq2
dead "sqlite:$T/dead.db" sqx
sqlite3 "$T/v3.db" <"$RTI_ROOT/tests/fixtures/hot-v3.sqlite.sql"
migrate "sqlite:$T/v3.db" sqm

# PostgreSQL
check "a PostgreSQL server of our own" pg_start || { done_testing; exit 1; }
suite "$(pg_db main)" pg
check "postgres: the same bodies as SQLite for the same index content" \
  determinism "$(pg_db det)" pg2
dead "$(pg_db dead)" pgx
url=$(pg_db v3)
_pg_as "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d v3 -XAtq -v ON_ERROR_STOP=1 \
  <"$RTI_ROOT/tests/fixtures/hot-v3.pg.sql" >/dev/null
migrate "$url" pgm

# fleet: two nodes push one index while a writer feeds it
url=$(pg_db fleet)
"$FEED" --hot-index "$url" --node w1 in1.jsonl 2>/dev/null
"$FEED" --hot-index "$url" --node w2 --flush-every 500 in2.jsonl 2>/dev/null &
feeder=$!
i=0
while kill -0 $feeder 2>/dev/null || [ $i -lt 3 ]; do
  i=$((i + 1)); mkdir -p fl.a$i fl.b$i
  "$SC" --hot-index "$url" --node node-a --out fl.a$i --max-lines 5 >fl.a$i.log 2>&1 &
  a=$!
  "$SC" --hot-index "$url" --node node-b --out fl.b$i --max-lines 5 >fl.b$i.log 2>&1
  wait $a
done
wait $feeder; feeder=
mkdir -p fl.z
"$SC" --hot-index "$url" --node node-a --out fl.z >fl.z.log 2>&1
check "fleet: both nodes pushed batches ($(cat fl.a*.log | grep -c ' applied$') + $(cat fl.b*.log | grep -c ' applied$'))" \
  eval 'grep -q " applied$" fl.a*.log && grep -q " applied$" fl.b*.log'
check "fleet: no batch applied twice" applied_once fl.*.log
check "fleet: no error" eval '! grep -hq "errors [1-9]" fl.*.log'
check "fleet: Signals' sums = the index's counts, over $i rounds" exact "$url" fl fl.*/

# a node that claimed a batch and died: the others wait for its lease
url=$(pg_db lease)
"$FEED" --hot-index "$url" --node w1 in1.jsonl 2>/dev/null
mkdir -p ls.a ls.b ls.c ls.d
"$SC" --hot-index "$url" --node node-a --out ls.a --crash >ls.a.log 2>&1
"$SC" --hot-index "$url" --node node-b --out ls.b >ls.b.log 2>&1
check "lease: another node does not take a batch claimed by a live node" \
  eval '! grep -q "^batch $(first_id ls.a.log) " ls.b.log'
"$SC" --hot-index "$url" --node node-c --out ls.c --crash --lease-ms 1 >ls.c.log 2>&1
"$FEED" --hot-index "$url" --node w1 --no-resume in1.jsonl 2>/dev/null
"$SC" --hot-index "$url" --node node-c --out ls.c --crash --lease-ms 1 >ls.c.log 2>&1
"$SC" --hot-index "$url" --node node-d --out ls.d >ls.d.log 2>&1
check "lease: ... and takes it over once the lease ran out" \
  grep -q "^batch $(first_id ls.c.log) " ls.d.log
"$SC" --hot-index "$url" --node node-a --out ls.a >ls.a2.log 2>&1
check "lease: the claimer, restarted, sends its batch" grep -q "^batch $(first_id ls.a.log) " ls.a2.log
# (its scope's growth since that batch waits for the next interval: a new process)
"$SC" --hot-index "$url" --node node-a --out ls.a >ls.a3.log 2>&1
check "lease: exact" exact "$url" ls ls.a ls.b ls.c ls.d
done_testing
