#!/usr/bin/env bash
# convert: schema validity, determinism, privacy canary, malformed input,
# --strict, exit codes, signals, hostile records.
. "$RTI_ROOT/tests/lib.sh"
F=$SHARED/fixtures
POL=$F/synthetic/policies.yaml
SCHEMA=$SHARED/spec/runtime-call-event.schema.json

# --- every output line valid, canonical, with correct ids
"$RTI" convert -p "$POL" --quiet "$F"/tetragon/* "$F"/synthetic/*.jsonl >all.ndjson 2>/dev/null
check "all fixtures produce events" test -s all.ndjson
check "every output line matches the schema, is canonical, ids verified" \
  $PY "$RTI_ROOT/tests/cli/validate_schema.py" "$SCHEMA" all.ndjson
"$RTI" convert -p "$RTI_ROOT/tests/fixtures/policies.yaml" --quiet "$RTI_ROOT"/tests/fixtures/*.jsonl >own.ndjson 2>/dev/null
check "our own fixtures validate too" $PY "$RTI_ROOT/tests/cli/validate_schema.py" "$SCHEMA" own.ndjson

# --- every probe type is produced
for t in kprobe kretprobe uprobe uretprobe tracepoint usdt fentry fexit lsm process_exec process_exit; do
  check "probe type $t produced" grep -q "\"type\":\"$t\"" all.ndjson own.ndjson
done

# --- determinism: same input twice, and reordered input
"$RTI" convert -p "$POL" --quiet "$F"/tetragon/* "$F"/synthetic/*.jsonl >again.ndjson 2>/dev/null
same_file "same input twice is byte-identical" again.ndjson all.ndjson
cat "$F"/tetragon/derived-all-oss-events.compact.jsonl "$F"/synthetic/all-kinds.jsonl >in.jsonl
$PY -c 'import random,sys; l=open("in.jsonl").readlines(); random.Random(7).shuffle(l); sys.stdout.writelines(l)' >shuf.jsonl
"$RTI" convert -p "$POL" --quiet in.jsonl | sort >a.sorted
"$RTI" convert -p "$POL" --quiet shuf.jsonl | sort >b.sorted
same_file "reordering unrelated events changes no event's bytes" b.sorted a.sorted
check "reordered run emitted events" test -s a.sorted
"$RTI" convert -p "$POL" --quiet <in.jsonl | sort >c.sorted
same_file "stdin input equals file input" c.sorted a.sorted
gzip -c in.jsonl >in.jsonl.gz
"$RTI" convert -p "$POL" --quiet in.jsonl.gz | sort >d.sorted
same_file "gzip-compressed rotated file equals plain" d.sorted a.sorted

# --- privacy canary: no planted secret anywhere in stdout or stderr
"$RTI" convert -p "$POL" "$F"/synthetic/*.jsonl >canary.out 2>canary.err
"$RTI" convert -p "$POL" --strict "$F"/synthetic/malformed.jsonl >>canary.out 2>>canary.err
leaks=0
while IFS= read -r secret; do
  if grep -qF -- "$secret" canary.out canary.err; then leaks=$((leaks+1)); echo "# leaked: ${secret:0:4}..."; fi
done < <($PY -c 'import json,sys; [print(v) for v in json.load(open(sys.argv[1])).values()]' "$F/synthetic/all-kinds.secrets.json")
check "no planted secret in any output or diagnostic" test "$leaks" -eq 0
check "redactions are recorded" grep -q '"redacted":\[' canary.out
"$RTI" convert -p "$RTI_ROOT/tests/fixtures/policies.yaml" "$RTI_ROOT"/tests/fixtures/every-kind.jsonl >own.out 2>own.err
leaks=0
while IFS= read -r secret; do
  if grep -qF -- "$secret" own.out own.err; then leaks=$((leaks+1)); echo "# leaked: ${secret:0:6}..."; fi
done <"$RTI_ROOT/tests/fixtures/every-kind.secrets.txt"
check "own fixture: no secret, private path or address in any output" test "$leaks" -eq 0

# --- malformed input: one diagnostic per bad record, processing continues
"$RTI" convert -p "$POL" "$F/synthetic/malformed.jsonl" >m.out 2>m.err; rc=$?
check "malformed input exits 0 without --strict" test "$rc" -eq 0
check "diagnostics name FILE:LINE" grep -q "malformed.jsonl:9: process_exec.process.pid: an unsigned 32-bit integer out of range" m.err
check "bad UTF-8 is reported with its field" grep -q "malformed.jsonl:12: process_exec.process.binary: invalid UTF-8" m.err
check "lone surrogate is reported" grep -q "malformed.jsonl:8: .*surrogate" m.err
check "valid line after the bad ones is converted" test "$(grep -c '"process_exit"' m.out)" -eq 1
check "the 70 KB function name is accepted" grep -q 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' m.out
check "summary counts malformed records" grep -Eq 'malformed +8$' m.err
"$RTI" convert --strict -p "$POL" "$F/synthetic/malformed.jsonl" >s.out 2>s.err; rc=$?
check "--strict exits 1 on the first bad record" test "$rc" -eq 1
check "--strict stops at the first bad record" test "$(grep -c 'malformed.jsonl:' s.err)" -eq 1

# --- exit codes and usage errors
"$RTI" convert does-not-exist.jsonl >/dev/null 2>e.err; rc=$?
check "missing input exits 3 with a message" test "$rc" -eq 3 -a -n "$(grep 'does-not-exist.jsonl' e.err)"
"$RTI" convert --bogus >/dev/null 2>&1; rc=$?
check "unknown option exits 2" test "$rc" -eq 2
printf 'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: x\nspec:\n  kprobes:\n  - args: []\n' >badpol.yaml
"$RTI" convert -p badpol.yaml </dev/null >/dev/null 2>p.err; rc=$?
check "bad policy exits 2 naming FILE:LINE" grep -q 'badpol.yaml:7: spec.kprobes entry without a `call`' p.err
check "bad policy exit code" test "$rc" -eq 2
"$RTI" convert -o /proc/version/x "$F/synthetic/all-kinds.jsonl" >/dev/null 2>&1; rc=$?
check "unwritable output exits 3" test "$rc" -eq 3
"$RTI" convert --privacy nonesuch </dev/null >/dev/null 2>&1; rc=$?
check "unknown privacy profile exits 2" test "$rc" -eq 2

# --- signals: SIGTERM while reading a pipe flushes and prints the summary
mkfifo fifo
"$RTI" convert -p "$POL" fifo >sig.out 2>sig.err &
SIG=$!
exec 7<>fifo  # read-write: never blocks, even if convert failed to start
cat "$F/synthetic/all-kinds.jsonl" >&7
# the signal comes once convert has read everything and waits for more
check "SIGTERM: convert read the pipe and waits" wait_for 120 bash -c \
  '. "$RTI_ROOT/tests/lib.sh"; pipe_empty fifo && waiting_in_poll '$SIG
kill -TERM $SIG
wait $SIG; echo $? >sig.rc
exec 7>&-
check "SIGTERM: events read so far are flushed" test "$(wc -l <sig.out)" -eq 11
check "SIGTERM: summary says interrupted" grep -q 'summary (interrupted)' sig.err
check "SIGTERM: exit code 130" test "$(cat sig.rc)" -eq 130

# --- shapes jsmn lets through are rejected (fuzz regression: key without value)
printf '{"process_exec":{"process":{"binary":"x"}},"time:2""message20T10:00:00Z"}\n{"a":1 "b":2}\n' >shape.jsonl
"$RTI" convert shape.jsonl >/dev/null 2>shape.err
check "key without value is invalid JSON" grep -q 'shape.jsonl:1: invalid JSON (object member without a single value)' shape.err
check "value after value is invalid JSON" grep -q 'shape.jsonl:2: invalid JSON' shape.err

# --- hostile records cost linear time
$PY - <<'PY'
import json
n = 200000
with open("wide.jsonl", "w") as f:
    f.write('{"process_kprobe":{"function_name":"x","tags":[' + ",".join(["1"] * n) + ']},"time":"2026-11-20T10:00:00Z"}\n')
    f.write('{"process_kprobe":{"function_name":"x","process":{' + ",".join('"k%d":1' % i for i in range(n)) + '}},"time":"2026-11-20T10:00:00Z"}\n')
    f.write("[" * 100000 + "]" * 100000 + "\n")
    f.write('{"process_kprobe":{"function_name":"y"},"time":"2026-11-20T10:00:00Z"}\n')
PY
start=$(date +%s%N)
"$RTI" convert wide.jsonl >w.out 2>w.err; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# hostile records took ${ms} ms"
check "200k-element array, 200k keys and 100k nesting in linear time (${ms} ms)" test "$ms" -lt 5000
check "wide records are converted" test "$(wc -l <w.out)" -eq 3
check "deep nesting is reported" grep -q 'wide.jsonl:3: nesting too deep' w.err
# --- times beyond 64-bit nanoseconds (year 9999, found by the fuzzer): no
# integer overflow (UBSan aborts the asan pass) in the symbolizer's process
# start or the hot index's first/last seen
cat >far.jsonl <<'EOF2'
{"process_kprobe":{"process":{"pid":4242,"binary":"/usr/bin/far","start_time":"9999-12-31T23:59:59Z"},"function_name":"tcp_connect","user_stack_trace":[{"offset":"4096","module":"/usr/lib/x86_64-linux-gnu/libc.so.6"}]},"time":"9999-12-31T23:59:59.999999999Z"}
{"process_kprobe":{"process":{"pid":4243,"binary":"/usr/bin/old","start_time":"0001-01-01T00:00:00Z"},"function_name":"tcp_connect","user_stack_trace":[{"offset":"4096","module":"/usr/lib/x86_64-linux-gnu/libc.so.6"}]},"time":"0001-01-01T00:00:00Z"}
EOF2
"$RTI" convert --hot-index "sqlite:$T/far.db" far.jsonl >far.out 2>far.err; rc=$?
check "far-future and far-past times: exit 0" test "$rc" -eq 0
check "far-future and far-past times: both events written" test "$(wc -l <far.out)" -eq 2
check "far-future time kept as written" grep -q '"time":"9999-12-31T23:59:59.999999999Z"' far.out
# a live pid (this shell) with a start time that cannot be compared: not
# taken for that process, its frames resolve against the host's files
printf '%s\n' "{\"process_kprobe\":{\"process\":{\"pid\":$$,\"binary\":\"/usr/bin/far\",\"start_time\":\"9999-12-31T23:59:59Z\"},\"function_name\":\"tcp_connect\",\"user_stack_trace\":[{\"offset\":\"4096\",\"module\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"}]},\"time\":\"2026-11-20T10:00:00Z\"}" >live.jsonl
"$RTI" convert live.jsonl >/dev/null 2>live.err
check "unrepresentable start time: a live pid is not taken for the process" grep -qE 'proc root 0, host 1, pid gone 1' live.err

# --- two-stage mode (the default: decode here, write on a second thread)
# gives the same bytes, the same diagnostics in the same order and the same
# summary as one thread; a failing output stops it with exit 3
"$RTI" convert -p "$POL" --threads 1 "$F"/tetragon/* "$F"/synthetic/*.jsonl >t1.out 2>t1.err
"$RTI" convert -p "$POL" --threads 2 "$F"/tetragon/* "$F"/synthetic/*.jsonl >t2.out 2>t2.err
same_file "--threads 2 output is byte-identical to --threads 1" t2.out t1.out
same_file "--threads 2 diagnostics and summary equal --threads 1" t2.err t1.err
awk 'BEGIN{for(i=0;i<40;i++){print "{\"process_exec\":{\"process\":{\"pid\":" i ",\"binary\":\"/bin/b" i "\",\"start_time\":\"2026-01-01T00:00:00Z\"}},\"time\":\"2026-01-01T00:00:0" (i%10) "Z\"}"; if(i%7==3) print "{\"process_exec\":{\"process\":{\"pid\":-" i "}}}"; if(i%11==5) print "not json " i}}' >mixed.jsonl
"$RTI" convert --threads 1 mixed.jsonl >m1.out 2>m1.err
"$RTI" convert --threads 2 mixed.jsonl >m2.out 2>m2.err
same_file "interleaved good, malformed and unframeable records: same output" m2.out m1.out
same_file "interleaved errors are reported in input order" m2.err m1.err
check "the interleaved input has diagnostics" test "$(grep -c 'mixed.jsonl:' m2.err)" -ge 8
if [ -w /dev/full ]; then
  "$RTI" convert --threads 2 -o /dev/full "$F"/synthetic/all-kinds.jsonl >/dev/null 2>full.err; rc=$?
  check "two-stage mode: a failing output exits 3" test "$rc" -eq 3
  check "two-stage mode: the output error is reported" grep -q 'No space left' full.err
  # an output that fails mid-stream: the reading thread has read ahead, yet
  # the summary counts the lines up to the failed record, as one thread does
  "$RTI_BUILD/rti-gen" --seed 3 --bytes 4M --quiet -o big.jsonl
  "$RTI" convert --threads 1 -o /dev/full big.jsonl >/dev/null 2>full1.err
  for i in 1 2 3; do
    "$RTI" convert --threads 2 -o /dev/full big.jsonl >/dev/null 2>full2.err
    same_file "output failing mid-stream: the same summary on one and two threads ($i)" full2.err full1.err
  done
  check "output failing mid-stream: it failed before the end" \
    test "$(awk '/lines read/ {print $3}' full1.err)" -lt "$(wc -l <big.jsonl)"
  # two inputs: both modes stop after the output failed, the second file
  # is not read
  "$RTI_BUILD/rti-gen" --seed 4 --bytes 1M --quiet -o big2.jsonl
  "$RTI" convert --threads 1 -o /dev/full big2.jsonl big.jsonl >/dev/null 2>full1.err; rc1=$?
  "$RTI" convert --threads 2 -o /dev/full big2.jsonl big.jsonl >/dev/null 2>full2.err; rc2=$?
  same_file "output failing, two inputs: the same summary on one and two threads" full2.err full1.err
  check "output failing, two inputs: exit 3 both" test "$rc1" -eq 3 -a "$rc2" -eq 3
  check "output failing, two inputs: reported once" test "$(grep -c 'No space left' full1.err)" -eq 1
fi
# a pipe that goes quiet: what was read goes through at once, it does not
# wait in a batch for more input (the first diagnostic is out at ~0 s, the
# next record comes at 3 s)
# (the writer of the pipe holds the second record back until the test has
# seen the first one processed, or for at most 120 s)
( echo '{"process_exec":5}'; wait_for 120 test -e idle.go; echo '{"x":1}' ) |
  "$RTI" convert --threads 2 >idle.out 2>idle.err &
IDLE=$!
check "two-stage mode on a quiet pipe: the record read is processed before more input" \
  wait_for 120 grep -q '^<stdin>:1: ' idle.err
touch idle.go
wait "$IDLE"
check "two-stage mode on a quiet pipe: then the next one" grep -q '^<stdin>:2: ' idle.err
"$RTI" convert --threads 3 mixed.jsonl >/dev/null 2>&1; rc=$?
check "--threads takes 1 or 2" test "$rc" -eq 2

done_testing
