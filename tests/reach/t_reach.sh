#!/usr/bin/env bash
# stella-rti reach (issue 16): real binaries built here (C with gcc, Go with
# Debian golang-go, Rust with Debian rustc) and a system library (zlib),
# Tetragon events whose user stacks carry the real file offsets of the
# functions advisories name, `convert --hot-index`, then `reach` against
# real advisory records (tests/reach/advisories/README.md says which are
# published copies and which are reconstructed) and
# stella-vulnfn/v1 entries: every status, every format, determinism, bad
# input, zip archives of advisories (stored, deflated, nested, a corrupt
# entry), Go build information and SEMVER ranges, exemplar call paths and the
# folded export, scanner findings (Grype, Trivy, CSV) and their installed
# versions as a version source (crates.io SEMVER, Debian dpkg ordering,
# go-buildinfo winning), and a function that
# never ran is not_observed, never not_affected.
. "$RTI_ROOT/tests/lib.sh"
H="$PY $RTI_ROOT/tests/stack/elfsym.py"
ADV=$RTI_ROOT/tests/reach/advisories
LIBZ=/usr/lib/x86_64-linux-gnu/libz.so.1
cd "$T" || exit 1

# --- the binaries ---------------------------------------------------------
cat >app.c <<'C'
#include <stdio.h>
__attribute__((noinline)) int parse_header(const char *s) { return s[0] * 7; }
__attribute__((noinline)) int never_called(int x) { return x * 13; }
int main(int argc, char **argv) { printf("%d\n", parse_header(argv[0])); return argc > 5 ? never_called(argc) : 0; }
C
gcc -O1 -g -o app-c app.c
check "a C binary is built (gcc)" test -x app-c
cat >srv.go <<'GO'
package main

import (
	"net"
	"net/http"
)

func main() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return
	}
	l.Close()
	_ = http.Serve(l, nil)
}
GO
HOME=$T GOCACHE=$T/gocache GOPATH=$T/gopath GO111MODULE=off /usr/bin/go build -o app-go srv.go 2>go.err
check "a Go binary is built (Debian golang-go)" test -x app-go
cat >smallvec.rs <<'RS'
pub struct SmallVec { v: Vec<u32> }
impl SmallVec {
    #[inline(never)]
    pub fn insert_many(&mut self, at: usize, it: &[u32]) { for (k, x) in it.iter().enumerate() { self.v.insert(at + k, *x); } }
}
fn main() {
    let mut s = SmallVec { v: vec![1] };
    s.insert_many(0, &[std::env::args().count() as u32]);
    println!("{:?}", s.v);
}
RS
/usr/bin/rustc -g -C opt-level=1 --crate-name smallvec -o app-rs smallvec.rs 2>rs.err
check "a Rust binary is built (Debian rustc, crate smallvec)" test -x app-rs

# real file offsets (the middle of each function) from binutils
read -r _ c_off _ < <($H app-c parse_header)
read -r _ g_off _ < <($H app-go 'net/http.(*Server).Serve')
read -r _ gm_off _ < <($H app-go main.main)
rs_raw=$(nm app-rs | awk '$3 ~ /insert_many/ { print $3; exit }')
read -r _ r_off _ < <($H app-rs "$rs_raw")
read -r _ z_off _ < <($H $LIBZ inflateGetHeader)
check "offsets found (C $c_off, Go $g_off, Rust $r_off, zlib $z_off)" \
  test -n "$c_off" -a -n "$g_off" -a -n "$gm_off" -a -n "$r_off" -a -n "$z_off"
c_bid=$($H --build-id app-c)

