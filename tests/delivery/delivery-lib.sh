# Helpers for tests/delivery/t_*.sh (sourced after tests/lib.sh,
# tests/grpc/grpc-lib.sh and tests/agent/agent-lib.sh): the receiver
# (receiver.py), distinct events from the replay server, set comparisons.

# start_receiver NAME [receiver args]: RCV_DIR=$T/NAME, RCV_PORT, RCV_PID
start_receiver() {
  local name=$1; shift
  RCV_DIR=$T/$name
  mkdir -p "$RCV_DIR"
  rm -f "$RCV_DIR/port"
  $PY "$RTI_ROOT/tests/delivery/receiver.py" --dir "$RCV_DIR" --port-file "$RCV_DIR/port" "$@" \
    >"$RCV_DIR/stderr" 2>&1 &
  RCV_PID=$!
  PEER_PIDS+=("$RCV_PID")
  wait_file "$RCV_DIR/port" 600 || { echo "# receiver did not start:"; sed 's/^/#   /' "$RCV_DIR/stderr"; return 1; }
  RCV_PORT=$(cat "$RCV_DIR/port")
}
# answer WORDS...: what the receiver answers from now on (receiver.py's control file)
answer() { echo "$*" >"$RCV_DIR/control.tmp" && mv "$RCV_DIR/control.tmp" "$RCV_DIR/control"; }

# gen NAME N FIRST: $T/NAME.jsonl, N distinct Tetragon events numbered from
# FIRST; GEN_KEPT = how many canonical events they give
gen() {
  $PY "$RTI_ROOT/tests/delivery/gen-events.py" "$RTI_ROOT/tests/fixtures/every-kind.jsonl" "$2" "$3" "$T/$1.jsonl"
  "$RTI" convert --quiet --policy "$RTI_ROOT/tests/fixtures/policies.yaml" "$T/$1.jsonl" -o "$T/$1.conv"
  GEN_KEPT=$(lines "$T/$1.conv")
}

# serve NAME: the replay server on $T/rp.sock serves $T/NAME.jsonl (the
# previous one stopped: the agent reconnects to the new one)
serve() {
  [ -n "${RP_PID:-}" ] && stop_pid "$RP_PID"
  rm -f "$T/rp.ready" "$T/rp.sock"
  "$RTI" replay --listen "unix://$T/rp.sock" --ready-file "$T/rp.ready" --quiet "$T/$1.jsonl" \
    2>>"$T/rp.log" &
  RP_PID=$!
  PEER_PIDS+=("$RP_PID")
  wait_file "$T/rp.ready" 600
}

# ids NDJSON: the event ids of a file of canonical events, sorted
ids() { $PY -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip(): print(json.loads(l)["event_id"])' "$1" | sort -u; }
# received_ids: the event ids the receiver accepted, sorted, unique
received_ids() { [ -f "$RCV_DIR/events.txt" ] && cut -d' ' -f1 "$RCV_DIR/events.txt" | sort -u; }
# same_ids WANT_SORTED_FILE: the receiver accepted exactly these ids
same_ids() { received_ids >"$T/got.ids"; cmp -s "$T/got.ids" "$1"; }
# show_ids_diff WANT: a short diff for a failed comparison
show_ids_diff() {
  received_ids >"$T/got.ids"
  echo "#   want $(wc -l <"$1") ids, got $(wc -l <"$T/got.ids"); missing $(comm -23 "$1" "$T/got.ids" | wc -l), extra $(comm -13 "$1" "$T/got.ids" | wc -l)"
}
# no_violations: the receiver found every header and body as the contract says
no_violations() { [ ! -s "$RCV_DIR/errors.txt" ]; }
# answered CODE N: the receiver answered CODE at least N times
answered() { [ "$(awk -v c="$1" '$2 == c' "$RCV_DIR/requests.txt" 2>/dev/null | wc -l)" -ge "$2" ]; }
