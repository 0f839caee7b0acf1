#!/usr/bin/env bash
# Rotation under load (issue #13 item 7): a writer at full speed through the
# rotating event file, rotations by size, by interval and both with a
# reconfiguring thread; then every line is present exactly once, in order,
# across the rotated files (gunzipped) and the live file, none split, and
# no rotated file over max_size unless it holds one line.
. "$RTI_ROOT/tests/lib.sh"
LOAD=$RTI_BUILD/tests/rotate-load
N=100000
[ "$RTI_V" = asan ] && N=30000

# check_dir DIR N MAX_SIZE FILE_MAX: the checker (MAX_SIZE as given to the
# writer, FILE_MAX the largest max_size it had; N -1: as many lines as there
# are, which must be lines 0.. with no gap), one check per property
check_dir() {
  local r
  while IFS='|' read -r r what; do
    if [ "$r" = OK ]; then ok "$what"; else not_ok "$what"; fi
  done < <($PY - "$@" <<'PY'
import gzip, os, re, sys
d, n, maxsize, filemax = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
live = os.path.join(d, 'events.ndjson')
rotated = sorted(f for f in os.listdir(d) if re.fullmatch(r'events-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.ndjson(\.gz)?', f))
stray = sorted(set(os.listdir(d)) - set(rotated) - {'events.ndjson'})
def line(i):
    x = (i * 2654435761 + 12345) & 0xffffffffffffffff
    ln = 1 + (x >> 7) % 300
    if i % 997 == 0 and maxsize <= 256 * 1024:
        ln = maxsize + 100
    return 'seq=%09d ' % i + ''.join(chr(97 + (i + k) % 26) for k in range(ln)) + '\n'
def tap(good, what):
    print(('OK' if good else 'FAIL') + '|' + os.path.basename(d) + ': ' + what)
datas = []
for f in rotated:
    p = os.path.join(d, f)
    datas.append((f, gzip.open(p).read() if f.endswith('.gz') else open(p, 'rb').read()))
datas.append(('events.ndjson', open(live, 'rb').read()))
whole = all(b == b'' or b.endswith(b'\n') for _, b in datas)
tap(whole, 'every file ends with a whole line (%d rotated files)' % len(rotated))
over = [f for f, b in datas if len(b) > filemax and b.count(b'\n') > 1]
tap(not over, 'no file over max_size but for one line: %s' % over[:3])
tap(not stray, 'no stray file (.gz.tmp, plain beside .gz): %s' % stray[:3])
got = b''.join(b for _, b in datas).decode()
if n < 0:  # killed: whatever was written, a gapless prefix
    n = got.count('\n')
bad = None
pos = 0
for i in range(n):
    w = line(i)
    if got[pos:pos + len(w)] != w:
        bad = i
        break
    pos += len(w)
tap(bad is None and pos == len(got), 'all %d lines exactly once, in order, none split%s' % (n, '' if bad is None else ' (first bad: %d)' % bad))
PY
)
}

# size only, compressed
mkdir -p "$T/size"
out=$("$LOAD" "$T/size/events.ndjson" $N 65536 0 0 1 0) || not_ok "size run"
echo "# $out"
check "size: rotations happened" test "$(sed -n 's/.*rotations=\([0-9]*\).*/\1/p' <<<"$out")" -gt 10
check "size: no error" grep -q 'errors=0 ' <<<"$out"
check_dir "$T/size" $N 65536 65536

# interval only (real clock, 5 ms), plain
mkdir -p "$T/interval"
out=$("$LOAD" "$T/interval/events.ndjson" $N 100000000 5 0 0 0) || not_ok "interval run"
echo "# $out"
check "interval: rotations happened" test "$(sed -n 's/.*rotations=\([0-9]*\).*/\1/p' <<<"$out")" -gt 2
check_dir "$T/interval" $N 100000000 100000000

# both, compressed, a thread reconfiguring max_size (64 KiB .. 256 KiB) meanwhile
mkdir -p "$T/both"
out=$("$LOAD" "$T/both/events.ndjson" $N 65536 5 0 1 1) || not_ok "reconfigure run"
echo "# $out"
check "both: reconfigured while writing" test "$(sed -n 's/.*reconfigurations=\([0-9]*\).*/\1/p' <<<"$out")" -gt 0
check "both: no error" grep -q 'errors=0 ' <<<"$out"
check_dir "$T/both" $N 65536 $((65536 * 4))

# backups pruned under load: 3 rotated files remain, all compressed
mkdir -p "$T/prune"
"$LOAD" "$T/prune/events.ndjson" $N 65536 0 3 1 0 >/dev/null || not_ok "prune run"
check "prune: 3 rotated files kept, gzipped" test "$(ls "$T/prune" | grep -c '^events-.*\.ndjson\.gz$')" -eq 3
check "prune: nothing else but the live file" test "$(ls "$T/prune" | wc -l)" -eq 4
# killed (SIGKILL) while writing, rotating and compressing; reopened: the
# next open cleans the .gz.tmp and compresses what was left plain, and the
# lines on disk are lines 0..k-1, none split, none twice, none missing
# (what was still in the 64 KiB buffer is lost: a restart resumes from the
# hot index's committed position and writes it again)
mkdir -p "$T/kill"
"$LOAD" "$T/kill/events.ndjson" 400000 65536 0 0 1 0 >/dev/null 2>&1 &
pid=$!
gz_count() { [ "$(ls "$T/kill" | grep -c '\.gz$')" -ge "$1" ]; }
check "kill: compressed files appear while writing" wait_for 60 gz_count 20
kill -9 $pid; wait $pid 2>/dev/null
echo "# at the kill: $(ls "$T/kill" | grep -c '\.gz\.tmp$') .gz.tmp, $(ls "$T/kill" | grep -c 'ndjson$') plain"
check "kill: reopened (repair and compression at open)" sh -c '"$0" "$1" 0 65536 0 0 1 0 >/dev/null' "$LOAD" "$T/kill/events.ndjson"
check "kill: no plain rotated file left" test "$(ls "$T/kill" | grep -c -- '-.*\.ndjson$')" -eq 0
check_dir "$T/kill" -1 65536 65536
done_testing