IMG=sha256:1111111111111111111111111111111111111111111111111111111111111111
# The traced processes are alive while convert runs (one per container), so
# their frames resolve through their own /proc/<pid>/root, as on a node: a
# container frame is never resolved against a file by path alone
# (docs/stacks.md). The event times are now, after the binaries were built.
sleep 600 & P1=$!
sleep 600 & P2=$!
sleep 600 & P3=$!
trap 'kill $P1 $P2 $P3 2>/dev/null' EXIT
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)
pid_of() { case $1 in 1) echo $P1 ;; 2) echo $P2 ;; 3) echo $P3 ;; *) echo "$1" ;; esac; }
ev() { # N IMAGE|- FRAMES (N: 1-3 a container's live process, else a host pid)
  local pod= pid
  pid=$(pid_of "$1")
  [ "$2" != - ] && pod=",\"pod\":{\"namespace\":\"shop\",\"name\":\"p\",\"container\":{\"id\":\"containerd://c$1\",\"name\":\"c\",\"image\":{\"id\":\"registry.example.com/shop/app@$2\",\"name\":\"registry.example.com/shop/app:1\"}}}"
  printf '{"process_kprobe":{"process":{"exec_id":"ZXg%s","pid":%s,"start_time":"%s","binary":"/usr/bin/app"%s},"function_name":"tcp_connect","user_stack_trace":[%s]},"node_name":"n","time":"%s"}\n' \
    "$1" "$pid" "$now" "$pod" "$3" "$now"
}
fr() { printf '{"offset":"%d","module":"%s"}' "$1" "$2"; }
{
  ev 1 "$IMG" "$(fr "$g_off" "$T/app-go"),$(fr "$gm_off" "$T/app-go")"
  ev 1 "$IMG" "$(fr "$g_off" "$T/app-go"),$(fr "$gm_off" "$T/app-go")"
  ev 2 "$IMG" "$(fr "$r_off" "$T/app-rs")"
  ev 3 "$IMG" "$(fr "$z_off" $LIBZ)"
  ev 4 - "$(fr "$c_off" "$T/app-c")"
} >ev.jsonl
"$RTI" convert ev.jsonl --hot-index "sqlite:$T/hot.db" -o ev.ndjson 2>conv.err
check "convert --hot-index exits 0" test $? -eq 0
"$RTI" hot top --hot-index "sqlite:$T/hot.db" --limit 0 --format json >top.json
check "the index holds the Go, Rust, C and zlib symbols" sh -c \
  'grep -q "net/http.(\*Server).Serve" top.json && grep -q "smallvec::SmallVec::insert_many" top.json && grep -q "!parse_header" top.json && grep -q "!inflateGetHeader" top.json'

