#!/usr/bin/env bash
# Privacy profile cost: convert throughput of the same capture under the
# built-in profiles, a large user profile, and `off` (the anchor: no privacy
# work at all), interleaved, best of 3 runs each (least CPU seconds).
# Target (issue #5): balanced costs <= 15% CPU over strict.
#   bench/privacy/run.sh [BUILD_DIR] [MB]   (default build/rel, 64 MB)
set -u
cd "$(dirname "$0")/../.."
B=${1:-build/rel}
MB=${2:-64}
RTI=$B/stella-rti
GEN=$B/rti-gen
TIME=/usr/bin/time
for x in "$RTI" "$GEN" "$TIME"; do
  [ -x "$x" ] || { echo "bench/privacy: $x missing (make V=rel all; make deps)" >&2; exit 1; }
done
tmp=$(mktemp -d /tmp/rti-privbench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
CORPUS=$tmp/corpus.jsonl
"$GEN" --seed 5 --bytes "${MB}M" --plant-secrets --secrets-out "$tmp/secrets" -o "$CORPUS" \
  --policies "$tmp/policies.yaml"
BYTES=$(stat -c %s "$CORPUS")
head -c 32 /dev/urandom | base64 >"$tmp/key"
chmod 600 "$tmp/key"

# A large user profile: every rule kind, 200 path prefixes, 1000-key
# allowlists, regex redaction, hashing.
{
  echo "profile: bench-large"
  echo "base: balanced"
  echo "paths:"
  echo "  add_prefixes:"
  for i in $(seq 1 200); do echo "    - /srv/app$i/"; done
  echo "fields:"
  echo "  process.cwd: {action: keep, otherwise: basename}"
  echo "  process.arguments: \"redact(--(password|token|secret)[= ][^ ]*)\""
  echo "  parent.arguments: hash"
  echo "  process.user: hash"
  echo "  container.pod.name: hash"
  echo "  probe.args: {action: keep, types: [int, sock, file, string], otherwise: hash}"
  for f in process.environment container.pod.labels container.pod.annotations; do
    echo "  $f:"
    echo "    action: keep"
    echo "    allow:"
    for i in $(seq 1 1000); do echo "      - key-$i"; done
    echo "      - \"app*\""
    echo "      - LANG"
  done
} >"$tmp/large.yaml"

declare -A best_cpu best_rss
PROFILES=(off strict balanced large)
for round in 1 2 3; do
  for prof in "${PROFILES[@]}"; do
    case $prof in
      off) args=(--privacy off --allow-privacy-off) ;;
      large) args=(--privacy "$tmp/large.yaml" --privacy-key "$tmp/key") ;;
      *) args=(--privacy "$prof") ;;
    esac
    "$TIME" -o "$tmp/t" -f '%U %S %M' "$RTI" convert --no-symbolize -p "$tmp/policies.yaml" \
      "${args[@]}" -o /dev/null "$CORPUS" 2>"$tmp/$prof.err" || {
      echo "bench/privacy: convert under $prof failed:" >&2; tail -5 "$tmp/$prof.err" >&2; exit 1; }
    read -r u s rss < <(tail -1 "$tmp/t")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.3f", u + s }')
    if [ -z "${best_cpu[$prof]:-}" ] || awk -v a="$cpu" -v b="${best_cpu[$prof]}" 'BEGIN { exit !(a < b) }'; then
      best_cpu[$prof]=$cpu
      best_rss[$prof]=$rss
      cp "$tmp/$prof.err" "$tmp/$prof.best.err"
    fi
  done
done
events=$(awk '/events written/ { print $3; exit }' "$tmp/strict.best.err")
echo "== privacy profiles: convert --no-symbolize of $BYTES bytes ($events events, secrets planted), best of 3"
echo
echo "| profile | CPU s | MB/s per CPU s | µs/event | peak RSS MiB | CPU vs strict | secrets redacted |"
echo "|---|---|---|---|---|---|---|"
for prof in "${PROFILES[@]}"; do
  c=${best_cpu[$prof]}
  sec=$(awk '/secrets redacted/ { print $3; exit }' "$tmp/$prof.best.err")
  awk -v p="$prof" -v c="$c" -v b="$BYTES" -v e="$events" -v r="${best_rss[$prof]}" \
      -v s="${best_cpu[strict]}" -v sec="${sec:-0}" 'BEGIN {
    printf "| %s | %.2f | %.1f | %.2f | %.1f | %+.1f%% | %s |\n", p, c, b / c / 1e6, c / e * 1e6, r / 1024, (c / s - 1) * 100, sec }'
done
echo
awk -v b="${best_cpu[balanced]}" -v s="${best_cpu[strict]}" 'BEGIN {
  r = (b / s - 1) * 100
  printf "target: balanced <= 15%% over strict: %+.1f%% (%s)\n", r, r <= 15 ? "met" : "missed" }'
