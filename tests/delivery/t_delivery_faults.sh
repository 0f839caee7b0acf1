#!/usr/bin/env bash
# The spool under faults (issue #14 item 6), each ending with the set of
# event ids received = the set written, minus exactly what was counted as
# dropped: the spool at its limit (drop_oldest: the oldest lines dropped,
# counted exactly); a corrupt segment (quarantined, counted, delivery goes
# on); the agent killed with SIGKILL at random points while it delivers and
# restarted (no event lost; a re-sent batch has the same key and bytes);
# the disk full (a small ext4 image, or a file size limit where mounting
# is not possible): counted, /readyz says so, and delivery recovers when
# space returns; when_full: block (the writer waits, nothing is dropped in
# the spool, /readyz says so, a stop still stops).
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
. "$RTI_ROOT/tests/delivery/delivery-lib.sh"
cd "$T"
RANDOM=14 # seeded: the kill points are the same every run

start_receiver rcv || { done_testing; exit; }
mkdir -p etc
# config NAME SPOOL_DIR MAX_BYTES [TETRAGON]: etc/NAME.yaml
config() {
  cat >"etc/$1.yaml" <<Y
node: node-f
tetragon:
  address: ${4:-unix://$T/rp.sock}
  policies: [$RTI_ROOT/tests/fixtures/policies.yaml]
  backoff_initial: 100ms
  backoff_max: 300ms
output:
  path: $T/$1.ndjson
metrics:
  listen: 127.0.0.1:0
delivery:
  spool: {dir: $2, max_bytes: $3}
  http: {timeout: 5s, backoff_initial: 20ms, backoff_max: 200ms}
  events: {url: "http://127.0.0.1:$RCV_PORT/ingest", batch_max_bytes: 8KiB, batch_timeout: 100ms}
Y
}
stop_agent() { kill -TERM "$AGENT_PID"; wait "$AGENT_PID"; }
# (a stop drains for at most 5 s: RTI_DELIVERY_DRAIN_MS)
reset_receiver() { rm -f rcv/events.txt rcv/batches.txt rcv/requests.txt; }

# ---- the spool at its limit: the oldest dropped, counted exactly ----
answer 503
gen full 400 0
config full "$T/spool-full" 64KiB
serve full
start_agent full etc/full.yaml || { done_testing; exit; }
N=$GEN_KEPT
check "full: the agent wrote $N events" wait_for 120 has_lines full.ndjson "$N"
check "full: lines dropped at the limit" wait_for 30 metric_ge 'stella_rti_delivery_dropped_total{sink="events",reason="spool_full"}' 1
check "full: the spool stays within max_bytes" test "$(metric stella_rti_spool_bytes)" -le 65536
D=$(metric 'stella_rti_delivery_dropped_total{sink="events",reason="spool_full"}')
check "full: also in stella_rti_events_dropped_total{reason=spool_full}" metric_is 'stella_rti_events_dropped_total{reason="spool_full"}' "$D"
answer ok
tail -n $(( N - D )) full.ndjson >kept.ndjson
ids kept.ndjson >want.ids
if wait_for 120 same_ids want.ids; then ok "full: received = the newest $(( N - D )) of $N written ($D dropped, counted)"
else not_ok "full: received = the newest $(( N - D )) of $N written ($D dropped, counted)"; show_ids_diff want.ids; fi
stop_agent
stop_pid "$RP_PID"; RP_PID=

# ---- when_full: block: the writer waits (nothing dropped in the spool) ----
reset_receiver
answer 503
gen block 400 50000
config block "$T/spool-b" 64KiB
sed -i 's/max_bytes: 64KiB}/max_bytes: 64KiB, when_full: block}/' etc/block.yaml
serve block
start_agent block etc/block.yaml || { done_testing; exit; }
blocked() { http /readyz >ready.json; [ "$HTTP_CODE" = 503 ] && grep -q '"spool":"full (when_full: block)"' ready.json; }
check "block: /readyz 503, the spool full and the writer waiting" wait_for 60 blocked
check "block: /healthz 200 while the writer waits" code_is /healthz 200
answer ok
check "block: the writer goes on once the receiver is back" wait_for 120 has_lines block.ndjson "$GEN_KEPT"
ids block.ndjson >want.ids
if wait_for 120 same_ids want.ids; then ok "block: received = written ($(wc -l <want.ids)), nothing dropped in the spool"
else not_ok "block: received = written"; show_ids_diff want.ids; fi
check "block: no spool_full drop" metric_is 'stella_rti_delivery_dropped_total{sink="events",reason="spool_full"}' 0
answer 503
gen block2 400 60000
serve block2
check "block: blocked again" wait_for 60 blocked
stop_agent
check "block: SIGTERM while the writer waits: the agent stops" test $? -eq 0
stop_pid "$RP_PID"; RP_PID=

# ---- a corrupt segment: quarantined, counted; the rest delivered ----
reset_receiver
answer 503
gen corrupt 600 10000
config corrupt "$T/spool-c" 1MiB
serve corrupt
start_agent corrupt etc/corrupt.yaml || { done_testing; exit; }
check "corrupt: the agent wrote $GEN_KEPT events" wait_for 120 has_lines corrupt.ndjson "$GEN_KEPT"
stop_agent
check "corrupt: several segments spooled" test "$(ls spool-c/events/*.seg | wc -l)" -ge 3
# the second segment's first record: one payload byte changed; its lines are lost
$PY - spool-c/events lost.ids <<'PY'
import json, os, struct, sys
d = sys.argv[1]
seg = os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith('.seg'))[1])
data = bytearray(open(seg, 'rb').read())
ids, off = [], 0
while off + 8 <= len(data):
    n, _ = struct.unpack_from('<II', data, off)
    ids.append(json.loads(data[off + 8:off + 8 + n])['event_id'])
    off += 8 + n
