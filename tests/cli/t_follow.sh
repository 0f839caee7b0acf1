#!/usr/bin/env bash
# convert --follow: like tail -F, across Tetragon's rotation (rename, then a
# new file) and truncation, a line split across writes, without losing or
# duplicating a line; SIGTERM flushes and exits 0.
. "$RTI_ROOT/tests/lib.sh"
# N distinct kprobe events: same template, different times
gen() { # gen FIRST COUNT
  $PY - "$1" "$2" <<'PY'
import sys
first, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(first, first + count):
    print('{"process_kprobe":{"process":{"exec_id":"Zm9sbG93OjE=","pid":7,"binary":"/usr/bin/follow"},'
          '"function_name":"tcp_connect"},"node_name":"n","time":"2026-11-21T10:00:%02d.%09dZ"}' % (i // 1000, i % 1000))
PY
}
log=tetragon.log
gen 0 3 >$log
"$RTI" convert --follow $log -o out.ndjson 2>follow.err &
pid=$!
# each step waits until the follower has read what was written before
# changing the file under it (the kernel's position of its descriptor):
# a copytruncate before the follower reached the end would lose lines for
# tail -F too, and the test is about the follower, not about that race
caught_up() { wait_for 120 read_up_to $pid $log; }
check "follower read the first lines" caught_up
gen 3 2 >>$log
check "follower read the appended lines" caught_up
# rotation as lumberjack does it: rename, then a new file under the name
mv $log tetragon-2026-11-21T10-00-00.000.log
gen 5 2 >$log
check "follower switched to the new file" caught_up
# a line written in two parts: the follower has read the first part
line=$(gen 7 1)
printf '%s' "${line:0:40}" >>$log
check "follower read half a line" caught_up
printf '%s\n' "${line:40}" >>$log
check "follower read the rest of the line" caught_up
# truncation (copytruncate), then new data
: >$log
check "follower saw the truncation" caught_up
gen 8 2 >>$log
check "follower read the lines after the truncation" caught_up
check "every event written out before the stop" wait_for 120 has_lines out.ndjson 10
kill -TERM $pid
wait $pid; rc=$?
check "follow stops on SIGTERM with exit 0" test "$rc" -eq 0
check "every line converted exactly once (10 events)" test "$(wc -l <out.ndjson)" -eq 10
check "no duplicates" test "$(sort -u out.ndjson | wc -l)" -eq 10
for i in 0 4 5 7 9; do
  check "event $i present" grep -q "\"time\":\"2026-11-21T10:00:00.00000000${i}Z\"" out.ndjson
done
check "rotation and truncation counted" grep -q "1 rotations, 1 truncations" follow.err
check "no malformed records" grep -Eq 'malformed +0$' follow.err
check "--follow needs exactly one file" sh -c '! "$0" convert --follow a b 2>/dev/null' "$RTI"
done_testing
