/* gRPC helpers: targets, backoff, grpc-message escaping, status mapping,
 * GetEventsRequest encoding. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/status.h"
#include "rti/grpc.h"
#include "tap.h"
#include "tetragon/events.pb-c.h"

static struct rti_grpc_addr a;
static char err[300];

static int parse(const char *t)
{
	return rti_grpc_addr_parse(t, &a, err, sizeof(err));
}

int main(void)
{
	char out[300];

	ok(parse("unix:///var/run/tetragon/tetragon.sock") == 0 && a.is_unix, "unix:///abs");
	is_str(a.path, "/var/run/tetragon/tetragon.sock", "path");
	is_str(a.authority, "localhost", ":authority for unix sockets");
	rti_grpc_addr_format(&a, out, sizeof(out));
	is_str(out, "unix:///var/run/tetragon/tetragon.sock", "formatted back");
	ok(parse("unix:/tmp/x.sock") == 0 && !strcmp(a.path, "/tmp/x.sock"), "unix:/abs");
	ok(parse("unix:rel.sock") == 0 && !strcmp(a.path, "rel.sock"), "unix:relative");
	rti_grpc_addr_format(&a, out, sizeof(out));
	is_str(out, "unix:rel.sock", "relative formatted back");
	ok(parse("unix://rel.sock") == -EINVAL, "unix://relative is ambiguous");
	ok(parse("unix:") == -EINVAL, "empty path");
	ok(parse("localhost:54321") == 0 && !a.is_unix && !strcmp(a.host, "localhost") &&
	   !strcmp(a.port, "54321"), "host:port");
	ok(parse("127.0.0.1") == 0 && !strcmp(a.port, "54321"), "missing port: Tetragon's 54321");
	ok(parse(":9999") == 0 && !strcmp(a.host, "localhost"), ":port means localhost");
	ok(parse("[::1]:8080") == 0 && !strcmp(a.host, "::1") && !strcmp(a.port, "8080"), "[v6]:port");
	is_str(a.authority, "[::1]:8080", "v6 authority keeps the brackets");
	ok(parse("::1:8080") == -EINVAL, "v6 without brackets");
	ok(parse("host:99999") == -EINVAL && parse("host:x") == -EINVAL, "bad ports");
	ok(parse("http://host:1") == -EINVAL, "schemes other than unix");
	ok(parse("") == -EINVAL, "empty target");

	/* backoff: doubles, caps, jitters within +-20% */
	{
		uint64_t seed = 42;
		int good = 1;

		for (unsigned att = 0; att < 40; att++) {
			for (int k = 0; k < 50; k++) {
				unsigned d = rti_grpc_backoff_ms(att, 500, 30000, &seed);
				double base = att < 6 ? 500.0 * (1u << att) : 30000.0;

				if (base > 30000)
					base = 30000;
				if (d < base * 0.8 - 1 || d > base * 1.2 + 1)
					good = 0;
			}
		}
		ok(good, "backoff: min(500 ms * 2^n, 30 s) +-20%%");
	}

	/* grpc-message */
	rti_grpc_percent_decode("no%20access%3A%0Aline%ZZ", 24, out, sizeof(out));
	is_str(out, "no access:?line%ZZ", "percent-decoding; controls neutralised; bad escapes kept");
	rti_grpc_percent_encode("a%b\n\xc3\xa9", out, sizeof(out));
	is_str(out, "a%25b%0A%C3%A9", "percent-encoding");
	rti_grpc_percent_decode("%C3%A9", 6, out, sizeof(out));
	is_str(out, "\xc3\xa9", "UTF-8 round trip");

	/* statuses without grpc-status */
	ok(rti_grpc_status_from_http(404) == RTI_GRPC_UNIMPLEMENTED &&
	   rti_grpc_status_from_http(503) == RTI_GRPC_UNAVAILABLE &&
	   rti_grpc_status_from_http(401) == RTI_GRPC_UNAUTHENTICATED &&
	   rti_grpc_status_from_http(500) == RTI_GRPC_UNKNOWN, "HTTP status mapping");
	ok(rti_grpc_status_from_h2(7) == RTI_GRPC_UNAVAILABLE &&
	   rti_grpc_status_from_h2(8) == RTI_GRPC_CANCELLED &&
	   rti_grpc_status_from_h2(11) == RTI_GRPC_RESOURCE_EXHAUSTED &&
	   rti_grpc_status_from_h2(0) == RTI_GRPC_INTERNAL, "RST_STREAM code mapping");
	is_str(rti_grpc_code_name(14), "UNAVAILABLE", "code names");

	/* GetEventsRequest */
	{
		const char *types[] = { "PROCESS_KPROBE", "exec", "process_lsm" };
		const char *ns[] = { "" };
		const char *deny_ns[] = { "kube-system" };
		struct rti_grpc_filter allow = { types, 3, ns, 1, NULL, 0, NULL, 0 };
		struct rti_grpc_filter deny = { NULL, 0, deny_ns, 1, NULL, 0, NULL, 0 };
		const char *bad[] = { "nope" };
		struct rti_grpc_filter badf = { bad, 1, NULL, 0, NULL, 0, NULL, 0 };
		Tetragon__GetEventsRequest *rq;
		uint8_t *b;
		size_t n;

		ok(rti_grpc_events_request(NULL, NULL, &b, &n, err, sizeof(err)) == 0 && n == 0,
		   "no filters: empty request (all events)");
		free(b);
		ok(rti_grpc_events_request(&allow, &deny, &b, &n, err, sizeof(err)) == 0, "filters encode");
		rq = tetragon__get_events_request__unpack(NULL, n, b);
		ok(rq && rq->n_allow_list == 1 && rq->n_deny_list == 1 &&
		   rq->allow_list[0]->n_event_set == 3 &&
		   rq->allow_list[0]->event_set[0] == TETRAGON__EVENT_TYPE__PROCESS_KPROBE &&
		   rq->allow_list[0]->event_set[1] == TETRAGON__EVENT_TYPE__PROCESS_EXEC &&
		   rq->allow_list[0]->event_set[2] == TETRAGON__EVENT_TYPE__PROCESS_LSM &&
		   rq->allow_list[0]->n_namespace_ == 1 && !strcmp(rq->allow_list[0]->namespace_[0], "") &&
		   !strcmp(rq->deny_list[0]->namespace_[0], "kube-system") && !rq->aggregation_options,
		   "decodes back with the filters");
		tetragon__get_events_request__free_unpacked(rq, NULL);
		free(b);
		ok(rti_grpc_events_request(&badf, NULL, &b, &n, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "nope"), "unknown event type: -EINVAL");
	}
	return done_testing();
}
