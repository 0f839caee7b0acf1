#!/usr/bin/env bash
# stella-rti reach on C++ (issue 16): a binary built here with g++ calls
# a method that a stella-vulnfn/v1 advisory names by its qualified name
# without parameters (spec §2: compared without the parameter list), and
# another one that never runs. The Tetragon event carries the real file
# offset (binutils), the process is alive while convert runs (its frames
# resolve through its own root), `convert --hot-index`, then `reach`:
# observed_executing with the rule that matched, not_observed for the
# method that never ran, never not_affected, in every format. The advisory
# names the module by its build id: the binary's path is private (strict
# privacy emits no module path outside the system prefixes).
. "$RTI_ROOT/tests/lib.sh"
H="$PY $RTI_ROOT/tests/stack/elfsym.py"
cd "$T" || exit 1
cat >app.cc <<'CC'
#include <cstdio>
#include <string>
#include <vector>
namespace shop { namespace pay {
struct Card {
	int n;
	__attribute__((noinline)) int charge(int cents) const { return n + cents * 3; }
	__attribute__((noinline)) int refund(const std::string &why) const { return n - (int)why.size(); }
};
template <typename T> __attribute__((noinline)) T total(const std::vector<T> &v)
{
	T t = 0;
	for (const T &x : v)
		t += x;
	return t;
}
} }
int main(int argc, char **argv)
{
	shop::pay::Card c{argc};
	std::vector<int> v{1, 2, argc};
	std::printf("%d %d\n", c.charge(argc), shop::pay::total(v));
	return argc > 9 ? c.refund(argv[0]) : 0;
}
CC
g++ -O1 -g -o app-cc app.cc
check "a C++ binary is built (g++)" test -x app-cc
charge=$(nm app-cc | awk '$3 ~ /Card6charge/ { print $3; exit }')
tot=$(nm app-cc | awk '$3 ~ /5total/ { print $3; exit }')
read -r _ c_off _ < <($H app-cc "$charge")
read -r _ t_off _ < <($H app-cc "$tot")
check "offsets of the mangled methods found ($charge $c_off, $tot $t_off)" test -n "$c_off" -a -n "$t_off"

IMG=sha256:2222222222222222222222222222222222222222222222222222222222222222
sleep 600 & P=$!
trap 'kill $P 2>/dev/null' EXIT
now=$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)
pod=",\"pod\":{\"namespace\":\"shop\",\"name\":\"p\",\"container\":{\"id\":\"containerd://cxx\",\"name\":\"c\",\"image\":{\"id\":\"registry.example.com/shop/pay@$IMG\",\"name\":\"registry.example.com/shop/pay:2\"}}}"
printf '{"process_kprobe":{"process":{"exec_id":"Y3h4","pid":%s,"start_time":"%s","binary":"/usr/bin/pay"%s},"function_name":"tcp_connect","user_stack_trace":[{"offset":"%d","module":"%s"},{"offset":"%d","module":"%s"}]},"node_name":"n","time":"%s"}\n' \
  "$P" "$now" "$pod" "$c_off" "$T/app-cc" "$t_off" "$T/app-cc" "$now" >ev.jsonl
"$RTI" convert ev.jsonl --hot-index "sqlite:$T/hot.db" -o ev.ndjson 2>conv.err
check "convert --hot-index exits 0" test $? -eq 0
check "the frames carry the demangled C++ names" grep -q '"symbol":"shop::pay::Card::charge(int) const"' ev.ndjson

bid=$($H --build-id app-cc)
cat >adv.json <<JSON
{"format": "stella-vulnfn/v1",
 "entries": [
  {"vuln_id": "CVE-2099-1001", "aliases": [], "package": "pkg:generic/shop-pay",
   "modules": [], "code_ids": ["gnu-build-id:$bid"],
   "symbols": [{"name": "shop::pay::Card::charge", "role": "root"}]},
  {"vuln_id": "CVE-2099-1002", "aliases": [], "package": "pkg:generic/shop-pay",
   "modules": [], "code_ids": ["gnu-build-id:$bid"],
   "symbols": [{"name": "shop::pay::Card::refund", "role": "root"}]},
  {"vuln_id": "CVE-2099-1003", "aliases": [], "package": "pkg:generic/shop-pay",
   "modules": [], "code_ids": ["gnu-build-id:$bid"],
   "symbols": [{"name": "int shop::pay::total<int>(std::vector<int, std::allocator<int> > const&)", "role": "root"}]}
 ]}
JSON
R() { "$RTI" reach --hot-index "sqlite:$T/hot.db" --advisories adv.json --scope "image:$IMG" "$@"; }
R --format json -o r.json 2>r.err
check "reach exits 0" test $? -eq 0
row() { # VULN -> "status rule"
  $PY - r.json "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d["results"] if isinstance(d, dict) and "results" in d else d.get("rows", d) if isinstance(d, dict) else d
for r in rows:
    if r.get("vulnerability", r.get("vuln_id")) == sys.argv[2] or r.get("vuln_id") == sys.argv[2]:
        rule = ""
        for m in r.get("matches", r.get("evidence", {}).get("matches", []) if isinstance(r.get("evidence"), dict) else []):
            rule = m.get("rule", rule)
        print(r["status"], rule)
        break
PY
}
check "C++ method named without parameters: observed_executing, rule normalized ($(row CVE-2099-1001))" \
  test "$(row CVE-2099-1001)" = "observed_executing normalized"
check "C++ template named with its full signature: observed_executing, rule exact ($(row CVE-2099-1003))" \
  test "$(row CVE-2099-1003)" = "observed_executing exact"
check "the method that never ran: not_observed ($(row CVE-2099-1002))" \
  sh -c "test \"\$(echo '$(row CVE-2099-1002)' | cut -d' ' -f1)\" = not_observed"
R --format openvex -o r.vex 2>/dev/null
R --format cyclonedx -o r.cdx 2>/dev/null
check "openvex: observed -> affected, never not_affected" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = {s["vulnerability"]["name"]: s["status"] for s in d["statements"]}
assert st["CVE-2099-1001"] == "affected" and st["CVE-2099-1003"] == "affected", st
assert st["CVE-2099-1002"] == "under_investigation", st' r.vex
check "cyclonedx: exploitable for the observed, in_triage for the other" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
st = {v["id"]: v["analysis"]["state"] for v in d["vulnerabilities"]}
assert st["CVE-2099-1001"] == "exploitable" and st["CVE-2099-1002"] == "in_triage", st' r.cdx
R --format table -o r.txt 2>/dev/null
check "table: the observed C++ rows first" sh -c 'sed -n 2p r.txt | grep -q observed_executing'
done_testing
