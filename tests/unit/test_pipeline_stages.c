/* Two-stage mode (rti_pipeline_start) against one-thread mode: the same
 * records emitted, the same diagnostics in the same order, the same
 * per-record arena cap, whichever thread decodes (rti_handover). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/pipeline.h"
#include "tap.h"

static int nout;
static uint64_t outhash; /* FNV-1a over every emitted line, in order */

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

static int on_event(void *c, const struct rti_event *e, const struct rti_canon *cn,
		    const char *line, size_t n)
{
	(void)c;
	(void)e;
	(void)cn;
	nout++;
	outhash = fnv(outhash, line, n);
	return 0;
}

static const struct rti_sink_ops ops = { "count", on_event, NULL, NULL, 0 };

static char lastdiag[512];
static uint64_t diaghash; /* over every diagnostic, in order */

static uint64_t diag(uint64_t h, unsigned long long line, int rc, const char *msg)
{
	char b[512];
	int n = snprintf(b, sizeof(b), "%llu:%d:%s\n", line, rc, msg);

	return fnv(h, b, (size_t)n);
}

static void on_result(void *c, const struct rti_origin *o, int rc, const struct rti_diag *d)
{
	(void)c;
	snprintf(lastdiag, sizeof(lastdiag), "%s", d->msg);
	diaghash = diag(diaghash, (unsigned long long)o->line, rc, d->msg);
}

/* A kprobe record with nf kernel frames. */
static char *kprobe(int nf, size_t *len)
{
	size_t cap = 1000 + (size_t)nf * 80;
	char *b = malloc(cap);
	size_t k = 0;

	k += (size_t)snprintf(b + k, cap - k,
			      "{\"process_kprobe\":{\"process\":{\"exec_id\":\"eA==\",\"pid\":1002,"
			      "\"binary\":\"/usr/bin/curl\",\"start_time\":\"2026-11-21T07:59:59.5Z\"},"
			      "\"function_name\":\"tcp_connect\",\"kernel_stack_trace\":[");
	for (int i = 0; i < nf; i++)
		k += (size_t)snprintf(b + k, cap - k, "%s{\"offset\":\"%d\",\"symbol\":\"sym%d\"}",
				      i ? "," : "", i, i);
	k += (size_t)snprintf(b + k, cap - k,
			      "]},\"node_name\":\"n\",\"time\":\"2026-11-21T08:00:00.000000001Z\"}");
	*len = k;
	return b;
}

static struct rti_pipeline *make(size_t arena_max)
{
	static const struct rti_symbolizer_opts so = { .sz = sizeof(so), .disabled = true };
	struct rti_pipeline_opts o;
	struct rti_pipeline *p;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.arena_max = arena_max;
	o.symbolize = &so;
	p = rti_pipeline_new(&o);
	rti_pipeline_add_sink(p, &ops, NULL);
	return p;
}

static const char *const mode_name[] = { "auto", "reader decodes", "writer decodes" };

static void run_modes(enum rti_handover h);

int main(void)
{
	for (int h = RTI_HANDOVER_AUTO; h <= RTI_HANDOVER_ALWAYS; h++)
		run_modes((enum rti_handover)h);
	return done_testing();
}

static void run_modes(enum rti_handover h)
{
	size_t len;
	char *rec = kprobe(20000, &len);
	int differ = 0;
	int rejected = 0;

	/* around the cap where a 20,000-frame record stops fitting */
	for (size_t a = 1u << 20; a <= 6u << 20; a += 64 * 1024) {
		struct rti_pipeline *p = make(a);
		struct rti_origin org = { "x", 1, 0 };
		struct rti_diag d;
		int rc;

		nout = 0;
		rc = rti_pipeline_feed_json(p, rec, len, &d);
		int out1 = nout;
		char m1[400];

		snprintf(m1, sizeof(m1), "%s", rc ? d.msg : "ok");
		rti_pipeline_free(p);
		p = make(a);
		rti_pipeline_start(p, on_result, NULL);
		rti_pipeline_set_handover(p, h);
		nout = 0;
		lastdiag[0] = '\0';
		rti_pipeline_submit_json(p, rec, len, &org);
		rti_pipeline_drain(p);
		if (out1 != nout || (rc && strcmp(lastdiag, m1)))
			differ++;
		rejected += rc != 0;
		nout = 0;
		rti_pipeline_free(p);
	}
	ok(differ == 0, "%s: arena cap: one thread and two stages emit or reject alike (81 caps)",
	   mode_name[h]);
	ok(rejected > 0 && rejected < 81, "%s: the sweep crosses the cap (%d rejected)",
	   mode_name[h], rejected);
	free(rec);

	/* good, malformed and framing-rejected records interleaved: same
	 * output, diagnostics in input order */
	{
		static const char *const recs[] = {
			"{\"process_exec\":{\"process\":{\"pid\":1,\"binary\":\"/bin/a\",\"start_time\":\"2026-01-01T00:00:00Z\"}},\"time\":\"2026-01-01T00:00:01Z\"}",
			"{\"process_exec\":{\"process\":{\"pid\":-1}}}",
			NULL, /* a framing error */
			"{\"process_exec\":{\"process\":{\"pid\":2,\"binary\":\"/bin/b\",\"start_time\":\"2026-01-01T00:00:00Z\"}},\"time\":\"2026-01-01T00:00:02Z\"}",
			"{\"process_kprobe\":5}",
		};
		uint64_t sync_out;
		uint64_t sync_diag = 1;
		struct rti_pipeline *p = make(0);

		outhash = 1;
		for (int round = 0; round < 100; round++)
			for (unsigned i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
				struct rti_diag d;
				unsigned long long line = (unsigned long long)round * 10 + i;

				if (!recs[i])
					sync_diag = diag(sync_diag, line, -EBADMSG, "truncated");
				else if (rti_pipeline_feed_json(p, recs[i], strlen(recs[i]), &d) == -EINVAL)
					sync_diag = diag(sync_diag, line, -EINVAL, d.msg);
			}
		sync_out = outhash;
		rti_pipeline_free(p);

		p = make(0);
		rti_pipeline_start(p, on_result, NULL);
		rti_pipeline_set_handover(p, h);
		outhash = 1;
		diaghash = 1;
		for (int round = 0; round < 100; round++) {
			for (unsigned i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
				struct rti_origin o = { "x", (unsigned long long)round * 10 + i, 0 };

				if (!recs[i]) {
					struct rti_diag d;

					snprintf(d.msg, sizeof(d.msg), "truncated");
					d.offset = 0;
					rti_pipeline_submit_error(p, &o, &d);
				} else {
					rti_pipeline_submit_json(p, recs[i], strlen(recs[i]), &o);
				}
			}
			if (round % 7 == 3)
				rti_pipeline_push_batch(p); /* as an idle input does */
		}
		rti_pipeline_drain(p);
		ok(outhash == sync_out, "%s: interleaved records: the same output bytes", mode_name[h]);
		ok(diaghash == sync_diag, "%s: interleaved records: the same diagnostics, in input order",
		   mode_name[h]);
		ok(rti_pipeline_stats(p)->bad_records == 200 && rti_pipeline_stats(p)->records == 400,
		   "%s: interleaved records: counted as in one thread (400 records, 200 malformed)",
		   mode_name[h]);
		rti_pipeline_free(p);
	}
}