data[8 + 5] ^= 0x20
open(seg, 'wb').write(data)
open(sys.argv[2], 'w').write(''.join(sorted(i + '\n' for i in ids)))
PY
ids corrupt.ndjson | comm -23 - lost.ids >want.ids
answer ok
config corrupt2 "$T/spool-c" 1MiB "unix://$T/nowhere.sock"
start_agent corrupt2 etc/corrupt2.yaml || { done_testing; exit; }
if wait_for 120 same_ids want.ids; then ok "corrupt: received = written minus the $(wc -l <lost.ids) lines of the corrupt segment"
else not_ok "corrupt: received = written minus the corrupt segment's lines"; show_ids_diff want.ids; fi
check "corrupt: counted" metric_is 'stella_rti_spool_quarantined_segments_total{reason="corrupt"}' 1
check "corrupt: the segment is in spool/corrupt/" test "$(ls spool-c/corrupt | grep -c '^events-.*\.seg$')" -eq 1
check "corrupt: logged with the byte offset" grep -q 'corrupt segment quarantined.*byte 0: CRC mismatch' corrupt2.log
stop_agent

# ---- SIGKILL at random points while delivering, restarted each time ----
reset_receiver
answer 503
gen kill 600 20000
config kill "$T/spool-k" 64MiB
serve kill
start_agent kill etc/kill.yaml || { done_testing; exit; }
check "kill: the agent wrote $GEN_KEPT events" wait_for 120 has_lines kill.ndjson "$GEN_KEPT"
stop_agent
stop_pid "$RP_PID"; RP_PID=
ids kill.ndjson >want.ids
answer stall 0.2 # every request takes 200 ms: a kill lands in the middle of one
config kill2 "$T/spool-k" 64MiB "unix://$T/nowhere.sock"
kills=0
for round in 1 2 3 4 5 6 7 8; do
  start_agent "kill-$round" etc/kill2.yaml || break
  have=$(wc -l <rcv/requests.txt 2>/dev/null || echo 0)
  wait_for 60 bash -c "[ \$(wc -l <rcv/requests.txt 2>/dev/null || echo 0) -ge $(( have + 1 + RANDOM % 4 )) ]"
  sleep "0.$(( RANDOM % 200 ))" # a random point of the next request
  kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null
  kills=$((kills + 1))
