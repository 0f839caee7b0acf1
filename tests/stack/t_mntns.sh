#!/usr/bin/env bash
# variants: rel
# Containers: a binary visible only inside the traced process's mount
# namespace (a private tmpfs) resolves through /proc/<pid>/root; a process
# start time that does not match (a reused pid) or an unusable proc root
# falls back to the host path, where the file does not exist. Needs root
# and unshare(1); skipped otherwise.
. "$RTI_ROOT/tests/lib.sh"
cd "$T" || exit 1
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  ok "# SKIP needs root and mount namespaces"
  done_testing; exit
fi
cat >prog.c <<'CSRC'
#include <stdio.h>
#include <unistd.h>
__attribute__((noinline)) int ns_target(int x) { return x + 42; }
int main(void)
{
	printf("%d %p\n", (int)getpid(), (void *)((char *)&ns_target + 3));
	fflush(stdout);
	pause();
	return ns_target(0);
}
CSRC
gcc -O1 -o prog prog.c || { not_ok "build"; done_testing; exit; }
bid=$($PY "$RTI_ROOT/tests/stack/elfsym.py" --build-id prog)
mkdir ns
unshare -m --propagation private sh -c "mount -t tmpfs tmpfs '$T/ns' && cp '$T/prog' '$T/ns/prog' && exec '$T/ns/prog'" >out &
sh_pid=$!
for _ in $(seq 1200); do [ -s out ] && break; sleep 0.05; done
read -r pid addr <out
check "the binary is not visible on the host" test ! -e "$T/ns/prog"
"$RTI" symbolize --pid "$pid" "$addr" >frame.json
check "symbolize --pid: through /proc/<pid>/root" grep -q "\"code_id\":\"gnu-build-id:$bid\".*\"symbol\":\"ns_target\",\"symbol_offset\":\"0x3\"" frame.json
off=$(sed 's/.*"offset":"0x\([0-9a-f]*\)".*/\1/' frame.json)

# a Tetragon event with that frame
event() { # START_TIME
  printf '{"process_kprobe":{"process":{"exec_id":"eA==","pid":%s,"start_time":"%s","binary":"/usr/bin/true"},"function_name":"tcp_connect","user_stack_trace":[{"offset":"%s","module":"%s/ns/prog"}]},"time":"%s","node_name":"n1"}\n' \
    "$pid" "$1" "$((16#$off))" "$T" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"
}
event "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" >live.json
event "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%S.%NZ)" >reused.json
"$RTI" convert --quiet live.json >live.out
check "convert: frame resolved in the container root" grep -q "\"code_id\":\"gnu-build-id:$bid\".*\"resolved_by\":\"symtab\",\"space\":\"user\",\"symbol\":\"ns_target\"" live.out
check "convert: the private path is not emitted" sh -c "! grep -q '$T' live.out"
"$RTI" convert --quiet reused.json >reused.out
check "start time before the live process: pid reused, host path: not found" grep -q '"code_id":"path:\[private\]".*"unresolved":"module_not_found"' reused.out
"$RTI" convert --quiet --proc-root "$T/noproc" live.json >noproc.out
check "no proc root: host path: not found" grep -q '"unresolved":"module_not_found"' noproc.out
"$RTI" convert live.json 2>sum.txt >/dev/null
check "summary counts the proc root lookup" grep -q 'proc root 1,' sum.txt
kill "$pid" 2>/dev/null; wait "$sh_pid" 2>/dev/null
done_testing
