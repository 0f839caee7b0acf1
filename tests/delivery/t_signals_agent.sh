#!/usr/bin/env bash
# The signals sink in the agent (issue #14 item 1, spec agent.md §5): the
# hot index's growth pushed to a real HTTP receiver (receiver.py, which
# sums hitCount per image and symbol once per Idempotency-Key, as Signals
# does). Each phase ends with Signals' totals = the hot index's counts:
# events flowing; Signals down (503) while more events arrive, then back;
# the agent killed with SIGKILL at seeded random moments and restarted;
# require_callgraph holding unmapped images (stella_rti_delivery_held_scopes)
# until a callgraph_map reload names them, their callgraphId in the path.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
. "$RTI_ROOT/tests/delivery/delivery-lib.sh"
cd "$T"
RANDOM=1207

start_receiver sig || { done_testing; exit; }
for i in 1 2 3 4; do gen "s$i" 300 $(( i * 1000 )); done
serve s1
mkdir -p etc
conf() { # REQUIRE [MAP]
  cat >etc/config.yaml <<Y
node: node-s
tetragon:
  address: unix://$T/rp.sock
  policies: [$RTI_ROOT/tests/fixtures/policies.yaml]
  backoff_initial: 100ms
  backoff_max: 300ms
hot_index:
  url: sqlite:$T/hot.db
  flush_interval: 1s
metrics:
  listen: 127.0.0.1:0
delivery:
  spool: {dir: $T/spool}
  http: {timeout: 2s, backoff_initial: 50ms, backoff_max: 500ms}
  signals:
    url: http://127.0.0.1:$RCV_PORT
    interval: 1s
    require_callgraph: $1
${2:+    callgraph_map: $2}
Y
}
# equal [ARGS]: Signals' totals = the index's counts right now
equal() {
  "$RTI" hot export --hot-index "sqlite:$T/hot.db" --format signals-ndjson >export.ndjson 2>/dev/null &&
    $PY "$RTI_ROOT/tests/delivery/signals_equal.py" "$RCV_DIR/signals.json" export.ndjson --quiet "$@"
}
show() { $PY "$RTI_ROOT/tests/delivery/signals_equal.py" "$RCV_DIR/signals.json" export.ndjson "$@"; }

conf false
start_agent a1 etc/config.yaml || { done_testing; exit; }
check "events flowing: Signals' totals = the index's counts" wait_for 120 equal || show
check "the requests carry imageDigest and source=stella-rti" \
  grep -q '/signals/runtime-facts/ndjson?imageDigest=sha256:[0-9a-f]*&source=stella-rti' "$RCV_DIR/requests.txt"
check "the receiver found every header as the contract says" no_violations
[ -s "$RCV_DIR/errors.txt" ] && sed 's/^/#   /' "$RCV_DIR/errors.txt" | head -5

# Signals down while more events arrive, then back
answer 503
serve s2
check "Signals down: requests answered 503" wait_for 60 answered 503 2
check "/healthz stays 200 while Signals is down" code_is /healthz 200
answer ok
check "Signals back: totals = counts again" wait_for 120 equal || show
check "retries counted" metric_ge 'stella_rti_delivery_retries_total{sink="signals"}' 1

# SIGKILL at random moments while the index grows, restart each time
itotal() {
  "$RTI" hot export --hot-index "sqlite:$T/hot.db" --format signals-ndjson 2>/dev/null |
    $PY -c 'import json,sys; print(sum(json.loads(l)["hitCount"] for l in sys.stdin if "image:sha256:" in l))'
}
grown() { [ "$(itotal)" -gt "$1" ]; }
for k in 1 2 3 4; do
  before=$(itotal)
  serve s3 # a new stream: the agent gets the file's events again
  wait_for 60 grown "$before" || echo "# phase $k: the index did not grow"
  sleep "0.$(( RANDOM % 9 + 1 ))"
  kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
  start_agent "k$k" etc/config.yaml || break
done
stop_pid "$RP_PID"; RP_PID= # no more events
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null # its last counts committed
start_agent k5 etc/config.yaml # Tetragon gone: only the signals sender has work
check "after 4 SIGKILLs and restarts: totals = counts (no batch counted twice)" wait_for 120 equal || show
check "several batches pushed ($(grep -c ' 200 ' "$RCV_DIR/requests.txt"))" \
  test "$(grep -c ' 200 ' "$RCV_DIR/requests.txt")" -ge 3
check "a batch re-sent carries the same key and the same bytes" $PY - "$RCV_DIR/batches.txt" <<'PY'
import sys
seen = {}
for l in open(sys.argv[1]):
    key, digest = l.split()[:2]
    assert seen.setdefault(key, digest) == digest, key
assert all(k.startswith('node-s/sha256:') for k in seen), list(seen)[:3]
PY

# require_callgraph: unmapped images are held until a reload maps them
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
rm -rf hot.db hot.db-wal hot.db-shm spool
start_receiver sig2 || { done_testing; exit; }
: >cg.yaml
conf true "$T/cg.yaml"
serve s4
start_agent r1 etc/config.yaml || { done_testing; exit; }
check "require_callgraph: unmapped images held" wait_for 60 metric_ge stella_rti_delivery_held_scopes 1
"$RTI" hot export --hot-index "sqlite:$T/hot.db" --format signals-ndjson >export.ndjson
$PY -c 'import json,sys,re
ds=set()
for l in open(sys.argv[1]):
    m=re.match(r"^image:(sha256:[0-9a-f]{64})$", json.loads(l)["metadata"]["scope"])
    if m: ds.add(m.group(1))
print("\n".join(sorted(ds)))' export.ndjson >digests
check "the workload has images ($(wc -l <digests))" test -s digests
check "held: nothing pushed" test ! -s "$RCV_DIR/requests.txt"
awk '{ printf "%s: cg-%d\n", $1, NR }' digests >cg.yaml
kill -HUP "$AGENT_PID"
check "reload with a map naming every image" wait_for 30 metric_is 'stella_rti_config_reloads_total{result="success"}' 1
check "nothing held any more" wait_for 60 metric_is stella_rti_delivery_held_scopes 0
check "mapped images pushed: totals = counts" wait_for 120 equal --only digests || show --only digests
check "the path carries the mapped callgraphId" grep -q 'callgraphId=cg-1&imageDigest=' "$RCV_DIR/requests.txt"
printf 'sha256:zz: broken\n' >cg.yaml
kill -HUP "$AGENT_PID"
check "a broken map fails the reload (the running map is kept)" \
  wait_for 30 metric_is 'stella_rti_config_reloads_total{result="failure"}' 1
check "the failure names the map's position" grep -q 'delivery.signals.callgraph_map.*cg.yaml:1:' r1.log
kill -TERM "$AGENT_PID"; wait "$AGENT_PID"
check "SIGTERM: exit 0" test $? -eq 0
done_testing
