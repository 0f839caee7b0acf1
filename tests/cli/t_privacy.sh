#!/usr/bin/env bash
# Privacy profiles end to end: the canary suite (secrets planted in every
# string field of every event kind, from ../shared and from our generator
# with random secrets) under every built-in profile, in every output (NDJSON,
# hot index, diagnostics); the property test; keyed hashing; profile errors;
# `privacy explain`; the off profile.
. "$RTI_ROOT/tests/lib.sh"
F=$SHARED/fixtures
POL=$F/synthetic/policies.yaml
OWN=$RTI_ROOT/tests/fixtures
SCHEMA=$SHARED/spec/runtime-call-event.schema.json
GEN=$RTI_BUILD/rti-gen

# --- inputs: shared fixtures, our own, and generated events with random
#     secrets in every string field (the list of planted values comes along)
"$GEN" --seed 11 --events 3000 --plant-secrets --secrets-out gen.secrets -o gen.jsonl
check "generator planted secrets" test "$(wc -l <gen.secrets)" -ge 1000
$PY -c 'import json,sys; [print(v) for v in json.load(open(sys.argv[1])).values()]' \
  "$F/synthetic/all-kinds.secrets.json" >shared.secrets
cat shared.secrets "$OWN/every-kind.secrets.txt" gen.secrets >all.secrets
# balanced keeps the basename of a private binary by design: that name is
# not a secret of its own (the full path is)
grep -vxF -f "$OWN/every-kind.basenames.txt" all.secrets >basename-ok.secrets
INPUTS=("$F"/tetragon/* "$F"/synthetic/*.jsonl "$OWN"/every-kind.jsonl gen.jsonl)
head -c 24 /dev/urandom | base64 >key
chmod 600 key

# leaks FILE_OF_SECRETS FILE...: how many of the secrets occur in the files
# (grep -F: one pass over the files for all of them; the planted values
# have no character JSON would escape)
leaks() {
  local list=$1
  shift
  grep -v '^#' "$list" | grep -v '^$' >"$T/.leak-list"
  grep -ohFf "$T/.leak-list" "$@" | sort -u >"$T/.leaked"
  head -5 "$T/.leaked" | sed 's/^\(....\).*/# leaked: \1.../' >&2
  wc -l <"$T/.leaked"
}

hot_dump() {
  $PY - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (t,) in db.execute("select name from sqlite_master where type='table'"):
    for row in db.execute("select * from \"%s\"" % t):
        print(t, *row)
EOF
}

for prof in strict balanced user; do
  spec=$prof
  list=all.secrets
  extra=()
  if [ "$prof" = user ]; then
    # a user profile may keep what no detector recognizes (it opted in to
    # labels and string arguments): its canary is the detectable secrets
    spec=$OWN/privacy-user.yaml
    list=gen.secrets
    extra=(--privacy-key key)
  fi
  [ "$prof" = balanced ] && list=basename-ok.secrets
  rm -f "hot-$prof.db"
  "$RTI" convert -p "$POL" --privacy "$spec" "${extra[@]}" --hot-index "sqlite:hot-$prof.db" \
    "${INPUTS[@]}" >"$prof.out" 2>"$prof.err"
  check "$prof: convert exits 0" test $? -eq 0
  "$RTI" convert -p "$POL" --privacy "$spec" "${extra[@]}" --strict \
    "$F/synthetic/malformed.jsonl" >>"$prof.out" 2>>"$prof.err"
  hot_dump "hot-$prof.db" >"hot-$prof.txt"
  check "$prof: hot index has rows" test -s "hot-$prof.txt"
  n=$(leaks "$list" "$prof.out" "$prof.err" "hot-$prof.txt")
  check "$prof: no planted secret in events, hot index or diagnostics ($n leaked)" test "$n" -eq 0
  check "$prof: secrets were found and counted" grep -Eq 'secrets redacted +[1-9]' "$prof.err"
  "$RTI" privacy explain --profile "$spec" --json >"$prof.explain.json"
  check "$prof: explain --json" test -s "$prof.explain.json"
  grep '^{' "$prof.out" >"$prof.events"
  check "$prof: property: every emitted string is allowed, transformed or vocabulary" \
    $PY "$RTI_ROOT/tests/cli/privacy_property.py" "$prof.explain.json" "$prof.events"
  check "$prof: events validate (v1 schema + the documented kept fields)" \
    $PY "$RTI_ROOT/tests/cli/validate_schema.py" --ext "$SCHEMA" "$prof.events"
  "$RTI" privacy check "$prof.events" >"$prof.check" 2>&1
  check "$prof: privacy check finds nothing secret in our output" test $? -eq 0
done
check "strict output still validates against the plain v1 schema" \
  $PY "$RTI_ROOT/tests/cli/validate_schema.py" "$SCHEMA" strict.events
check "balanced keeps allowlisted labels" grep -q '"labels":{"app":"checkout"}' balanced.events
check "balanced keeps socket ports" grep -q '"dport":5432' balanced.events
check "balanced keeps cwd under a system prefix" grep -q '"cwd":"/' balanced.events
check "balanced reduces private binaries to basenames" grep -q '"binary":"own-dropper"' balanced.events
check "strict emits no args, labels, cwd" sh -c '! grep -Eq "\"(args|labels|cwd|environment|arguments)\":" strict.events'
check "user profile hashes pod names" grep -Eq '"pod":\{[^}]*"name":"hmac:[0-9a-f]{32}"' user.events
check "user profile redacts its pattern" grep -q '\[REDACTED\]' user.events
check "redactions are listed per event" grep -q '"redacted":\[' balanced.events

