#!/usr/bin/env bash
# Reloads (spec agent.md §4) against a looping replay server: SIGHUP
# switching the privacy profile changes privacy.profile of later events and
# of no earlier one; a broken configuration keeps the agent running with the
# old one and counts a failure; a Kubernetes ConfigMap-style ..data symlink
# swap is picked up without a signal; restart-only keys keep their value
# and are reported; a burst of SIGHUPs coalesces.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
cd "$T"
"$RTI" replay --listen "unix://$T/rp.sock" --ready-file rp.ready --loop --rate 300 \
  "$RTI_ROOT/tests/fixtures/every-kind.jsonl" 2>rp.log &
PEER_PIDS+=($!)
wait_file rp.ready
# the ConfigMap layout: config.yaml -> ..data/config.yaml, ..data -> ..v1
mkdir -p cm/..v1
conf() { # DIR PROFILE [EXTRA]
  cat >"cm/$1/config.yaml" <<Y
tetragon:
  address: unix://$T/rp.sock
privacy:
  profile: $2
output:
  path: $T/events.ndjson
metrics:
  listen: 127.0.0.1:0
log:
  format: ${4:-logfmt}
${3:-}
Y
}
conf ..v1 strict
ln -s ..v1 cm/..data
ln -s ..data/config.yaml cm/config.yaml
start_agent agent cm/config.yaml || { done_testing; exit; }
check "events flow" wait_for 30 has_lines events.ndjson 50
profiles() { grep -o '"privacy":{"profile":"[a-z]*"' events.ndjson | cut -d'"' -f6 | uniq; }
check "all strict so far" test "$(profiles)" = strict
reloads() { metric "stella_rti_config_reloads_total{result=\"$1\"}"; }
check "no reload yet" test "$(reloads success)/$(reloads failure)" = 0/0

# SIGHUP: balanced from the next event on
conf ..v1 balanced
BEFORE=$(lines events.ndjson)
kill -HUP "$AGENT_PID"
check "SIGHUP: one reload" wait_for 30 metric_is 'stella_rti_config_reloads_total{result="success"}' 1
N=$(lines events.ndjson)
check "events after the reload" wait_for 30 has_lines events.ndjson $((N + 50))
check "strict before, balanced after, never mixed" test "$(profiles | tr '\n' ' ')" = "strict balanced "
check "every event written before the signal is strict" \
  bash -c "head -n $BEFORE events.ndjson | grep -c '\"profile\":\"strict\"' | grep -qx $BEFORE"
check "the log says so" grep -q 'msg="configuration reloaded" privacy_profile=balanced' agent.log

# a broken configuration: kept running on the old one, counted
printf 'tetragon_address: typo\n' >>cm/..v1/config.yaml
kill -HUP "$AGENT_PID"
check "broken config: a failure counted" wait_for 30 metric_is 'stella_rti_config_reloads_total{result="failure"}' 1
check "broken config: the reason logged at FILE:LINE:COL" \
  grep -q 'msg="reload failed: the running configuration is kept" error="cm/config.yaml:12:1: tetragon_address: unknown key"' agent.log
check "broken config: still running" kill -0 "$AGENT_PID"
check "broken config: still ready" code_is /readyz 200
N=$(lines events.ndjson)
check "broken config: events keep coming, still balanced" \
  bash -c "$(declare -f wait_for has_lines); wait_for 30 has_lines events.ndjson $((N + 50))"
check "broken config: the old profile stays" test "$(profiles | tail -1)" = balanced

# a ConfigMap update: a new directory, ..data swapped atomically; no signal
mkdir cm/..v2
conf ..v2 strict "" json
ln -s ..v2 cm/..data_tmp
mv -T cm/..data_tmp cm/..data
check "symlink swap: reloaded without a signal" wait_for 30 metric_is 'stella_rti_config_reloads_total{result="success"}' 2
N=$(lines events.ndjson)
check "symlink swap: later events strict" wait_for 30 has_lines events.ndjson $((N + 50))
check "symlink swap: strict balanced strict" test "$(profiles | tr '\n' ' ')" = "strict balanced strict "
check "symlink swap: the log format switched to JSON" \
  wait_for 30 bash -c "tail -n 3 '$T/agent.log' | grep -q '^{\"time\":'"

# restart-only keys: reported, kept
mkdir cm/..v3
conf ..v3 strict "" json
sed -i "s|address: unix://$T/rp.sock|address: unix://$T/elsewhere.sock|" cm/..v3/config.yaml
ln -s ..v3 cm/..data_tmp
mv -T cm/..data_tmp cm/..data
check "restart-only key: the reload succeeds" wait_for 30 metric_is 'stella_rti_config_reloads_total{result="success"}' 3
check "restart-only key: reported" grep -q '"msg":"configuration change needs a restart: old value kept","key":"tetragon.address"' agent.log
check "restart-only key: still connected to the old address" metric_is stella_rti_tetragon_connected 1

# a burst of SIGHUPs coalesces: fewer reloads than signals, at least one
for i in 1 2 3 4 5 6 7 8 9 10; do kill -HUP "$AGENT_PID"; done
check "a burst: at least one more reload" wait_for 30 metric_ge 'stella_rti_config_reloads_total{result="success"}' 4
S=$(reloads success)
check "a burst of 10 SIGHUPs coalesced ($((S - 3)) reloads)" test "$S" -lt 13
kill -TERM "$AGENT_PID"
wait "$AGENT_PID"
check "exit 0" test $? -eq 0
done_testing
