#!/usr/bin/env bash
# Stack frames through `convert`: code ids from files and from
# process_loader build ids (also when the file on disk is another one),
# debug files by build id, privacy, Tetragon's symbol as a fallback and
# disagreements, kallsyms for address-only kernel frames, the uprobe
# code_id, --no-symbolize, determinism and the schema.
. "$RTI_ROOT/tests/lib.sh"
H="$PY $RTI_ROOT/tests/stack/elfsym.py"
FIX=$SHARED/fixtures/synthetic/all-kinds.jsonl
LIBC=/usr/lib/x86_64-linux-gnu/libc.so.6
cd "$T" || exit 1

# --- the shared fixture -------------------------------------------------
# Its stacks are of container processes (pod container ids) that are gone
# here and whose files nothing else names: never the host's files of those
# paths (another build of the library in general), never Tetragon's symbol
# (read from the host path either).
"$RTI" convert "$FIX" >c.out 2>c.err
check "fixture: container frames of a gone process: process_gone, path code ids" \
  sh -c "grep -q '\"code_id\":\"path:$LIBC\",[^}]*\"offset\":\"0x4ba4f\",\"resolved_by\":\"none\",\"space\":\"user\",\"unresolved\":\"process_gone\"' c.out &&
         ! grep -q gnu-build-id c.out && ! grep -q '\"resolved_by\":\"agent\",\"space\":\"user\"' c.out"
check "fixture: container uprobe code_id is its path" grep -q '"probe":{"code_id":"path:/usr/lib/x86_64-linux-gnu/libssl.so.3"' c.out
check "summary: frames found by ... process gone" grep -q 'frames found by .*process gone 7' c.err
# the same events as host processes (no pod, no docker field), at the
# time of this run (host files changed since the event are module_changed)
$PY - "$FIX" >host.jsonl <<'PYEOF'
import datetime, json, sys
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
for line in open(sys.argv[1]):
    d = json.loads(line)
    for v in d.values():
        if isinstance(v, dict):
            for k in ("process", "parent"):
                if isinstance(v.get(k), dict):
                    v[k].pop("pod", None)
                    v[k].pop("docker", None)
    if "time" in d:
        d["time"] = now
    print(json.dumps(d, separators=(",", ":")))
PYEOF
"$RTI" convert host.jsonl >a.out 2>a.err
"$RTI" convert host.jsonl >b.out 2>/dev/null
same_file "fixture: byte-identical across runs" b.out a.out
libc_bid=$($H --build-id $LIBC)
check "host fixture: libc frames carry libc's build id" grep -q "\"code_id\":\"gnu-build-id:$libc_bid\",[^}]*\"module\":\"$LIBC\",\"offset\":\"0x4ba4f\"" a.out
"$RTI" symbolize --elf $LIBC 0x4ba4f 0x83edb >libc.frames
grep -o '{"code_id":"gnu-build-id[^}]*libc.so.6[^}]*}' a.out | sort -u >libc.in_events
check "host fixture: event frames equal symbolize --elf frames" sh -c 'while read -r l; do grep -qxF "$l" libc.in_events || exit 1; done <libc.frames'
check "host fixture: a missing module keeps its path code_id" grep -q '"code_id":"path:/app/bin/checkout-server",[^}]*"resolved_by":"none","space":"user","unresolved":"module_not_found"' a.out
check "host fixture: uprobe code_id is the build id" grep -q "\"probe\":{\"code_id\":\"gnu-build-id:$($H --build-id /usr/lib/x86_64-linux-gnu/libssl.so.3)\"" a.out
check "summary: rates by source and reason" sh -c 'grep -q "symbol from .*debuginfo" a.err && grep -q "not resolved by us .*module_not_found" a.err && grep -q "code ids .*gnu-build-id" a.err && grep -q "frames found by .*host 6" a.err'
"$RTI" convert --no-symbolize "$FIX" >n.out 2>/dev/null
check "--no-symbolize: path code ids, Tetragon's symbols" sh -c "! grep -q gnu-build-id n.out && grep -q '\"code_id\":\"path:$LIBC\",[^}]*\"resolved_by\":\"agent\",\"space\":\"user\",\"symbol\":\"__strtold_nan\"' n.out && grep -q '\"unresolved\":\"symbolization_off\"' n.out"
if [ -r "$RTI_ROOT/tests/cli/validate_schema.py" ] && $PY -c 'import jsonschema' 2>/dev/null; then
  check "schema and frame ids" $PY "$RTI_ROOT/tests/cli/validate_schema.py" "$SHARED/spec/runtime-call-event.schema.json" a.out c.out
