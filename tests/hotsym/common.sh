# Checks shared by the SQLite and PostgreSQL tests of the hot symbol index
# (sourced after tests/lib.sh; cwd is $T). The driver hotsym-feed does what
# `convert --hot-index` does with a file: tests/hotsym/feed.c.
FEED=$RTI_BUILD/tests/hotsym-feed
HS=$RTI_ROOT/tests/hotsym

# inputs: 4 generated Tetragon exports of >= 100k observations each (the
# user frames of their container processes, gone here, give none), their
# canonical events, and the index they must give (tests/hotsym/expected.py)
hs_inputs() {
  local i
  for i in 1 2 3 4; do
    $PY "$HS/gen.py" $i 150000 in$i.jsonl || return 1
    "$RTI" convert --quiet in$i.jsonl -o c$i.ndjson || return 1
    $PY "$HS/expected.py" c$i.ndjson >want$i.json || return 1
  done
  $PY "$HS/expected.py" c1.ndjson c2.ndjson c3.ndjson c4.ndjson >want4.json
}

# hs_top URL OUT: the whole index as §7 JSON
hs_top() { "$RTI" hot top --hot-index "$1" --limit 0 --format json >"$2"; }

hs_total() { $PY -c 'import json,sys; print(sum(e["hit_count"] for e in json.load(open(sys.argv[1]))))' "$1"; }

# 4 writer processes at once, each flushing every 5000 observations
hs_four_writers() {
  local url=$1 i pids=() rc=0
  for i in 1 2 3 4; do
    "$FEED" --hot-index "$url" --node writer-$i --flush-every 5000 in$i.jsonl 2>feed$i.log &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || rc=1; done
  [ $rc -eq 0 ] || sed 's/^/# /' feed*.log
  check "4 writers finished" test $rc -eq 0
  hs_top "$url" got4.json
  same_file "4 writers x $(( $(hs_total want4.json) / 4 )) observations: exact totals ($(hs_total want4.json))" \
    got4.json want4.json
  check "each writer fed >= 100000 observations" hs_min_obs
}

hs_min_obs() {
  local i
  for i in 1 2 3 4; do [ "$(hs_total want$i.json)" -ge 100000 ] || return 1; done
}

# kill -9 inside the transaction of a flush, then rerun: exact totals
hs_kill_in_flush() {
  local url=$1 pid n=0
  rm -f stalled
  "$FEED" --hot-index "$url" --node killed --flush-every 5000 --stall-in-commit "$T/stalled" \
    in1.jsonl 2>kill.log &
  pid=$!
  while [ ! -e stalled ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done
  check "the writer hangs inside a flush's transaction" test -e stalled
  kill -9 $pid
  wait $pid 2>/dev/null
  "$FEED" --hot-index "$url" --node killed --flush-every 5000 in1.jsonl 2>rerun.log
  check "the rerun resumes from the committed input position" grep -q "resuming at byte" rerun.log
  hs_top "$url" gotk.json
  same_file "kill -9 during a flush, rerun: exact totals" gotk.json want1.json
}

# kill -9 at random moments, several times, then finish: exact totals
hs_kill_random() {
  local url=$1 k pid
  for k in 1 2 3 4 5; do
    "$FEED" --hot-index "$url" --node random --flush-every 700 in2.jsonl 2>/dev/null &
    pid=$!
    sleep "0.$(( (RANDOM % 5) + 1 ))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
  done
  "$FEED" --hot-index "$url" --node random --flush-every 700 in2.jsonl 2>random.log
  hs_top "$url" gotr.json
  same_file "kill -9 at random moments 5 times, rerun: exact totals" gotr.json want2.json
}

# a commit whose acknowledgement is lost is retried: found, not counted twice
hs_lost_ack() {
  local url=$1
  "$FEED" --hot-index "$url" --node acks --flush-every 3000 --lose-ack-every 3 --no-resume \
    in3.jsonl 2>ack.log
  local rc=$?
  check "lost acknowledgements: the writer finished" test $rc -eq 0
  # (it failed once under ASan on a loaded VM: the last commit fell on a lost
  # acknowledgement depending on how many flushes the timing made; feed.c
  # now retries it, as a daemon would) keep the evidence if it ever fails
  [ $rc -eq 0 ] || { echo "#   exit $rc; last lines of its stderr:"; tail -15 ack.log | sed 's/^/#   /'; }
  check "retried batches were found committed" grep -Eq "duplicate [1-9]" ack.log
  hs_top "$url" gota.json
  same_file "lost acknowledgements: exact totals" gota.json want3.json
}

# exports of URL, named PREFIX.*
hs_exports() {
  local url=$1 p=$2
  "$RTI" hot export --hot-index "$url" --format signals-ndjson -o $p.signals.ndjson &&
  "$RTI" hot export --hot-index "$url" --format execution-evidence --quiet -o $p.evidence.ndjson &&
  "$RTI" hot export --hot-index "$url" --format folded -o $p.folded &&
  "$RTI" hot top --hot-index "$url" --limit 15 >$p.top.txt
}
