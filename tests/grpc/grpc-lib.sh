# Helpers for tests/grpc/t_*.sh (sourced after tests/lib.sh).
# The peer is tests/grpc/peer.py: a grpcio server (Debian's python3-grpcio)
# serving _pb2 modules generated from OUR protos into $T/pb at test time.
PB=$T/pb
PEER_PIDS=()

gen_pb() {
  [ -d "$PB/tetragon" ] && return 0
  mkdir -p "$PB" &&
    $PY -m grpc_tools.protoc -I "$RTI_ROOT/proto" --python_out="$PB" \
      "$RTI_ROOT"/proto/tetragon/*.proto
}

# wait_file FILE [TENTHS]: until FILE exists (default 60 s: generous, it
# returns as soon as the file is there)
wait_file() {
  local i
  for ((i = 0; i < ${2:-600}; i++)); do [ -e "$1" ] && return 0; sleep 0.1; done
  return 1
}

# wait_grep FILE REGEX [TENTHS]: until a line of FILE matches
wait_grep() {
  local i
  for ((i = 0; i < ${3:-600}; i++)); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# start_peer NAME PEER-ARGS...: background grpcio server, ready when this
# returns 0; its pid is in PEER_PID, its address in PEER_ADDR.
start_peer() {
  local name=$1
  shift
  rm -f "$T/$name.ready"
  $PY "$RTI_ROOT/tests/grpc/peer.py" --pb "$PB" --ready "$T/$name.ready" "$@" \
    >"$T/$name.log" 2>&1 &
  PEER_PID=$!
  PEER_PIDS+=("$PEER_PID")
  wait_file "$T/$name.ready" 600 || { echo "# peer $name did not start:"; sed 's/^/#   /' "$T/$name.log"; return 1; }
  PEER_ADDR=$(cat "$T/$name.ready")
}

# stop_pid PID: SIGTERM, then SIGKILL after 3 s; never fails
stop_pid() {
  local i
  kill -TERM "$1" 2>/dev/null || return 0
  for ((i = 0; i < 30; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  return 0
}

cleanup_peers() {
  local p
  for p in "${PEER_PIDS[@]}"; do
    kill -CONT "$p" 2>/dev/null
    stop_pid "$p"
  done
}
trap cleanup_peers EXIT

# json_capture OUT KEPT FILE...: fixtures -> capture + the converted JSON lines
json_capture() {
  local out=$1 kept=$2
  shift 2
  $PY "$RTI_ROOT/tests/grpc/json2pb.py" --pb "$PB" --out "$out" --kept "$kept" "$@"
}

# lines FILE: number of lines
lines() { wc -l <"$1" | tr -d ' '; }
