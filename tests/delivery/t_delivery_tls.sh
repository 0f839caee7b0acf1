#!/usr/bin/env bash
# The events sink over HTTPS with mutual TLS: a test CA, a server and a
# client certificate made by the openssl command; the receiver requires a
# client certificate. Without one the agent's requests fail (counted as
# errors, nothing received, events kept); a reload adds cert_file and
# key_file and every event arrives, headers checked.
. "$RTI_ROOT/tests/lib.sh"
. "$RTI_ROOT/tests/grpc/grpc-lib.sh"
. "$RTI_ROOT/tests/agent/agent-lib.sh"
. "$RTI_ROOT/tests/delivery/delivery-lib.sh"
cd "$T"

EC=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
{
  openssl req -x509 "${EC[@]}" -keyout ca.key -out ca.pem -days 2 -subj /CN=stella-rti-test-ca &&
  openssl req "${EC[@]}" -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 &&
  printf 'subjectAltName=IP:127.0.0.1\n' >srv.ext &&
  openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext &&
  openssl req "${EC[@]}" -keyout cli.key -out cli.csr -subj /CN=stella-rti-agent &&
  openssl x509 -req -in cli.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cli.pem -days 2
} >openssl.log 2>&1
check "openssl: a CA, a server and a client certificate" test -s srv.pem -a -s cli.pem
start_receiver rcv --cert "$T/srv.pem" --key "$T/srv.key" --client-ca "$T/ca.pem" || { done_testing; exit; }
gen tls 300 0
serve tls
mkdir -p etc
conf() { # [client certificate lines]
  cat >etc/config.yaml.new <<Y
node: node-tls
tetragon:
  address: unix://$T/rp.sock
  policies: [$RTI_ROOT/tests/fixtures/policies.yaml]
output:
  path: $T/events.ndjson
metrics:
  listen: 127.0.0.1:0
delivery:
  spool: {dir: $T/spool}
  http:
    ca_file: $T/ca.pem
$1
    timeout: 5s
    backoff_initial: 50ms
    backoff_max: 300ms
  events: {url: "https://127.0.0.1:$RCV_PORT/ingest", batch_max_bytes: 16KiB, batch_timeout: 100ms}
Y
  mv etc/config.yaml.new etc/config.yaml
}
conf ""
start_agent agent etc/config.yaml || { done_testing; exit; }
check "the agent wrote the events" wait_for 120 has_lines events.ndjson "$GEN_KEPT"
check "no client certificate: the TLS handshake fails, counted as errors" \
  wait_for 60 metric_ge 'stella_rti_delivery_requests_total{sink="events",code="error"}' 2
check "no client certificate: nothing received" test ! -s rcv/events.txt
check "no client certificate: the events wait in the spool" metric_ge stella_rti_spool_bytes 1
conf "    cert_file: $T/cli.pem
    key_file: $T/cli.key"
kill -HUP "$AGENT_PID"
check "reload: applied" wait_for 60 grep -q 'configuration reloaded' agent.log
ids events.ndjson >want.ids
if wait_for 120 same_ids want.ids; then ok "mTLS: ids received = ids written ($(wc -l <want.ids))"
else not_ok "mTLS: ids received = ids written"; show_ids_diff want.ids; fi
check "mTLS: every header as the contract says" no_violations
check "mTLS: answered 200" answered 200 1
kill -INT "$AGENT_PID"; wait "$AGENT_PID"
check "SIGINT: exit 0" test $? -eq 0
done_testing
