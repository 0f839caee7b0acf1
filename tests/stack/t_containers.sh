#!/usr/bin/env bash
# Container frames are never resolved against the host's file of the same
# path (docs/stacks.md, "Containers"). Two builds of one library at one
# path: the host's, and another bind-mounted over it inside a private mount
# namespace (the "container") where two processes live. With real
# processes and namespaces:
#   * a container process that exited while a sibling lives: through the
#     sibling's root (the namespace's build id and symbol);
#   * the sibling gone too, the module cached for the container: same answer;
#   * a fresh run with nothing cached: process_gone, path code_id, no
#     symbol (not Tetragon's either), no hot-index observation;
#   * the host's build never appears in a container frame;
#   * a pid registered for the container but in another namespace: rejected;
#   * a sibling found through its cgroup naming the container id;
#   * a host process: the host file; replaced after the event: module_changed.
# Needs root, unshare(1) and mount --bind; skipped otherwise.
. "$RTI_ROOT/tests/lib.sh"
H="$PY $RTI_ROOT/tests/stack/elfsym.py"
cd "$T" || exit 1
if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  ok "# SKIP needs root and mount namespaces"
  done_testing; exit
fi
mkdir lib nslib
printf '__attribute__((noinline)) int host_variant(int x) { return x * 3 + 1; }\n' >host.c
printf '__attribute__((noinline)) int ns_variant(int x) { return x * 3 + 1; }\n' >ns.c
gcc -O1 -fPIC -shared -o lib/libdual.so host.c && gcc -O1 -fPIC -shared -o nslib/libdual.so ns.c ||
  { not_ok "build"; done_testing; exit; }
hbid=$($H --build-id lib/libdual.so)
nbid=$($H --build-id nslib/libdual.so)
read -r _ hoff _ < <($H lib/libdual.so host_variant)
read -r _ noff _ < <($H nslib/libdual.so ns_variant)
check "two builds at one path: other build ids, same offset" test "$hbid" != "$nbid" -a "$hoff" = "$noff"
LIB=$T/lib/libdual.so

# every process started here ends with the test
PIDS=
cleanup() { kill $PIDS $(cat a.pid b.pid c.pid d.pid 2>/dev/null) 2>/dev/null; }
trap cleanup EXIT
# the container: a private mount namespace where LIB is the other build
unshare -m --propagation private sh -c \
  "mount --bind '$T/nslib/libdual.so' '$LIB' && { sleep 1000 & echo \$! >a.pid; sleep 1000 & echo \$! >b.pid; wait; }" &
ns_sh=$!
PIDS=$ns_sh
wait_for 60 test -s b.pid || { not_ok "namespace processes started"; done_testing; exit; }
A=$(cat a.pid); B=$(cat b.pid)
PIDS="$PIDS $A $B"
wait_for 60 sh -c "cmp -s /proc/$B/root$LIB '$T/nslib/libdual.so'"
check "the namespace sees its own build" cmp -s "/proc/$B/root$LIB" nslib/libdual.so
check "the host sees the host build" cmp -s "$LIB" lib/libdual.so

CID=containerd://5ea1ed0c0ffee0ddba11ad5eed1e55c0de0fabcdefabcdef0123456789abcdef
IMG=registry.example.com/app@sha256:1111111111111111111111111111111111111111111111111111111111111111
ts() { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }
START=$(ts) # after the processes were forked
proc() { # PID [CONTAINER_ID | docker:ID]
  if [ "${2#docker:}" != "${2:-}" ]; then
    printf '"process":{"exec_id":"eA==","pid":%s,"start_time":"%s","binary":"/usr/bin/sleep","docker":"%s"}' "$1" "$START" "${2#docker:}"
  elif [ -n "${2:-}" ]; then
    printf '"process":{"exec_id":"eA==","pid":%s,"start_time":"%s","binary":"/usr/bin/sleep","pod":{"namespace":"ns","name":"pod","container":{"id":"%s","name":"app","image":{"id":"%s","name":"app:1"}}}}' "$1" "$START" "$2" "$IMG"
  else
    printf '"process":{"exec_id":"eA==","pid":%s,"start_time":"%s","binary":"/usr/bin/sleep"}' "$1" "$START"
  fi
}
exec_ev() { printf '{"process_exec":{%s},"time":"%s"}\n' "$(proc "$1" "${2:-}")" "$(ts)"; }
# a kprobe with one frame in LIB that Tetragon named from the host path
# (SYMBOL "-": without Tetragon's symbol)
kprobe() { # PID CONTAINER_ID|"" [TIME [SYMBOL]]
  local sym=${4:-host_variant}
  [ "$sym" = - ] && sym= || sym=",\"symbol\":\"$sym\""
  printf '{"process_kprobe":{%s,"function_name":"tcp_connect","user_stack_trace":[{"offset":"%s","module":"%s"%s}]},"time":"%s"}\n' \
    "$(proc "$1" "$2")" "$((hoff))" "$LIB" "$sym" "${3:-$(ts)}"
}
# a frame of B's own in another module: B's live root gives the container
# its mount namespace
own_frame() {
  printf '{"process_kprobe":{%s,"function_name":"tcp_connect","user_stack_trace":[{"offset":"4096","module":"/usr/bin/sleep"}]},"time":"%s"}\n' \
    "$(proc "$B" "$CID")" "$(ts)"
}
NS_FRAME="\"code_id\":\"gnu-build-id:$nbid\",[^}]*\"resolved_by\":\"symtab\",\"space\":\"user\",\"symbol\":\"ns_variant\""
GONE_FRAME='"code_id":"path:\[private\]",[^}]*"resolved_by":"none","space":"user","unresolved":"process_gone"'

