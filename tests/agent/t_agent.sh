#!/usr/bin/env bash
# The agent with real parts (issue #13 item 7): a grpcio peer serving
# Tetragon events, a real Prometheus server scraping /metrics (its HTTP API
# says how many events were received and written, compared with what was
# served and what the event file holds), `promtool check metrics` on the
# page, readiness 503 while the peer is gone and 200 when it is back, with
# liveness 200 throughout; the event file identical to `convert` of the
# same events.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
cd "$T"
gen_pb || { not_ok "protoc"; done_testing; exit; }

# 40 copies of every kind: the capture the peer serves, and the kept lines
for i in $(seq 40); do cat "$RTI_ROOT/tests/fixtures/every-kind.jsonl"; done >big.jsonl
json_capture cap kept.jsonl big.jsonl >/dev/null 2>&1
SERVED=$(lines kept.jsonl)
start_peer tg --listen "unix:$T/tg.sock" --capture cap --request-out "$T/req.json" || { done_testing; exit; }
# what `run` writes for the same stream: the agent is run with a config file
"$RTI" run --quiet --tetragon "unix://$T/tg.sock" --policy "$RTI_ROOT/tests/fixtures/policies.yaml" \
  --node node-t --max-events "$SERVED" -o want.ndjson
WRITTEN=$(lines want.ndjson)
check "the workload: $SERVED messages served, $WRITTEN events" test "$SERVED" -gt 500 -a "$WRITTEN" -gt 300
mkdir etc
cat >etc/config.yaml <<Y
node: node-t
tetragon:
  address: unix://$T/tg.sock
  policies: [$RTI_ROOT/tests/fixtures/policies.yaml]
  ready_grace: 1s
  backoff_initial: 100ms
  backoff_max: 300ms
  allow:
    - {event_types: [PROCESS_KPROBE, PROCESS_EXEC], namespaces: [""]}
    - {pod_regex: ["web-.*"]}
  deny:
    - {binary_regex: ["/bin/true$"]}
    - {namespaces: [kube-system], event_types: [exit]}
output:
  path: $T/events.ndjson
hot_index:
  url: sqlite:$T/hot.db
  flush_interval: 1s
metrics:
  listen: 127.0.0.1:0
Y
start_agent agent etc/config.yaml || { done_testing; exit; }
check "the event file: every event" wait_for 60 has_lines events.ndjson "$WRITTEN"
check "metrics: received = served" wait_for 30 metric_is stella_rti_events_received_total "$SERVED"
same_file "the event file is what run writes for the same stream" events.ndjson want.ndjson
check "filters: the server received every allow and deny filter of the config" $PY - "$T/req.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["allow_list"] == [{"event_set": ["PROCESS_KPROBE", "PROCESS_EXEC"], "namespace": [""]},
                           {"pod_regex": ["web-.*"]}], r
assert r["deny_list"] == [{"binary_regex": ["/bin/true$"]},
                          {"namespace": ["kube-system"], "event_set": ["PROCESS_EXIT"]}], r
PYEOF
check "metrics: written = lines of the event file" metric_is stella_rti_events_written_total "$(lines events.ndjson)"
check "metrics: output bytes = size of the event file" metric_is stella_rti_output_bytes_total "$(stat -c %s events.ndjson)"
check "metrics: connected" metric_is stella_rti_tetragon_connected 1
check "metrics: nothing dropped" metric_is stella_rti_events_dropped_total 0
check "metrics: build info" metric_is 'stella_rti_build_info{version="0.1.0",commit="unknown"}' 1
check "metrics: a recent last event" test "$(metric stella_rti_last_event_timestamp_seconds | cut -d. -f1)" -ge $(( $(date +%s) - 120 ))
check "metrics: hot index flushed" wait_for 30 metric_ge 'stella_rti_hot_flushes_total{result="success"}' 1
http /metrics >page.txt
promtool check metrics <page.txt >promtool.out 2>&1
check "promtool check metrics: no problem" test $? -eq 0 -a ! -s promtool.out
[ -s promtool.out ] && sed 's/^/#   /' promtool.out
check "metrics: the stack memo's lookups and evictions" bash -c \
  "grep -qE '^stella_rti_stack_memo_lookups_total\\{result=\"(hit|miss)\"\\} [0-9]+\$' page.txt &&
   grep -qE '^stella_rti_stack_memo_evictions_total [0-9]+\$' page.txt"
check "labels: bounded names only (no pid, path or symbol)" \
  bash -c "! grep -v '^#' page.txt | grep -oE '\\{[^}]*\\}' | grep -qE '/|pid='"

# a real Prometheus scrapes the agent; its API answers with our counts
PP=$(free_port)
cat >prom.yml <<Y
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: stella-rti
    static_configs: [{targets: ["127.0.0.1:$AGENT_PORT"]}]
Y
prometheus --config.file=prom.yml --storage.tsdb.path="$T/prom" --web.listen-address=127.0.0.1:$PP \
  >prom.log 2>&1 &
PEER_PIDS+=($!)
promq() { # QUERY: the value of an instant vector with one sample
  curl -s "http://127.0.0.1:$PP/api/v1/query" --data-urlencode "query=$1" |
    $PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}
prom_is() { [ "$(promq "$1" 2>/dev/null)" = "$2" ]; }
check "prometheus: scraped, received = served" wait_for 120 prom_is 'sum(stella_rti_events_received_total{job="stella-rti"})' "$SERVED"
check "prometheus: written = the event file's lines" prom_is 'sum(stella_rti_events_written_total)' "$(lines events.ndjson)"
check "prometheus: kprobe events as in the file" prom_is 'stella_rti_events_written_total{probe_type="kprobe"}' "$(grep -c '"type":"kprobe"' events.ndjson)"
check "prometheus: the target is up" prom_is 'up{job="stella-rti"}' 1
check "prometheus: process metrics" prom_is 'count(process_resident_memory_bytes > 0)' 1

# readiness follows the stream; liveness does not
check "readyz 200 while connected" code_is /readyz 200
http /readyz >ready.json
check "readyz says why (JSON)" $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ready"] and d["checks"]["tetragon"]["state"]=="connected"' ready.json
stop_pid "$PEER_PID"
check "readyz 503 once the peer is gone (grace 1s)" wait_for 30 code_is /readyz 503
http /readyz >unready.json
check "readyz 503 body says the stream is down and why" $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); t=d["checks"]["tetragon"]; assert not d["ready"] and not t["ok"] and "reconnecting" in t["state"], d' unready.json
check "healthz 200 while Tetragon is down" code_is /healthz 200
check "metrics: disconnected" metric_is stella_rti_tetragon_connected 0
start_peer tg --listen "unix:$T/tg.sock" --capture cap
check "readyz 200 again once the peer is back" wait_for 30 code_is /readyz 200
check "healthz still 200" code_is /healthz 200
check "metrics: one reconnect" metric_is stella_rti_tetragon_reconnects_total 1
check "the new call's events arrive too" wait_for 60 has_lines events.ndjson $((2 * WRITTEN))
check "agent still running" kill -0 "$AGENT_PID"
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
check "SIGTERM: exit 0" test $? -eq 0
check "the log: logfmt lines" bash -c "grep -v '^time=[0-9T:.Z-]* level=[a-z]* msg=' '$T/agent.log' | wc -l | grep -qx 0"
check "the log: the stop summary" grep -q "msg=stopped received=$((2 * SERVED)) written=$((2 * WRITTEN))" agent.log
check "hot index: counted" bash -c "\"$RTI\" hot top --hot-index sqlite:$T/hot.db --limit 3 | grep -q ."
done_testing