fi

# --- crafted events -------------------------------------------------------
cat >lib.c <<'CSRC'
__attribute__((noinline)) int gone_fn(int x) { return x * 11; }
CSRC
gcc -O1 -g -fPIC -shared -o libgone.so lib.c || { not_ok "build"; done_testing; exit; }
$H libgone.so gone_fn >gone.syms
read -r _ goff gsize <gone.syms
gsoff=$(printf 0x%x $((gsize / 2)))
gbid=$($H --build-id libgone.so)
b64() { printf '%s' "$1" | xxd -r -p | base64; }
now=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ) # after the build: files older than the events
proc() { printf '"process":{"exec_id":"ZXg=","pid":%s,"start_time":"%s","binary":"/usr/bin/true"}' "$1" "$now"; }
loader() { # PID PATH BUILD_ID_HEX
  printf '{"process_loader":{%s,"path":"%s","buildid":"%s"},"time":"%s"}\n' "$(proc "$1")" "$2" "$(b64 "$3")" "$now"
}
kprobe() { # PID FRAMES_JSON [KERNEL_FRAMES_JSON]
  printf '{"process_kprobe":{%s,"function_name":"tcp_connect","user_stack_trace":[%s]%s},"time":"%s"}\n' \
    "$(proc "$1")" "$2" "${3:+,\"kernel_stack_trace\":[$3]}" "$now"
}
{
  # output line 1: a module gone from disk, known by a loader build id
  loader 11 /opt/gone/libgone.so "$gbid"
  kprobe 11 "{\"offset\":\"$((goff))\",\"module\":\"/opt/gone/libgone.so\"}"
  # 2: a loader build id without any file
  loader 12 /opt/gone/libother.so 00112233445566778899aabbccddeeff00112233
  kprobe 12 '{"offset":"4096","module":"/opt/gone/libother.so"}'
  # 3: the loader says libc had another build id: the file on disk is not it
  loader 13 $LIBC ffeeddccbbaa99887766554433221100ffeeddcc
  kprobe 13 "{\"offset\":\"$((0x4ba4f))\",\"module\":\"$LIBC\",\"symbol\":\"__strtold_nan\"}"
  # 4: ours fails, Tetragon's symbol is used; 5: Tetragon disagrees with us
  kprobe 14 '{"offset":"4096","module":"/opt/nothing/here.so","symbol":"agent_guess"}'
  kprobe 15 "{\"offset\":\"$((0x4ba4f))\",\"module\":\"$LIBC\",\"symbol\":\"not_what_it_is\"}"
  # 6: a withheld path with a build id (under /tmp: not a system prefix);
  # the same file as in 1, which must not change the answer for 1
  kprobe 16 "{\"offset\":\"$((goff))\",\"module\":\"$T/libgone.so\"}"
  # 7: address-only kernel frames; a pseudo and an anonymous user frame
  kprobe 17 '{"offset":"16","module":"[vdso]"},{"offset":"16"}' \
    '{"address":"18446744071578849296"},{"address":"18446744072635813892"},{"address":"4096"}'
} >ev.jsonl
cat >kallsyms <<'KSYMS'
ffffffff81000000 T _stext
ffffffff81001000 T vfs_read
ffffffff81001000 t __vfs_read_alias
ffffffffc0001000 t nft_do_chain	[nf_tables]
KSYMS
"$RTI" convert --kallsyms "$T/kallsyms" ev.jsonl >ev.out 2>ev.err
L() { sed -n "$1p" ev.out; }
has() { L "$1" | grep -Eq "$2"; }
check "loader build id, no file: identity, module_not_found" \
  has 1 "\"code_id\":\"gnu-build-id:$gbid\",[^}]*\"module\":\"/opt/gone/libgone.so\",[^}]*\"unresolved\":\"module_not_found\""
