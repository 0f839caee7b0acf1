#!/usr/bin/env bash
# The gRPC client (stella-rti run) against an independent gRPC server:
# grpcio from Debian's python3-grpcio serving our protos (tests/grpc/peer.py)
# over unix sockets and TCP. Runs under ASan too.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"

check "python grpc_tools compiles our protos" gen_pb
json_capture "$T/docs.cap" "$T/docs.jsonl" "$SHARED"/fixtures/tetragon/docs-*.json 2>"$T/json2pb.log"
N=$(lines "$T/docs.jsonl")
check "fixtures converted to a capture ($N messages)" test "$N" -gt 10
"$RTI" convert "$T/docs.jsonl" -o "$T/want.out" --quiet
W=$(lines "$T/want.out")

# 1. a normal stream over a unix socket
start_peer u --listen "unix:$T/u.sock" --capture "$T/docs.cap"
timeout 30 "$RTI" run --tetragon "unix://$T/u.sock" --max-events "$N" -o "$T/u.out" 2>"$T/u.err"
check "unix socket: run exits 0" test $? -eq 0
same_file "unix socket: same canonical output as convert" "$T/u.out" "$T/want.out"
check "unix socket: one connection, no drops" grep -qE 'connections +1 \(1 attempts, 0 reconnects\)' "$T/u.err"
check "unix socket: summary counts the messages" grep -qE "messages received +$N " "$T/u.err"
stop_pid "$PEER_PID"

# 2. TCP, with a kernel-chosen port
start_peer tcp --listen "127.0.0.1:0" --capture "$T/docs.cap"
timeout 30 "$RTI" run --tetragon "$PEER_ADDR" --max-events "$N" -o "$T/tcp.out" 2>"$T/tcp.err"
check "TCP ($PEER_ADDR): run exits 0" test $? -eq 0
same_file "TCP: same canonical output as convert" "$T/tcp.out" "$T/want.out"
stop_pid "$PEER_PID"

# 3. gzip-compressed responses
start_peer gz --listen "unix:$T/gz.sock" --capture "$T/docs.cap" --gzip
timeout 30 "$RTI" run --tetragon "unix://$T/gz.sock" --max-events "$N" -o "$T/gz.out" 2>"$T/gz.err"
same_file "gzip: same canonical output" "$T/gz.out" "$T/want.out"
check "gzip: messages arrived compressed" grep -qE "messages received +$N \([0-9]+ bytes on the wire, [1-9][0-9]* compressed\)" "$T/gz.err"
stop_pid "$PEER_PID"

# 4. trailers-only error response
start_peer to --listen "unix:$T/to.sock" --trailers-only "PERMISSION_DENIED:no access for you"
timeout 30 "$RTI" run --tetragon "unix://$T/to.sock" --once -o "$T/to.out" 2>"$T/to.err"
check "trailers-only: --once exits 3" test $? -eq 3
check "trailers-only: status and message logged" grep -q 'PERMISSION_DENIED: no access for you' "$T/to.err"
stop_pid "$PEER_PID"

# 5. a 5 MB message, and the message size cap
start_peer big --listen "unix:$T/big.sock" --capture "$T/docs.cap" --big 5000000
timeout 60 "$RTI" run --tetragon "unix://$T/big.sock" --max-events $((N + 1)) -o "$T/big.out" 2>"$T/big.err"
check "5 MB message: run exits 0" test $? -eq 0
check "5 MB message: decoded and written" grep -q '"symbol":"big_event"' "$T/big.out"
check "5 MB message: then the rest" test "$(lines "$T/big.out")" -eq $((W + 1))
timeout 30 "$RTI" run --tetragon "unix://$T/big.sock" --once --max-message-size 1M -o "$T/cap.out" 2>"$T/cap.err"
check "message over --max-message-size: exit 3" test $? -eq 3
check "message over --max-message-size: RESOURCE_EXHAUSTED" grep -q 'RESOURCE_EXHAUSTED: message larger than the message size limit' "$T/cap.err"
stop_pid "$PEER_PID"

# 6. GetEventsRequest filters from the command line reach the server
start_peer rq --listen "unix:$T/rq.sock" --capture "$T/docs.cap" --request-out "$T/req.json"
timeout 30 "$RTI" run --tetragon "unix://$T/rq.sock" --max-events 1 -o /dev/null --quiet \
  --event-types PROCESS_KPROBE,exec --namespace ns1 --namespace "" --pod-regex 'web-.*' \
  --binary-regex '/bin/sh$' --deny-namespace kube-system --deny-event-types process_exit
