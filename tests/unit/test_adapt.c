/* The adapter on its own: the canonical record filled in one place (time
 * fallback, privacy's redaction set, the stack's marks), the stack stage
 * asking privacy only through its frame filter, and real error codes: an
 * HMAC failure in a frame is reported as the HMAC failure, not as a full
 * arena. HMAC() is replaced below by one that always fails, as a broken
 * libcrypto would. */
#include <errno.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/adapter.h"
#include "rti/opts.h"
#include "tap.h"

#define HMAC_FAILED "privacy: HMAC failed (libcrypto)"

static unsigned hmac_calls;

/* The executable's definition wins over libcrypto's: every HMAC fails. */
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
		    const unsigned char *data, size_t data_len, unsigned char *md,
		    unsigned int *md_len)
{
	(void)evp_md;
	(void)key;
	(void)key_len;
	(void)data;
	(void)data_len;
	(void)md;
	(void)md_len;
	hmac_calls++;
	return NULL;
}

static const struct rti_symbolizer_opts no_symbols = {
	.sz = sizeof(struct rti_symbolizer_opts),
	.disabled = true,
	.kallsyms = "none",
};

struct world {
	struct rti_stats st;
	struct rti_stack *stack;
	struct rti_adapter ad;
	struct rti_arena a;
};

static void world_init(struct world *w, const struct rti_privacy *p)
{
	memset(w, 0, sizeof(*w));
	w->stack = rti_stack_new(64, &no_symbols, 0);
	ok(w->stack && rti_adapter_init(&w->ad, p, w->stack, &w->st) == 0, "adapter ready");
	rti_arena_init(&w->a, 4096, 1 << 20);
}

static void world_release(struct world *w)
{
	rti_adapter_release(&w->ad);
	rti_stack_free(w->stack);
	rti_arena_release(&w->a);
}

static bool marked(const struct rti_canon *cn, enum rti_field f)
{
	return cn->redacted & ((uint64_t)1 << f);
}

/* A uprobe from a private binary with one user frame in a private module. */
static void uprobe(struct rti_event *ev, struct rti_stack_entry *frame)
{
	memset(ev, 0, sizeof(*ev));
	memset(frame, 0, sizeof(*frame));
	ev->kind = RTI_KIND_UPROBE;
	ev->time.sec = 1700000000;
	ev->time.set = true;
	ev->process.present = true;
	ev->process.binary = "/home/alice/bin/tool";
	ev->path = "/home/alice/lib/libsecret.so";
	ev->function = "handler";
	frame->module = "/home/alice/lib/libsecret.so";
	frame->offset = 0x1234;
	ev->ustack = frame;
	ev->n_ustack = 1;
}

static void test_record(void)
{
	char err[256];
	struct rti_privacy *p = rti_privacy_open("strict", NULL, err, sizeof(err));
	struct rti_stack_entry frame;
	struct rti_event in, out;
	struct rti_canon cn;
	const char *why = NULL;
	struct world w;

	world_init(&w, p);
	uprobe(&in, &frame);
	ok(rti_adapt_event(&w.ad, &in, &w.a, &out, &cn, &why) == 0, "a uprobe adapts");
	ok(cn.probe == RTI_PROBE_UPROBE, "probe type");
	is_str(cn.privacy_profile, "strict", "the profile's name in the record");
	ok(!out.process.binary && marked(&cn, RTI_FIELD_PROCESS_BINARY), "private binary withheld");
	ok(!cn.probe_module && marked(&cn, RTI_FIELD_PROBE_MODULE), "probe module withheld");
	ok(!cn.probe_code_id, "... and no code_id made from its path");
	ok(cn.n_frames == 1 && !cn.frames[0].module, "the frame's module withheld");
	is_str(cn.frames[0].code_id, "path:[private]", "... its code_id names no path");
	ok(marked(&cn, RTI_FIELD_STACK_MODULE), "the stack's mark is in the same set");
	ok(rti_stack_stats(w.stack)->module_withheld == 1, "and counted by the stack stage");

	/* no response time: exec and exit fall back, others are rejected */
	in.time.set = false;
	ok(rti_adapt_event(&w.ad, &in, &w.a, &out, &cn, &why) == -EINVAL, "no time: rejected");
	is_str(why, "time: missing (GetEventsResponse.time is required)", "... saying why");
	memset(&in, 0, sizeof(in));
	in.kind = RTI_KIND_EXEC;
	in.process.present = true;
	in.process.start_time.sec = 1600000000;
	in.process.start_time.set = true;
	ok(rti_adapt_event(&w.ad, &in, &w.a, &out, &cn, &why) == 0 &&
		   cn.time.sec == 1600000000 && w.st.time_fallback == 1,
	   "an exec without time is placed at its start");
	world_release(&w);
	rti_privacy_free(p);
}

