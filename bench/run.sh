#!/usr/bin/env bash
# make bench: convert throughput of stella-rti against two anchors measured
# in the same run on the same generated corpus:
#   - simdjson parse-only (bench/simdjson-parse.cpp), the fastest JSON parser
#     in Debian: target convert >= 0.20 x its MB/s;
#   - jq -c bench/jq-map.jq, a comparable field mapping: target >= 20 x jq
#     (jq runs on a slice of the corpus: it is too slow for all of it);
#   - peak RSS of convert <= 16 MiB whatever the input size.
# The corpus is generated once into bench/out/ and reused while the
# generator source (hashed), seed and size are unchanged.
#
# Two corpora: the all-distinct one (every stack drawn afresh) and the
# realistic one (rti-gen --zipf-paths: kprobe call paths from a fixed
# population of BENCH_ZIPF_PATHS per image, Zipf exponent BENCH_ZIPF_S),
# each reported per event against the floors of that run. The realistic
# one is longer (BENCH_REAL_BYTES, ~100k events): a node repeats its call
# paths over hours, and a short corpus measures mostly the first sighting
# of each. Aggregate only is measured on a fresh index and on a warm one
# (the index the fresh run left: an agent's index outlives its restarts).
#
# Environment: BUILD (default build), BENCH_SEED (42), BENCH_BYTES (128 MiB),
# BENCH_REAL_BYTES (512 MiB),
# BENCH_ZIPF_PATHS (5000), BENCH_ZIPF_S (1.1),
# BENCH_RUNS (3), BENCH_JQ_BYTES (10 MB), BENCH_ENV_BYTES (32 MiB).
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
B=$BUILD/rel
SEED=${BENCH_SEED:-42}
BYTES=${BENCH_BYTES:-134217728}
RUNS=${BENCH_RUNS:-3}
JQ_BYTES=${BENCH_JQ_BYTES:-10000000}
ENV_BYTES=${BENCH_ENV_BYTES:-33554432}
REAL_BYTES=${BENCH_REAL_BYTES:-536870912}
ZIPF_N=${BENCH_ZIPF_PATHS:-5000}
ZIPF_S=${BENCH_ZIPF_S:-1.1}
OUT=bench/out
RSS_LIMIT_KIB=16384

RTI=$B/stella-rti
GEN=$B/rti-gen
SJ=$B/rti-simdjson-parse
FLOORS=$B/rti-floors
TIME=/usr/bin/time
fail=0

for t in "$RTI" "$GEN" "$SJ"; do
	[ -x "$t" ] || { echo "bench: $t missing (make V=rel all BUILD=$BUILD)" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "bench: jq missing (make deps)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "bench: $TIME missing (Debian package time; make deps)" >&2; exit 1; }
mkdir -p "$OUT"

# generated files are keyed on the generator's source, seed and size
GENV=$("$GEN" --version | awk '{print $2}')
GENH=$(cat bench/gen-capture.c bench/gen-syms.h | sha256sum | cut -c1-10)
K=g$GENH-s$SEED
CORPUS=$OUT/corpus-$K-b$BYTES.jsonl
POL=$OUT/policies-$K.yaml
ENVF=$OUT/envheavy-$K-b$ENV_BYTES.jsonl
SMALL=$OUT/small-$K-e200.jsonl
SLICE=$OUT/slice-$K-b$BYTES-j$JQ_BYTES.jsonl
REAL=$OUT/realistic-$K-b$REAL_BYTES-z$ZIPF_N-$ZIPF_S.jsonl
# drop what older generators or other sizes left (128 MiB each)
for f in "$OUT"/corpus-* "$OUT"/envheavy-* "$OUT"/small-* "$OUT"/slice-* "$OUT"/policies-* "$OUT"/realistic-*; do
	case $f in
	"$REAL" | "$REAL.gen.txt" | "$CORPUS" | "$CORPUS.gen.txt" | "$POL" | "$ENVF" | "$ENVF.gen.txt" | "$SMALL" | "$SMALL.gen.txt" | "$SLICE") ;;
	*) [ -e "$f" ] && rm -f "$f" ;;
	esac
done

