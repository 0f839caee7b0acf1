#!/usr/bin/env bash
# Symbol names are evidence, never secrets (issue 17): every function name
# of the .symtab and .dynsym of this machine's system libraries (libc,
# libstdc++, libssl, libcrypto, libsqlite3, python3) and of a Go and a Rust
# binary built here, demangled by binutils, goes through `convert` as a
# frame symbol (Tetragon's hint for a kernel frame, and for a user frame we
# cannot resolve) and as a kprobe's function name, and comes out unchanged:
# none is [REDACTED]. The planted-secret canaries of every other field are
# tests/cli/t_privacy.sh's.
. "$RTI_ROOT/tests/lib.sh"
cd "$T"
libs=()
for l in libc.so.6 libstdc++.so.6 libssl.so.3 libcrypto.so.3 libsqlite3.so.0; do
  f=/usr/lib/x86_64-linux-gnu/$l
  if [ -e "$f" ]; then libs+=("$f"); else echo "# $f: not on this machine"; fi
done
PYBIN=$(readlink -f /usr/bin/python3)
libs+=("$PYBIN")
check "system libraries found (libc, libstdc++, libssl, libcrypto, libsqlite3, python3)" test "${#libs[@]}" -eq 6

cat >hello.go <<'GO'
package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
)

type Cart struct{ Items int }

//go:noinline
func (c *Cart) Total() int { return c.Items * 3 }

func main() {
	h := sha256.Sum256([]byte(os.Args[0]))
	b, _ := json.Marshal(&Cart{Items: int(h[0])})
	fmt.Println(string(b), http.StatusOK, (&Cart{Items: len(os.Args)}).Total())
}
GO
HOME=$T GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod GO111MODULE=off \
  /usr/bin/go build -o hello-go hello.go 2>go.err
check "a Go binary is built (Debian golang-go)" test -x hello-go
cat >hello.rs <<'RS'
use std::collections::HashMap;
struct Cart { items: Vec<u32> }
impl Cart {
    #[inline(never)]
    fn total(&self) -> u32 { self.items.iter().sum() }
}
fn main() {
    let mut m: HashMap<String, Vec<u8>> = HashMap::new();
    m.insert("a".to_string(), vec![1, 2, 3]);
    let c = Cart { items: std::env::args().map(|a| a.len() as u32).collect() };
    println!("{:?} {}", m, c.total());
}
RS
/usr/bin/rustc -g -C opt-level=1 -o hello-rs hello.rs 2>rs.err
check "a Rust binary is built (Debian rustc)" test -x hello-rs
# every function symbol, demangled (C++ and Rust legacy mangling by binutils)
for f in "${libs[@]}" hello-go hello-rs; do
  [ -e "$f" ] || continue
  { nm -C --defined-only "$f" 2>/dev/null; nm -D -C --defined-only "$f" 2>/dev/null; } |
    awk '$2 ~ /^[TtWwiI]$/ { sub(/^[0-9a-f]+ [A-Za-z] /, ""); print }'
done | LC_ALL=C sort -u >names.txt
n=$(wc -l <names.txt)
echo "# $n distinct function names"
check "thousands of names to check ($n)" test "$n" -ge 10000
check "Go names among them" grep -q '^main\.(\*Cart)\.Total$' names.txt
check "Rust names among them" grep -q 'hello::Cart::total' names.txt
check "the names that were redacted before are among them" grep -qx 'sqlite3VdbeIdxKeyCompare' names.txt

# events: 64 names a kprobe stack, as kernel frames with Tetragon's symbol
# and as user frames of a module that does not exist (so the hint is what
# is emitted), and each name once as a kprobe function name
$PY - names.txt events.jsonl <<'PY'
import json, sys
names = [l.rstrip('\n') for l in open(sys.argv[1])]
with open(sys.argv[2], 'w') as out:
    for i in range(0, len(names), 64):
        chunk = names[i:i + 64]
        half = len(chunk) // 2
        ev = {"process_kprobe": {
            "process": {"exec_id": "c3ltOjE=", "pid": 1, "binary": "/usr/bin/sym"},
            "function_name": chunk[0],
            "kernel_stack_trace": [{"address": 4096 + k, "offset": k, "symbol": s}
                                   for k, s in enumerate(chunk[:half])],
            "user_stack_trace": [{"address": 8192 + k, "offset": k, "symbol": s,
                                  "module": "/nonexistent/libsym.so"}
                                 for k, s in enumerate(chunk[half:])]},
            "node_name": "n", "time": "2026-12-07T10:00:00Z"}
        out.write(json.dumps(ev, separators=(',', ':')) + '\n')
        for s in chunk[1:]:
            e = {"process_kprobe": {"process": {"exec_id": "c3ltOjE=", "pid": 1,
                 "binary": "/usr/bin/sym"}, "function_name": s},
                 "node_name": "n", "time": "2026-12-07T10:00:00Z"}
            out.write(json.dumps(e, separators=(',', ':')) + '\n')
PY
"$RTI" convert --no-symbolize events.jsonl -o out.ndjson 2>conv.err
check "convert exits 0" test $? -eq 0
check "the summary counts no secret redacted" grep -Eq '^ *secrets redacted +0$' conv.err
check "no [REDACTED] in the output" sh -c '! grep -q "REDACTED" out.ndjson'
$PY - out.ndjson names.txt >missing.txt <<'PY'
import json, sys
want = set(l.rstrip('\n') for l in open(sys.argv[2]))
got = set()
for line in open(sys.argv[1]):
    e = json.loads(line)
    got.add(e["probe"].get("symbol"))
    for f in e.get("stack", []):
        got.add(f.get("symbol"))
for s in sorted(want - got):
    print(s)
PY
check "every name comes out unchanged ($(wc -l <missing.txt) missing)" test ! -s missing.txt
head -5 missing.txt | sed 's/^/#   /'
"$RTI" privacy check --quiet out.ndjson >check.out 2>&1
check "privacy check judges symbols as the privacy stage does: nothing found" test $? -eq 0
head -3 check.out | sed 's/^/#   /'
done_testing
