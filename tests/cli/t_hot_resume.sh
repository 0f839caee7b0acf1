#!/usr/bin/env bash
# convert --hot-index: the input position is committed with each batch, so
# a convert killed with SIGKILL and run again resumes where the index
# stopped: exact hot counts (no loss, no double count) and every event in
# the (appended) NDJSON output at least once.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
GEN=$(dirname "$RTI")/rti-gen
"$GEN" --seed 11 --bytes 40M -o cap.jsonl --policies pol.yaml --quiet
check "capture generated" test -s cap.jsonl

# the reference: one clean run
"$RTI" convert cap.jsonl -p pol.yaml --no-symbolize --hot-index sqlite:clean.db \
  --node n1 -o clean.ndjson 2>clean.err
check "clean run" grep -q 'hot index' clean.err

# the same input, killed with SIGKILL several times mid-run, then finished
# Each run is killed once its output has grown by 1, 3 and 5 MB (the output
# is written before each commit): mid-run whatever the machine's speed,
# never a fixed delay that a fast machine outruns or a slow one wastes.
size() { stat -c %s crash.ndjson 2>/dev/null || echo 0; }
grown_or_gone() { [ "$(size)" -ge "$2" ] || ! kill -0 "$1" 2>/dev/null; }
killed=0
for grow in 1000000 3000000 5000000; do
  before=$(size)
  "$RTI" convert cap.jsonl -p pol.yaml --no-symbolize --hot-index sqlite:crash.db \
    --node n1 --hot-flush-every 2000 -o crash.ndjson 2>>crash.err &
  pid=$!
  wait_for 300 grown_or_gone $pid $((before + grow))
  kill -KILL $pid 2>/dev/null
  wait $pid 2>/dev/null; [ $? -eq 137 ] && killed=$((killed+1))
done
echo "# $killed of 3 runs were killed mid-run"
check "runs were really killed mid-run (3 of 3)" test "$killed" -eq 3
"$RTI" convert cap.jsonl -p pol.yaml --no-symbolize --hot-index sqlite:crash.db \
  --node n1 --hot-flush-every 2000 -o crash.ndjson 2>>crash.err
check "a restarted convert says where it resumes" grep -q 'resuming at byte' crash.err

"$RTI" hot export --hot-index sqlite:clean.db --format signals-ndjson -o clean.facts --quiet
"$RTI" hot export --hot-index sqlite:crash.db --format signals-ndjson -o crash.facts --quiet
check "hot index has facts" test -s clean.facts
same_file "exact counts after SIGKILLs and resumes (signals export identical)" crash.facts clean.facts
"$RTI" hot top --hot-index sqlite:clean.db --limit 0 --format json >clean.top
"$RTI" hot top --hot-index sqlite:crash.db --limit 0 --format json >crash.top
same_file "hot top identical" crash.top clean.top
sort -u crash.ndjson >crash.sorted
sort -u clean.ndjson >clean.sorted
same_file "every event reached the output (duplicates allowed, same event_id)" crash.sorted clean.sorted
# a second full run over the same input adds nothing
"$RTI" convert cap.jsonl -p pol.yaml --no-symbolize --hot-index sqlite:clean.db --node n1 -o /dev/null 2>again.err
"$RTI" hot export --hot-index sqlite:clean.db --format signals-ndjson -o again.facts --quiet
same_file "re-running a finished input counts nothing twice" again.facts clean.facts
# a run killed inside a write leaves a partial last line: the next run cuts
# it off instead of gluing the next event onto it
printf '{"cluster":"partial' >>crash.ndjson
"$RTI" convert cap.jsonl -p pol.yaml --no-symbolize --hot-index sqlite:crash.db \
  --node n1 --hot-flush-every 2000 -o crash.ndjson 2>partial.err
check "a partial last line is reported" grep -q 'dropped a partial last line (19 bytes)' partial.err
check "and is gone: the output ends with a whole event" \
  sh -c 'tail -c 1 crash.ndjson | od -An -c | grep -q "\\n" && ! grep -q "\"partial" crash.ndjson'
done_testing
