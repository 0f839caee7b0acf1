/* The JSON decoder's process memo (tetragon/process_memo.h): a repeated
 * Process object is copied from the memo with the decode's result, arena
 * use and errors; bounded; a repeated "process" key is never memoized. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tetragon/json_decode.h"
#include "tetragon/process_memo.h"

#define PROC                                                                           \
	"{\"exec_id\":\"ZXhlYzE=\",\"pid\":42,\"uid\":{\"value\":1000},"              \
	"\"cwd\":\"/home/u\",\"binary\":\"/usr/bin/curl\",\"arguments\":\"-s x\","    \
	"\"start_time\":\"2026-11-20T09:46:00.000127320Z\",\"docker\":\"abc123\","     \
	"\"pod\":{\"namespace\":\"ns\",\"name\":\"p\",\"container\":{\"id\":"         \
	"\"containerd://abc123\",\"name\":\"c\",\"image\":{\"id\":\"sha256:00ff\","   \
	"\"name\":\"img\"}},\"pod_labels\":{\"app\":\"a\",\"e\":\"\"}},"               \
	"\"environment_variables\":[{\"Key\":\"K\",\"Value\":\"V\\u00e9\"},"          \
	"{\"Key\":\"E\",\"Value\":null}]}"
#define EV(proc, parent)                                                               \
	"{\"process_exec\":{\"process\":" proc ",\"parent\":" parent "},"             \
	"\"node_name\":\"n\",\"time\":\"2026-11-20T09:46:01Z\"}"

static size_t decode(struct rti_json_decoder *d, struct rti_arena *a, const char *js,
		     struct rti_event *ev, int *rc)
{
	struct rti_decode_error de;

	rti_arena_reset(a);
	*rc = rti_json_decode(d, js, strlen(js), a, ev, &de);
	return a->used_total;
}

static int same_kv(const struct rti_kv *x, unsigned nx, const struct rti_kv *y, unsigned ny)
{
	if (nx != ny)
		return 0;
	for (unsigned i = 0; i < nx; i++)
		if (strcmp(x[i].key, y[i].key) || strcmp(x[i].value, y[i].value))
			return 0;
	return 1;
}

static int same_str(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

static int same_process(const struct rti_process *x, const struct rti_process *y)
{
	return x->present == y->present && x->pid == y->pid && x->has_pid == y->has_pid &&
	       x->uid == y->uid && x->has_uid == y->has_uid &&
	       x->start_time.sec == y->start_time.sec && same_str(x->exec_id, y->exec_id) &&
	       same_str(x->cwd, y->cwd) && same_str(x->binary, y->binary) &&
	       same_str(x->arguments, y->arguments) && same_str(x->docker, y->docker) &&
	       x->has_pod == y->has_pod && same_str(x->pod.namespace_, y->pod.namespace_) &&
	       same_str(x->pod.container_id, y->pod.container_id) &&
	       same_str(x->pod.image_id, y->pod.image_id) &&
	       same_str(x->pod.image_name, y->pod.image_name) &&
	       same_kv(x->pod.labels, x->pod.n_labels, y->pod.labels, y->pod.n_labels) &&
	       same_kv(x->env, x->n_env, y->env, y->n_env);
}

int main(void)
{
	struct rti_json_decoder *on = rti_json_decoder_new(0), *off = rti_json_decoder_new(0);
	struct rti_arena a, b;
	struct rti_event e1, e2, e0;
	struct rti_cache_stats st = { 0 };
	const char *js = EV(PROC, PROC);
	int rc1, rc2, rc0;
	size_t u1, u2, u0;

	rti_arena_init(&a, 4096, 1u << 20);
	rti_arena_init(&b, 4096, 1u << 20);
	ok(on && off && !rti_json_decoder_process_memo(off, false), "decoders made");
	u0 = decode(off, &b, js, &e0, &rc0);
	u1 = decode(on, &a, js, &e1, &rc1);
	ok(!rc0 && !rc1, "decoded with and without the memo");
	rti_json_decoder_memo_stats(on, &st);
	ok(st.misses == 1 && st.hits == 1 && st.entries == 1,
	   "first event: the process stored, the identical parent a hit (%llu/%llu)",
	   (unsigned long long)st.hits, (unsigned long long)st.misses);
	u2 = decode(on, &a, js, &e2, &rc2);
	memset(&st, 0, sizeof(st));
	rti_json_decoder_memo_stats(on, &st);
	ok(!rc2 && st.hits == 3, "second event: both from the memo");
	ok(u0 == u1 && u1 == u2, "the same arena use: %zu, %zu, %zu", u0, u1, u2);
	ok(same_process(&e0.process, &e2.process) && same_process(&e0.parent, &e2.parent),
	   "a hit gives what decoding gave");
	ok(e2.process.n_env == 2 && !strcmp(e2.process.env[0].value, "V\xc3\xa9") &&
	   !strcmp(e2.process.env[1].value, ""), "the environment copied, unescaped");
	/* skimming is another key: maps left out, the same acceptance */
	rti_json_decoder_skim(on, true);
	decode(on, &a, js, &e2, &rc2);
	ok(!rc2 && e2.process.n_env == 0 && e2.process.pod.n_labels == 0,
	   "skim mode: not the full process of the memo");
	rti_json_decoder_skim(on, false);
	/* a repeated process key merges, never from the memo */
	{
		const char *dup = "{\"process_exec\":{\"process\":{\"cwd\":\"/tmp\",\"pid\":7},"
				  "\"process\":" PROC "},\"time\":\"2026-11-20T09:46:01Z\"}";

		decode(off, &b, dup, &e0, &rc0);
		decode(on, &a, dup, &e1, &rc1);
		ok(!rc0 && !rc1 && same_process(&e0.process, &e1.process) &&
		   e1.process.pid == 42, "a repeated process key: merged as decoded");
	}
	/* an error is the decoder's own, on every sighting */
	{
		const char *bad = EV("{\"pid\":\"x\"}", PROC);
		struct rti_decode_error d1, d2;

		rti_arena_reset(&a);
		rc1 = rti_json_decode(on, bad, strlen(bad), &a, &e1, &d1);
		rti_arena_reset(&a);
		rc2 = rti_json_decode(on, bad, strlen(bad), &a, &e1, &d2);
		ok(rc1 && rc2 && !strcmp(d1.msg, d2.msg) && d1.offset == d2.offset &&
		   strstr(d1.msg, "process.pid"), "a bad process: the same error twice (%s)", d1.msg);
	}
	/* the arena's cap acts the same: a hit that does not fit is decoded */
	{
		struct rti_arena small;
		size_t cap;

		rti_arena_init(&small, 256, u0 - 8);
		cap = decode(off, &small, js, &e0, &rc0);
		decode(on, &small, js, &e1, &rc1);
		ok(rc0 && rc1, "over the arena's cap: rejected with and without the memo (%zu)", cap);
		rti_arena_release(&small);
	}
	/* bounded: many distinct processes keep the byte cap */
	{
		struct rti_process_memo *m = rti_process_memo_new(64, 64 * 1024);
		struct rti_process p = { 0 };
		struct rti_process_memo_stats ms;
		char key[64], cwd[4096];

		memset(cwd, 'x', sizeof(cwd) - 1);
		cwd[sizeof(cwd) - 1] = '\0';
		p.present = true;
		p.cwd = cwd;
		for (int i = 0; i < 1000; i++) {
			int n = snprintf(key, sizeof(key), "{\"pid\":%d}", i);

			rti_process_memo_put(m, key, (size_t)n, false, &p, 8192);
		}
		rti_process_memo_stats(m, &ms);
		ok(ms.bytes <= 64 * 1024 && ms.entries <= 64 && ms.evictions > 0,
		   "bounded: %llu entries, %llu bytes, %llu evicted", (unsigned long long)ms.entries,
		   (unsigned long long)ms.bytes, (unsigned long long)ms.evictions);
		rti_process_memo_free(m);
	}
	rti_arena_release(&a);
	rti_arena_release(&b);
	rti_json_decoder_free(on);
	rti_json_decoder_free(off);
	return done_testing();
}
