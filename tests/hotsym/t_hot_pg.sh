#!/usr/bin/env bash
# variants: rel
# The hot symbol index in PostgreSQL (postgres://...), on a throwaway server
# this test starts itself (initdb + pg_ctl, unix socket, temporary
# directory, stopped and removed on exit): 4 writer processes into one
# database, kill -9 in and around flushes, lost acknowledgements, exports
# byte-identical to the SQLite store's.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/hotsym/pg.sh"
. "$RTI_ROOT/tests/hotsym/common.sh"
cd "$T" || exit 1
trap pg_stop EXIT

check "a PostgreSQL server of our own" pg_start || { done_testing; exit 1; }
check "inputs and expected index" hs_inputs
$PY "$HS/expected.py" c4.ndjson >want4.json.one
four=$(pg_db four)
hs_four_writers "$four"
check "the batches of the 4 writers add up to the total" \
  test "$(pg_sql "SELECT count(DISTINCT node) || ' ' || sum(observations) FROM hot_batches" four)" = "4 $(hs_total want4.json)"
hs_kill_in_flush "$(pg_db killed)"
hs_kill_random "$(pg_db random)"
hs_lost_ack "$(pg_db acks)"

# the server drops our connections again and again: reconnect, retry, exact
url=$(pg_db dropped)
( while :; do
    pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'stella-rti' AND datname = 'dropped'" postgres >/dev/null 2>&1
    sleep 0.2
  done ) &
killer=$!
"$FEED" --hot-index "$url" --node dropped --flush-every 2000 in4.jsonl 2>drop1.log
kill $killer; wait $killer 2>/dev/null
"$FEED" --hot-index "$url" --node dropped --flush-every 2000 in4.jsonl 2>drop2.log
check "connections were dropped under the writer" grep -Eq "flush_errors [1-9]|terminat|connection" drop1.log
hs_top "$url" gotd.json
same_file "connections dropped during flushes, rerun: exact totals" gotd.json want4.json.one

# the same content in SQLite, by one writer: the exports depend on neither
for i in 1 2 3 4; do
  "$FEED" --hot-index "sqlite:$T/lite.db" --node solo --flush-every 20000 in$i.jsonl 2>/dev/null
done
hs_exports "$four" pg
hs_exports "sqlite:$T/lite.db" lite
same_file "signals export: PostgreSQL = SQLite, byte for byte" pg.signals.ndjson lite.signals.ndjson
same_file "execution evidence: PostgreSQL = SQLite, byte for byte" pg.evidence.ndjson lite.evidence.ndjson
same_file "hot top: PostgreSQL = SQLite" pg.top.txt lite.top.txt
same_file "exemplar call paths (folded): PostgreSQL = SQLite, byte for byte" pg.folded lite.folded
check "exemplar call paths were kept ($(wc -l <pg.folded) folded stacks)" test -s pg.folded
hs_exports "$four" pg2
same_file "execution evidence: byte-identical across runs" pg2.evidence.ndjson pg.evidence.ndjson

check "bad credentials or server: a clear error, exit 3" \
  eval '"$RTI" hot top --hot-index "postgresql:///nosuchdb?host=$PG_DIR&user=postgres" 2>err >/dev/null; test $? -eq 3 && grep -q "nosuchdb" err'
check "an empty database is not an index" \
  eval '"$RTI" hot top --hot-index "$(pg_db empty)" 2>err >/dev/null; test $? -eq 3 && grep -q "not a hot symbol index" err'
done_testing