done
check "kill: killed $kills times at random points" test "$kills" -eq 8
answer ok
start_agent kill-last etc/kill2.yaml || { done_testing; exit; }
if wait_for 120 same_ids want.ids; then ok "kill: received = written ($(wc -l <want.ids)), nothing lost"
else not_ok "kill: received = written, nothing lost"; show_ids_diff want.ids; fi
check "kill: every duplicate came in a batch re-sent with the same key (and same bytes)" $PY - rcv/events.txt rcv/batches.txt <<'PY'
import collections, sys
keys = collections.defaultdict(set)
for l in open(sys.argv[1]):
    i, k = l.split()
    keys[i].add(k)
bad = {i: k for i, k in keys.items() if len(k) > 1}
assert not bad, list(bad.items())[:3]
bodies = collections.defaultdict(set)
for l in open(sys.argv[2]):
    k, d = l.split()[:2]
    bodies[k].add(d)
assert all(len(v) == 1 for v in bodies.values())
PY
check "kill: some batches were re-sent after a kill" bash -c "[ \$(cut -d' ' -f1 rcv/batches.txt | sort | uniq -d | wc -l) -ge 1 ]"
stop_agent

# ---- the disk full ----
reset_receiver
answer 503
mkdir -p mnt
MODE=${RTI_TEST_DISK_FULL:-mount} # ulimit: test the fallback
[ "$MODE" = mount ] && { truncate -s 4M disk.img && mkfs.ext4 -q -F disk.img >/dev/null 2>&1 &&
  mount -o loop disk.img mnt 2>/dev/null || MODE=ulimit; }
echo "# disk full by: $MODE"
cleanup_mount() { [ "$MODE" = mount ] && umount "$T/mnt" 2>/dev/null; cleanup_peers; }
trap cleanup_mount EXIT
gen disk 4500 30000
N=$GEN_KEPT
config disk "$T/mnt/spool" 1GiB
if [ "$MODE" = ulimit ]; then
  # a file size limit of 1 MiB for the agent (EFBIG), SIGXFSZ ignored; the
  # event file would hit it too: the written count comes from the metrics
  sed -i '/^output:/,+1d' etc/disk.yaml
  start_agent_limited() {
    (trap '' XFSZ; ulimit -f 2048; exec "$RTI" agent --config etc/disk.yaml) 2>"$T/disk.log" &
    AGENT_PID=$!; PEER_PIDS+=("$AGENT_PID")
    wait_for 60 grep -q 'msg=started' "$T/disk.log" &&
      AGENT_PORT=$(grep -o 'serving /metrics.*port=[0-9]*' "$T/disk.log" | grep -o '[0-9]*$')
  }
  start_agent_limited
else
  start_agent disk etc/disk.yaml
fi
serve disk
check "disk: the agent wrote $N events" wait_for 120 metric_is stella_rti_events_written_total "$N"
check "disk: lines dropped, counted as disk_full" metric_ge 'stella_rti_delivery_dropped_total{sink="events",reason="disk_full"}' 1
D=$(metric 'stella_rti_delivery_dropped_total{sink="events",reason="disk_full"}')
if [ "$MODE" = mount ]; then
  spool_unready() { http /readyz >ready.json; [ "$HTTP_CODE" = 503 ] && grep -q '"spool":"not writable"' ready.json; }
  check "disk: /readyz 503, the spool not writable" spool_unready
fi
check "disk: /healthz 200 (alive)" code_is /healthz 200
check "disk: logged" grep -q 'spool disk full: event dropped' "$T/disk.log"
answer ok
got_n() { [ "$(received_ids | wc -l)" -eq "$1" ]; }
check "disk: received = written - dropped ($N - $D)" wait_for 120 got_n $(( N - D ))
if [ "$MODE" = mount ]; then
  ids disk.ndjson >all.ids
  check "disk: every id received was written" bash -c "received_ids() { cut -d' ' -f1 rcv/events.txt | sort -u; }; [ -z \"\$(received_ids | comm -23 - all.ids)\" ]"
fi
# space returns once the spool is delivered: new events are spooled and delivered
gen disk2 100 40000
serve disk2
check "disk: new events after space returned are delivered" wait_for 120 got_n $(( N - D + GEN_KEPT ))
check "disk: no more drops" metric_is 'stella_rti_delivery_dropped_total{sink="events",reason="disk_full"}' "$D"
check "disk: /readyz 200 again" wait_for 30 code_is /readyz 200
check "disk: stella_rti_spool_writable 1" metric_is stella_rti_spool_writable 1
stop_agent
done_testing