# gen FILE ARGS...: generate unless present (written under a temporary name
# first, so an interrupted run never leaves a truncated corpus behind)
gen() {
	local f=$1; shift
	if [ -s "$f" ] && [ -s "$f.gen.txt" ]; then
		echo "bench: reusing $f" >&2
		return
	fi
	echo "bench: generating $f" >&2
	"$GEN" --seed "$SEED" "$@" -o "$f.tmp" 2>"$f.gen.txt.tmp"
	mv "$f.gen.txt.tmp" "$f.gen.txt"
	mv "$f.tmp" "$f"
}
gen "$CORPUS" --bytes "$BYTES" --policies "$POL"
[ -s "$POL" ] || "$GEN" --events 1 --quiet --policies "$POL" -o /dev/null
gen "$ENVF" --bytes "$ENV_BYTES" --env-heavy
gen "$SMALL" --events 200
gen "$REAL" --bytes "$REAL_BYTES" --zipf-paths "$ZIPF_N" --zipf-s "$ZIPF_S"
if [ ! -s "$SLICE" ]; then
	awk -v max="$JQ_BYTES" '{ n += length($0) + 1; if (n > max) exit; print }' "$CORPUS" >"$SLICE.tmp"
	mv "$SLICE.tmp" "$SLICE"
fi

fsize() { stat -c %s "$1"; }
lines() { wc -l <"$1" | tr -d ' '; }
big_lines() { awk 'length($0) > 16384 { n++ } END { print n + 0 }' "$1"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
now_ns() { date +%s%N; }

# timed NAME CMD...: runs CMD with stdout/stderr into $OUT/NAME.{out,err};
# sets WALL (s), RSS (KiB), CPU (user+sys s)
timed() {
	local name=$1; shift
	local t0 t1
	t0=$(now_ns)
	"$TIME" -o "$OUT/$name.time" -f '%M %U %S' "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || {
		echo "bench: $name failed:" >&2; tail -5 "$OUT/$name.err" >&2; exit 1; }
	t1=$(now_ns)
	WALL=$(calc '%.4f' "($t1 - $t0) / 1e9")
	read -r RSS u s <"$OUT/$name.time"
	CPU=$(calc '%.2f' "$u + $s")
}

# kv FILE KEY: the word after KEY on the anchor's "key value ..." line
kv() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' "$1"; }

# summary_num FILE LABEL: a number from the convert summary on stderr
summary_num() { awk -v l="$2" 'index($0, l) { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit } }' "$1"; }

check_convert() {
	local err=$1 bad
	bad=$(summary_num "$err" "malformed")
	if [ "${bad:-x}" != 0 ]; then
		echo "bench: convert reported malformed ${bad:-?} records ($err)" >&2
		fail=1
	fi
}

max_rss=0
note_rss() { [ "$1" -gt "$max_rss" ] && max_rss=$1; return 0; }

# warm the page cache: every tool then reads from memory
cat "$CORPUS" "$SLICE" "$ENVF" "$SMALL" "$REAL" >/dev/null

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# convert resolves symbols from the files on this machine by default; when
# it can be switched off, measure that too (the cost of symbolization)
NOSYM=
"$RTI" convert --help 2>&1 | grep -q -- --no-symbolize && NOSYM=1
n_wall=; n_rss=

