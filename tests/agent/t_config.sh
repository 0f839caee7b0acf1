#!/usr/bin/env bash
# stella-rti validate: the agent's configuration (docs/agent.md): every
# error at FILE:LINE:COL: key.path: reason with exit 2, config.d drop-ins
# in byte order, ${VAR}, --print with secrets redacted, and the key
# reference in docs/agent.md generated from the option table.
. "$RTI_ROOT/tests/lib.sh"
cd "$T"
mkdir -p etc/config.d
C=etc/config.yaml
cat >$C <<'Y'
# the main file
node: node-a
tetragon:
  address: unix:///run/tetragon/tetragon.sock
  queue_size: 8MiB
  keepalive: 2m
privacy:
  profile: strict
hot_index:
  url: postgres://rti:s3cret@db/rti
output:
  path: ${RTI_TEST_OUT}/events.ndjson
Y
export RTI_TEST_OUT=/var/tmp/rti
"$RTI" validate --config $C >out 2>err
check "a valid configuration: exit 0, nothing printed" test $? -eq 0 -a ! -s out -a ! -s err
"$RTI" validate --config $C --print >print 2>err
check "--print: exit 0" test $? -eq 0
check "--print: \${VAR} replaced" grep -qx '  path: "/var/tmp/rti/events.ndjson"' print
check "--print: sizes and durations in units" grep -qx '  queue_size: 8MiB' print
check "--print: 2m" grep -qx '  keepalive: 2m' print
check "--print: defaults filled in" grep -qx '  listen: "127.0.0.1:9468"' print
check "--print: the database URL is a secret" grep -qx '  url: "<redacted>"' print
check "--print: the password never appears" bash -c "! grep -q s3cret print"
# the printed configuration is itself a valid configuration
cp print etc/printed.yaml
"$RTI" validate --config etc/printed.yaml 2>err
# hot_index.url printed redacted is still a string: valid; the rest round-trips
check "--print output is a valid configuration" test $? -eq 0

