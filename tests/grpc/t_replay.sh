#!/usr/bin/env bash
# stella-rti replay: a GetEvents server on nghttp2 (server side), checked
# with stella-rti run and with an independent client (grpcio).
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"

gen_pb
json_capture "$T/docs.cap" "$T/docs.jsonl" "$SHARED"/fixtures/tetragon/docs-*.json 2>/dev/null
N=$(lines "$T/docs.jsonl")
"$RTI" convert "$T/docs.jsonl" -o "$T/want.out" --quiet

# start_replay NAME ARGS...: background replay, ready when this returns
start_replay() {
  local name=$1
  shift
  rm -f "$T/$name.ready"
  "$RTI" replay --ready-file "$T/$name.ready" "$@" 2>"$T/$name.log" &
  RP=$!
  PEER_PIDS+=("$RP")
  wait_file "$T/$name.ready" 100 || { sed 's/^/#   /' "$T/$name.log"; return 1; }
  RP_ADDR=$(cat "$T/$name.ready")
}

# 1. --end: the stream ends with grpc-status 0 after the inputs
start_replay end --listen "unix://$T/end.sock" --end "$T/docs.cap"
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --once -o "$T/end.out" 2>"$T/end.err"
check "--end: run --once exits 0 on grpc-status 0" test $? -eq 0
same_file "--end: all messages" "$T/end.out" "$T/want.out"
check "--end: status OK logged" grep -qE 'last status +OK: ' "$T/end.err"
stop_pid "$RP"
check "replay: summary on SIGTERM" grep -qE "messages sent +$N " "$T/end.log"

# 2. --loop over TCP with a kernel-chosen port, and two clients at once
start_replay loop --listen "127.0.0.1:0" --loop "$T/docs.cap"
check "TCP port 0: address reported ($RP_ADDR)" grep -qE '^127\.0\.0\.1:[1-9][0-9]*$' "$T/loop.ready"
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --max-events $((3 * N)) -o "$T/loop1.out" 2>/dev/null &
C1=$!
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --max-events $((3 * N)) -o "$T/loop2.out" 2>/dev/null
wait "$C1"
cat "$T/want.out" "$T/want.out" "$T/want.out" >"$T/want3.out"
same_file "--loop: the inputs three times" "$T/loop2.out" "$T/want3.out"
same_file "--loop: a second client at the same time gets the same" "$T/loop1.out" "$T/want3.out"
stop_pid "$RP"

# 3. --rate
start_replay rate --listen "unix://$T/rate.sock" --rate 40 "$T/docs.cap"
s=$(date +%s%N)
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --max-events "$N" -o "$T/rate.out" 2>/dev/null
ms=$(( ($(date +%s%N) - s) / 1000000 ))
check "--rate 40: $N messages took ${ms} ms (>= $(( (N - 1) * 1000 / 40 - 100 )))" \
  test "$ms" -ge $(( (N - 1) * 1000 / 40 - 100 ))
same_file "--rate: all messages" "$T/rate.out" "$T/want.out"
stop_pid "$RP"

# 4. --gzip
start_replay gz --listen "unix://$T/gz.sock" --gzip "$T/docs.cap"
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --max-events "$N" -o "$T/gz.out" 2>"$T/gz.err"
same_file "--gzip: same output" "$T/gz.out" "$T/want.out"
check "--gzip: compressed on the wire" grep -qE "messages received +$N \([0-9]+ bytes on the wire, $N compressed\)" "$T/gz.err"
stop_pid "$RP"

# 5. an independent client: grpcio against the replay server
start_replay py --listen "unix://$T/py.sock" --end "$T/docs.cap"
check "grpcio client: GetEvents streams the capture, GetHealth is UNIMPLEMENTED" \
  $PY - "$PB" "$T/py.sock" "$N" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[1])
import grpc
from tetragon import events_pb2
ch = grpc.insecure_channel("unix:" + sys.argv[2])
get = ch.unary_stream("/tetragon.FineGuidanceSensors/GetEvents",
                      request_serializer=events_pb2.GetEventsRequest.SerializeToString,
                      response_deserializer=events_pb2.GetEventsResponse.FromString)
n = 0
for ev in get(events_pb2.GetEventsRequest(), timeout=20):
    assert ev.WhichOneof("event"), ev
    n += 1
assert n == int(sys.argv[3]), n
health = ch.unary_unary("/tetragon.FineGuidanceSensors/GetHealth")
try:
    health(b"", timeout=5)
    raise SystemExit("GetHealth answered")
except grpc.RpcError as e:
    assert e.code() == grpc.StatusCode.UNIMPLEMENTED, e
PYEOF
stop_pid "$RP"

# 6. bad inputs
"$RTI" replay --listen "unix://$T/x.sock" "$T/missing.cap" 2>"$T/missing.err"
check "missing input: exit 3" test $? -eq 3
head -c $(( $(stat -c %s "$T/docs.cap") - 10 )) "$T/docs.cap" >"$T/cut.cap"
start_replay cut --listen "unix://$T/cut.sock" "$T/cut.cap"
check "capture cut short: the records before the cut are served" \
  grep -q "serving $((N - 1)) messages" "$T/cut.log"
check "capture cut short: reported" grep -q 'truncated record' "$T/cut.log"
stop_pid "$RP"
printf '{"process_exec":{"process":{"binary":"/bin/true"}},"time":"2026-11-20T10:00:00Z"}\nnot json\n' >"$T/mixed.json"
start_replay mixed --listen "unix://$T/mixed.sock" --end "$T/mixed.json"
check "bad JSON line: skipped with its line number" grep -qE 'mixed.json:2: .*\(skipped\)' "$T/mixed.log"
timeout 30 "$RTI" run --tetragon "$RP_ADDR" --once -o "$T/mixed.out" 2>/dev/null
check "bad JSON line: the good record is served" grep -q '"kind":"process_exec"' "$T/mixed.out"
stop_pid "$RP"
"$RTI" replay --listen "unix://$T/u.sock" 2>/dev/null
check "no input: usage error" test $? -eq 2

# 7. the demo script
check "scripts/demo-grpc.sh runs a replay server and the agent" \
  env RTI="$RTI" timeout 60 bash "$RTI_ROOT/scripts/demo-grpc.sh" --events 40 >"$T/demo.out" 2>&1
check "demo: summary printed" grep -qE 'events written +[1-9]' "$T/demo.out"

done_testing
