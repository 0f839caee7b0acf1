#!/usr/bin/env bash
# Runs the whole suite on the release build and on the ASan+UBSan build and
# prints one closing line "N passed, N failed" (counted TAP checks).
# A test file that exits non-zero without reporting a failure counts as one
# failure. Shell tests may say "# variants: rel" to skip the asan pass
# (e.g. real database servers, where sanitizers add nothing but time).
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SHARED=${SHARED:-$ROOT/../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
only=${RTI_TEST_FILTER:-}
variants=${RTI_TEST_VARIANTS:-rel asan}
pass=0
fail=0
failed_list=()
for V in $variants; do
  B=$ROOT/${RTI_BUILD_ROOT:-build}/$V
  tests=()
  for t in "$B"/tests/test_*; do [ -x "$t" ] && tests+=("$t"); done
  for t in tests/*/t_*.sh; do [ -f "$t" ] && tests+=("$t"); done
  for t in "${tests[@]}"; do
    name=$(basename "$t"); [[ "$t" == *.sh ]] && name=$(basename "$(dirname "$t")")/$name
    [ -n "$only" ] && [[ "$t" != *$only* ]] && continue
    if [[ "$t" == *.sh ]] && [ "$V" != rel ] && grep -q '^# variants: rel' "$t"; then continue; fi
    T=$(mktemp -d /tmp/rti-test.XXXXXX)
    start=$(date +%s)
    if [[ "$t" == *.sh ]]; then
      out=$(cd "$T" && RTI=$B/stella-rti RTI_V=$V RTI_ROOT=$ROOT RTI_BUILD=$B SHARED=$SHARED T=$T \
            timeout 900 bash "$ROOT/$t" 2>"$T/.stderr"); rc=$?
    else
      out=$(cd "$T" && RTI_ROOT=$ROOT SHARED=$SHARED T=$T timeout 900 "$t" 2>"$T/.stderr"); rc=$?
    fi
    p=$(grep -c '^ok ' <<<"$out")
    f=$(grep -c '^not ok ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; out+=$'\n'"not ok - $name exited with status $rc"; fi
    pass=$((pass+p)); fail=$((fail+f))
    dur=$(( $(date +%s) - start ))
    if [ "$f" -gt 0 ]; then
      failed_list+=("$V/$name")
      echo "FAIL $V/$name ($p passed, $f failed, ${dur}s)"
      grep -E '^(not ok|#)' <<<"$out" | head -40 | sed 's/^/    /'
      tail -20 "$T/.stderr" | sed 's/^/    stderr: /'
    else
      echo "pass $V/$name ($p checks, ${dur}s)"
    fi
    rm -rf "$T"
  done
done
[ ${#failed_list[@]} -gt 0 ] && echo "failed: ${failed_list[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
