#!/usr/bin/env bash
# The events sink against a real HTTP receiver (tests/delivery/receiver.py,
# which checks every header of spec agent.md §5, gunzips and parses each
# batch): events arrive, then the receiver answers 503 for a while, 429
# with Retry-After, 500, stalls past the timeout, closes mid-request and
# answers 400; after each phase the set of event ids received equals the
# set the agent wrote (its event file), the 400's batch is in spool/dead/
# and counted; the token file is re-read when it changes; /healthz stays
# 200 while the backend is down; promtool accepts /metrics.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
. "$RTI_ROOT/tests/delivery/delivery-lib.sh"
cd "$T"

echo "token-one" >token
start_receiver rcv --token-file "$T/token" --tenant acme || { done_testing; exit; }
KEPT=0
for i in 1 2 3 4 5 6 7 8; do gen "g$i" 300 $(( i * 1000 )); KEPT=$(( KEPT + GEN_KEPT )); done
serve g1
mkdir -p etc
cat >etc/config.yaml <<Y
node: node-d
tetragon:
  address: unix://$T/rp.sock
  policies: [$RTI_ROOT/tests/fixtures/policies.yaml]
  backoff_initial: 100ms
  backoff_max: 300ms
output:
  path: $T/events.ndjson
metrics:
  listen: 127.0.0.1:0
delivery:
  spool: {dir: $T/spool}
  http:
    token_file: $T/token
    tenant: acme
    timeout: 1s
    backoff_initial: 50ms
    backoff_max: 500ms
  events:
    url: http://127.0.0.1:$RCV_PORT/ingest
    batch_max_bytes: 32KiB
    batch_timeout: 200ms
Y
start_agent agent etc/config.yaml || { done_testing; exit; }
want=0
# phase: wait until the event file has N more lines, then compare the sets
phase_done() { # NAME N
  want=$(( want + $2 ))
  if ! wait_for 120 has_lines events.ndjson "$want"; then not_ok "$1: the agent wrote $want events"; return; fi
  ids events.ndjson >want.ids
  if wait_for 120 same_ids want.ids; then ok "$1: ids received = ids written ($want)"
  else not_ok "$1: ids received = ids written ($want)"; show_ids_diff want.ids; fi
}
phase_done "a healthy receiver" "$(lines g1.conv)"
check "every batch had the headers of the contract (token, tenant, gzip, NDJSON, key = SHA-256)" no_violations
check "batches were cut at batch_max_bytes (several)" test "$(wc -l <rcv/batches.txt)" -ge 5

# down for a while: 503 answered, events stay spooled, liveness unaffected
answer 503
serve g2
check "503: the receiver refused several attempts" wait_for 60 answered 503 3
check "503: events wait in the spool" wait_for 30 metric_ge stella_rti_spool_bytes 1
check "503: /healthz stays 200 while the backend is down" code_is /healthz 200
check "503: /readyz does not depend on the backend" code_is /readyz 200
check "503: counted as retries" metric_ge 'stella_rti_delivery_retries_total{sink="events"}' 3
answer ok
phase_done "503 then back" "$(lines g2.conv)"

# 429 with Retry-After: 2 s before the next attempt, never sooner
answer once 429 2
serve g3
phase_done "429 with Retry-After" "$(lines g3.conv)"
check "429: the next request came after Retry-After (2 s)" $PY - rcv/requests.txt <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
i = next(i for i, r in enumerate(rows) if r[1] == '429')
assert i + 1 < len(rows) and float(rows[i + 1][0]) - float(rows[i][0]) >= 1.95, rows[i:i + 2]
PY

answer once 500
serve g4
phase_done "500 once" "$(lines g4.conv)"
check "500: answered and retried" answered 500 1

# stalled past delivery.http.timeout: the client gives up and retries the same batch
answer once stall 3
serve g5
phase_done "a receiver that stalls past the timeout" "$(lines g5.conv)"
check "stall: a transport error counted" metric_ge 'stella_rti_delivery_requests_total{sink="events",code="error"}' 1
resent() { [ "$(cut -d' ' -f1 rcv/batches.txt | sort | uniq -d | wc -l)" -ge 1 ]; }
check "stall: the stalled batch and its retry both arrived, same key" wait_for 30 resent
check "stall: a key always came with the same bytes" $PY - rcv/batches.txt <<'PY'
import sys, collections
seen = collections.defaultdict(set)
for l in open(sys.argv[1]):
    k, d = l.split()[:2]
    seen[k].add(d)
