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
# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails
# after SECONDS. Tests wait for a condition with a generous deadline, never
# for a fixed time (a loaded machine only makes them slower, not wrong).
wait_for() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -ge "$deadline" ] && return 1
    sleep 0.05
  done
}
# has_lines FILE N: FILE exists and has at least N lines
has_lines() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }
# read_up_to PID FILE: process PID has FILE open and has read it to its
# current end (the kernel's file position of that descriptor equals the
# size; after a truncation that holds once the reader has gone back to 0)
read_up_to() {
  $PY - "$1" "$2" <<'PY'
import os, sys
pid, path = sys.argv[1], sys.argv[2]
try:
    want = os.stat(path)
except FileNotFoundError:
    sys.exit(1)
for fd in os.listdir(f'/proc/{pid}/fd'):
    try:
        st = os.stat(f'/proc/{pid}/fd/{fd}')
    except OSError:
        continue
    if (st.st_dev, st.st_ino) != (want.st_dev, want.st_ino):
        continue
    pos = int(open(f'/proc/{pid}/fdinfo/{fd}').read().split()[1])
    sys.exit(0 if pos == want.st_size else 1)
sys.exit(1)
PY
}
# pipe_empty FIFO: nothing is left unread in the named pipe
pipe_empty() {
  $PY -c 'import os,sys,fcntl,termios,struct
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]
sys.exit(0 if n == 0 else 1)' "$1"
}
# waiting_in_poll PID: a thread of PID sleeps in poll() (a reader with
# nothing left to read)
waiting_in_poll() { cat /proc/"$1"/task/*/wchan 2>/dev/null | tr '\0' '\n' | grep -q poll; }
