#!/usr/bin/env bash
# ASLR: the same test program run twice; addresses of its functions and of
# a libc function are taken in the live processes and symbolized through
# their /proc/<pid>/maps. The addresses differ, the canonical frames
# (code_id, file offset, symbol, frame_id) must be identical.
. "$RTI_ROOT/tests/lib.sh"
cd "$T" || exit 1
cat >aslr.c <<'CSRC'
#include <stdio.h>
#include <unistd.h>
__attribute__((noinline)) int aslr_a(int x) { return x * 5 + 3; }
__attribute__((noinline)) int aslr_b(int x) { return aslr_a(x) - 1; }
int main(void)
{
	/* return-address-like addresses: a few bytes into each function */
	printf("%p %p %p %p\n", (void *)((char *)&aslr_a + 4), (void *)((char *)&aslr_b + 6),
	       (void *)((char *)&main + 8), (void *)((char *)&getpid + 2));
	fflush(stdout);
	pause();
	return aslr_b(0);
}
CSRC
gcc -O1 -fPIE -pie -o aslr aslr.c || { not_ok "build"; done_testing; exit; }
for run in 1 2; do
  ./aslr >addrs.$run &
  pid=$!
  for _ in $(seq 1200); do [ -s addrs.$run ] && break; sleep 0.05; done
  # shellcheck disable=SC2046
  "$RTI" symbolize --pid $pid $(cat addrs.$run) >frames.$run 2>err.$run
  echo $? >rc.$run
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
done
check "symbolize --pid succeeded twice" sh -c '[ "$(cat rc.1)" = 0 ] && [ "$(cat rc.2)" = 0 ]'
if [ "$(cat /proc/sys/kernel/randomize_va_space)" != 0 ]; then
  check "ASLR moved the code" sh -c '! cmp -s addrs.1 addrs.2'
else
  ok "# SKIP ASLR is off on this machine (randomize_va_space=0)"
fi
check "four frames" test "$(wc -l <frames.1)" -eq 4
same_file "canonical frames identical across runs" frames.2 frames.1
bid=$($PY "$RTI_ROOT/tests/stack/elfsym.py" --build-id aslr)
check "own frames: build id and symbols" sh -c "grep -c '\"code_id\":\"gnu-build-id:$bid\"' frames.1 | grep -qx 3 &&
  grep -q '\"symbol\":\"aslr_a\",\"symbol_offset\":\"0x4\"' frames.1 &&
  grep -q '\"symbol\":\"aslr_b\",\"symbol_offset\":\"0x6\"' frames.1 &&
  grep -q '\"symbol\":\"main\",\"symbol_offset\":\"0x8\"' frames.1"
check "libc frame: getpid in libc" sh -c "grep -q '\"symbol\":\"getpid\",\"symbol_offset\":\"0x2\"' frames.1 &&
  grep -q '\"module\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"' frames.1"
a1=$(cut -d' ' -f1 addrs.1 | sed 's/^0x//')
check "no address in the output" sh -c "! grep -qi '$a1' frames.1"
"$RTI" symbolize --pid 999999999 0x1000 2>err.txt; rc=$?
check "no such process: clear error" sh -c "[ $rc -ne 0 ] && grep -q 'maps' err.txt"
done_testing
