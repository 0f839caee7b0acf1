#!/usr/bin/env bash
# One decode path: for every fixture, the JSON export and the same events
# sent over gRPC give byte-identical canonical output.
#   - JSON -> json_format (python, our protos) -> grpcio peer -> stella-rti run
#     versus stella-rti convert of the same JSON records;
#   - JSON -> stella-rti replay (our JSON -> protobuf encoder) -> run;
#   - run --record -> capture -> replay -> run.
# Records json_format cannot represent (process_connect & co., not in the
# OSS API) are skipped by tests/grpc/json2pb.py, which lists them.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"

gen_pb
FIX=("$SHARED"/fixtures/tetragon/*.json "$SHARED"/fixtures/tetragon/*.jsonl)

# run_against NAME TARGET N OUT: stella-rti run until N messages
run_against() {
  timeout 60 "$RTI" run --tetragon "$2" --max-events "$3" -o "$4" ${RUN_EXTRA:-} 2>"$T/$1.err"
}

# 1. the real Tetragon fixtures, through grpcio
json_capture "$T/fix.cap" "$T/fix.jsonl" "${FIX[@]}" 2>"$T/json2pb.log"
N=$(lines "$T/fix.jsonl")
check "json2pb: $N records converted" test "$N" -ge 100
check "json2pb: only event kinds outside the OSS API skipped" \
  sh -c "! grep 'skipped:' '$T/json2pb.log' | grep -vq 'no OSS event kind in .*process_\(connect\|close\|listen\)'"
"$RTI" convert "$T/fix.jsonl" -o "$T/fix.want" --quiet
start_peer fix --listen "unix:$T/fix.sock" --capture "$T/fix.cap"
run_against fix "unix://$T/fix.sock" "$N" "$T/fix.got"
check "fixtures over gRPC: run exits 0" test $? -eq 0
same_file "fixtures over gRPC: byte-identical to convert" "$T/fix.got" "$T/fix.want"
stop_pid "$PEER_PID"

# 2. the synthetic all-kinds file (every event kind, stacks, args). It spells
#    out zero values ("offset":"0") that protojson never writes and protobuf
#    cannot carry, so convert reads its protojson round trip.
json_capture "$T/syn.cap" "$T/syn.jsonl" --roundtrip "$SHARED/fixtures/synthetic/all-kinds.jsonl" 2>/dev/null
NS=$(lines "$T/syn.jsonl")
"$RTI" convert "$T/syn.jsonl" -o "$T/syn.want" --quiet
start_peer syn --listen "unix:$T/syn.sock" --capture "$T/syn.cap" --gzip
run_against syn "unix://$T/syn.sock" "$NS" "$T/syn.got"
same_file "all kinds over gRPC (gzip): byte-identical to convert" "$T/syn.got" "$T/syn.want"
stop_pid "$PEER_PID"

# 2b. the same under profiles that emit what strict withholds (labels,
#     environment, cwd, arguments, typed probe arguments): both decoders
#     carry those values identically
for prof in balanced off; do
  RUN_EXTRA="--privacy $prof --allow-privacy-off"
  "$RTI" convert "$T/syn.jsonl" -o "$T/syn-$prof.want" --quiet $RUN_EXTRA 2>/dev/null
  start_peer "syn-$prof" --listen "unix:$T/syn-$prof.sock" --capture "$T/syn.cap"
  run_against "syn-$prof" "unix://$T/syn-$prof.sock" "$NS" "$T/syn-$prof.got"
  same_file "all kinds over gRPC under --privacy $prof: byte-identical to convert" \
    "$T/syn-$prof.got" "$T/syn-$prof.want"
  stop_pid "$PEER_PID"
  RUN_EXTRA=
done
check "privacy off emits labels and environment (so 2b compares them)" \
  grep -q '"environment":{' "$T/syn-off.want"

# 3. stella-rti replay of the JSON files themselves
"$RTI" replay --listen "unix://$T/rp.sock" --ready-file "$T/rp.ready" "${FIX[@]}" 2>"$T/rp.log" &
RP=$!
PEER_PIDS+=("$RP")
wait_file "$T/rp.ready"
run_against rp "unix://$T/rp.sock" "$N" "$T/rp.got"
same_file "replay of JSON files: byte-identical to convert" "$T/rp.got" "$T/fix.want"
check "replay: unknown kinds reported, not served" grep -qE '^stella-rti replay: 11 records of unknown event kinds not served' "$T/rp.log"
stop_pid "$RP"
"$RTI" replay --listen "unix://$T/rs.sock" --ready-file "$T/rs.ready" "$T/syn.jsonl" 2>/dev/null &
RP=$!
PEER_PIDS+=("$RP")
wait_file "$T/rs.ready"
run_against rs "unix://$T/rs.sock" "$NS" "$T/rs.got"
same_file "replay of all kinds: byte-identical to convert" "$T/rs.got" "$T/syn.want"
stop_pid "$RP"

# 4. capture round trip: record from grpcio, replay the capture
start_peer rec --listen "unix:$T/rec.sock" --capture "$T/fix.cap"
timeout 60 "$RTI" run --tetragon "unix://$T/rec.sock" --max-events "$N" --record "$T/rec.cap" \
  -o "$T/rec.got" 2>"$T/rec.err"
check "record: run exits 0" test $? -eq 0
check "record: capture starts with the magic" sh -c "head -c 8 '$T/rec.cap' | od -An -c | grep -q '211   R   T   I   C   A   P  \\\\n'"
stop_pid "$PEER_PID"
"$RTI" replay --listen "unix://$T/rc.sock" --ready-file "$T/rc.ready" "$T/rec.cap" 2>"$T/rc.log" &
RP=$!
PEER_PIDS+=("$RP")
wait_file "$T/rc.ready"
check "replay of the capture: serves the $N messages" grep -q "serving $N messages" "$T/rc.log"
run_against rc "unix://$T/rc.sock" "$N" "$T/rc.got"
same_file "replay of the capture: byte-identical" "$T/rc.got" "$T/fix.want"
stop_pid "$RP"

done_testing
