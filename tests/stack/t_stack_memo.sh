#!/usr/bin/env bash
# The whole-stack memo (docs/stacks.md) and the aggregate-only path
# (--output none --hot-index): output byte-identical with the memo on,
# off and squeezed (evictions); hot index counts equal with and without
# the canonical line. Input: a slice of the realistic bench corpus
# (rti-gen --zipf-paths), whose stacks repeat.
. "$(dirname "$0")/../lib.sh"
GEN=$(dirname "$RTI")/rti-gen
cd "$T"

"$GEN" --seed 11 --events 2500 --zipf-paths 300 --policies pol.yaml -o z.jsonl --quiet
check "realistic corpus generated" test -s z.jsonl

conv() { # NAME MEMO ARGS...: convert z.jsonl into NAME.out, summary NAME.err
	local name=$1 memo=$2; shift 2
	RTI_STACK_MEMO=$memo "$RTI" convert -p pol.yaml "$@" -o "$name.out" z.jsonl 2>"$name.err"
}
conv off 0
conv on ''
conv small 262144
conv on1 '' --threads 1
conv bal_off 0 --privacy balanced
conv bal_on '' --privacy balanced
check "convert without the memo wrote events" test -s off.out
same_file "memo on: byte-identical output" on.out off.out
same_file "memo squeezed (evictions): byte-identical output" small.out off.out
same_file "memo on, one thread: byte-identical output" on1.out off.out
same_file "memo on, balanced profile: byte-identical output" bal_on.out bal_off.out
hits=$(awk '/stack memo/ { split($4, a, "/"); print a[1] }' on.err)
check "the memo hit (summary: ${hits:-none})" test "${hits:-0}" -gt 0
ev=$(awk '/stack memo/ { split($4, a, "/"); print a[3] + 0 }' small.err)
check "the squeezed memo evicted (${ev:-none})" test "${ev:-0}" -gt 0
# the summary counts the same frames either way (cache lines aside)
grep -v -e 'stack memo' -e caches -e '    modules' off.err >off.sum
grep -v -e 'stack memo' -e caches -e '    modules' on.err >on.sum
same_file "memo on: same summary counts" on.sum off.sum
off_sum=$(RTI_STACK_MEMO=0 "$RTI" convert -p pol.yaml -o /dev/null z.jsonl 2>&1 | grep -c 'stack memo')
check "memo off: no memo line in the summary" test "$off_sum" = 0

# aggregate-only: no line, no event_id; the hot index gets the same counts
conv agg '' --threads 1 --hot-index sqlite:agg.db -o none
"$RTI" convert -p pol.yaml --hot-index sqlite:full.db -o full.out z.jsonl 2>full.err
check "--output none writes no file named none" test ! -e none
same_file "the file run with the hot index: same lines" full.out off.out
for db in agg full; do
	"$RTI" hot top --hot-index sqlite:$db.db --limit 0 --format json >$db.top
	"$RTI" hot export --hot-index sqlite:$db.db --format folded >$db.folded
	sqlite3 "$db.db" "select count(*), sum(hit_count) from hot_symbols" >$db.n 2>/dev/null ||
		echo "n/a" >$db.n
done
check "hot index has symbols" test -s full.top
same_file "aggregate-only: same hot symbols" agg.top full.top
same_file "aggregate-only: same call paths" agg.folded full.folded
same_file "aggregate-only: same counts" agg.n full.n
# aggregate only filters just the index fields (node, function, path, the
# stack): under each profile the index stores what the full path stores
for prof in strict balanced; do
	"$RTI" convert -p pol.yaml --privacy $prof --hot-index sqlite:a_$prof.db -o none z.jsonl 2>/dev/null
	"$RTI" convert -p pol.yaml --privacy $prof --hot-index sqlite:f_$prof.db -o f_$prof.out z.jsonl 2>/dev/null
	for db in a_$prof f_$prof; do
		"$RTI" hot export --hot-index sqlite:$db.db --format folded >$db.folded
		"$RTI" hot top --hot-index sqlite:$db.db --limit 0 --format json >$db.top
	done
	check "$prof: hot index has call paths" test -s f_$prof.folded
	same_file "$prof, aggregate-only: same call paths" a_$prof.folded f_$prof.folded
	same_file "$prof, aggregate-only: same hot symbols" a_$prof.top f_$prof.top
done
done_testing
