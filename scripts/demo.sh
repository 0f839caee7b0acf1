#!/usr/bin/env bash
# `make demo`: generate a realistic Tetragon capture with our generator,
# convert it to canonical RuntimeCallEvents (with policies, strict privacy,
# stack symbolization and the hot symbol index), replay it over the real
# gRPC path into the live agent, and show the hottest symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}/rel
RTI=$B/stella-rti
D=${BUILD:-build}/demo
mkdir -p "$D"
rm -f "$D"/hot.db*

echo "== 1. a realistic capture: $B/rti-gen --seed 7 --bytes 20M"
"$B/rti-gen" --seed 7 --bytes 20M -o "$D/tetragon.log" --policies "$D/policies.yaml" --quiet
echo "   $(wc -l <"$D/tetragon.log") events, $(du -h "$D/tetragon.log" | cut -f1), policies in $D/policies.yaml"

echo
echo "== 2. stella-rti convert $D/tetragon.log -p $D/policies.yaml --hot-index sqlite:$D/hot.db -o $D/events.ndjson"
start=$(date +%s%N)
"$RTI" convert "$D/tetragon.log" -p "$D/policies.yaml" --hot-index "sqlite:$D/hot.db" -o "$D/events.ndjson"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "   converted in ${ms} ms"

echo
echo "== 3. a few canonical events (first exec, first kprobe with a stack, abbreviated)"
grep -m1 '"type":"process_exec"' "$D/events.ndjson" | cut -c1-600; echo "..."
grep -m1 '"stack":' "$D/events.ndjson" | cut -c1-900; echo "..."

echo
echo "== 4. live mode over gRPC: stella-rti replay (unix socket) -> stella-rti run"
RTI=$RTI bash scripts/demo-grpc.sh --events 2000 --seconds 5 "$D/tetragon.log" 2>&1 | sed 's/^/   /' | cut -c1-300

echo
echo "== 5. the hottest symbols of the demo capture: stella-rti hot top --hot-index sqlite:$D/hot.db --limit 15"
"$RTI" hot top --hot-index "sqlite:$D/hot.db" --limit 15

echo
echo "== 6. the node agent: examples/agent.yaml against the replay server, /metrics and /readyz"
RTI=$RTI bash scripts/demo-agent.sh "$(cd "$D" && pwd)" "$(cd "$D" && pwd)/tetragon.log" "$(cd "$D" && pwd)/policies.yaml" 2>&1 | sed 's/^/   /'

echo
echo "== 7. which vulnerable functions ran: stella-rti reach --hot-index sqlite:$D/hot.db"
echo "      --advisories examples/reach --advisories tests/reach/advisories"
"$RTI" reach --hot-index "sqlite:$D/hot.db" --advisories examples/reach \
  --advisories tests/reach/advisories -o "$D/reach.txt"
# observed rows first; the rest of the table is in $D/reach.txt
head -25 "$D/reach.txt" | cut -c1-160
echo "   ... $(wc -l <"$D/reach.txt") lines in $D/reach.txt (not_observed is never not_affected; docs/reachability.md)"