check "loader build id alone: identity, module_not_found" \
  has 2 '"code_id":"gnu-build-id:00112233445566778899aabbccddeeff00112233",[^}]*"unresolved":"module_not_found"'
check "loader build id differs from the file: its id, Tetragon's hint" \
  has 3 '"code_id":"gnu-build-id:ffeeddccbbaa99887766554433221100ffeeddcc",[^}]*"resolved_by":"agent","space":"user","symbol":"__strtold_nan"'
check "ours failed: Tetragon's symbol (agent)" has 4 '"resolved_by":"agent","space":"user","symbol":"agent_guess"\}'
check "disagreement: our symbol wins" has 5 '"resolved_by":"(debuginfo|dynsym)","space":"user","symbol":"__strtold_nan"'
check "withheld module: build id code_id, no module, redacted" sh -c "
  sed -n 6p ev.out | grep -q '{\"code_id\":\"gnu-build-id:$gbid\",\"frame_id\":\"sha256:[0-9a-f]*\",\"offset\"' &&
  sed -n 6p ev.out | grep -q '\"symbol\":\"gone_fn\",\"symbol_offset\":\"$gsoff\"' &&
  sed -n 6p ev.out | grep -q 'stack.module' && ! grep -q '$T' ev.out"
check "kallsyms: kernel symbol+offset" \
  has 7 '\{"code_id":"kernel","frame_id":"sha256:[0-9a-f]+","module":"\[kernel\]","offset":"0x10","resolved_by":"kallsyms","space":"kernel","symbol":"vfs_read"\}'
check "kallsyms: kernel module name" has 7 '"module":"\[nf_tables\]","offset":"0x4","resolved_by":"kallsyms","space":"kernel","symbol":"nft_do_chain"'
check "kallsyms: below every symbol" has 7 '"offset":"0x0","resolved_by":"none","space":"kernel","unresolved":"no_kernel_symbol"'
check "pseudo mapping" has 7 '"code_id":"path:\[vdso\]",[^}]*"unresolved":"pseudo_mapping"'
check "anonymous mapping" has 7 '"code_id":"path:\[anon\]",[^}]*"unresolved":"anonymous_mapping"'
check "no raw address in any output" sh -c "! grep -qiE '18446744071578849296|18446744072635813892|ffffffff81001010|ffffffffc0001004' ev.out"
check "summary: loader mismatch, agent fallback, disagreement" sh -c \
  "grep -q 'mismatch 1' ev.err && grep -q 'agent disagreed      1' ev.err && grep -q 'build_id_mismatch 1 (agent named 1)' ev.err"
mkdir -p "dbg/.build-id/${gbid:0:2}" && cp libgone.so "dbg/.build-id/${gbid:0:2}/${gbid:2}"
"$RTI" convert --quiet --debug-dir "$T/dbg" --kallsyms none ev.jsonl >ev2.out
check "loader build id + executable in the build-id dir: resolved" sh -c \
  "sed -n 1p ev2.out | grep -q '\"code_id\":\"gnu-build-id:$gbid\",[^}]*\"resolved_by\":\"symtab\",\"space\":\"user\",\"symbol\":\"gone_fn\",\"symbol_offset\":\"$gsoff\"'"
check "--kallsyms none: kallsyms_unavailable" sh -c "sed -n 7p ev2.out | grep -q '\"unresolved\":\"kallsyms_unavailable\"'"
# unrelated events in another order (the file of 1 seen first): the same
# lines. Caches change speed, never output.
{ sed -n 9p ev.jsonl; sed -n 1,8p ev.jsonl; sed -n '10,$p' ev.jsonl; } >ev-r.jsonl
"$RTI" convert --quiet --kallsyms "$T/kallsyms" ev-r.jsonl >ev-r.out
check "reordered unrelated events: same lines" sh -c 'sort ev.out >s1; sort ev-r.out >s2; cmp -s s1 s2'
if [ -r "$RTI_ROOT/tests/cli/validate_schema.py" ] && $PY -c 'import jsonschema' 2>/dev/null; then
  check "crafted events: schema and frame ids" $PY "$RTI_ROOT/tests/cli/validate_schema.py" "$SHARED/spec/runtime-call-event.schema.json" ev.out
fi
done_testing