# --- keyed hashing: same value and key, same token; another key, another
"$RTI" convert --quiet --privacy "$OWN/privacy-user.yaml" --privacy-key key "$OWN/every-kind.jsonl" >h1.out
"$RTI" convert --quiet --privacy "$OWN/privacy-user.yaml" --privacy-key key "$OWN/every-kind.jsonl" >h2.out
same_file "same input and key: byte-identical output" h1.out h2.out
head -c 24 /dev/urandom | base64 >key2
chmod 600 key2
"$RTI" convert --quiet --privacy "$OWN/privacy-user.yaml" --privacy-key key2 "$OWN/every-kind.jsonl" >h3.out
tok() { grep -o 'hmac:[0-9a-f]*' "$1" | sort -u; }
tok h1.out >tok1
tok h3.out >tok3
check "another key gives other tokens" test -s tok1 -a -z "$(comm -12 tok1 tok3)"
check "a token repeats for the same value (joins work)" \
  test "$(grep -o 'hmac:[0-9a-f]*' h1.out | sort | uniq -d | wc -l)" -ge 1
"$RTI" convert --quiet --privacy "$OWN/privacy-user.yaml" "$OWN/every-kind.jsonl" >/dev/null 2>nokey.err
rc=$?
check "hash rules without a key: refused, exit 2" test "$rc" -eq 2
check "... with a clear error" grep -q "has hash rules but no key" nokey.err
chmod 644 key2
"$RTI" convert --quiet --privacy "$OWN/privacy-user.yaml" --privacy-key key2 "$OWN/every-kind.jsonl" >/dev/null 2>perm.err
check "a key readable by others is refused" grep -q "chmod 600" perm.err
check "the key never appears in output or errors" \
  test "$(leaks <(cat key key2) h1.out h3.out nokey.err perm.err)" -eq 0

# --- profile errors point at the line
printf 'profile: bad\nfields:\n  process.cwd: keep\n  process.argumnts: drop\n' >bad.yaml
"$RTI" convert --privacy bad.yaml "$OWN/every-kind.jsonl" >/dev/null 2>bad.err
rc=$?
check "bad profile exits 2" test "$rc" -eq 2
check "bad profile error names FILE:LINE:COL and the field" \
  grep -q "bad.yaml:4:3: unknown field path 'process.argumnts'" bad.err
"$RTI" privacy explain --profile bad.yaml >/dev/null 2>bad2.err
check "explain reports the same error" grep -q "bad.yaml:4:3:" bad2.err
# redact() patterns that would make regcomp() allocate without bound
# (a++++..., nested bounds) are refused before it sees them
for pat in 'a++++++++++++++++++++++++++++++++++++++++' '((x{100}){100}){100}' 'y{1000}' '(a*)*\\1'; do
  printf 'profile: re\nfields:\n  process.arguments: "redact(%s)"\n' "$pat" >re.yaml
  "$RTI" privacy explain --profile re.yaml >/dev/null 2>re.err
  rc=$?
  check "redact($pat): refused, exit 2, at FILE:LINE:COL" \
    sh -c "test $rc -eq 2 && grep -q 're.yaml:3:22: redact(): pattern refused' re.err"
done
printf 'profile: re\nfields:\n  process.arguments: "redact(--(password|token)[= ][^ ]+|k[0-9]{2,8})"\n' >re.yaml
check "an ordinary redact() pattern is accepted" sh -c "\"$RTI\" privacy explain --profile re.yaml >/dev/null"
"$RTI" convert --privacy does-not-exist.yaml "$OWN/every-kind.jsonl" >/dev/null 2>dne.err
check "missing profile file: exit 2 with its name" sh -c "grep -q 'does-not-exist.yaml' dne.err"

# --- the off profile: only behind its flag, loudly
"$RTI" convert --privacy off "$OWN/every-kind.jsonl" >off.out 2>off.err
rc=$?
check "off without --allow-privacy-off: refused" test "$rc" -eq 2 -a ! -s off.out
"$RTI" convert --privacy off --allow-privacy-off "$OWN/every-kind.jsonl" >off.out 2>off.err
check "off with the flag runs" test -s off.out
check "off warns on stderr" grep -q "WARNING: privacy is OFF" off.err
check "off marks every event" grep -q '"profile":"off"' off.out
check "off really emits the arguments" grep -q '"arguments":' off.out

# --- explain
"$RTI" privacy explain >ex.txt
check "explain defaults to strict" grep -q "^profile: strict (built in)" ex.txt
check "explain lists every field path" test "$(grep -cE '^[a-z_.]+ +(withheld|scanned|identity|path|text|map|args) ' ex.txt)" -ge 40
"$RTI" privacy explain --profile "$OWN/privacy-user.yaml" >exu.txt
check "explain shows where a rule was set" grep -q "process.user .*hash.*(line 13)" exu.txt
check "explain shows allowlists" grep -q 'APP_\*' exu.txt
done_testing
