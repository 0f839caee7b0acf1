#!/usr/bin/env bash
# privacy check: finds planted secrets without printing them, finds nothing
# in canonical output, malformed lines, stdin and gzip, long lines, member
# names, exit codes and usage errors.
. "$RTI_ROOT/tests/lib.sh"
F=$SHARED/fixtures
POL=$F/synthetic/policies.yaml
AK=$F/synthetic/all-kinds.jsonl
KINDS='aws-key|jwt|bearer|secret-pair|pem-private-key|high-entropy'

# no_value NAME FILE... : none of the planted secrets of all-kinds appears
no_value() {
  local name=$1 leaks=0; shift
  while IFS= read -r secret; do
    if grep -qF -- "$secret" "$@"; then leaks=$((leaks+1)); echo "# leaked: ${secret:0:4}..."; fi
  done < <($PY -c 'import json,sys; [print(v) for v in json.load(open(sys.argv[1])).values()]' "$F/synthetic/all-kinds.secrets.json")
  check "$name" test "$leaks" -eq 0
}

# --- the planted secrets of all-kinds.jsonl are found, never printed
"$RTI" privacy check "$AK" >ak.out 2>ak.err; rc=$?
check "planted secrets: exit 1" test "$rc" -eq 1
check "--password=X in arguments" grep -qx "$AK:1: process_exec.process.arguments: secret-pair (byte 34, 11 bytes)" ak.out
check "--token X in arguments" grep -qx "$AK:1: process_exec.process.arguments: secret-pair (byte 54, 20 bytes)" ak.out
check "AWS key in an environment variable" grep -qx "$AK:1: process_exec.process.environment_variables\[\].Value: aws-key (byte 0, 20 bytes)" ak.out
check "label value named by its key" grep -qx "$AK:1: process_exec.process.pod.pod_labels.secret-label: secret-pair (named secret, byte 0, 12 bytes)" ak.out
check "annotation value named by its key" grep -q "^$AK:1: process_exec.process.pod.pod_annotations.vault.hashicorp.com/token: secret-pair (named secret" ak.out
check "every finding is FILE:LINE: PATH: KIND (byte N, L bytes)" \
  test -z "$(grep -Ev "^$AK:[0-9]+: [^ ]+: ($KINDS) \((named secret, |member name, )?byte [0-9]+, [0-9]+ bytes\)$" ak.out)"
check "of the process's environment only the AWS key, not HOME" \
  test "$(grep -c "^$AK:1: process_exec.process.environment_variables" ak.out)" -eq 1
check "summary: lines read" grep -Eq '^  lines read +15$' ak.err
check "summary: findings by kind" grep -Eq '^    aws-key +[1-9][0-9]*$' ak.err
no_value "no planted secret in stdout or stderr" ak.out ak.err