assert all(len(v) == 1 for v in seen.values()), 'a key with two bodies'
PY

# the connection closed mid-request
answer once close
serve g6
phase_done "a connection closed mid-request" "$(lines g6.conv)"
check "close: the request was cut" grep -q ' close ' rcv/requests.txt

# a 400: dead letter, counted, and delivery goes on
answer once 400
serve g7
want=$(( want + $(lines g7.conv) ))
check "400: the agent wrote g7" wait_for 120 has_lines events.ndjson "$want"
check "400: one dead batch counted" wait_for 60 metric_is 'stella_rti_delivery_dead_total{sink="events"}' 1
check "400: the batch is kept in spool/dead/ with its status" bash -c "ls spool/dead/events-*.ndjson >/dev/null && grep -qx 'status 400' spool/dead/events-*.txt"
ids events.ndjson >want.ids
cat spool/dead/events-*.ndjson | ids /dev/stdin >dead.ids
comm -23 want.ids dead.ids >want-live.ids
check "400: the dead batch holds events ($(wc -l <dead.ids))" test "$(wc -l <dead.ids)" -gt 0
check "400: every other event delivered" wait_for 120 same_ids want-live.ids
check "400: logged once, with its status" bash -c "grep 'refused by the receiver' agent.log | grep -c 'status=\"400 ' | grep -qx 1"

# the token is re-read when its file changes
echo "token-two" >token.new && mv token.new token
serve g8
want=$(( want + $(lines g8.conv) ))
check "token: the agent wrote g8" wait_for 120 has_lines events.ndjson "$want"
ids events.ndjson | comm -23 - dead.ids >want-live.ids
check "token: delivered with the new token" wait_for 120 same_ids want-live.ids
check "every request had the headers of the contract" no_violations
[ -s rcv/errors.txt ] && sed 's/^/#   /' rcv/errors.txt | head -5

check "metrics: records delivered = ids received" wait_for 30 metric_is 'stella_rti_delivery_records_total{sink="events"}' "$(received_ids | wc -l)"
check "metrics: nothing dropped" metric_is 'stella_rti_delivery_dropped_total' 0
check "metrics: latency observed" metric_ge 'stella_rti_delivery_latency_seconds_count{sink="events"}' 10
check "metrics: spool drained" wait_for 30 metric_is stella_rti_spool_oldest_age_seconds 0.000
http /metrics >page.txt
promtool check metrics <page.txt >promtool.out 2>&1
check "promtool check metrics: no problem" test $? -eq 0 -a ! -s promtool.out
[ -s promtool.out ] && sed 's/^/#   /' promtool.out
check "the token never appears in the log" bash -c "! grep -q token-one agent.log && ! grep -q token-two agent.log"
# the receiver's signals path (for the signals sink's tests): hitCount
# summed per symbolId, a batch counted once per Idempotency-Key
printf '{"symbolId":"s1","hitCount":3}\n{"symbolId":"s2","hitCount":1}\n' | gzip -n >sig.gz
post_signals() { # KEY
  curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @sig.gz -H "Idempotency-Key: $1" \
    -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' -H 'User-Agent: stella-rti/test' \
    -H 'Authorization: Bearer token-two' -H 'X-Stella-Tenant: acme' \
    "http://127.0.0.1:$RCV_PORT/signals/runtime-facts/ndjson?callgraphId=cg1&imageDigest=sha256:00&source=stella-rti"
}
post_signals k1 >/dev/null; post_signals k1 >/dev/null; post_signals k2 >/dev/null
check "receiver: signals summed per symbol, once per key" \
  $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d == {"sha256:00 s1": 6, "sha256:00 s2": 2}, d' rcv/signals.json
kill -INT "$AGENT_PID"
wait "$AGENT_PID"
check "SIGINT: exit 0" test $? -eq 0
check "the summary has the delivery figures" grep -qE 'msg=stopped .*delivered=[0-9]+ delivery_dropped=0 dead_batches=1' agent.log
done_testing