# --- advisories -------------------------------------------------------------
mkdir adv
cp "$ADV"/*.json adv/
cat >adv/native.json <<JSON
{"format": "stella-vulnfn/v1",
 "entries": [
  {"vuln_id": "CVE-2022-37434", "aliases": [], "package": "pkg:deb/debian/zlib",
   "modules": ["libz.so.*"], "code_ids": [],
   "symbols": [{"name": "inflateGetHeader", "role": "root"}]},
  {"vuln_id": "CVE-2022-0778", "aliases": [], "package": "pkg:deb/debian/openssl",
   "modules": ["libcrypto.so.*"], "code_ids": [],
   "symbols": [{"name": "BN_mod_sqrt", "role": "root"}]},
  {"vuln_id": "CVE-2099-0001", "package": "pkg:generic/app",
   "modules": [], "code_ids": ["gnu-build-id:$c_bid"],
   "symbols": [{"name": "parse_header", "role": "root"}, {"name": "never_called", "role": "derived"}]},
  {"vuln_id": "CVE-2099-0002", "package": "pkg:generic/app",
   "modules": [], "code_ids": ["gnu-build-id:$c_bid"],
   "symbols": [{"name": "never_called", "role": "root"}]}
 ]}
JSON
cat >adv/GHSA-nofn-0000-0000.json <<'JSON'
{"schema_version": "1.4.0", "id": "GHSA-nofn-0000-0000", "aliases": ["CVE-2099-0003"],
 "affected": [{"package": {"ecosystem": "crates.io", "name": "smallvec"},
               "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]}
JSON
mkdir adv/bad
printf '{"id": "GO-BAD", "affected": [{"package": {"ecosystem": "Go", "name": "x"}, "ecosystem_specific": {"imports": [{"symbols": ["F"]}]}}]}' >adv/bad/bad-field.json
printf '{"id": "GO-TRUNC", "affected": [' >adv/bad/truncated.json

R() { "$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories adv "$@"; }
R --format json -o r.json 2>r.err
check "reach exits 0 despite bad input" test $? -eq 0
check "bad input: FILE: json.path: reason" grep -q 'adv/bad/bad-field.json: \$.affected\[0\].ecosystem_specific.imports\[0\].path: missing' r.err
check "bad input: a truncated file named with its byte offset" grep -q 'adv/bad/truncated.json: \$: .*at byte' r.err
check "bad input counted" grep -q "2 bad inputs" r.err
R --format json -o r2.json 2>/dev/null
same_file "json: same inputs, same bytes" r2.json r.json
$PY - r.json <<'PY' >status.txt
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "stella-reach/v1"
for r in d["results"]:
    m = r["matches"][0] if r["matches"] else {}
    v = r["version"]
    print(r["scope"], r["vulnerability"], r["status"], r.get("hit_count", 0), m.get("rule", "-"), m.get("symbol", "-"), r["coverage"]["package_seen"], v["status"], v["source"], v.get("version", "-"))
PY
sed 's/^/# /' status.txt
has() { grep -qF -- "$1" status.txt; }
I="image:$IMG"
check "Go vulndb: net/http.(*Server).Serve observed, rule normalized, 2 hits" has "$I GO-2022-0969 observed_executing 2 normalized net/http.(*Server).Serve True"
check "RustSec: smallvec::SmallVec::insert_many observed" has "$I RUSTSEC-2021-0003 observed_executing 1 exact smallvec::SmallVec::insert_many True"
check "GitHub affected_functions: observed" has "$I GHSA-43w2-9j62-hq99 observed_executing 1 exact smallvec::SmallVec::insert_many True"
check "zlib (stella-vulnfn + CVE JSON 5): inflateGetHeader observed, exact" has "$I CVE-2022-37434 observed_executing 1 exact inflateGetHeader True"
check "OpenSSL function never ran: not_observed, libcrypto not seen" has "$I CVE-2022-0778 not_observed 0 - - False"
check "C binary by code id: parse_header observed in the host scope" has "host:n CVE-2099-0001 observed_executing 1 exact parse_header True"
check "a C function that never ran: not_observed, its module seen" has "host:n CVE-2099-0002 not_observed 0 - - True"
check "the C code id constrains: not matched in the image scope" has "$I CVE-2099-0001 not_observed"
check "no function data: no_function_data" has "$I GHSA-nofn-0000-0000 no_function_data"
check "the Go advisory in the host scope: not_observed, no Go binary: version unknown" has "host:n GO-2022-0969 not_observed 0 - - False unknown none -"
gov=$(/usr/bin/go version | awk '{ sub(/^go/, "", $3); print $3 }')
check "Go build information: GO-2022-0969 is fixed in the binary's Go $gov: version not_affected" has "$I GO-2022-0969 observed_executing 2 normalized net/http.(*Server).Serve True not_affected go-buildinfo $gov"
check "Go build information: GO-2023-2102 affects Go $gov: observed, version affected" has "$I GO-2023-2102 observed_executing 2 normalized net/http.(*Server).Serve True affected go-buildinfo $gov"
check "no row's status is ever not_affected (only a version can be)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert {r["status"] for r in d["results"]} <= {"observed_executing", "not_observed", "no_function_data"}' r.json
check "the index stores the Go build information per code id" sh -c "sqlite3 '$T/hot.db' 'select info from hot_go_buildinfo' | grep -qx 'go	go$gov'"

check "observed: the exemplar call path into the function (main.main -> Serve)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = [r for r in d["results"] if r["scope"] == "image:" + sys.argv[2] and r["vulnerability"] == "GO-2022-0969"][0]
p = r["call_paths"][0]
assert p["hit_count"] == 2 and p["digest"].startswith("sha256:")
assert [f.get("symbol") for f in p["frames"]] == ["net/http.(*Server).Serve", "main.main"], p
assert all(not x["call_paths"] for x in d["results"] if x["status"] != "observed_executing")' r.json "$IMG"

# --- exemplar call paths in the index: folded stacks -------------------------
"$RTI" hot export --hot-index "sqlite:$T/hot.db" --format folded --scope "$I" -o f.txt
check "hot export --format folded: root first, with counts" grep -qx 'main.main;net/http.(\*Server).Serve 2' f.txt
"$RTI" hot export --hot-index "sqlite:$T/hot.db" --format folded -o fa.txt
sed "s/^/# /" fa.txt
check "folded without --scope: the scope is the root frame" grep -qx "host:n;parse_header 1" fa.txt
check "folded: one line per call path, valid for flamegraph.pl (frames;... COUNT)" \
  sh -c "test \$(wc -l <fa.txt) -eq 4 && ! grep -vqE '^[^ ].* [0-9]+\$' fa.txt"

# --- OpenVEX ----------------------------------------------------------------
R --format openvex -o r.vex 2>/dev/null
R --format openvex -o r2.vex 2>/dev/null
same_file "openvex: same inputs, same bytes" r2.vex r.vex
check "openvex: valid against the OpenVEX 0.2.0 schema (Draft 2020-12)" $PY -c '
import json, sys, jsonschema
s = json.load(open(sys.argv[1])); d = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(s).validate(d)' "$SHARED/schemas/openvex-0.2.0/openvex_json_schema.json" r.vex
check "openvex: observed -> affected with an action statement; not observed -> under_investigation" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = {(s["products"][0]["@id"], s["vulnerability"]["name"]): s for s in d["statements"]}
a = st[(sys.argv[2], "GO-2023-2102")]
assert a["status"] == "affected" and a["action_statement"] and "net/http" in a["status_notes"]
f = st[(sys.argv[2], "GO-2022-0969")]
assert f["status"] == "not_affected" and f["justification"] == "vulnerable_code_not_present" and "go-buildinfo" in f["impact_statement"]
n = st[(sys.argv[2], "CVE-2022-0778")]
assert n["status"] == "under_investigation" and "justification" not in n
assert [k for k, s in st.items() if s["status"] == "not_affected"] == [(sys.argv[2], "GO-2022-0969")]
assert d["timestamp"] == sys.argv[3]' r.vex "$IMG" "$now"

# --- CycloneDX -------------------------------------------------------------
R --format cyclonedx -o r.cdx 2>/dev/null
R --format cyclonedx -o r2.cdx 2>/dev/null
same_file "cyclonedx: same inputs, same bytes" r2.cdx r.cdx
check "cyclonedx: valid against the CycloneDX 1.6 schema (Draft 7, spdx + jsf)" $PY -c '
import json, sys, os, jsonschema
d = sys.argv[1]
load = lambda n: json.load(open(os.path.join(d, n)))
bom, spdx, jsf = load("bom-1.6.schema.json"), load("spdx.schema.json"), load("jsf-0.82.schema.json")
store = {s["$id"]: s for s in (bom, spdx, jsf)}
store.update({"spdx.schema.json": spdx, "jsf-0.82.schema.json": jsf})
res = jsonschema.RefResolver.from_schema(bom, store=store)
jsonschema.Draft7Validator(bom, resolver=res).validate(json.load(open(sys.argv[2])))' "$SHARED/schemas/cyclonedx-1.6" r.cdx
check "cyclonedx: exploitable with evidence (occurrences, callstack), in_triage otherwise, never not_affected" $PY -c '
import json, sys, re
d = json.load(open(sys.argv[1]))
assert re.match(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", d["serialNumber"])
v = {(x["affects"][0]["ref"], x["id"]): x for x in d["vulnerabilities"]}
img = "image:" + sys.argv[2]
assert v[(img, "GO-2023-2102")]["analysis"]["state"] == "exploitable"
assert v[(img, "GO-2022-0969")]["analysis"] == dict(v[(img, "GO-2022-0969")]["analysis"], state="not_affected", justification="code_not_present")
assert v[(img, "CVE-2022-0778")]["analysis"]["state"] == "in_triage"
assert [k for k, x in v.items() if x["analysis"]["state"] not in ("exploitable", "in_triage")] == [(img, "GO-2022-0969")]
c = [c for c in d["components"] if c["bom-ref"] == img][0]
go = [m for m in c["components"] if any(o["symbol"] == "net/http.(*Server).Serve" for o in m["evidence"]["occurrences"])][0]
assert [f.get("function") for f in go["evidence"]["callstack"]["frames"]] == ["net/http.(*Server).Serve", "main.main"]
props = {p["name"]: p["value"] for p in v[(img, "GO-2023-2102")]["properties"]}
assert props["stella-rti:hit_count"] == "2" and "normalized" in props["stella-rti:matched"]' r.cdx "$IMG"

# --- scanner findings: only the (image, vulnerability) pairs they list ------
D=${IMG#sha256:}
cat >grype.json <<JSON
{"matches": [
  {"vulnerability": {"id": "GHSA-4374-p667-p6c8", "dataSource": "https://github.com/advisories/GHSA-4374-p667-p6c8"},
   "relatedVulnerabilities": [{"id": "CVE-2023-39325"}],
   "artifact": {"name": "stdlib", "version": "go1.19.8", "type": "go-module"}},
  {"vulnerability": {"id": "CVE-2021-25900"}, "artifact": {"name": "smallvec", "version": "1.6.0", "type": "rust-crate"}},
  {"vulnerability": {}, "artifact": {"name": "x"}}],
 "source": {"type": "image", "target": {"userInput": "registry.example.com/shop/app:1",
   "imageID": "sha256:$(printf '2%.0s' $(seq 64))", "manifestDigest": "$IMG",
   "repoDigests": ["registry.example.com/shop/app@$IMG"]}}}
JSON
R --findings grype.json --format json -o g.json 2>g.err
check "findings (Grype): only the pairs it lists, by id or alias" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((r["scope"], r["vulnerability"]) for r in d["results"])
img = "image:" + sys.argv[2]
assert got == [(img, "GHSA-43w2-9j62-hq99"), (img, "GO-2023-2102"), (img, "RUSTSEC-2021-0003")], got' g.json "$IMG"
check "findings: a match without an id is reported at its json path" grep -q 'grype.json: \$.matches\[2\].vulnerability.id: expected a vulnerability id' g.err
cat >trivy.json <<JSON
{"SchemaVersion": 2, "ArtifactName": "registry.example.com/shop/app:1", "ArtifactType": "container_image",
 "Metadata": {"ImageID": "sha256:$(printf '3%.0s' $(seq 64))", "RepoDigests": ["registry.example.com/shop/app@$IMG"]},
 "Results": [{"Target": "usr/lib/x86_64-linux-gnu/libz.so.1", "Class": "os-pkgs", "Type": "debian",
   "Vulnerabilities": [{"VulnerabilityID": "CVE-2022-37434", "PkgName": "zlib1g", "InstalledVersion": "1:1.2.13.dfsg-1"}]}]}
JSON
R --findings trivy.json --format json -o t.json 2>/dev/null
check "findings (Trivy): zlib only, in that image" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [(r["scope"], r["vulnerability"], r["status"]) for r in d["results"]] == [("image:" + sys.argv[2], "CVE-2022-37434", "observed_executing")]' t.json "$IMG"
printf 'image_digest,vuln_id,package\n,CVE-2099-0002,app\n"%s",CVE-2022-0778,openssl\nbad line\n' "$IMG" >f.csv
R --findings f.csv --format json -o c.json 2>c.err
check "findings (CSV): no digest = every scope; quoted fields; a bad line at FILE:LINE" sh -c \
  "test \$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))[\"results\"]))' c.json) -eq 3 && grep -q 'f.csv:4: expected image_digest,vuln_id,package' c.err"

# --- findings as a version source (installed versions against the ranges) ---
mkdir vadv
cp adv/*.json vadv/
cat >vadv/DEBIAN-CVE-2022-37434.json <<'JSON'
{"schema_version": "1.6.0", "id": "DEBIAN-CVE-2022-37434", "aliases": ["CVE-2022-37434"],
 "modified": "2024-09-18T00:00:00Z",
 "summary": "zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate",
 "affected": [
  {"package": {"ecosystem": "Debian:11", "name": "zlib", "purl": "pkg:deb/debian/zlib?arch=source"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.2.11.dfsg-2+deb11u2"}]}]},
  {"package": {"ecosystem": "Debian:12", "name": "zlib", "purl": "pkg:deb/debian/zlib?arch=source"},
   "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1:1.2.11.dfsg-4.1"}]}]}]}
JSON
V() { "$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories vadv --findings "$1" --format json -o "$2" 2>/dev/null; }
vrow() { $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["vulnerability"] == sys.argv[2]:
        v = r["version"]
        print(r["status"], v["status"], v["source"], v.get("version", "-"))' "$@"; }
trivy_deb() { cat <<JSON
{"SchemaVersion": 2, "ArtifactName": "registry.example.com/shop/app:1", "ArtifactType": "container_image",
 "Metadata": {"OS": {"Family": "debian", "Name": "12.2"}, "ImageID": "sha256:$(printf '3%.0s' $(seq 64))",
   "RepoDigests": ["registry.example.com/shop/app@$IMG"]},
 "Results": [{"Target": "registry.example.com/shop/app:1 (debian 12.2)", "Class": "os-pkgs", "Type": "debian",
   "Vulnerabilities": [{"VulnerabilityID": "CVE-2022-37434", "PkgID": "zlib1g@$1", "PkgName": "zlib1g",
     "PkgIdentifier": {"PURL": "pkg:deb/debian/zlib1g@$1?arch=amd64&distro=debian-12.2"},
     "InstalledVersion": "$1", "FixedVersion": "1:1.2.11.dfsg-4.1", "Status": "fixed",
     "SrcName": "zlib", "SrcVersion": "$1", "Severity": "CRITICAL"}]}]}
JSON
}
trivy_deb 1:1.2.13.dfsg-1 >tv-new.json
trivy_deb 1:1.2.11.dfsg-2+deb11u1 >tv-old.json
V tv-new.json tvn.json
V tv-old.json tvo.json
sed 's/^/# /' <(vrow tvn.json DEBIAN-CVE-2022-37434; vrow tvo.json DEBIAN-CVE-2022-37434)
check "findings (Trivy, Debian): 1:1.2.13.dfsg-1 is past the fix (dpkg ordering): version not_affected, source findings" \
  test "$(vrow tvn.json DEBIAN-CVE-2022-37434)" = "no_function_data not_affected findings 1:1.2.13.dfsg-1"
check "findings (Trivy, Debian): 1:1.2.11.dfsg-2+deb11u1 is before it: version affected" \
  test "$(vrow tvo.json DEBIAN-CVE-2022-37434)" = "no_function_data affected findings 1:1.2.11.dfsg-2+deb11u1"
check "findings: a record without ranges for that package stays unknown" \
  test "$(vrow tvn.json CVE-2022-37434)" = "observed_executing unknown none -"
cat >grype-v.json <<JSON
{"matches": [
  {"vulnerability": {"id": "GHSA-4374-p667-p6c8", "namespace": "github:language:go"},
   "relatedVulnerabilities": [{"id": "CVE-2023-39325", "namespace": "nvd:cpe"}],
   "matchDetails": [{"type": "exact-direct-match", "matcher": "go-module-matcher"}],
   "artifact": {"id": "4f1c", "name": "stdlib", "version": "go1.19.8", "type": "go-module",
     "locations": [{"path": "/app-go"}], "language": "go", "purl": "pkg:golang/stdlib@1.19.8"}},
  {"vulnerability": {"id": "GHSA-43w2-9j62-hq99", "namespace": "github:language:rust"},
   "relatedVulnerabilities": [{"id": "CVE-2021-25900", "namespace": "nvd:cpe"}],
   "matchDetails": [{"type": "exact-direct-match", "matcher": "rust-matcher"}],
   "artifact": {"id": "9a2e", "name": "smallvec", "version": "\$SV", "type": "rust-crate",
     "locations": [{"path": "/Cargo.lock"}], "language": "rust", "purl": "pkg:cargo/smallvec@\$SV"}}],
 "source": {"type": "image", "target": {"userInput": "registry.example.com/shop/app:1",
   "imageID": "sha256:$(printf '2%.0s' $(seq 64))", "manifestDigest": "$IMG",
   "repoDigests": ["registry.example.com/shop/app@$IMG"]}},
 "distro": {"name": "debian", "version": "12"}, "descriptor": {"name": "grype", "version": "0.74.0"}}
JSON
sed 's/\$SV/1.6.0/g' grype-v.json >gv-old.json
sed 's/\$SV/1.6.1/g' grype-v.json >gv-new.json
V gv-old.json gvo.json
V gv-new.json gvn.json
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories vadv --findings gv-new.json --format openvex -o gvn.vex 2>/dev/null
check "findings (Grype, crates.io SEMVER): smallvec 1.6.0 is affected" \
  test "$(vrow gvo.json RUSTSEC-2021-0003)" = "observed_executing affected findings 1.6.0"
check "findings (Grype): smallvec 1.6.1 is the fix: version not_affected although observed" \
  test "$(vrow gvn.json RUSTSEC-2021-0003)" = "observed_executing not_affected findings 1.6.1"
check "findings: go-buildinfo wins over the scanner's Go version (it is what runs)" \
  test "$(vrow gvo.json GO-2023-2102)" = "observed_executing affected go-buildinfo $gov"
check "openvex: a findings version outside the ranges: not_affected, vulnerable_code_not_present, says so" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = [s for s in d["statements"] if s["vulnerability"]["name"] == "RUSTSEC-2021-0003"][0]
assert s["status"] == "not_affected" and s["justification"] == "vulnerable_code_not_present", s
assert "1.6.1 (the installed version the scanner reported, findings)" in s["impact_statement"], s' gvn.vex
cat >cdx-v.json <<JSON
{"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
 "metadata": {"component": {"type": "container", "name": "registry.example.com/shop/app", "version": "$IMG",
   "bom-ref": "registry.example.com/shop/app@$IMG"}},
 "components": [{"type": "library", "bom-ref": "pkg:cargo/smallvec@1.6.1", "name": "smallvec", "version": "1.6.1",
   "purl": "pkg:cargo/smallvec@1.6.1"}],
 "vulnerabilities": [{"id": "CVE-2021-25900", "source": {"name": "NVD"},
   "affects": [{"ref": "pkg:cargo/smallvec@1.6.1"}]}]}
JSON
V cdx-v.json cdxv.json
check "findings (CycloneDX affects -> component version): GitHub's ECOSYSTEM crates.io range too" \
  test "$(vrow cdxv.json GHSA-43w2-9j62-hq99)" = "observed_executing not_affected findings 1.6.1"
printf 'image_digest,vuln_id,package,version\n%s,RUSTSEC-2021-0003,smallvec,1.6.1\n' "$IMG" >fv.csv
V fv.csv fvc.json
check "findings (CSV with a version column): the same answer" \
  test "$(vrow fvc.json RUSTSEC-2021-0003)" = "observed_executing not_affected findings 1.6.1"

# --- convert-advisories: one stella-vulnfn/v1 file, the same answers --------
mkdir cadv
cp vadv/*.json cadv/
cat >cadv/GO-2099-0001.json <<'JSON'
{"schema_version": "1.3.1", "id": "GO-2099-0001", "aliases": ["CVE-2099-0009"],
 "affected": [{"package": {"name": "example.com/plat", "ecosystem": "Go"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.2.0"}]}],
   "ecosystem_specific": {"imports": [
     {"path": "example.com/plat/win", "goos": ["windows"], "symbols": ["Open"]},
     {"path": "example.com/plat/arm", "goarch": ["arm64"]},
     {"path": "net/http", "goos": ["linux"], "symbols": ["(*Server).Serve"]},
     {"path": "example.com/plat/all"}]}}]}
JSON
"$RTI" reach convert-advisories --advisories cadv -o conv.json 2>conv.err
check "convert-advisories: exit 0, a summary" grep -q "reach convert-advisories: .* advisories, .* functions, 0 bad inputs" conv.err
"$RTI" reach convert-advisories --advisories conv.json -o conv2.json 2>/dev/null
same_file "convert-advisories: converting the converted file again gives the same bytes" conv2.json conv.json
"$RTI" reach convert-advisories --advisories cadv 2>/dev/null >conv3.json
same_file "convert-advisories: same inputs, same bytes (stdout)" conv3.json conv.json
CR() { "$RTI" reach --hot-index "sqlite:$T/hot.db" "$@" 2>/dev/null; }
CR --advisories cadv --format json -o co.json
CR --advisories conv.json --format json -o cc.json
same_file "convert-advisories: reach --format json gives the same bytes from the converted file" cc.json co.json
for f in tv-old.json gv-old.json gv-new.json cdx-v.json; do
  CR --advisories cadv --findings $f --format json -o co-$f
  CR --advisories conv.json --findings $f --format json -o cc-$f
  same_file "convert-advisories: the same bytes with --findings $f (versions from the ranges)" cc-$f co-$f
done
CR --advisories cadv --format openvex -o co.vex
CR --advisories conv.json --format openvex -o cc.vex
same_file "convert-advisories: the same OpenVEX" cc.vex co.vex
check "convert-advisories: the converted content (Go path and ranges, RustSec, GitHub, CVE 5, other platforms kept)" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["format"] == "stella-vulnfn/v1"
e = d["entries"]
assert [(x["vuln_id"], x.get("package", "")) for x in e] == sorted((x["vuln_id"], x.get("package", "")) for x in e)
by = lambda v, p=None: [x for x in e if x["vuln_id"] == v and (p is None or x.get("package") == p)]
go = by("GO-2022-0969", "net/http")[0]
assert go["language"] == "go" and {"name": "Server.Serve", "role": "unknown"} in go["symbols"], go
rs = [r for x in by("GO-2022-0969") for r in x.get("version_ranges", [])]
assert any(r["module"] == "stdlib" and r["scheme"] == "go" and {"fixed": "1.18.6"} in r["ranges"][0]["events"] for r in rs), rs
ru = by("RUSTSEC-2021-0003")[0]
assert ru["language"] == "rust" and ru["symbols"][0]["name"].startswith("smallvec::") and ru["version_ranges"][0]["scheme"] == "semver", ru
gh = by("GHSA-43w2-9j62-hq99")[0]
assert gh["language"] == "rust" and "CVE-2021-25900" in gh["aliases"], gh
cve = by("CVE-2022-37434")
assert any(s["name"] == "inflateGetHeader" and s["role"] == "root" for x in cve for s in x["symbols"]) and any(x["modules"] == ["libz.so.*"] for x in cve), cve
win = by("GO-2099-0001", "example.com/plat/win")[0]["symbols"]
assert win == [{"goarch": [], "goos": ["windows"], "name": "Open", "role": "unknown"}], win
arm = by("GO-2099-0001", "example.com/plat/arm")[0]["symbols"]
assert arm == [{"goarch": ["arm64"], "goos": [], "name": "example.com/plat/arm", "role": "unknown", "whole_package": True}], arm
assert by("GHSA-nofn-0000-0000")[0]["symbols"] == [] and "has_function_data" not in by("GHSA-nofn-0000-0000")[0]' conv.json
"$RTI" reach convert-advisories --advisories adv -o convbad.json 2>convbad.err
rc=$?
check "convert-advisories: bad input reported as reach reports it, counted, the rest converted" sh -c \
  "test $rc -eq 0 && grep -q 'adv/bad/bad-field.json: \\\$.affected\\[0\\].ecosystem_specific.imports\\[0\\].path: missing' convbad.err && grep -q '2 bad inputs' convbad.err && grep -q GO-2022-0969 convbad.json"
"$RTI" reach convert-advisories --advisories adv --strict -o /dev/null 2>/dev/null
check "convert-advisories --strict with bad input: exit 1" test $? -eq 1
"$RTI" reach convert-advisories --advisories "$T/nope" -o /dev/null 2>/dev/null
check "convert-advisories: an unreadable input: exit 3" test $? -eq 3
"$RTI" reach convert-advisories --advisories cadv -o "$T/nodir/x.json" 2>/dev/null
check "convert-advisories: an unwritable output: exit 3" test $? -eq 3
"$RTI" reach convert-advisories -o x.json 2>/dev/null
check "convert-advisories: no --advisories: usage, exit 2" test $? -eq 2

# --- zip archives of advisories (as OSV publishes all.zip) ------------------
mkdir good
cp adv/*.json good/
$PY - good zadv.zip <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(src))
with zipfile.ZipFile(out, "w") as z:
    z.writestr(zipfile.ZipInfo("osv/"), b"")             # a directory entry
    for k, n in enumerate(names):                        # stored and deflated, nested
        data = open(os.path.join(src, n), "rb").read()
        z.writestr(("osv/nested/" if k % 2 else "osv/") + n, data,
                   compress_type=zipfile.ZIP_DEFLATED if k % 2 == 0 else zipfile.ZIP_STORED)
    z.writestr("osv/README.md", b"not an advisory")
    z.writestr("osv/zz-corrupt.json", b'{"id": "GO-CORRUPT-0001", "affected": []}' * 40,
               compress_type=zipfile.ZIP_DEFLATED)
# corrupt the compressed data of the last entry (the CRC no longer matches)
with zipfile.ZipFile(out) as z:
    info = z.getinfo("osv/zz-corrupt.json")
    off = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
raw = bytearray(open(out, "rb").read())
raw[off + 5] ^= 0x55
raw[off + 9] ^= 0x55
open(out, "wb").write(bytes(raw))
PY
check "a zip archive is built (python3 zipfile: stored, deflated, nested, a corrupt entry)" test -s zadv.zip
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories good --format json -o rd.json 2>/dev/null
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories zadv.zip --format json -o rz.json 2>rz.err
check "zip: exits 0 despite the corrupt entry" test $? -eq 0
sed 's/^/# /' rz.err
check "zip: the corrupt entry named ARCHIVE!ENTRY: json.path: reason" grep -q 'zadv.zip!osv/zz-corrupt.json: \$: ' rz.err
check "zip: the corrupt entry counted, the rest evaluated" grep -q '1 bad inputs' rz.err
same_file "zip: the same report as the directory of the same records" rz.json rd.json
mkdir zdir
cp zadv.zip zdir/all.zip
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories zdir --format json -o rzd.json 2>/dev/null
same_file "zip: an archive inside an --advisories directory is read" rzd.json rd.json
printf 'PK\003\004 not a zip at all' >broken.zip
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories broken.zip --advisories good -o /dev/null 2>rb.err
$PY -c '
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("bomb.json", b" " * (16 << 20))' bomb.zip
"$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories bomb.zip -o /dev/null 2>rbomb.err
check "zip: an entry above the compression ratio cap is skipped and counted" sh -c \
  'grep -q "bomb.zip!bomb.json: \$: compression ratio above 200:1, skipped" rbomb.err && grep -q "1 bad inputs" rbomb.err'
check "zip: a broken archive is reported by name and counted" sh -c 'grep -q "broken.zip: zip: " rb.err && grep -q "1 bad inputs" rb.err'

# --- table, window, scope, errors -------------------------------------------
R >r.txt 2>/dev/null
check "table: observed rows first, the caveat last" sh -c 'sed -n 2p r.txt | grep -q ^observed_executing && tail -1 r.txt | grep -q "never proof"'
R --format json --since 2027-01-01T00:00:00Z -o w.json 2>/dev/null
check "a window with no observation: nothing observed, no status not_affected" sh -c \
  '! grep -q observed_executing w.json && ! grep -q "\"status\":\"not_affected\",\"vulnerability" w.json'
R --format json --scope "$I" -o s.json 2>/dev/null
check "--scope: only that scope" sh -c "! grep -q host:n s.json && grep -q '$I' s.json"
"$RTI" reach --hot-index "sqlite:$T/nope.db" --advisories adv >/dev/null 2>e.err
check "a missing index: exit 3" test $? -eq 3
"$RTI" reach --hot-index "sqlite:$T/hot.db" >/dev/null 2>&1
check "no advisories: usage, exit 2" test $? -eq 2
R --findings "$T/none.json" >/dev/null 2>&1
check "unreadable findings: exit 3" test $? -eq 3
R --strict >/dev/null 2>&1
check "--strict with bad input: exit 1" test $? -eq 1
done_testing
