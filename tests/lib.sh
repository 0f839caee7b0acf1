# Shared helpers for shell tests (tests/*/t_*.sh). Each check prints one TAP
# line; tests/run.sh counts them. Environment set by tests/run.sh:
#   RTI      the stella-rti binary of the variant under test
#   RTI_V    rel or asan
#   RTI_ROOT the repository;  SHARED  ../shared;  T  a fresh temp directory
set -u
_tap_n=0
_tap_fail=0
ok() { _tap_n=$((_tap_n+1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n+1)); _tap_fail=$((_tap_fail+1)); echo "not ok $_tap_n - $*"; }
# check NAME CMD...: ok when the command succeeds
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
# same_file NAME GOT WANT: byte-identical files; shows a diff on failure
same_file() {
  if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1"; diff -u "$3" "$2" | head -20 | sed 's/^/#   /'; fi
}
done_testing() { echo "1..$_tap_n"; [ "$_tap_fail" -eq 0 ]; }
PY=/usr/bin/python3
