#!/usr/bin/env bash
# Live-mode demo without Tetragon: `stella-rti replay` serves Tetragon
# events as the GetEvents gRPC stream on a unix socket in a temp dir, and
# `stella-rti run` ingests them over gRPC exactly as it would from
# /var/run/tetragon/tetragon.sock, until N events or a few seconds.
#
#   scripts/demo-grpc.sh [--events N] [--seconds S] [--rate R] [-o OUT] [FILE...]
#
# FILEs: Tetragon JSON exports or capture files (default: the fixtures in
# $SHARED, ../shared). Environment: RTI (the binary), BUILD (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
RTI=${RTI:-${BUILD:-build}/rel/stella-rti}
SHARED=${SHARED:-../shared}
events=200
seconds=5
rate=1000
out=
inputs=()
while [ $# -gt 0 ]; do
  case $1 in
    --events) events=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
if [ ${#inputs[@]} -eq 0 ]; then
  inputs=("$SHARED"/fixtures/tetragon/*.json "$SHARED"/fixtures/tetragon/*.jsonl
          "$SHARED"/fixtures/synthetic/all-kinds.jsonl)
fi
[ -x "$RTI" ] || { echo "demo-grpc: $RTI missing (make V=rel all)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/stella-rti-demo.XXXXXX)
replay_pid=
cleanup() {
  if [ -n "$replay_pid" ]; then kill -TERM "$replay_pid" 2>/dev/null || true; wait "$replay_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
sock=$tmp/tetragon.sock
out=${out:-$tmp/events.ndjson}

echo "== stella-rti replay --listen unix://$sock --loop --rate $rate (${#inputs[@]} files)"
"$RTI" replay --listen "unix://$sock" --loop --rate "$rate" --ready-file "$tmp/ready" \
  "${inputs[@]}" 2>"$tmp/replay.log" &
replay_pid=$!
for _ in $(seq 100); do [ -e "$tmp/ready" ] && break; sleep 0.1; done
[ -e "$tmp/ready" ] || { cat "$tmp/replay.log" >&2; exit 1; }
grep -v '^stella-rti replay: summary' "$tmp/replay.log" | sed 's/^/   /'

echo "== stella-rti run --tetragon unix://$sock --max-events $events --duration $seconds -o $out"
"$RTI" run --tetragon "unix://$sock" --max-events "$events" --duration "$seconds" -o "$out"

echo "== first event"
head -n 1 "$out"
echo "== $(wc -l <"$out") canonical RuntimeCallEvents in $out"