/* Frames whose module the profile hashes: the first HMAC is in a frame. */
static struct rti_privacy *hashing_profile(void)
{
	static const char yaml[] = "profile: h\n"
				   "fields:\n"
				   "  stack.module: {action: keep, otherwise: hash}\n";
	char err[256];
	struct rti_privacy *p = rti_privacy_parse_yaml("h.yaml", yaml, strlen(yaml), err,
						       sizeof(err));

	ok(p != NULL, "hashing profile parses (%s)", p ? "" : err);
	if (!p)
		return NULL;
	memcpy(p->key, "0123456789abcdef0123456789abcdef", 32);
	p->key_len = 32;
	ok(rti_privacy_finalize(p) == 0, "finalized");
	return p;
}

static void test_hmac_failure(void)
{
	struct rti_privacy *p = hashing_profile();
	struct rti_stack_entry frame;
	struct rti_event in, out;
	struct rti_canon cn;
	const char *why = NULL;
	struct world w;
	int err;

	if (!p)
		return;
	world_init(&w, p);
	uprobe(&in, &frame);
	in.path = NULL; /* no probe module: the frame is where hashing starts */
	in.kind = RTI_KIND_KPROBE;
	err = rti_adapt_event(&w.ad, &in, &w.a, &out, &cn, &why);
	ok(err == -EIO && hmac_calls == 1, "an HMAC failure in a frame is -EIO (%d)", err);
	is_str(why, HMAC_FAILED, "and is reported as such, not as a full arena");
	world_release(&w);

	/* the same through the pipeline: a malformed record with that message */
	{
		struct rti_pipeline_opts o = RTI_OPTS_INIT(rti_pipeline_opts, .profile = p,
							   .symbolize = &no_symbols);
		struct rti_pipeline *pl = rti_pipeline_new(&o);
		struct rti_diag d;

		ok(pl != NULL, "pipeline with the hashing profile");
		if (pl) {
			memset(&d, 0, sizeof(d));
			err = rti_pipeline_feed_event(pl, &in, &d);
			ok(err == -EINVAL && rti_pipeline_stats(pl)->bad_records == 1,
			   "the pipeline rejects the event (%d)", err);
			is_str(d.msg, HMAC_FAILED, "with the HMAC message");
			rti_pipeline_free(pl);
		}
	}
	rti_privacy_free(p);
}

/* The stack stage passes its filter's error on as it is. */
static int failing_filter(void *ctx, enum rti_frame_part part, const char *s, const char **out)
{
	(void)s;
	*out = NULL;
	if (part != RTI_FRAME_USER_MODULE)
		return 0;
	++*(unsigned *)ctx;
	return -EIO;
}

static void test_stack_filter_error(void)
{
	struct rti_stack *s = rti_stack_new(64, &no_symbols, 0);
	unsigned calls = 0;
	struct rti_frame_filter ff = { failing_filter, &calls, NULL, NULL, 0 };
	struct rti_stack_entry frame;
	struct rti_event in;
	struct rti_canon cn;
	struct rti_arena a;

	rti_arena_init(&a, 4096, 1 << 20);
	uprobe(&in, &frame);
	memset(&cn, 0, sizeof(cn));
	ok(rti_stack_canonicalize(s, &ff, &in, &a, &cn) == -EIO && calls == 1,
	   "rti_stack_canonicalize returns the filter's error");
	rti_arena_release(&a);
	rti_stack_free(s);
}

int main(void)
{
	test_record();
	test_hmac_failure();
	test_stack_filter_error();
	return done_testing();
}