check "filters: run exits 0" test $? -eq 0
check "filters: the server received them" $PY - "$T/req.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
a, d = r["allow_list"], r["deny_list"]
assert len(a) == 1 and len(d) == 1, r
assert a[0]["event_set"] == ["PROCESS_KPROBE", "PROCESS_EXEC"], a
assert a[0]["namespace"] == ["ns1", ""], a
assert a[0]["pod_regex"] == ["web-.*"] and a[0]["binary_regex"] == ["/bin/sh$"], a
assert d[0] == {"namespace": ["kube-system"], "event_set": ["PROCESS_EXIT"]}, d
assert "aggregation_options" not in r and "field_filters" not in r, r
PYEOF
"$RTI" run --tetragon "unix://$T/rq.sock" --event-types bogus --quiet 2>"$T/bogus.err"
check "filters: unknown event type is a usage error" test $? -eq 2
stop_pid "$PEER_PID"

# 7. SIGINT: flush what was received and exit cleanly
start_peer si --listen "unix:$T/si.sock" --capture "$T/docs.cap"
timeout 60 "$RTI" run --tetragon "unix://$T/si.sock" -o "$T/si.out" 2>"$T/si.err" &
RUN=$!
wait_grep "$T/si.out" '.' 600
for ((i = 0; i < 600; i++)); do [ "$(lines "$T/si.out")" -ge "$W" ] && break; sleep 0.1; done
kill -INT "$RUN"
wait "$RUN"
check "SIGINT: exit 0" test $? -eq 0
same_file "SIGINT: all events flushed" "$T/si.out" "$T/want.out"
check "SIGINT: summary says interrupted" grep -q 'summary (interrupted)' "$T/si.err"
stop_pid "$PEER_PID"

# 8. server down at start: backoff until it comes up
rm -f "$T/late.sock"
timeout 60 "$RTI" run --tetragon "unix://$T/late.sock" --backoff-initial 0.2 --backoff-max 0.5 \
  --max-events "$N" -o "$T/late.out" 2>"$T/late.err" &
RUN=$!
wait_grep "$T/late.err" 'reconnecting in' 600
sleep 1
start_peer late --listen "unix:$T/late.sock" --capture "$T/docs.cap"
wait "$RUN"
check "server down at start: run exits 0" test $? -eq 0
same_file "server down at start: all events once it is up" "$T/late.out" "$T/want.out"
check "server down at start: connection failures logged" grep -q 'cannot connect: UNAVAILABLE: connect .*late.sock' "$T/late.err"
check "server down at start: time disconnected reported" grep -qE 'time disconnected +[1-9][0-9]*\.[0-9]+ s' "$T/late.err"
stop_pid "$PEER_PID"

# 9. a message that is not a GetEventsResponse: counted, logged, skipped
cp "$T/docs.cap" "$T/bad.cap"
$PY -c 'import struct,sys; open(sys.argv[1],"ab").write(struct.pack(">IBBHQ",4,1,0,0,0)+b"\x0a\xff\xff\xff")' "$T/bad.cap"
start_peer bad --listen "unix:$T/bad.sock" --capture "$T/bad.cap"
timeout 30 "$RTI" run --tetragon "unix://$T/bad.sock" --max-events $((N + 1)) -o "$T/bad.out" 2>"$T/bad.err"
check "bad message: run exits 0" test $? -eq 0
same_file "bad message: the good ones are all there" "$T/bad.out" "$T/want.out"
check "bad message: logged" grep -q "message $((N + 1)): malformed protobuf GetEventsResponse" "$T/bad.err"
check "bad message: counted" grep -qE 'messages processed +[0-9]+ \(1 not decodable\)' "$T/bad.err"
stop_pid "$PEER_PID"

# 10. something that is not an HTTP/2 server
$PY - "$T/h1.sock" "$T/h1.ready" <<'PYEOF' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(4)
open(sys.argv[2], "w").close()
for _ in range(4):
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    c.close()
PYEOF
PEER_PIDS+=("$!")
wait_file "$T/h1.ready"
timeout 30 "$RTI" run --tetragon "unix://$T/h1.sock" --once -o /dev/null 2>"$T/h1.err"
check "HTTP/1 server: --once exits 3" test $? -eq 3
check "HTTP/1 server: reported" grep -qE 'INTERNAL: HTTP/2 protocol error|UNAVAILABLE: connection (closed|lost)' "$T/h1.err"

done_testing