# best of RUNS, interleaved so that load from other work hits all alike
pe_d_cpu=; pe_r_cpu=; pe_a_cpu=; pe_aw_cpu=
c_wall=; c_cpu_min=; s_mbs=0; s_first=0; s_cpu=; s_wall=; cs_wall=; j_wall=; j_cpu_min=
# min_of VAR VALUE: VAR = min(VAR, VALUE)
min_of() { if [ -z "${!1}" ] || awk "BEGIN { exit !($2 < ${!1}) }"; then printf -v "$1" %s "$2"; fi; }
for i in $(seq 1 "$RUNS"); do
	echo "bench: run $i/$RUNS" >&2
	timed convert "$RTI" convert -p "$POL" -o /dev/null "$CORPUS"
	check_convert "$OUT/convert.err"; note_rss "$RSS"
	if [ -z "$c_wall" ] || awk "BEGIN { exit !($WALL < $c_wall) }"; then
		c_wall=$WALL; c_rss=$RSS; cp "$OUT/convert.err" "$OUT/convert.summary.txt"
	fi
	min_of c_cpu_min "$CPU"

	timed simdjson "$SJ" "$CORPUS" 5
	s_docs=$(kv "$OUT/simdjson.out" documents)
	s_impl=$(kv "$OUT/simdjson.out" impl)
	first_mbs=$(kv "$OUT/simdjson.out" first_mb_s)
	best_mbs=$(kv "$OUT/simdjson.out" best_mb_s)
	if awk "BEGIN { exit !($best_mbs > $s_mbs) }"; then
		s_mbs=$best_mbs
		s_wall=$(kv "$OUT/simdjson.out" best_parse_s)
		s_cpu=$(kv "$OUT/simdjson.out" best_cpu_s)
	fi
	awk "BEGIN { exit !($first_mbs > $s_first) }" && s_first=$first_mbs

	if [ -n "$NOSYM" ]; then
		timed convert-nosym "$RTI" convert --no-symbolize -p "$POL" -o /dev/null "$CORPUS"
		check_convert "$OUT/convert-nosym.err"; note_rss "$RSS"
		if [ -z "$n_wall" ] || awk "BEGIN { exit !($WALL < $n_wall) }"; then n_wall=$WALL; n_rss=$RSS; fi
	fi

	timed convert-slice "$RTI" convert -p "$POL" -o /dev/null "$SLICE"
	check_convert "$OUT/convert-slice.err"; note_rss "$RSS"
	if [ -z "$cs_wall" ] || awk "BEGIN { exit !($WALL < $cs_wall) }"; then cs_wall=$WALL; fi

	# per event, both corpora: convert, and aggregate only (no line, no
	# event_id: --output none --hot-index) on a fresh index each time
	timed pe-distinct "$RTI" convert -p "$POL" -o /dev/null "$CORPUS"
	min_of pe_d_cpu "$CPU"; pe_d_rss=$RSS
	timed pe-real "$RTI" convert -p "$POL" -o /dev/null "$REAL"
	min_of pe_r_cpu "$CPU"; pe_r_rss=$RSS; cp "$OUT/pe-real.err" "$OUT/pe-real.summary.txt"
	rm -f "$OUT"/agg.db*
	timed pe-agg "$RTI" convert -p "$POL" -o none --hot-index "sqlite:$OUT/agg.db" "$REAL"
	min_of pe_a_cpu "$CPU"; pe_a_rss=$RSS
	# warm: an index that holds the corpus's paths already, made from
	# standard input (no input position kept: the file counts again)
	rm -f "$OUT"/agg.db*
	"$RTI" convert -p "$POL" -o none --hot-index "sqlite:$OUT/agg.db" - <"$REAL" 2>/dev/null
	timed pe-agg-warm "$RTI" convert -p "$POL" -o none --hot-index "sqlite:$OUT/agg.db" "$REAL"
	min_of pe_aw_cpu "$CPU"; pe_aw_rss=$RSS
	rm -f "$OUT"/agg.db*

	timed jq jq -c -f bench/jq-map.jq "$SLICE"
	if [ -z "$j_wall" ] || awk "BEGIN { exit !($WALL < $j_wall) }"; then j_wall=$WALL; j_rss=$RSS; fi
	min_of j_cpu_min "$CPU"
done
j_out=$(lines "$OUT/jq.out")

# peak RSS must not follow the input: > 16 KiB lines, a tiny file, twice the corpus
timed rss-env "$RTI" convert -p "$POL" -o /dev/null "$ENVF"
check_convert "$OUT/rss-env.err"; note_rss "$RSS"; env_rss=$RSS; env_wall=$WALL
timed rss-small "$RTI" convert -p "$POL" -o /dev/null "$SMALL"
check_convert "$OUT/rss-small.err"; note_rss "$RSS"; small_rss=$RSS
timed rss-double "$RTI" convert -p "$POL" -o /dev/null "$CORPUS" "$CORPUS"
check_convert "$OUT/rss-double.err"; note_rss "$RSS"; double_rss=$RSS; double_wall=$WALL

