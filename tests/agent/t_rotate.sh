#!/usr/bin/env bash
# Rotation under load through the agent (issue #13 item 7): the replay
# server at full speed, the event file rotated every 256 KiB and gzipped;
# afterwards the live file plus every rotated file hold exactly the lines
# the agent counted, each a whole canonical event (no line lost or split),
# rotated names sort by time, files have mode 0640. Then rotation settings
# reloaded (SIGHUP) while events flow: the rotated files follow the new
# settings (compress turned on: the ones from before are compressed too),
# and still no line is lost or split.
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
stop_pid "${PEER_PIDS[0]}"

# rotation settings reloaded while events flow: 1,000 events/s for 40 s
N2=40000
"$RTI" replay --listen "unix://$T/rp2.sock" --ready-file rp2.ready --loop --rate 1000 \
  --max-messages $N2 "$RTI_ROOT/tests/fixtures/every-kind.jsonl" 2>rp2.log &
PEER_PIDS+=($!)
wait_file rp2.ready
mkdir out2
conf2() {
  cat >etc/config2.yaml <<Y
tetragon:
  address: unix://$T/rp2.sock
  overflow: block
  max_events: $N2
output:
  path: $T/out2/events.ndjson
  max_size_mb: 1
  max_backups: 0
  compress: $1
metrics:
  listen: 127.0.0.1:0
Y
}
conf2 false
start_agent agent2 etc/config2.yaml || { done_testing; exit; }
rotated() { [ "$(ls out2 | grep -vc '^events.ndjson$')" -ge "$1" ]; }
check "before the reload: two rotations, uncompressed" wait_for 120 rotated 2
ls out2 | grep -v '^events.ndjson$' >before
conf2 true
kill -HUP "$AGENT_PID"
check "SIGHUP with compress: true: reloaded while events flow" \
  wait_for 60 metric_is 'stella_rti_config_reloads_total{result="success"}' 1
check "the stream is still flowing after the reload" kill -0 "$AGENT_PID"
check "after the reload: a rotated file is gzipped" wait_for 120 bash -c "ls out2 | grep -q '\\.gz\$'"
check "the agent stops after $N2 messages" wait_for 300 bash -c "! kill -0 $AGENT_PID 2>/dev/null"
wait "$AGENT_PID"
check "exit 0" test $? -eq 0
W2=$(sed -n 's/.*msg=stopped.* written=\([0-9]*\).*/\1/p' agent2.log)
# the directory follows the settings of the time: the worker's next pass
# compresses every plain rotated file, those of before the reload too
check "every rotated file compressed, those from before the reload too" \
  wait_for 60 bash -c "[ -z \"\$(ls out2 | grep -v -e '\\.gz\$' -e '^events.ndjson\$')\" ]"
check "the files rotated before the reload are there, as .gz" \
  bash -c "for f in \$(cat before); do [ -f out2/\$f.gz ] || exit 1; done"
{ for f in $(ls out2 | grep -v '^events.ndjson$' | sort); do
    case $f in *.gz) gzip -dc "out2/$f" ;; *) cat "out2/$f" ;; esac
  done; cat out2/events.ndjson; } >all2.ndjson
check "across the reload every line written is in the files: $W2" test "$(lines all2.ndjson)" = "$W2"
check "across the reload no line split" \
  $PY -c 'import json,sys; [json.loads(l)["event_id"] for l in open(sys.argv[1])]' all2.ndjson
done_testing
