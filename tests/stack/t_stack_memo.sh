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
# aggregate only skims the maps nobody reads (environment, pod labels and
# annotations): checked as when decoded, so malformed ones reject the same
# events with the same diagnostics, and escaped or non-ASCII ones pass
python3 - z.jsonl >m.jsonl <<'PY'
import sys
lines = open(sys.argv[1], "rb").read().splitlines()
env = [l for l in lines if b'"environment_variables":[{' in l]
lab = [l for l in lines if b'"pod_labels":{"' in l]
out = []
def env_val(l, v):
    i = l.index(b'"Value":"') + len(b'"Value":"')
    j = l.index(b'"', i)
    return l[:i] + v + l[j:]
muts_env = [b"bad\xffutf8", b"ctl\x01char", b"esc\\qape", b"ok \\u00e9 \xc3\xa9 \\n\\\"q\\\"", b"trunc\xc3"]
for k, v in enumerate(muts_env):
    out.append(env_val(env[k], v))
l = env[10]; i = l.index(b'"Value":"'); j = l.index(b'"', i + 9)
out.append(l[:i] + b'"Value":7' + l[j + 1:])          # not a string
out.append(l[:i] + b'"Value":null' + l[j + 1:])       # null: accepted
l = lab[0]; i = l.index(b'"pod_labels":{"') + len(b'"pod_labels":{"'); j = l.index(b'"', i)
k2 = l.index(b'":"', j) + 3; e2 = l.index(b'"', k2)
out.append(l[:k2 - 1] + b'12' + l[e2 + 1:])           # label value a number
out.append(l[:k2] + b'v\xfe' + l[e2:])                # label value invalid UTF-8
out.append(l[:i] + b'k\\u0001ey' + l[j:])              # escaped key: accepted
l = lab[1]; i = l.index(b'"pod_labels":{') + len(b'"pod_labels":')
out.append(l[:i] + b'["a"],"pod_x":{' + l[i + 1:])     # labels not an object
sys.stdout.buffer.write(b"\n".join(lines[:300] + out + lines[300:600]) + b"\n")
PY
check "mutated corpus written" test -s m.jsonl
"$RTI" convert -p pol.yaml --hot-index sqlite:mf.db -o mf.out m.jsonl 2>mf.err
"$RTI" convert -p pol.yaml --hot-index sqlite:ma.db -o none m.jsonl 2>ma.err
"$RTI" convert -p pol.yaml --hot-index sqlite:ma1.db -o none --threads 1 m.jsonl 2>ma1.err
# the memo's bytes differ: aggregate only keeps no frame JSON
for e in mf ma ma1; do
	sed -E '/ memo \(hit/ s/, [0-9.]+ MiB$//' $e.err >$e.err.n && mv $e.err.n $e.err
done
bad=$(awk '/malformed/ { print $2; exit }' mf.err)
check "malformed maps rejected (${bad:-none})" test "${bad:-0}" -ge 8
same_file "skimmed maps: same diagnostics and summary" ma.err mf.err
same_file "skimmed maps, one thread: same diagnostics and summary" ma1.err mf.err
for db in mf ma ma1; do
	"$RTI" hot export --hot-index sqlite:$db.db --format folded >$db.folded
done
same_file "skimmed maps: same call paths" ma.folded mf.folded
same_file "skimmed maps, one thread: same call paths" ma1.folded mf.folded
done_testing