# the work every event needs whatever the pipeline does, one thread each:
# jsmn over the corpus, SHA-256 of each output line (the event ids)
"$RTI" convert -p "$POL" -o "$OUT/convert-lines.ndjson" "$CORPUS" 2>/dev/null
"$FLOORS" jsmn "$CORPUS" >"$OUT/floor-jsmn.out"
"$FLOORS" sha "$OUT/convert-lines.ndjson" >"$OUT/floor-sha.out"
o_bytes=$(fsize "$OUT/convert-lines.ndjson")
rm -f "$OUT/convert-lines.ndjson"
"$RTI" convert -p "$POL" -o "$OUT/real-lines.ndjson" "$REAL" 2>/dev/null
"$FLOORS" jsmn "$REAL" >"$OUT/floor-jsmn-real.out"
"$FLOORS" sha "$OUT/real-lines.ndjson" >"$OUT/floor-sha-real.out"
# framing as convert does it (the record reader), and secret detection of
# the strings the events emit (each distinct string once; and every one)
"$FLOORS" frame "$CORPUS" >"$OUT/floor-frame.out"
"$FLOORS" frame "$REAL" >"$OUT/floor-frame-real.out"
"$FLOORS" secrets1 "$OUT/real-lines.ndjson" >"$OUT/floor-secrets1-real.out"
"$FLOORS" secrets "$OUT/real-lines.ndjson" >"$OUT/floor-secrets-real.out"
rm -f "$OUT/real-lines.ndjson"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

c_bytes=$(fsize "$CORPUS")
c_lines=$(lines "$CORPUS")
c_big=$(big_lines "$CORPUS")
c_rec=$(summary_num "$OUT/convert.summary.txt" "records decoded")
c_written=$(summary_num "$OUT/convert.summary.txt" "events written")
sl_bytes=$(fsize "$SLICE")
sl_lines=$(lines "$SLICE")
env_bytes=$(fsize "$ENVF")
env_lines=$(lines "$ENVF")
env_big=$(big_lines "$ENVF")

c_mbs=$(calc '%.1f' "$c_bytes / $c_wall / 1e6")
c_evs=$(calc '%.0f' "$c_rec / $c_wall")
cs_mbs=$(calc '%.1f' "$sl_bytes / $cs_wall / 1e6")
j_mbs=$(calc '%.2f' "$sl_bytes / $j_wall / 1e6")
j_evs=$(calc '%.0f' "$sl_lines / $j_wall")
s_evs=$(calc '%.0f' "$s_docs / $s_wall")
r_sj=$(calc '%.3f' "$c_mbs / $s_mbs")
r_sj_first=$(calc '%.3f' "$c_mbs / $s_first")
r_jq=$(calc '%.1f' "$c_mbs / $j_mbs")
r_jq_slice=$(calc '%.1f' "$cs_mbs / $j_mbs")
# the same per CPU second: less sensitive to other work on the machine
c_cmbs=$(calc '%.1f' "$c_bytes / $c_cpu_min / 1e6")
s_cmbs=$(calc '%.1f' "$c_bytes / $s_cpu / 1e6")
j_cmbs=$(calc '%.2f' "$sl_bytes / $j_cpu_min / 1e6")
r_sj_cpu=$(calc '%.3f' "$c_cmbs / $s_cmbs")
r_jq_cpu=$(calc '%.1f' "$c_cmbs / $j_cmbs")
mib() { calc '%.1f' "$1 / 1024"; }
fj_s=$(kv "$OUT/floor-jsmn.out" best_s)
fs_s=$(kv "$OUT/floor-sha.out" best_s)
# at the target rate (0.20 x simdjson) the corpus takes this long on the
# wall, i.e. twice that in CPU on two cores; the two floors' share of it
t_wall=$(calc '%.4f' "$c_bytes / (0.20 * $s_mbs * 1e6)")
f_share=$(calc '%.0f' "100 * ($fj_s + $fs_s) / (2 * $t_wall)")
c_share=$(calc '%.0f' "100 * ($fj_s + $fs_s) / $c_cpu_min")
yes_no() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**missed**"; }

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu_model=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)

