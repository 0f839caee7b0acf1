#!/usr/bin/env bash
# The hot symbol index in SQLite (sqlite:PATH): 4 writer processes into one
# file, kill -9 in and around flushes, lost acknowledgements, byte-identical
# exports, `hot top`, and the CLI's errors.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/hotsym/common.sh"
cd "$T" || exit 1

check "inputs and expected index" hs_inputs
hs_four_writers "sqlite:$T/four.db"
hs_kill_in_flush "sqlite:$T/kill.db"
hs_kill_random "sqlite:$T/random.db"
hs_lost_ack "sqlite:$T/acks.db"

# exports: the same input, other writers, batches and order: same bytes
for i in 4 3 2 1; do
  "$FEED" --hot-index "sqlite:$T/one.db" --node solo --flush-every 20000 in$i.jsonl 2>/dev/null
done
hs_exports "sqlite:$T/four.db" a
hs_exports "sqlite:$T/one.db" b
same_file "signals export: byte-identical across writers and batches" b.signals.ndjson a.signals.ndjson
same_file "execution evidence: byte-identical across writers and batches" b.evidence.ndjson a.evidence.ndjson
hs_exports "sqlite:$T/four.db" c
same_file "signals export: byte-identical across runs" c.signals.ndjson a.signals.ndjson
same_file "execution evidence: byte-identical across runs" c.evidence.ndjson a.evidence.ndjson
images=$($PY -c 'import json,sys; print(len({e["scope"] for e in json.load(open(sys.argv[1])) if e["scope"].startswith("image:")}))' want4.json)
check "one statement per image ($images)" test "$(wc -l <a.evidence.ndjson)" -eq "$images"
scope=$($PY -c 'import json,sys; print("image:sha256:" + json.loads(open(sys.argv[1]).readline())["subject"][0]["digest"]["sha256"])' a.evidence.ndjson)
"$RTI" hot export --hot-index "sqlite:$T/four.db" --format trace-blob --scope "$scope" -o blob
digest=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["predicate"]["trace_digest"])' a.evidence.ndjson)
check "trace_digest is the SHA-256 of the trace blob" test "sha256:$(sha256sum <blob | cut -d' ' -f1)" = "$digest"
check "signals: one line per (scope, symbol), hitCount sums to the total" \
  test "$($PY -c 'import json,sys; print(sum(json.loads(l)["hitCount"] for l in open(sys.argv[1])))' a.signals.ndjson)" = "$(hs_total want4.json)"

# hot top: the hottest first, as the expected index says
top1=$($PY -c 'import json,sys; e=json.load(open(sys.argv[1]))[0]; print(e["hit_count"], e["symbol_id"])' want4.json)
check "hot top: header and 15 rows" test "$(wc -l <a.top.txt)" -eq 16
check "hot top: the hottest symbol first" test "$(sed -n 2p a.top.txt | awk '{print $1, $2}')" = "$top1"
"$RTI" hot top --hot-index "sqlite:$T/four.db" --scope "$scope" --limit 3 --format json >top3.json
check "hot top --scope --limit --format json" \
  $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (len(r) == 3 and all(e["scope"] == sys.argv[2] for e in r)))' top3.json "$scope"
"$RTI" hot query --hot-index "sqlite:$T/four.db" --format json 'kernel!tcp_connect' >q.json
check "hot query: the symbol in every scope" \
  $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); w=[e for e in json.load(open(sys.argv[2])) if e["symbol_id"] == "kernel!tcp_connect"]; sys.exit(r != w)' q.json want4.json

# errors: exit codes and messages
fails() { # fails CODE PATTERN CMD...: exits CODE and says PATTERN on stderr
  local code=$1 pat=$2 rc
  shift 2
  "$@" >/dev/null 2>err; rc=$?
  [ $rc -eq "$code" ] && grep -q -- "$pat" err || { echo "# exit $rc: $(head -2 err)"; return 1; }
}
check "no --hot-index: usage error" fails 2 "hot-index URL is required" "$RTI" hot top
check "unsupported URL: exit 2 and a clear message" fails 2 "unsupported URL" "$RTI" hot top --hot-index mysql://h/db
check "no such index: exit 3" fails 3 "no such index" "$RTI" hot top --hot-index "sqlite:$T/nothere.db"
check "reading did not create it" test ! -e "$T/nothere.db"
check "unknown export format: exit 2" fails 2 "expected signals-ndjson" "$RTI" hot export --hot-index "sqlite:$T/four.db" --format csv
check "evidence for a host scope: exit 2" fails 2 "needs an image scope" "$RTI" hot export --hot-index "sqlite:$T/four.db" --format execution-evidence --scope host:node-a.example.internal
check "hot query of a symbol never seen: exit 1" fails 1 "never observed" "$RTI" hot query --hot-index "sqlite:$T/four.db" 'kernel!never_called'
check "bad --since: exit 2" fails 2 "RFC 3339" "$RTI" hot top --hot-index "sqlite:$T/four.db" --since yesterday
done_testing