# --- 1 and 2: through the sibling, then from the container cache ---------
kill "$A"; wait_for 60 sh -c "! kill -0 $A 2>/dev/null"
check "A has exited" sh -c "! test -e /proc/$A/root"
: >live.jsonl
"$RTI" convert --follow --threads 1 --hot-index "sqlite:$T/hot1.db" live.jsonl >live.out 2>live.err &
conv=$!
PIDS="$PIDS $conv"
{ exec_ev "$A" "$CID"; exec_ev "$B" "$CID"; own_frame; kprobe "$A" "$CID"; } >>live.jsonl
wait_for 60 has_lines live.out 4
kill "$B"; wait_for 60 sh -c "! kill -0 $B 2>/dev/null"
# a later event of A's container (another short-lived process of it),
# every process of it gone
{ exec_ev 4000000 "$CID"; kprobe 4000000 "$CID"; } >>live.jsonl
wait_for 60 has_lines live.out 6
kill -INT "$conv"; wait "$conv"
check "A gone, sibling B alive: the namespace's build id and symbol" sh -c "sed -n 4p live.out | grep -Eq '$NS_FRAME'"
check "A and B gone, module cached for the container: the same answer" sh -c "sed -n 6p live.out | grep -Eq '$NS_FRAME'"
check "summary: frames found by sibling and container cache" grep -Eq 'frames found by +proc root 1, sibling 1, container cache 1, host 0' live.err
check "the host build never appears" sh -c "! grep -q '$hbid' live.out && ! grep -q host_variant live.out"

# --- 3: a fresh run, nothing cached, nothing alive ------------------------
uprobe() { # PID CONTAINER_ID
  printf '{"process_uprobe":{%s,"path":"%s","symbol":"host_variant","offset":"%s"},"time":"%s"}\n' \
    "$(proc "$1" "$2")" "$LIB" "$((hoff))" "$(ts)"
}
{ exec_ev "$A" "$CID"; exec_ev "$B" "$CID"; kprobe "$A" "$CID"; kprobe "$B" "$CID"; uprobe "$A" "$CID"; } >gone.jsonl
"$RTI" convert --hot-index "sqlite:$T/hot2.db" gone.jsonl >gone.out 2>gone.err
check "fresh run: process_gone, path code_id, no symbol" sh -c "sed -n 3p gone.out | grep -Eq '$GONE_FRAME' && sed -n 4p gone.out | grep -Eq '$GONE_FRAME'"
check "fresh run: Tetragon's host symbol not taken, host build never used" sh -c "! sed -n 1,4p gone.out | grep -q host_variant && ! grep -q '$hbid' gone.out"
check "fresh run: the uprobe's module gets no code_id from the host file" sh -c "sed -n 5p gone.out | grep -q '\"type\":\"uprobe\"' && ! sed -n 5p gone.out | grep -q 'code_id'"
check "summary: process gone 2" grep -Eq 'frames found by .*host 0, build id 0, process gone 2' gone.err
# a container known only by Tetragon's docker field (no pod): the same rule
kprobe 4000007 docker:5ea1ed0c0ffee0ddba11ad5eed1e55c >docker.jsonl
"$RTI" convert --quiet docker.jsonl >docker.out
check "docker field only: a container process, process_gone" grep -Eq "$GONE_FRAME" docker.out
"$RTI" hot top --hot-index "sqlite:$T/hot2.db" --format json --limit 1000 >hot2.json 2>&1
check "fresh run: no hot-index observation from the frames or the uprobe" sh -c "! grep -q '_variant' hot2.json && grep -q tcp_connect hot2.json"
"$RTI" hot top --hot-index "sqlite:$T/hot1.db" --format json --limit 1000 >hot1.json 2>&1
check "live run: the hot index holds the namespace's symbol only" sh -c "grep -q ns_variant hot1.json && grep -q '$nbid' hot1.json && ! grep -q host_variant hot1.json"

# --- a process_loader build id equal to the host file's: the host file ---
printf '{"process_loader":{%s,"path":"%s","buildid":"%s"},"time":"%s"}\n' "$(proc 4000001 "$CID")" "$LIB" \
  "$(printf '%s' "$hbid" | xxd -r -p | base64)" "$(ts)" >loader.jsonl
