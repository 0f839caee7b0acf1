#!/usr/bin/env bash
# Where does `stella-rti convert` spend its time on the bench corpus?
# Run `make bench` first (it generates the corpus). Uses perf (Debian
# linux-perf) when it can record here, else valgrind --tool=callgrind on a
# 5 MB slice. Prints the top functions by self time, then the inclusive
# (children) view from a DWARF call-graph run on a 30 MB slice.
# (`|| true` after `| head`: perf dies of SIGPIPE there, which is fine.)
#   BUILD (default build), BENCH_PROFILE_TOP (30)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RTI=$BUILD/rel/stella-rti
OUT=bench/out
TOP=${BENCH_PROFILE_TOP:-30}
CORPUS=$(ls -S "$OUT"/corpus-*.jsonl 2>/dev/null | head -1 || true)
POL=$(ls "$OUT"/policies-*.yaml 2>/dev/null | head -1 || true)
[ -n "$CORPUS" ] && [ -n "$POL" ] || { echo "profile: run make bench first" >&2; exit 1; }
[ -x "$RTI" ] || { echo "profile: $RTI missing" >&2; exit 1; }

slice() { awk -v max="$1" '{ n += length($0) + 1; if (n > max) exit; print }' "$CORPUS" >"$2"; }

if command -v perf >/dev/null && perf record -q -o "$OUT/perf.probe" true 2>/dev/null; then
	rm -f "$OUT/perf.probe"
	echo "== perf, self time, $(basename "$CORPUS")"
	perf record -q -F 4999 -o "$OUT/perf.data" "$RTI" convert -p "$POL" -o /dev/null "$CORPUS" 2>/dev/null
	perf report -i "$OUT/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -8 || true
	perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -"$TOP" || true
	slice 30000000 "$OUT/profile-slice.jsonl"
	echo "== perf, inclusive (call graph), first 30 MB"
	perf record -q -F 2999 --call-graph dwarf,16384 -o "$OUT/perf-cg.data" \
		"$RTI" convert -p "$POL" -o /dev/null "$OUT/profile-slice.jsonl" 2>/dev/null
	perf report -i "$OUT/perf-cg.data" --children --sort symbol --stdio -g none --percent-limit 2 2>/dev/null |
		grep -v '^#' | grep -v '^$' | head -"$((TOP * 2))" || true
elif command -v valgrind >/dev/null; then
	slice 5000000 "$OUT/profile-slice.jsonl"
	echo "== callgrind, first 5 MB"
	valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
		"$RTI" convert -p "$POL" -o /dev/null "$OUT/profile-slice.jsonl" 2>/dev/null
	callgrind_annotate --inclusive=no "$OUT/callgrind.out" | head -$((TOP + 20)) || true
else
	echo "profile: neither perf (linux-perf) nor valgrind is installed" >&2
	exit 1
fi