# drop-ins: byte order, later scalar wins, a list replaces a list
printf 'log:\n  level: debug\ntetragon:\n  policies: [a.yaml, b.yaml]\n' >etc/config.d/10-a.yaml
printf 'log:\n  level: warn\n' >etc/config.d/20-b.yaml
printf 'log:\n  level: error\n' >etc/config.d/Z-upper.yaml   # '1' < '2' < '3' < 'Z' in bytes: last
printf 'log: {level: nonsense}\n' >etc/config.d/ignored.yml
printf 'tetragon: {policies: []}\n' >etc/config.d/30-c.yaml
"$RTI" validate --config $C --print >print 2>err
check "drop-ins: the last in byte order wins (Z-upper.yaml after 30-c.yaml)" grep -qx '  level: "error"' print
check "drop-ins: a list replaces a list" grep -qx '  policies: \[\]' print
check "drop-ins: only *.yaml files" test "$(grep -c level print)" -eq 1
rm etc/config.d/*

# every error: FILE:LINE:COL: key.path: reason, exit 2
bad() { # NAME YAML WANT-REGEX
  printf '%s\n' "$2" >etc/config.d/50-bad.yaml
  "$RTI" validate --config $C >out 2>err
  local rc=$?
  if [ $rc -eq 2 ] && grep -qE "^stella-rti: $3\$" err; then ok "$1"; else
    not_ok "$1"; echo "#   rc=$rc: $(cat err)"; fi
  rm -f etc/config.d/50-bad.yaml
}
D=etc/config.d/50-bad.yaml
bad "unknown key" $'tetragon:\n  adress: x' "$D:2:3: tetragon.adress: unknown key"
bad "unknown section" $'outputs:\n  path: x' "$D:1:1: outputs: unknown key"
bad "wrong type: a list for a string" $'tetragon:\n  address: [a, b]' "$D:2:12: tetragon.address: expected a single value, not a list"
bad "wrong type: bool" $'output:\n  compress: maybe' "$D:2:13: output.compress: 'maybe': expected true or false"
bad "out of range" $'tetragon:\n  queue_size: 1KiB' "$D:2:15: tetragon.queue_size: '1KiB': out of range \(64KiB to 1GiB\)"
bad "bad duration" $'hot_index:\n  flush_interval: 10 parsecs' "$D:2:19: hot_index.flush_interval: '10 parsecs': expected a duration \(500ms, 10s, 5m, 1h\)"
bad "bad enum" $'log:\n  format: xml' "$D:2:11: log.format: 'xml': expected one of logfmt\|json"
bad "unset variable" $'node: ${RTI_SURELY_UNSET_VAR}' "$D:1:7: node: \\$\\{RTI_SURELY_UNSET_VAR\\}: environment variable not set"
bad "unterminated \${" $'node: "a${HOME"' "$D:1:7: node: unterminated \\$\\{ at character 2"
bad "unreadable policy file" $'tetragon:\n  policies:\n    - /nonexistent/tp.yaml' "$D:3:7: tetragon.policies: .*nonexistent/tp.yaml.*"
bad "unreadable privacy profile" $'privacy:\n  profile: /nonexistent/p.yaml' "$D:2:12: privacy.profile: .*nonexistent/p.yaml.*"
bad "unreadable key file" $'privacy:\n  key_file: /nonexistent/key' "$D:2:13: privacy.key_file: /nonexistent/key: No such file or directory"
bad "YAML syntax" $'tetragon: [' "$D:2:1: .*"
bad "duplicate key" $'log:\n  level: info\n  level: warn' "$D:3:3: duplicate key"
bad "aliases refused" $'a: &x 1\nnode: *x' "$D:1:4: anchors are not supported"
bad "seventeen filters: more than 16" "$(printf 'tetragon:\n  deny:\n'; for i in $(seq 17); do printf '    - {namespaces: [n%d]}\n' "$i"; done)" "$D:19:7: tetragon.deny: more than 16 filters"
bad "a filter's unknown field names its index" $'tetragon:\n  allow:\n    - {namespaces: [a]}\n    - {pods: [b]}' "$D:4:8: tetragon.allow\\[1\\].pods: unknown key .*"
bad "delivery: a URL that is not http(s)" $'delivery:\n  events: {url: ftp://x}' "$D:2:17: delivery.events.url: 'ftp://x': expected an http:// or https:// URL"
bad "delivery: an unreadable token file" $'delivery:\n  http:\n    token_file: /nonexistent/token' "$D:3:17: delivery.http.token_file: /nonexistent/token: No such file or directory"
bad "delivery: a bad when_full" $'delivery:\n  spool:\n    when_full: drop_newest' "$D:3:16: delivery.spool.when_full: 'drop_newest': expected one of drop_oldest\\|block"
bad "delivery: signals without a hot index" $'hot_index:\n  url: null\ndelivery:\n  signals:\n    url: http://x' "$D:5:10: delivery.signals.url: needs hot_index.url .*"
bad "unknown event type" $'tetragon:\n  deny:\n    - {event_types: [PROCESS_TELEPATHY]}' "$D:3:5: tetragon.deny: .*PROCESS_TELEPATHY.*"
bad "bad address" $'tetragon:\n  address: "unix://"' "$D:2:12: tetragon.address: .*"
bad "filter field" $'tetragon:\n  allow:\n    - {namespace: [a]}' "$D:3:8: tetragon.allow\\[0\\].namespace: unknown key .*"
bad "backoff_max < backoff_initial" $'tetragon:\n  backoff_initial: 10s\n  backoff_max: 1s' "$D:3:16: tetragon.backoff_max: shorter than tetragon.backoff_initial"
# the agent refuses to start on the same errors, with the same words
printf 'log:\n  level: loud\n' >etc/config.d/50-bad.yaml
"$RTI" agent --config $C 2>err
check "agent: a configuration error is exit 2 at FILE:LINE:COL" \
  test $? -eq 2 -a "$(cat err)" = "stella-rti: $D:2:10: log.level: 'loud': expected one of debug|info|warn|error"
rm etc/config.d/50-bad.yaml
RTI_TEST_OUT=/nonexistent/dir "$RTI" agent --config $C 2>err
check "agent: an output that cannot be opened is exit 3, named" \
  test $? -eq 3 -a "$(cat err)" = "stella-rti: output.path: /nonexistent/dir/events.ndjson: No such file or directory"
"$RTI" validate --config etc/missing.yaml 2>err
check "a missing main file: exit 2, named" test $? -eq 2 -a "$(cat err)" = "stella-rti: etc/missing.yaml: No such file or directory"

# a filter that is valid, and the event-type check happens at agent start
printf 'tetragon:\n  allow:\n    - {event_types: [PROCESS_KPROBE], namespaces: [""]}\n' >etc/config.d/60.yaml
"$RTI" validate --config $C --print >print 2>err
check "a filter: printed back" grep -qx '  allow: \[{event_types: \["PROCESS_KPROBE"\], namespaces: \[""\]}\]' print
rm etc/config.d/60.yaml
printf 'tetragon:\n  allow:\n    - {namespaces: [a]}\n    - {pod_regex: ["web-.*"], event_types: [exec]}\n' >etc/config.d/60.yaml
"$RTI" validate --config $C --print >print 2>err
check "two filters: printed back in order" grep -qx '  allow: \[{namespaces: \["a"\]}, {event_types: \["exec"\], pod_regex: \["web-.\*"\]}\]' print
rm etc/config.d/60.yaml

# run's flags come from the same table: run knows every flag the table
# names, its --help lists them with their keys, and a value is checked as
# the key's (same words as the config's errors)
FLAGS=$("$RTI" validate --reference | awk -F'|' 'NR > 2 && $3 ~ /--/ { gsub(/[ `]/, "", $3); print $3 }')
unknown=
for f in $FLAGS; do
  # a positional argument makes run stop after parsing: it never connects
  timeout 20 "$RTI" run "$f" 1 extra >/dev/null 2>run.err </dev/null
  grep -q 'unrecognized option' run.err && unknown="$unknown $f"
done
check "run accepts every flag of the option table ($(echo $FLAGS | wc -w))" test -z "$unknown"
[ -n "$unknown" ] && echo "#   unknown to run:$unknown"
"$RTI" run --help >runhelp
missing=
for f in $FLAGS; do grep -qE "^ +$f( |\$)" runhelp || missing="$missing $f"; done
check "run --help lists every flag of the table" test -z "$missing"
check "run --help names the key" grep -qE 'tetragon.queue_size\)' runhelp
"$RTI" run --queue-size 1KiB 2>err
check "run: a flag's value checked as the key's" grep -qx "stella-rti: --queue-size: '1KiB': out of range (64KiB to 1GiB)" err
"$RTI" run --keepalive 5parsecs 2>err
check "run: durations as in the config" grep -qx "stella-rti: --keepalive: '5parsecs': expected a duration (500ms, 10s, 5m, 1h)" err

# control characters from the file never break an error line (found by
# fuzz_config: a CR inside a plain scalar key)
cp "$RTI_ROOT/fuzz/corpus/config/regress-cr-in-key.yaml" cr.yaml
"$RTI" validate --config cr.yaml 2>err; rc=$?
check "a key with CRs: exit 2, one error line naming the file, no control character" \
  sh -c "test $rc -eq 2 && test \$(wc -l <err) -eq 1 && grep -q '^stella-rti: cr.yaml:2:[0-9]*: log.fo?*rmat:ebug: unknown key$' err"

# the reference in docs/agent.md is the option table
"$RTI" validate --reference >ref.md
sed -n '/<!-- reference:begin -->/,/<!-- reference:end -->/p' "$RTI_ROOT/docs/agent.md" | sed '1d;$d' >doc.md
same_file "docs/agent.md: the key reference matches the option table" doc.md ref.md
done_testing
