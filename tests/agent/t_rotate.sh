#!/usr/bin/env bash
# Rotation under load through the agent (issue #13 item 7): the replay
# server at full speed, the event file rotated every 256 KiB and gzipped;
# afterwards the live file plus every rotated file hold exactly the lines
# the agent counted, each a whole canonical event (no line lost or split),
# rotated names sort by time, files have mode 0640.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
cd "$T"
N=20000
"$RTI" replay --listen "unix://$T/rp.sock" --ready-file rp.ready --loop --max-messages $N \
  "$RTI_ROOT/tests/fixtures/every-kind.jsonl" 2>rp.log &
PEER_PIDS+=($!)
wait_file rp.ready
mkdir -p etc out
conf() {
  cat >etc/config.yaml <<Y
tetragon:
  address: unix://$T/rp.sock
  overflow: block
  max_events: $N
output:
  path: $T/out/events.ndjson
  max_size_mb: $1
  max_backups: 0
  compress: true
  perm: "0640"
metrics:
  listen: 127.0.0.1:0
Y
}
conf 1
start_agent agent etc/config.yaml || { done_testing; exit; }
check "the agent stops after $N messages" wait_for 300 bash -c "! kill -0 $AGENT_PID 2>/dev/null"
wait "$AGENT_PID"
check "exit 0" test $? -eq 0
WRITTEN=$(sed -n 's/.*msg=stopped.* written=\([0-9]*\).*/\1/p' agent.log)
check "the agent wrote events ($WRITTEN)" test "${WRITTEN:-0}" -gt 10000
# wait for the background compression of the last rotated files
check "rotated files compressed" wait_for 60 bash -c "! ls out | grep -qv -e '\\.gz\$' -e '^events.ndjson\$'"
ls out >names
check "rotated at least twice (every 1 MiB)" test "$(grep -c '\.gz$' names)" -ge 2
check "rotated names sort by time" bash -c "grep '\\.gz\$' names | sort -c"
{ for f in $(grep '\.gz$' names | sort); do gzip -dc "out/$f"; done; cat out/events.ndjson; } >all.ndjson
check "every line written is in the files: $WRITTEN" test "$(lines all.ndjson)" = "$WRITTEN"
check "no line split: every line is one JSON event" \
  $PY -c 'import json,sys; [json.loads(l)["event_id"] for l in open(sys.argv[1])]' all.ndjson
check "the files have mode 0640" bash -c "[ -z \"\$(find out -type f ! -perm 0640)\" ]"
done_testing
