# Helpers for tests/agent/t_*.sh (sourced after tests/lib.sh and
# tests/grpc/grpc-lib.sh).

# free_port: a TCP port nobody listens on right now (the kernel's choice)
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_agent NAME CONFIG: the agent in the background, logging to
# $T/NAME.log; AGENT_PID and AGENT_PORT (the metrics port it bound) set.
start_agent() {
  "$RTI" agent --config "$2" 2>"$T/$1.log" &
  AGENT_PID=$!
  PEER_PIDS+=("$AGENT_PID")
  if ! wait_for 60 grep -q 'msg=started' "$T/$1.log"; then
    echo "# agent $1 did not start:"; sed 's/^/#   /' "$T/$1.log"; return 1
  fi
  AGENT_PORT=$(grep -o 'serving /metrics.*port=[0-9]*' "$T/$1.log" | grep -o '[0-9]*$')
}

# http PATH: the body; HTTP_CODE set
http() {
  local out
  out=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:$AGENT_PORT$1")
  HTTP_CODE=${out##*$'\n'}
  printf '%s\n' "${out%$'\n'*}"
}
# code_is PATH CODE: the endpoint answers CODE
code_is() { http "$1" >/dev/null; [ "$HTTP_CODE" = "$2" ]; }

# metric 'NAME{labels}' : its value on /metrics (sum over label sets when
# given a bare name)
metric() {
  http /metrics | awk -v m="$1" '
    $1 == m || (!index(m, "{") && index($1, m "{") == 1) { s += $2; v = $2; n++ }
    END { if (n == 1) print v; else if (n) printf "%.0f\n", s; else print "absent" }'
}
metric_is() { [ "$(metric "$1")" = "$2" ]; }
# metric_ge NAME N: the value is at least N
metric_ge() { local v; v=$(metric "$1"); [ "$v" != absent ] && [ "${v%%.*}" -ge "$2" ]; }
