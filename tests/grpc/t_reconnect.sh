#!/usr/bin/env bash
# stella-rti run survives what a node throws at it: a server restarted
# mid-stream, kill -9 of the server, a hung server (caught by keepalive),
# and a server that enforces grpc's ping policy (too_many_pings).
# The peer is grpcio (tests/grpc/peer.py).
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"

gen_pb
json_capture "$T/docs.cap" "$T/docs.jsonl" "$SHARED"/fixtures/tetragon/docs-*.json 2>/dev/null
N=$(lines "$T/docs.jsonl")
"$RTI" convert "$T/docs.jsonl" -o "$T/want.out" --quiet
W=$(lines "$T/want.out")
cat "$T/want.out" "$T/want.out" >"$T/want2.out"
FAST=(--backoff-initial 0.2 --backoff-max 0.5)

# wait_lines FILE N [TENTHS]
wait_lines() {
  local i
  for ((i = 0; i < ${3:-600}; i++)); do [ -f "$1" ] && [ "$(lines "$1")" -ge "$2" ] && return 0; sleep 0.1; done
  return 1
}

# 1. the server stops after the stream and a new one starts on the same socket
start_peer a --listen "unix:$T/r.sock" --capture "$T/docs.cap" --after stop
timeout 60 "$RTI" run --tetragon "unix://$T/r.sock" "${FAST[@]}" --max-events $((2 * N)) \
  -o "$T/r.out" 2>"$T/r.err" &
RUN=$!
wait_grep "$T/r.err" 'disconnected after' 600
A=$PEER_PID
wait "$A" 2>/dev/null
start_peer b --listen "unix:$T/r.sock" --capture "$T/docs.cap"
wait "$RUN"
check "restart: run exits 0" test $? -eq 0
same_file "restart: the events of both servers" "$T/r.out" "$T/want2.out"
check "restart: disconnect logged with its status" grep -qE 'disconnected after [0-9.]+ s and [0-9]+ messages: [A-Z_]+: ' "$T/r.err"
check "restart: reconnect logged" grep -q 'reconnected to unix://' "$T/r.err"
check "restart: one gap after the first connection" grep -qE 'time disconnected +[0-9.]+ s \([0-9.]+ s before the first connection, 1 gaps after it\)' "$T/r.err"
check "restart: loss made visible" grep -q 'events Tetragon emitted while disconnected are lost' "$T/r.err"
stop_pid "$PEER_PID"

# 2. kill -9 of the server mid-stream
start_peer k --listen "unix:$T/k.sock" --capture "$T/docs.cap"
timeout 60 "$RTI" run --tetragon "unix://$T/k.sock" "${FAST[@]}" --max-events $((2 * N)) \
  -o "$T/k.out" 2>"$T/k.err" &
RUN=$!
wait_lines "$T/k.out" "$W"
kill -KILL "$PEER_PID"
wait "$PEER_PID" 2>/dev/null
wait_grep "$T/k.err" 'disconnected after' 600
start_peer k2 --listen "unix:$T/k.sock" --capture "$T/docs.cap"
wait "$RUN"
check "kill -9: run exits 0" test $? -eq 0
same_file "kill -9: events before and after" "$T/k.out" "$T/want2.out"
check "kill -9: dropped connection is UNAVAILABLE" grep -qE 'disconnected after .*: UNAVAILABLE: (connection closed by the server|connection lost)' "$T/k.err"
stop_pid "$PEER_PID"

# 2b. the server cancels the call mid-stream (grpcio context.cancel()):
# the call ends CANCELLED, and the client reconnects
start_peer c --listen "unix:$T/c.sock" --capture "$T/docs.cap" --after cancel
timeout 60 "$RTI" run --tetragon "unix://$T/c.sock" "${FAST[@]}" --max-events $((2 * N)) \
  -o "$T/c.out" 2>"$T/c.err"
check "cancelled call: run exits 0 after reconnecting" test $? -eq 0
same_file "cancelled call: the events of both calls" "$T/c.out" "$T/want2.out"
check "cancelled call: logged as CANCELLED" grep -qE 'disconnected after .*: CANCELLED' "$T/c.err"
stop_pid "$PEER_PID"

# 3. a hung server (SIGSTOP) is caught by keepalive, then by the preface timeout
start_peer h --listen "unix:$T/h.sock" --capture "$T/docs.cap" --repeat 1000 --delay 0.1
timeout 60 "$RTI" run --tetragon "unix://$T/h.sock" "${FAST[@]}" --keepalive 0.5 \
  --keepalive-timeout 0.5 --connect-timeout 1 -o "$T/h.out" 2>"$T/h.err" &
RUN=$!
wait_lines "$T/h.out" 3
kill -STOP "$PEER_PID"
wait_grep "$T/h.err" 'keepalive timeout' 600
check "hung server: keepalive timeout detected" grep -qE 'disconnected after .*: UNAVAILABLE: keepalive timeout: no PING ack within 500 ms' "$T/h.err"
wait_grep "$T/h.err" 'no HTTP/2 server preface' 600
check "hung server: a connection without preface times out" grep -q 'cannot connect: UNAVAILABLE: no HTTP/2 server preface within 1000 ms' "$T/h.err"
kill -INT "$RUN"
wait "$RUN"
check "hung server: SIGINT still exits 0" test $? -eq 0
kill -CONT "$PEER_PID"
stop_pid "$PEER_PID"

# 4. grpc's ping policy. grpcio with max_ping_strikes 1 sends GOAWAY
#    ENHANCE_YOUR_CALM "too_many_pings" on the third ping of an idle period:
#    with the default policy (2 pings) that never happens ...
start_peer p --listen "unix:$T/p.sock" --capture "$T/docs.cap" --ping-strikes 1
timeout 60 "$RTI" run --tetragon "unix://$T/p.sock" "${FAST[@]}" --keepalive 0.2 \
  --duration 2 -o "$T/p.out" 2>"$T/p.err"
check "ping policy: exit 0" test $? -eq 0
check "ping policy: no complaint from the server" sh -c "! grep -q too_many_pings '$T/p.err'"
check "ping policy: 2 pings in the idle period, one connection" \
  grep -qE 'keepalive +2 pings; interval 0.2 s$' "$T/p.err"
stop_pid "$PEER_PID"
# ... and when pinging more, the client honours the GOAWAY
start_peer p2 --listen "unix:$T/p2.sock" --capture "$T/docs.cap" --ping-strikes 1
timeout 60 "$RTI" run --tetragon "unix://$T/p2.sock" "${FAST[@]}" --keepalive 0.2 \
  --keepalive-pings 10 -o "$T/p2.out" 2>"$T/p2.err" &
RUN=$!
wait_grep "$T/p2.err" 'keepalive interval now' 600
check "ping policy: GOAWAY too_many_pings logged" grep -qE 'disconnected after .*GOAWAY ENHANCE_YOUR_CALM "too_many_pings"' "$T/p2.err"
check "ping policy: keepalive interval doubled" grep -q 'keepalive interval now 0.4 s' "$T/p2.err"
kill -INT "$RUN"
wait "$RUN"
check "ping policy: SIGINT exit 0" test $? -eq 0
stop_pid "$PEER_PID"

done_testing
