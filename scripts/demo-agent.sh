#!/usr/bin/env bash
# `make demo`, part 6: the node agent with the example configuration
# (examples/agent.yaml, paths pointed into the demo directory) against the
# replay server; prints a few lines of /metrics and the readiness answer,
# then stops it. Usage: demo-agent.sh DEMO_DIR CAPTURE POLICIES
set -euo pipefail
cd "$(dirname "$0")/.."
RTI=${RTI:-build/rel/stella-rti}
D=$1
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
rm -f "$D/rp.sock" "$D/rp.ready" "$D/agent-events.ndjson" "$D"/agent-hot.db*
"$RTI" replay --listen "unix://$D/rp.sock" --ready-file "$D/rp.ready" --loop --rate 2000 --quiet "$2" &
pids+=($!)
until [ -e "$D/rp.ready" ]; do sleep 0.1; done
mkdir -p "$D/etc"
sed -e "s|unix:///var/run/tetragon/tetragon.sock|unix://$D/rp.sock|" \
    -e "s|\[/etc/tetragon/tetragon.tp.d\]|[$3]|" \
    -e "s|/var/log/stella-rti/events.ndjson|$D/agent-events.ndjson|" \
    -e "s|sqlite:/var/lib/stella-rti/hot.db|sqlite:$D/agent-hot.db|" \
    -e "s|listen: 127.0.0.1:9468|listen: 127.0.0.1:0|" \
    examples/agent.yaml >"$D/etc/config.yaml"
export HOSTNAME=${HOSTNAME:-$(hostname)}
echo "\$ stella-rti validate --config $D/etc/config.yaml && stella-rti agent --config $D/etc/config.yaml"
"$RTI" validate --config "$D/etc/config.yaml"
"$RTI" agent --config "$D/etc/config.yaml" 2>"$D/agent.log" &
pids+=($!)
AP=$!
until grep -q 'port=' "$D/agent.log" 2>/dev/null; do sleep 0.1; done
PORT=$(grep -o 'port=[0-9]*' "$D/agent.log" | head -1 | cut -d= -f2)
until [ -s "$D/agent-events.ndjson" ] && [ "$(wc -l <"$D/agent-events.ndjson")" -ge 2000 ]; do sleep 0.1; done
echo "\$ curl -s http://127.0.0.1:$PORT/metrics | grep -E '^stella_rti_(events_(received|written)_total|tetragon_connected|config_reloads)' | grep -v ' 0\$'"
curl -s "http://127.0.0.1:$PORT/metrics" |
  grep -E '^stella_rti_(events_(received|written)_total|tetragon_connected|config_reloads_total)' | grep -v ' 0$'
echo "\$ curl -s -w ' %{http_code}\\n' http://127.0.0.1:$PORT/readyz"
curl -s -w ' %{http_code}\n' "http://127.0.0.1:$PORT/readyz"
kill -TERM "$AP"
wait "$AP" || true
echo "the agent's log:"
cut -c1-200 "$D/agent.log"
