#!/usr/bin/env bash
# Golden tests: every file of ../shared/fixtures/{tetragon,synthetic} through
# `convert`, stdout and stderr compared byte for byte with tests/golden/.
# Symbol resolution is off here: its output depends on the binaries installed
# on the machine (build ids); tests/stack/ covers it against real files.
# Regenerate (then review the diff by hand): RTI_UPDATE_GOLDEN=1 make test
. "$RTI_ROOT/tests/lib.sh"
G=$RTI_ROOT/tests/golden
cd "$SHARED/fixtures"
for f in tetragon/* synthetic/*.jsonl; do
  out=$T/out err=$T/err
  "$RTI" convert --no-symbolize -p synthetic/policies.yaml "$f" >"$out" 2>"$err"
  rc=$?
  echo "exit $rc" >>"$err"
  if [ "${RTI_UPDATE_GOLDEN:-}" = 1 ] && [ "$RTI_V" = rel ]; then
    cp "$out" "$G/$f.out"; cp "$err" "$G/$f.err"
  fi
  same_file "golden stdout $f" "$out" "$G/$f.out"
  same_file "golden stderr $f" "$err" "$G/$f.err"
done
# our own fixtures, with our own policies
mkdir -p "$G/own"
cd "$RTI_ROOT/tests/fixtures"
for f in *.jsonl; do
  "$RTI" convert --no-symbolize -p policies.yaml "$f" >"$T/out" 2>"$T/err"
  echo "exit $?" >>"$T/err"
  if [ "${RTI_UPDATE_GOLDEN:-}" = 1 ] && [ "$RTI_V" = rel ]; then
    cp "$T/out" "$G/own/$f.out"; cp "$T/err" "$G/own/$f.err"
  fi
  same_file "golden stdout own/$f" "$T/out" "$G/own/$f.out"
  same_file "golden stderr own/$f" "$T/err" "$G/own/$f.err"
done
# the balanced profile over every kind: what it keeps, basenames, allowlisted
# labels, typed arguments, and the exact privacy.redacted of each event
mkdir -p "$G/balanced"
for f in "$RTI_ROOT/tests/fixtures/every-kind.jsonl" "$SHARED/fixtures/synthetic/all-kinds.jsonl"; do
  b=$(basename "$f")
  pol=$RTI_ROOT/tests/fixtures/policies.yaml
  [ "$b" = all-kinds.jsonl ] && pol=$SHARED/fixtures/synthetic/policies.yaml
  "$RTI" convert --no-symbolize --privacy balanced -p "$pol" "$f" >"$T/out" 2>"$T/err"
  echo "exit $?" >>"$T/err"
  if [ "${RTI_UPDATE_GOLDEN:-}" = 1 ] && [ "$RTI_V" = rel ]; then
    cp "$T/out" "$G/balanced/$b.out"; cp "$T/err" "$G/balanced/$b.err"
  fi
  same_file "golden stdout balanced/$b" "$T/out" "$G/balanced/$b.out"
  same_file "golden stderr balanced/$b" "$T/err" "$G/balanced/$b.err"
done
done_testing