kprobe 4000001 "$CID" >>loader.jsonl
printf '{"process_loader":{%s,"path":"%s","buildid":"%s"},"time":"%s"}\n' "$(proc 4000002 "$CID")" "$LIB" \
  "$(printf '%s' "$nbid" | xxd -r -p | base64)" "$(ts)" >>loader.jsonl
kprobe 4000002 "$CID" >>loader.jsonl
"$RTI" convert --quiet loader.jsonl >loader.out
check "loader build id = host file's: the host file" grep -q "\"code_id\":\"gnu-build-id:$hbid\",[^}]*\"symbol\":\"host_variant\"" loader.out
check "loader build id = another build: its id, process_gone" grep -q "\"code_id\":\"gnu-build-id:$nbid\",[^}]*\"resolved_by\":\"none\",\"space\":\"user\",\"unresolved\":\"process_gone\"" loader.out

# another namespace like the first with one live process: its pid in
# NSPID, the namespace's shell in NSSH; START after it was forked
one_ns() { # PIDFILE
  unshare -m --propagation private sh -c \
    "mount --bind '$T/nslib/libdual.so' '$LIB' && { sleep 1000 & echo \$! >$1; wait; }" &
  NSSH=$!
  PIDS="$PIDS $NSSH"
  wait_for 60 test -s "$1"
  NSPID=$(cat "$1")
  PIDS="$PIDS $NSPID"
  START=$(ts)
  wait_for 60 sh -c "cmp -s /proc/$NSPID/root$LIB '$T/nslib/libdual.so'"
}

# --- a registered pid that is not in the container ------------------------
sleep 1000 &
imp=$!
PIDS="$PIDS $imp"
# a third namespace process, alive: the container's namespace is learnt
# from it, then an impostor (a host process registered under the same
# container id: a reused pid) is refused
one_ns c.pid
C=$NSPID ns2=$NSSH
CID2=containerd://0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf '{"process_kprobe":{%s,"function_name":"tcp_connect","user_stack_trace":[{"offset":"4096","module":"/usr/bin/sleep"}]},"time":"%s"}\n' \
  "$(proc "$C" "$CID2")" "$(ts)" >imp.jsonl
{ exec_ev "$imp" "$CID2"; kprobe 4000003 "$CID2"; } >>imp.jsonl
"$RTI" convert imp.jsonl >imp.out 2>imp.err
kill "$C" "$imp" "$ns2" 2>/dev/null; wait "$ns2" "$imp" 2>/dev/null
check "a registered pid in another namespace is refused" grep -q 'siblings rejected 1' imp.err
check "... the live namespace process is used instead, never the host file" sh -c "sed -n 3p imp.out | grep -Eq '$NS_FRAME'"

# --- a sibling known by its cgroup (no namespace learnt before) ----------
CG=
for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
  [ -f "$d/cgroup.procs" ] && mkdir "$d/rti-test-$$-${CID#containerd://}.scope" 2>/dev/null &&
    CG="$d/rti-test-$$-${CID#containerd://}.scope" && break
done
if [ -n "$CG" ]; then
  one_ns d.pid
  D=$NSPID ns3=$NSSH
  echo "$D" >"$CG/cgroup.procs"
  { exec_ev "$D" "$CID"; kprobe 4000004 "$CID"; } >cg.jsonl
  "$RTI" convert cg.jsonl >cg.out 2>cg.err
  kill "$D" "$ns3" 2>/dev/null; wait "$ns3" 2>/dev/null
  wait_for 60 sh -c "! test -s '$CG/cgroup.procs'"
  wait_for 60 rmdir "$CG" 2>/dev/null
  check "a sibling whose cgroup names the container: the namespace's build" sh -c "sed -n 2p cg.out | grep -Eq '$NS_FRAME'"
  check "summary: sibling 1" grep -q 'frames found by .*sibling 1' cg.err
else
  ok "# SKIP no writable cgroup hierarchy"
fi

# --- host processes: the host file; changed after the event: module_changed
T0=$(ts)
kprobe 4000005 "" "$T0" - >host.jsonl
"$RTI" convert host.jsonl >host.out 2>host.err
check "host process gone: the host file" grep -q "\"code_id\":\"gnu-build-id:$hbid\",[^}]*\"symbol\":\"host_variant\"" host.out
wait_for 60 sh -c "[ \"\$(date -u +%s%N)\" -gt \"\$(date -u -d '$T0' +%s%N)\" ]"
cp nslib/libdual.so lib/libdual.so.new && mv lib/libdual.so.new "$LIB"
check "the host file was replaced after the event" test "$(stat -c %Z "$LIB")" -ge "$(date -u -d "$T0" +%s)"
"$RTI" convert host.jsonl >changed.out 2>changed.err
check "host file changed after the event: module_changed, path code_id" \
  grep -q '"code_id":"path:\[private\]",[^}]*"unresolved":"module_changed"' changed.out
check "... neither build's symbol nor build id" \
  sh -c "! grep -q _variant changed.out && ! grep -Eq '$nbid|$hbid' changed.out"
check "summary: module changed 1" grep -q 'frames found by .*module changed 1' changed.err
done_testing
