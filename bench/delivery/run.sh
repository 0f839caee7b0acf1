#!/usr/bin/env bash
# Delivery benchmark (issue #14 item 7; make bench): the agent's CPU per
# event with the events sink and the spool on, against a local receiver
# (tests/delivery/receiver.py --fast: reads each request and answers 200),
# versus the same agent without delivery, in the same run, interleaved,
# best of BENCH_DELIVERY_RUNS. Variants:
#   none         output "-" (stdout to /dev/null), no delivery
#   interval     + delivery.events to the receiver, spool fsync: interval
#   every_batch  + the same with fsync: every_batch
# Events: `stella-rti replay --loop --max-messages M` of bench/grpc/
# gen-kprobe.py (kprobe events with kernel and user stacks). For each
# variant the agent runs until it wrote every event and (with delivery)
# the receiver acknowledged every one (its metrics say so); its CPU
# (utime + stime from /proc/PID/stat) is read then, divided by the events.
# Target: interval <= 1.10 x none. Also prints the contract's floor in the
# same run: gzip level 6 and the batch's SHA-256 of the same events' lines
# (rti-floors gzip6).
#
# Environment: BUILD (build), BENCH_DELIVERY_EVENTS (100000),
# BENCH_DELIVERY_RUNS (3), BENCH_GRPC_SEED (42)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
B=$BUILD/rel
M=${BENCH_DELIVERY_EVENTS:-100000}
RUNS=${BENCH_DELIVERY_RUNS:-3}
SEED=${BENCH_GRPC_SEED:-42}
OUT=bench/out
PY=/usr/bin/python3
mkdir -p "$OUT"
EV=$OUT/grpc-kprobe-s$SEED-$(sha256sum bench/grpc/gen-kprobe.py | cut -c1-10).jsonl
if [ ! -s "$EV" ]; then
  $PY bench/grpc/gen-kprobe.py --events 4096 --seed "$SEED" >"$EV.tmp"
  mv "$EV.tmp" "$EV"
fi
tmp=$(mktemp -d /tmp/rti-bench-delivery.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
$PY tests/delivery/receiver.py --fast --dir "$tmp/rcv" --port-file "$tmp/port" 2>"$tmp/rcv.log" &
pids+=($!)
for _ in $(seq 200); do [ -s "$tmp/port" ] && break; sleep 0.05; done
PORT=$(cat "$tmp/port")
TCK=$(getconf CLK_TCK)

metric() { # PORT NAME: a sample's value (sum over label sets)
  curl -s "http://127.0.0.1:$1/metrics" |
    awk -v m="$2" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%.0f\n", s }'
}
# one VARIANT RUN: prints "cpu_seconds events"
one() {
  local v=$1 r=$2 dir=$tmp/$1-$2 port agent w d
  mkdir -p "$dir"
  "$B/stella-rti" replay --listen "unix://$dir/rp.sock" --ready-file "$dir/rp.ready" --loop \
    --max-messages "$M" --quiet "$EV" 2>/dev/null &
  local rp=$!
  for _ in $(seq 200); do [ -e "$dir/rp.ready" ] && break; sleep 0.05; done
  {
    printf 'tetragon: {address: "unix://%s/rp.sock", overflow: block}\n' "$dir"
    printf 'output: {path: "-"}\nmetrics: {listen: "127.0.0.1:0"}\nlog: {summary: false}\n'
    if [ "$v" != none ]; then
      printf 'delivery:\n  spool: {dir: "%s/spool", fsync: %s}\n' "$dir" "$v"
      printf '  events: {url: "http://127.0.0.1:%s/ingest"}\n' "$PORT"
    fi
  } >"$dir/config.yaml"
  "$B/stella-rti" agent --config "$dir/config.yaml" >/dev/null 2>"$dir/agent.log" &
  agent=$!
  for _ in $(seq 600); do grep -qs 'port=' "$dir/agent.log" && break; sleep 0.05; done
  port=$(grep -o 'serving /metrics.*port=[0-9]*' "$dir/agent.log" | grep -o '[0-9]*$')
  # until every message was taken in and written (the queue empty, the
  # written count still between two looks) and, with delivery, acknowledged
  local prev=-1
  while :; do
    w=$(metric "$port" stella_rti_events_written_total)
    if [ "$(metric "$port" stella_rti_events_received_total)" -ge "$M" ] && [ "$w" -gt 0 ] &&
       [ "$(metric "$port" stella_rti_queue_bytes)" -eq 0 ] && [ "$w" -eq "$prev" ]; then
      if [ "$v" = none ]; then break; fi
      d=$(metric "$port" stella_rti_delivery_records_total)
      [ "$d" -ge "$w" ] && break
    fi
    prev=$w
    sleep 0.2
  done
  awk -v t="$TCK" -v w="$w" '{ printf "%.3f %d\n", ($14 + $15) / t, w }' "/proc/$agent/stat" | sed 's/)//'
  kill -TERM "$agent"; wait "$agent" 2>/dev/null || true
  kill -TERM "$rp"; wait "$rp" 2>/dev/null || true
  rm -rf "$dir/spool"
}

declare -A best
for r in $(seq "$RUNS"); do
  for v in none interval every_batch; do
    read -r cpu ev < <(one "$v" "$r")
    us=$(awk -v c="$cpu" -v e="$ev" 'BEGIN { printf "%.2f", c * 1e6 / e }')
    echo "run $r $v: $ev events, $cpu s CPU, $us us/event" >&2
    if [ -z "${best[$v]:-}" ] || awk -v a="$us" -v b="${best[$v]}" 'BEGIN { exit !(a < b) }'; then
      best[$v]=$us
    fi
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
# the floor of the contract, same run: the same events' canonical lines
# gzipped at level 6 in 1 MiB batches and hashed, as the events sink does
"$B/stella-rti" convert --quiet "$EV" -o "$tmp/lines.ndjson"
read -r gz bsha < <("$B/rti-floors" gzip6 "$tmp/lines.ndjson" |
  awk '{ for (i = 1; i < NF; i++) { if ($i == "ns_per_line") g = $(i + 1); if ($i == "batch_sha_ns_per_line") h = $(i + 1) } }
       END { printf "%.2f %.2f\n", g / 1000, h / 1000 }')
{
  echo "delivery bench: $M messages of $(basename "$EV"), best of $RUNS, $(nproc) cores"
  printf '%-12s %10s %8s\n' variant "us/event" "x none"
  for v in none interval every_batch; do
    printf '%-12s %10s %8s\n' "$v" "${best[$v]}" "$(ratio "${best[$v]}" "${best[none]}")"
  done
  echo "floor (same run, rti-floors gzip6 on the same events' lines): gzip level 6 $gz us/event + batch SHA-256 $bsha us/event"
  echo "  = $(ratio "$(awk -v a="$gz" -v b="$bsha" 'BEGIN { print a + b }')" "${best[none]}") x the agent without delivery (the target allows 0.10 x)"
  r=$(ratio "${best[interval]}" "${best[none]}")
  if awk -v r="$r" 'BEGIN { exit !(r <= 1.10) }'; then echo "target (interval <= 1.10 x none): met"
  else echo "target (interval <= 1.10 x none): MISSED ($r)"; fi
} | tee "$OUT/delivery.txt"