{
	echo "# stella-rti benchmark results"
	echo
	echo "Run $started, commit $commit, $(nproc) cores ($cpu_model), kernel $(uname -r)."
	echo "Load average (1/5/15 min) before: $load_before; after: $load_after."
	echo "Best of $RUNS runs, interleaved; page cache warm; MB = 10^6 bytes, MiB = 2^20."
	echo
	echo "Corpus: \`rti-gen --seed $SEED --bytes $BYTES\` (generator v$GENV, source $GENH): $c_lines lines,"
	echo "$c_bytes bytes, $c_big lines > 16 KiB; $(sed -n '2,$p' "$CORPUS.gen.txt" | awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')."
	echo
	echo "| what | input | best wall (s) | events/s | MB/s | MB per CPU s | peak RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|---:|"
	echo "| stella-rti convert -p policies -o /dev/null | corpus ($c_bytes B) | $c_wall | $c_evs | $c_mbs | $c_cmbs | $(mib "$c_rss") |"
	[ -n "$NOSYM" ] && echo "| stella-rti convert --no-symbolize -p policies -o /dev/null | corpus | $n_wall | $(calc '%.0f' "$c_rec / $n_wall") | $(calc '%.1f' "$c_bytes / $n_wall / 1e6") | - | $(mib "$n_rss") |"
	echo "| simdjson parse-only (dom parse_many, 1 thread), best warm pass | corpus | $s_wall | $s_evs | $s_mbs | $s_cmbs | - |"
	echo "| simdjson parse-only, best first (cold) pass | corpus | - | - | $s_first | - | - |"
	echo "| jq -c -f bench/jq-map.jq | slice: first $sl_lines lines ($sl_bytes B) | $j_wall | $j_evs | $j_mbs | $j_cmbs | $(mib "$j_rss") |"
	echo "| stella-rti convert | same slice | $cs_wall | - | $cs_mbs | - | - |"
	echo "| stella-rti convert | env-heavy: $env_lines lines, $env_big > 16 KiB ($env_bytes B) | $env_wall | - | $(calc '%.1f' "$env_bytes / $env_wall / 1e6") | - | $(mib "$env_rss") |"
	echo "| stella-rti convert | small: 200 lines ($(fsize "$SMALL") B) | - | - | - | - | $(mib "$small_rss") |"
	echo "| stella-rti convert | corpus twice ($((2 * c_bytes)) B) | $double_wall | - | $(calc '%.1f' "2 * $c_bytes / $double_wall / 1e6") | - | $(mib "$double_rss") |"
	echo "| floor: jsmn tokenizing only (1 thread, file in memory) | corpus | $fj_s | - | $(calc '%.1f' "$c_bytes / $fj_s / 1e6") | - | - |"
	echo "| floor: SHA-256 of each output line, the event ids (1 thread) | convert's output ($o_bytes B) | $fs_s | - | $(calc '%.1f' "$c_bytes / $fs_s / 1e6") (of input) | - | - |"
	echo
	echo "simdjson: implementation $s_impl, one thread ($s_cpu s CPU in the best pass); the file is"
	echo "loaded before the clock starts, each run parses it 5 times (the first pass faults in the parser's buffers)."
	echo "convert: $c_rec records decoded, $c_written events written; least CPU of a run $c_cpu_min s."
	echo "jq wrote $j_out events for the slice."
	echo "Floors: jsmn + SHA-256 take $(calc '%.3f' "$fj_s + $fs_s") s of CPU for the corpus, ${c_share}% of convert's least CPU;"
	echo "at the target rate (0.20 x simdjson: $t_wall s of wall, $(calc '%.3f' "2 * $t_wall") s of CPU on 2 cores) they alone take ${f_share}% of it."
	echo
	echo "| target | measured | goal | |"
	echo "|---|---:|---:|---|"
	echo "| convert MB/s / simdjson parse-only MB/s (warm) | $r_sj | >= 0.20 | $(yes_no "$r_sj >= 0.20") |"
	echo "| convert MB/s / simdjson first-pass MB/s (cold) | $r_sj_first | (>= 0.20) | $(yes_no "$r_sj_first >= 0.20") |"
	echo "| convert MB/s (corpus) / jq MB/s (slice) | ${r_jq}x | >= 20x | $(yes_no "$r_jq >= 20") |"
	echo "| convert MB/s / jq MB/s, both on the slice | ${r_jq_slice}x | (>= 20x) | $(yes_no "$r_jq_slice >= 20") |"
	echo "| per CPU second: convert / simdjson | $r_sj_cpu | (>= 0.20) | $(yes_no "$r_sj_cpu >= 0.20") |"
	echo "| per CPU second: convert (corpus) / jq (slice) | ${r_jq_cpu}x | (>= 20x) | $(yes_no "$r_jq_cpu >= 20") |"
	echo "| peak RSS of convert, all runs | $(mib "$max_rss") MiB | <= 16 MiB | $(yes_no "$max_rss <= $RSS_LIMIT_KIB") |"
	echo
	echo "## CPU per event by workload (best of $RUNS, same run as the floors)"
	echo
	echo "Realistic corpus: \`rti-gen --seed $SEED --bytes $REAL_BYTES --zipf-paths $ZIPF_N --zipf-s $ZIPF_S\`;"
	echo "all-distinct: \`rti-gen --seed $SEED --bytes $BYTES\`."
	echo "Floors per event: jsmn tokenizing + record framing + SHA-256 of the output line (rti-floors, one thread);"
	echo "aggregate only: jsmn + framing (the decode floor)."
	echo
	echo "| workload | events | CPU us/event | events/s per core | peak RSS (MiB) | floors us/event | x floors |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	pe_row() { # NAME CPU EVENTS RSS JSMN_S SHA_S FRAME_S
		local fl us
		us=$(calc '%.2f' "$2 * 1e6 / $3")
		fl=$(calc '%.2f' "($5 + $6 + $7) * 1e6 / $3")
		echo "| $1 | $3 | $us | $(calc '%.0f' "$3 / $2") | $(mib "$4") | $fl | $(calc '%.2f' "$us / $fl") |"
	}
	r_ev=$(summary_num "$OUT/pe-real.summary.txt" "events written")
	rfr=$(kv "$OUT/floor-frame-real.out" best_s)
	pe_row "realistic, convert" "$pe_r_cpu" "$r_ev" "$pe_r_rss" "$(kv "$OUT/floor-jsmn-real.out" best_s)" "$(kv "$OUT/floor-sha-real.out" best_s)" "$rfr"
	pe_row "all-distinct, convert" "$pe_d_cpu" "$c_written" "$pe_d_rss" "$fj_s" "$fs_s" "$(kv "$OUT/floor-frame.out" best_s)"
	pe_row "realistic, aggregate only (-o none --hot-index, fresh index), vs jsmn + framing" "$pe_a_cpu" "$r_ev" "$pe_a_rss" "$(kv "$OUT/floor-jsmn-real.out" best_s)" 0 "$rfr"
	pe_row "realistic, aggregate only (warm index), vs jsmn + framing" "$pe_aw_cpu" "$r_ev" "$pe_aw_rss" "$(kv "$OUT/floor-jsmn-real.out" best_s)" 0 "$rfr"
	echo
	echo "Secret detection of the strings the realistic events emit (rti-floors, one thread, per event):"
	echo "each distinct string once $(calc '%.2f' "$(kv "$OUT/floor-secrets1-real.out" best_s) * 1e6 / $r_ev") us;"
	echo "every string every time $(calc '%.2f' "$(kv "$OUT/floor-secrets-real.out" best_s) * 1e6 / $r_ev") us."
	echo
	echo "Stack memo on the realistic corpus: $(awk '/stack memo/ { print $4, $5, $6, $7 }' "$OUT/pe-real.summary.txt") (hit/miss/evicted, entries, MiB)."
} >"$OUT/results.md"

cat "$OUT/results.md"
if [ "$fail" -ne 0 ]; then
	echo "bench: convert reported malformed records: the corpus or the converter is broken" >&2
	exit 1
fi
