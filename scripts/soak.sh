#!/usr/bin/env bash
# make soak (not in `make test`): SOAK_EVENTS (default 100 million) events
# through `stella-rti agent` from the replay server, with symbolization, the
# hot index (SQLite) and the event file on (rotated when the build has the
# rotation sink; else /dev/null, said in the report). Samples the agent's
# RSS and open fds every SOAK_SAMPLE seconds; after warm-up (the first 10%
# of events) peak RSS must stay flat (max - min <= 2 MiB) and fds constant;
# counts must be exact: served = received = written + counted drops.
# Prints one summary block (docs/performance.md "Soak").
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
B=${BUILD:-build}/rel
N=${SOAK_EVENTS:-100000000}
SAMPLE=${SOAK_SAMPLE:-5}
PY=/usr/bin/python3
tmp=$(mktemp -d /tmp/rti-soak.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
$PY bench/grpc/gen-kprobe.py --events 4096 --seed 42 >"$tmp/ev.jsonl"
"$B/stella-rti" replay --listen "unix://$tmp/rp.sock" --ready-file "$tmp/rp.ready" --loop \
  --max-messages "$N" "$tmp/ev.jsonl" 2>"$tmp/replay.log" &
RP=$!
pids+=("$RP")
until [ -e "$tmp/rp.ready" ]; do sleep 0.1; done
OUT=$tmp/events.ndjson
grep -q rti_rotate_open "$B/libstella-rti.a" 2>/dev/null || OUT=/dev/null
cat >"$tmp/config.yaml" <<Y
node: soak
tetragon:
  address: unix://$tmp/rp.sock
  max_events: $N
  overflow: block
hot_index:
  url: sqlite:$tmp/hot.db
  flush_interval: 10s
output:
  path: $OUT
  max_size_mb: 64
  max_backups: 2
  compress: false
metrics:
  listen: 127.0.0.1:0
Y
/usr/bin/time -f '%U %S %M %e' -o "$tmp/time" "$B/stella-rti" agent --config "$tmp/config.yaml" \
  2>"$tmp/agent.log" &
TP=$!
pids+=("$TP")
until AP=$(pgrep -P "$TP" stella-rti); do sleep 0.1; done
until grep -q 'port=' "$tmp/agent.log"; do sleep 0.1; done
PORT=$(grep -o 'port=[0-9]*' "$tmp/agent.log" | head -1 | cut -d= -f2)
metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2 } END { printf "%.0f\n", s }'; }
echo "soak: $N events, samples every ${SAMPLE}s in $tmp/samples (t rss_kib fds received)" >&2
: >"$tmp/samples"
t0=$(date +%s)
while kill -0 "$AP" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' /proc/"$AP"/status 2>/dev/null || echo 0)
  fds=$(ls /proc/"$AP"/fd 2>/dev/null | wc -l)
  rec=$(metric stella_rti_events_received_total 2>/dev/null || echo 0)
  [ -n "$rss" ] && [ "$rss" != 0 ] && echo "$(( $(date +%s) - t0 )) $rss $fds $rec" >>"$tmp/samples"
  sleep "$SAMPLE"
done
wait "$TP" || true
read -r ut st maxrss el <"$tmp/time"
stopped=$(grep 'msg=stopped' "$tmp/agent.log" | tail -1)
received=$(sed -n 's/.* received=\([0-9]*\).*/\1/p' <<<"$stopped")
written=$(sed -n 's/.* written=\([0-9]*\).*/\1/p' <<<"$stopped")
dropped=$(sed -n 's/.* dropped_queue_full=\([0-9]*\).*/\1/p' <<<"$stopped")
malformed=$(sed -n 's/.* malformed=\([0-9]*\).*/\1/p' <<<"$stopped")
kill -TERM "$RP"; wait "$RP" 2>/dev/null || true
served=$(awk '/messages sent/ {print $3}' "$tmp/replay.log")
$PY - "$tmp/samples" "$N" <<'PY'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
warm = [r for r in rows if r[3] >= n // 10]
if not warm:
    print("soak: no samples after warm-up"); sys.exit(0)
rss = [r[1] for r in warm]; fds = [r[2] for r in warm]
print(f"rss_after_warmup_kib min={min(rss)} max={max(rss)} spread={max(rss)-min(rss)} (samples {len(warm)})")
print(f"fds_after_warmup min={min(fds)} max={max(fds)}")
PY
echo "served=${served:-?} received=$received written=$written dropped_queue_full=$dropped malformed=$malformed"
echo "cpu_user_s=$ut cpu_sys_s=$st wall_s=$el peak_rss_kib=$maxrss"
$PY -c "import sys; u,s,n=map(float,sys.argv[1:4]); print(f'cpu_per_event_us={(u+s)/n*1e6:.3f} events_per_s={n/float(sys.argv[4]):.0f}')" "$ut" "$st" "$N" "$el"
ok=1
[ "$received" = "$N" ] || { echo "soak: FAIL received $received != $N" >&2; ok=0; }
[ "$((written + dropped + malformed))" = "$received" ] || { echo "soak: FAIL written + drops != received" >&2; ok=0; }
[ "${served:-}" = "$N" ] || { echo "soak: FAIL served ${served:-?} != $N" >&2; ok=0; }
[ "$ok" = 1 ] && echo "soak: counts exact"
[ "$ok" = 1 ]
