#!/usr/bin/env bash
# The Kubernetes deployment (issue #13 item 6, spec agent.md §6): the
# DaemonSet, its ConfigMap and ServiceAccount parsed (python3-yaml) and
# checked for the mounts, capabilities, probes, limits, tolerations,
# priority, grace period and config checksum the spec names.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
n=0
while IFS='|' read -r r what; do
  n=$((n + 1)); if [ "$r" = OK ]; then ok "$what"; else not_ok "$what"; fi
done < <($PY "$RTI_ROOT/tests/deploy/k8s_check.py" "$RTI_ROOT" 2>"$T/py.err")
check "the checker ran to its end" test "$n" -ge 30 -a ! -s "$T/py.err"
sed 's/^/#   /' "$T/py.err" | tail -5
# the checks have teeth: a config edited without its checksum, a capability more
mkdir -p "$T/copy/deploy" && cp -r "$RTI_ROOT/deploy/kubernetes" "$T/copy/deploy/"
sed -i 's/level: info/level: debug/' "$T/copy/deploy/kubernetes/configmap.yaml"
sed -i 's/add: \["SYS_PTRACE", "DAC_READ_SEARCH"\]/add: ["SYS_PTRACE", "DAC_READ_SEARCH", "SYS_ADMIN"]/' "$T/copy/deploy/kubernetes/daemonset.yaml"
$PY "$RTI_ROOT/tests/deploy/k8s_check.py" "$T/copy" >"$T/copy.out" 2>&1
check "a stale checksum is caught" grep -q '^FAIL|checksum/config' "$T/copy.out"
check "an added capability is caught" grep -q '^FAIL|capabilities' "$T/copy.out"
done_testing