# --- canonical output has nothing left to find
"$RTI" convert --quiet -p "$POL" "$AK" "$F"/tetragon/* >canon.ndjson 2>/dev/null
check "convert produced events" test -s canon.ndjson
"$RTI" privacy check canon.ndjson >canon.out 2>canon.err; rc=$?
check "canonical output: exit 0" test "$rc" -eq 0
check "canonical output: no finding" test ! -s canon.out
check "canonical output: summary says 0" grep -Eq '^  findings +0$' canon.err
"$RTI" privacy check --quiet "$RTI_ROOT"/tests/golden/*/*.out >golden.out 2>golden.err; rc=$?
check "golden outputs: exit 0, nothing reported" test "$rc" -eq 0 -a ! -s golden.out
"$RTI" privacy check --quiet "$F"/tetragon/*.jsonl >tet.out 2>&1; rc=$?
check "Tetragon's own JSONL fixtures: ids, paths, symbols are not secrets" test "$rc" -eq 0 -a ! -s tet.out

# --- rti-gen captures: identities are not secrets, planted ones are found
if [ -x "$RTI_BUILD/rti-gen" ]; then
  "$RTI_BUILD/rti-gen" --seed 11 --events 3000 --quiet -o gen.jsonl
  "$RTI" privacy check --quiet gen.jsonl >gen.out 2>&1; rc=$?
  check "rti-gen capture (3000 events): nothing reported" test "$rc" -eq 0 -a ! -s gen.out
  head -c 300 gen.out | sed 's/^/# /'
  "$RTI_BUILD/rti-gen" --seed 11 --events 3000 --quiet --plant-secrets --secrets-out planted.txt -o planted.jsonl
  "$RTI" privacy check planted.jsonl >planted.out 2>planted.err; rc=$?
  check "rti-gen --plant-secrets: exit 1" test "$rc" -eq 1
  check "rti-gen --plant-secrets: no planted value printed" test -z "$(grep -F -f planted.txt planted.out planted.err | head -3)"
  missed=$($PY - planted.jsonl planted.txt planted.out <<'PY'
import sys
lines = open(sys.argv[1]).read().split('\n')
sec = [s for s in open(sys.argv[2]).read().split('\n') if len(s) >= 8]
hit = {int(l.split(':')[1]) for l in open(sys.argv[3])}
need = {i for i, l in enumerate(lines, 1) if l and any(s in l for s in sec)}
print(len(need - hit))
PY
)
  check "rti-gen --plant-secrets: every line with a planted secret has a finding ($missed missed)" test "$missed" -eq 0
else
  not_ok "rti-gen not built in $RTI_BUILD"
fi

# --- malformed lines: reported on stderr, counted, scanned as text
M=$F/synthetic/malformed.jsonl
"$RTI" privacy check "$M" >m.out 2>m.err; rc=$?
check "malformed: findings in the good lines, exit 1" test "$rc" -eq 1
check "truncated line" grep -qx "$M:1: not JSON (byte 1271): truncated JSON value" m.err
check "lone surrogate" grep -qx "$M:8: not JSON (byte 46): lone high surrogate in string" m.err
check "invalid UTF-8" grep -qx "$M:12: not JSON (byte 46): invalid UTF-8 in string" m.err
check "a line that is not JSON is scanned as text" grep -q "^$M:1: (not JSON): aws-key (byte [0-9]*, 20 bytes)$" m.out
check "lines after bad ones are checked" grep -q "^$M:13: process_exit.process.arguments: secret-pair" m.out
check "summary counts lines that are not JSON" grep -Eq '^  not JSON +3$' m.err
no_value "malformed: no planted secret in stdout or stderr" m.out m.err
{
  printf '{"a":1 "b":2}\n'
  printf '{"password":"x"} {}\n'
  printf '\n   \n'
  $PY -c 'print("[" * 200 + "]" * 200)'
  printf '{"ok":"fine"}\n'
} >bad.jsonl
"$RTI" privacy check bad.jsonl >bad.out 2>bad.err; rc=$?
check "value after value" grep -qx 'bad.jsonl:1: not JSON (byte 2): object member without a single value' bad.err
check "data after the value" grep -qx 'bad.jsonl:2: not JSON (byte 17): unexpected data after the JSON value' bad.err
check "... still scanned as text" grep -qx 'bad.jsonl:2: (not JSON): secret-pair (byte 13, 1 bytes)' bad.out
check "deep nesting" grep -qx 'bad.jsonl:5: not JSON (byte 128): nesting deeper than 128' bad.err
check "blank lines are neither bad nor findings" grep -Eq '^  not JSON +3$' bad.err
check "bad lines: exit 1 for the finding" test "$rc" -eq 1

# --- stdin, gzip, CRLF
"$RTI" privacy check - <"$AK" >stdin.out 2>/dev/null; rc=$?
sed "s|^-:|$AK:|" stdin.out >stdin.renamed
same_file "stdin gives the same findings" stdin.renamed ak.out
check "stdin: exit 1" test "$rc" -eq 1
gzip -c "$AK" >ak.jsonl.gz
"$RTI" privacy check ak.jsonl.gz >gz.out 2>/dev/null
sed "s|^ak.jsonl.gz:|$AK:|" gz.out >gz.renamed
same_file "gzip input gives the same findings" gz.renamed ak.out
gzip -c "$AK" | "$RTI" privacy check - 2>/dev/null | sed "s|^-:|$AK:|" >gzin.out
same_file "gzip on stdin too" gzin.out ak.out
sed 's/$/\r/' "$AK" >crlf.jsonl
"$RTI" privacy check crlf.jsonl 2>/dev/null | sed "s|^crlf.jsonl:|$AK:|" >crlf.out
same_file "CRLF line ends" crlf.out ak.out

# --- a 24 MiB line, member names, named values, build ids
$PY - <<'PY'
import json
with open("long.jsonl", "w") as f:
    f.write(json.dumps({"process_exec": {"process": {"arguments": "x" * (24 << 20) + " --password=Zq81-long"}}}) + "\n")
    f.write('{"labels":{"AKIAIOSFODNN7EXAMPLE":"v","plain":"AKIAIOSFODNN7EXAMPLE"}}\n')
    f.write(json.dumps({"environment_variables": [{"Key": "DB_PASSWORD", "Value": "hunter2"},
        {"Key": "HOME", "Value": "/root"}, {"Key": "API_TOKEN", "Value": "${TOKEN}"},
        {"Value": "true", "Key": "FEATURE_TOKEN"}, {"name": "CLIENT_SECRET", "value": "c1i3nt"}]}) + "\n")
    f.write('{"process_loader":{"buildid":"kcjzGljmeF2X4bqsL+7YP7/dRB0","path":"/usr/lib/libx.so"}}\n')
    f.write('{"args":"kcjzGljmeF2X4bqsL+7YP7/dRB0"}\n')
    f.write('{"secret.example.com/zL_BZgUZOUxAXWVZvNVrPrlELAsbolTr":"abc"}\n')
    f.write('{"password":"[REDACTED]","token":"","pwd":"/home/alice","author":"bob"}\n')
PY
"$RTI" privacy check long.jsonl >long.out 2>long.err; rc=$?
check "a 24 MiB line is read whole" grep -qx "long.jsonl:1: process_exec.process.arguments: secret-pair (byte 25165836, 9 bytes)" long.out
check "a secret member name is masked in the path" grep -qx "long.jsonl:2: labels.\[REDACTED\]: aws-key (member name, byte 0, 20 bytes)" long.out
check "... nowhere is the key shown" test "$(grep -c AKIA long.out)" -eq 0
check "the plain member's value" grep -qx "long.jsonl:2: labels.plain: aws-key (byte 0, 20 bytes)" long.out
check "{Key, Value} entries: the key names the value" grep -qx "long.jsonl:3: environment_variables\[\].Value: secret-pair (named secret, byte 0, 7 bytes)" long.out
check "{name, value} too" grep -qx "long.jsonl:3: environment_variables\[\].value: secret-pair (named secret, byte 0, 6 bytes)" long.out
check "references, booleans, other names are not findings" test "$(grep -c '^long.jsonl:3:' long.out)" -eq 2
check "a build id is random by design" test -z "$(grep '^long.jsonl:4:' long.out)"
check "the same value elsewhere is high entropy" grep -qx "long.jsonl:5: args: high-entropy (byte 0, 27 bytes)" long.out
check "a member name that may hide a key is not shown" grep -qx "long.jsonl:6: \[REDACTED\]: secret-pair (named secret, byte 0, 3 bytes)" long.out
check "placeholders, empty values, PWD, author: nothing" test -z "$(grep '^long.jsonl:7:' long.out)"
check "long line: exit 1" test "$rc" -eq 1

# --- exit codes and usage
"$RTI" privacy check >/dev/null 2>u.err; rc=$?
check "no FILE: exit 2" test "$rc" -eq 2
check "no FILE: says so" grep -q 'no input' u.err
"$RTI" privacy check --bogus "$AK" >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" test "$rc" -eq 2
"$RTI" privacy check --help >h.out 2>&1; rc=$?
check "--help: exit 0, usage on stdout" test "$rc" -eq 0 -a -n "$(grep 'usage: stella-rti privacy check' h.out)"
"$RTI" privacy check does-not-exist.jsonl "$AK" >e.out 2>e.err; rc=$?
check "missing input: exit 3" test "$rc" -eq 3
check "missing input: named on stderr" grep -q 'does-not-exist.jsonl: No such file or directory' e.err
check "missing input: the other files are still checked" test -s e.out
"$RTI" privacy check canon.ndjson . >/dev/null 2>d.err; rc=$?
check "a directory is an input that cannot be read: exit 3" test "$rc" -eq 3
"$RTI" privacy check --quiet canon.ndjson >q.out 2>q.err; rc=$?
check "--quiet: no summary, exit 0" test "$rc" -eq 0 -a ! -s q.err -a ! -s q.out
done_testing
