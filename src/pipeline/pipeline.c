/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapt/adapter.h"
#include "adapt/canon_write.h"
#include "pipeline/pipeline_int.h"
#include "stack/frames.h"
#include "tetragon/json_decode.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/opts.h"

#define MAX_SINKS 8

/*
 * Two-stage mode. The caller's thread decodes records into a batch; a
 * writer thread runs stage 2 (feed_event) over whole batches, in order.
 * NBATCH batches circulate: one filling, the others queued or being
 * written. A batch closes at BATCH_EVENTS records or BATCH_ARENA bytes of
 * decoded data; the later stages allocate in the same arena, each record
 * within what its decoding left of arena_max, so a batch holds at most
 * BATCH_EVENTS x arena_max and usually about twice its decoded bytes.
 *
 * Handover: a batch begun after the writer found nothing queued (it
 * waited for the reader) is filled with the records' bytes instead, up to
 * HANDOVER_MAX_RECORD bytes each (larger ones the reader decodes as
 * usual), and the writer decodes them. Whichever thread has time left
 * decodes, so the two share the work whatever its split on a given input.
 * Decoding is a pure function of the record and its arena cap: the results
 * do not depend on which thread did it.
 */
#define NBATCH 3
#define BATCH_EVENTS 48
#define BATCH_ARENA (320u * 1024)
#define BATCH_CHUNK (384u * 1024) /* one chunk holds a usual batch: no malloc churn */
#define HANDOVER_MAX_RECORD BATCH_ARENA /* larger records: the reader decodes them */

struct slot {
	struct rti_event ev;
	struct rti_origin o;
	int rc;         /* 0 decoded; -EINVAL malformed (d says why) */
	bool framing;   /* a framer's diagnostic: reported, not a record */
	size_t decoded; /* arena bytes the decoder used for it */
	const char *raw; /* handover: the record, not decoded yet */
	size_t raw_len;
	struct rti_diag d;
};

struct batch {
	struct rti_arena arena;
	unsigned n;
	bool raw; /* handover: the writer decodes its records */
	struct slot slot[BATCH_EVENTS];
};

struct stage2 {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t ready; /* writer: a batch was queued, or quit */
	pthread_cond_t freed; /* reader: a batch was written */
	uint64_t queued;      /* batches handed to the writer */
	uint64_t written;     /* batches the writer finished (<= queued) */
	bool writer_waited;   /* the writer found nothing queued (handover) */
	bool quit;
	atomic_int failed;    /* first sink error: the writer skips the rest */
	struct batch *cur;    /* the reader's batch, not yet queued */
	struct batch *b[NBATCH];
	struct rti_json_decoder *dec; /* the writer's, for handed-over batches */
	enum rti_handover handover;
	rti_result_fn fn;
	void *ctx;
};

struct rti_pipeline {
	struct rti_json_decoder *dec;
	struct rti_arena arena;
	struct rti_adapter adapter;
	struct rti_privacy *own_privacy; /* when opened here by name */
	struct rti_stack *stack;
	struct rti_buf line;
	struct {
		const struct rti_sink_ops *ops;
		void *ctx;
	} sinks[MAX_SINKS];
	int nsinks;
	bool need_line; /* a sink reads the canonical line (else none is written) */
	bool all_index; /* every sink so far reads only the index fields */
	struct rti_stats st;
	size_t arena_max;
	unsigned max_tokens;
	struct stage2 *s2; /* two-stage mode when set */
};

/* The memo's byte cap: the option, unless RTI_STACK_MEMO says otherwise. */
static size_t stack_memo_bytes(const struct rti_pipeline_opts *o)
{
	const char *env = getenv("RTI_STACK_MEMO");
	unsigned long long v;
	char *end;

	if (env && *env) {
		errno = 0;
		v = strtoull(env, &end, 10);
		if (!errno && !*end)
			return v ? (size_t)v : (size_t)-1;
	}
	return RTI_OPTS_GET(o, stack_memo, 0);
}

struct rti_pipeline *rti_pipeline_new(const struct rti_pipeline_opts *o)
{
	const struct rti_privacy *profile = RTI_OPTS_GET(o, profile, NULL);
	unsigned frame_cache = RTI_OPTS_GET(o, frame_cache, 0);
	struct rti_pipeline *p;
	int err;

	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (!profile) {
		char msg[256];

		/* by name: built-ins other than "off" (which needs a flag) */
		p->own_privacy = rti_privacy_open(RTI_OPTS_GET(o, privacy, NULL), NULL, msg,
						  sizeof(msg));
		if (!p->own_privacy) {
			int e = errno;

			free(p);
			errno = e;
			return NULL;
		}
		profile = p->own_privacy;
	}
	p->max_tokens = RTI_OPTS_GET(o, max_tokens, 0);
	if (!p->max_tokens)
		p->max_tokens = 1u << 20;
	p->dec = rti_json_decoder_new(p->max_tokens);
	p->stack = rti_stack_new(frame_cache ? frame_cache : 4096,
				 RTI_OPTS_GET(o, symbolize, NULL), stack_memo_bytes(o));
	p->arena_max = RTI_OPTS_GET(o, arena_max, 0);
	if (!p->arena_max)
		p->arena_max = 64u << 20;
	rti_arena_init(&p->arena, 64 * 1024, p->arena_max);
	rti_buf_init(&p->line, 64u << 20);
	err = rti_adapter_init(&p->adapter, profile, p->stack, &p->st);
	if (err || !p->dec || !p->stack) {
		rti_pipeline_free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

static void stage2_stop(struct rti_pipeline *p);

void rti_pipeline_free(struct rti_pipeline *p)
{
	if (!p)
		return;
	stage2_stop(p);
	for (int i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops->destroy)
			p->sinks[i].ops->destroy(p->sinks[i].ctx);
	rti_json_decoder_free(p->dec);
	rti_stack_free(p->stack);
	rti_arena_release(&p->arena);
	rti_adapter_release(&p->adapter);
	rti_buf_release(&p->line);
	rti_privacy_free(p->own_privacy);
	free(p);
}

int rti_pipeline_add_policy(struct rti_pipeline *p, const char *path, char *err,
			    size_t errlen)
{
	return rti_adapter_load_policy(&p->adapter, path, err, errlen);
}

void rti_pipeline_swap_config(struct rti_pipeline *p, const struct rti_privacy **profile,
			      struct rti_policy_set *ps)
{
	const struct rti_privacy *old = p->adapter.privacy.profile;
	struct rti_policy_set tmp = p->adapter.policies;

	p->adapter.privacy.profile = *profile;
	*profile = old;
	/* memoized frames went through the old profile */
	p->adapter.frame_filter.generation++;
	rti_stack_forget(p->stack);
	p->adapter.policies = *ps;
	*ps = tmp;
}

int rti_pipeline_add_sink(struct rti_pipeline *p, const struct rti_sink_ops *ops,
			  void *ctx)
{
	if (p->nsinks >= MAX_SINKS)
		return -E2BIG;
	p->sinks[p->nsinks].ops = ops;
	p->sinks[p->nsinks].ctx = ctx;
	if (!(ops->flags & RTI_SINK_NO_LINE))
		p->need_line = true;
	p->all_index = (p->nsinks == 0 || p->all_index) && (ops->flags & RTI_SINK_INDEX_FIELDS);
	p->nsinks++;
	/* aggregate only: privacy filters what the sinks read, nothing else */
	p->adapter.index_only = p->all_index && !p->need_line;
	if (ops->flags & RTI_SINK_STACK_DIGEST)
		rti_stack_want_digest(p->stack, true);
	rti_stack_want_json(p->stack, p->need_line);
	return 0;
}

struct rti_arena *rti_pipeline_arena(struct rti_pipeline *p)
{
	return &p->arena;
}

const struct rti_stats *rti_pipeline_stats(const struct rti_pipeline *p)
{
	return &p->st;
}

static void count_unknown(struct rti_stats *st, const char *name)
{
	for (int i = 0; i < RTI_MAX_UNKNOWN_KINDS; i++) {
		if (!st->unknown[i].name[0]) {
			snprintf(st->unknown[i].name, sizeof(st->unknown[i].name), "%s",
				 name ? name : "?");
			st->unknown[i].n = 1;
			return;
		}
		if (!strncmp(st->unknown[i].name, name ? name : "?",
			     sizeof(st->unknown[i].name) - 1)) {
			st->unknown[i].n++;
			return;
		}
	}
	st->unknown_other++;
}

static int bad(struct rti_pipeline *p, struct rti_diag *d, const char *msg)
{
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
	d->offset = 0;
	p->st.bad_records++;
	return -EINVAL;
}

/* Stage 2: the adapter (probe mapping, privacy, stacks), the canonical
 * writer, the sinks. Its allocations go to the arena the event was decoded
 * into. */
static int feed_event(struct rti_pipeline *p, const struct rti_event *ev,
		      struct rti_arena *arena, struct rti_diag *d)
{
	struct rti_canon cn;
	struct rti_event fev; /* what privacy lets through: all later stages read it */
	const char *why;
	int err;

	p->st.kind_in[ev->kind]++;
	switch (ev->kind) {
	case RTI_KIND_UNKNOWN:
		count_unknown(&p->st, ev->unknown_kind);
		return 0;
	case RTI_KIND_RATE_LIMIT_INFO:
		p->st.rate_limit_dropped += ev->dropped_events;
		return 0;
	case RTI_KIND_THROTTLE:
		if (ev->throttle_type && !strcmp(ev->throttle_type, "THROTTLE_START"))
			p->st.throttle_start++;
		else if (ev->throttle_type && !strcmp(ev->throttle_type, "THROTTLE_STOP"))
			p->st.throttle_stop++;
		return 0;
	case RTI_KIND_LOADER:
		rti_stack_loader(p->stack, ev); /* build ids for later frames */
		return 0;
	case RTI_KIND_TEST:
	case RTI_KIND_NONE:
		return 0;
	default:
		break;
	}
	err = rti_adapt_event(&p->adapter, ev, arena, &fev, &cn, &why);
	if (err) {
		if (err == -EINVAL)
			p->st.kind_in[ev->kind]--; /* no time: not counted as an event */
		return bad(p, d, why);
	}
	rti_buf_reset(&p->line);
	if (p->need_line) {
		err = rti_canon_write(&fev, &cn, &p->line);
		if (err)
			return bad(p, d, err == -ENOBUFS ? "canonical event larger than 64 MiB"
							   : "internal error: canonical writer");
	}
	for (int i = 0; i < p->nsinks; i++) {
		err = p->sinks[i].ops->event(p->sinks[i].ctx, &fev, &cn,
					     p->need_line ? p->line.p : NULL,
					     p->need_line ? p->line.len : 0);
		if (err) {
			p->st.sink_errors++;
			snprintf(d->msg, sizeof(d->msg), "output %s: %s",
				 p->sinks[i].ops->name, strerror(-err));
			return err;
		}
	}
	p->st.written[cn.probe]++;
	p->st.written_total++;
	return 0;
}

int rti_pipeline_feed_event(struct rti_pipeline *p, const struct rti_event *ev,
			    struct rti_diag *d)
{
	if (p->s2)
		return -EBUSY;
	return feed_event(p, ev, &p->arena, d);
}

void rti_pipeline_count_record(struct rti_pipeline *p, bool bad)
{
	p->st.records++;
	if (bad)
		p->st.bad_records++;
}

int rti_pipeline_feed_json(struct rti_pipeline *p, const char *rec, size_t len,
			   struct rti_diag *d)
{
	struct rti_event ev;
	struct rti_decode_error de;
	int rc;

	if (p->s2)
		return -EBUSY;
	p->st.records++;
	rti_arena_reset(&p->arena);
	/* aggregate only: nothing reads the environment, labels, annotations */
	rti_json_decoder_skim(p->dec, p->adapter.index_only);
	if (rti_json_decode(p->dec, rec, len, &p->arena, &ev, &de)) {
		snprintf(d->msg, sizeof(d->msg), "%s", de.msg);
		d->offset = de.offset;
		p->st.bad_records++;
		return -EINVAL;
	}
	rc = feed_event(p, &ev, &p->arena, d);
	return rc;
}

int rti_pipeline_flush(struct rti_pipeline *p)
{
	int rc = 0;

	rti_pipeline_drain(p); /* a sink failure was reported through fn */

	for (int i = 0; i < p->nsinks; i++) {
		if (p->sinks[i].ops->flush) {
			int err = p->sinks[i].ops->flush(p->sinks[i].ctx);

			if (err && !rc)
				rc = err;
		}
	}
	{
		const struct rti_stack_stats *ss = rti_stack_stats(p->stack);

		p->st.frames_kernel = ss->kernel_frames;
		p->st.frames_user = ss->user_frames;
		p->st.frames_agent = ss->resolved_agent;
		p->st.frames_unresolved = ss->unresolved;
		p->st.frame_modules_withheld = ss->module_withheld;
		p->st.symbolize = ss->sym;
	}
	return rc;
}

/* ---- two-stage mode ---- */

/* Decodes a record into the batch arena a, within its per-record cap. */
static void decode_slot(struct rti_pipeline *p, struct rti_json_decoder *dec,
			struct rti_arena *a, struct slot *sl, const char *rec, size_t len)
{
	struct rti_decode_error de;
	size_t before = a->used_total;

	a->max_total = before + p->arena_max;
	rti_json_decoder_skim(dec, p->adapter.index_only);
	if (rti_json_decode(dec, rec, len, a, &sl->ev, &de)) {
		snprintf(sl->d.msg, sizeof(sl->d.msg), "%s", de.msg);
		sl->d.offset = de.offset;
		sl->rc = -EINVAL;
	}
	sl->decoded = a->used_total - before;
}

static void write_batch(struct rti_pipeline *p, struct stage2 *s, struct batch *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		struct slot *sl = &b->slot[i];
		int rc = sl->rc;

		if (atomic_load(&s->failed))
			return; /* a sink failed: nothing after it is written */
		if (sl->framing) {
			s->fn(s->ctx, &sl->o, -EBADMSG, &sl->d);
			continue;
		}
		if (sl->raw) {
			decode_slot(p, s->dec, &b->arena, sl, sl->raw, sl->raw_len);
			rc = sl->rc;
		}
		p->st.records++;
		if (rc) {
			p->st.bad_records++;
		} else {
			/* the same per-record cap as in one-thread mode: decoding
			 * and the stages after it share arena_max */
			b->arena.max_total = b->arena.used_total + (p->arena_max - sl->decoded);
			rc = feed_event(p, &sl->ev, &b->arena, &sl->d);
		}
		if (rc) {
			if (rc != -EINVAL)
				atomic_store(&s->failed, rc);
			s->fn(s->ctx, &sl->o, rc, &sl->d);
		}
	}
}

static void *writer_main(void *arg)
{
	struct rti_pipeline *p = arg;
	struct stage2 *s = p->s2;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct batch *b;

		while (s->written == s->queued && !s->quit) {
			s->writer_waited = true;
			pthread_cond_wait(&s->ready, &s->mu);
		}
		if (s->written == s->queued)
			break; /* quit, all written */
		b = s->b[s->written % NBATCH];
		pthread_mutex_unlock(&s->mu);
		write_batch(p, s, b);
		pthread_mutex_lock(&s->mu);
		s->written++;
		pthread_cond_broadcast(&s->freed);
	}
	pthread_mutex_unlock(&s->mu);
	rti_crypto_thread_stop(); /* the event ids were hashed on this thread */
	return NULL;
}

/* Frees what rti_pipeline_start made (the writer thread is not running). */
static void stage2_free(struct stage2 *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->ready);
	pthread_cond_destroy(&s->freed);
	rti_json_decoder_free(s->dec);
	for (int i = 0; i < NBATCH; i++) {
		if (s->b[i])
			rti_arena_release(&s->b[i]->arena);
		free(s->b[i]);
	}
	free(s);
}

int rti_pipeline_start(struct rti_pipeline *p, rti_result_fn fn, void *ctx)
{
	struct stage2 *s;
	int err;

	if (p->s2 || !fn)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->ready, NULL);
	pthread_cond_init(&s->freed, NULL);
	for (int i = 0; i < NBATCH; i++) {
		s->b[i] = calloc(1, sizeof(*s->b[i]));
		if (!s->b[i]) {
			stage2_free(s);
			return -ENOMEM;
		}
		rti_arena_init(&s->b[i]->arena, BATCH_CHUNK, p->arena_max);
	}
	s->dec = rti_json_decoder_new(p->max_tokens);
	if (!s->dec) {
		stage2_free(s);
		return -ENOMEM;
	}
	s->fn = fn;
	s->ctx = ctx;
	atomic_init(&s->failed, 0);
	p->s2 = s;
	err = pthread_create(&s->th, NULL, writer_main, p);
	if (err) {
		p->s2 = NULL;
		stage2_free(s);
		return -err;
	}
	return 0;
}

/* Hands the reader's batch to the writer. */
static void queue_cur(struct stage2 *s)
{
	if (!s->cur)
		return;
	pthread_mutex_lock(&s->mu);
	s->queued++;
	s->cur = NULL;
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->mu);
}

/* The reader's next slot: waits for a free batch when it needs one. */
static struct slot *next_slot(struct stage2 *s)
{
	struct batch *b = s->cur;

	if (!b) {
		bool idle;

		pthread_mutex_lock(&s->mu);
		while (s->queued - s->written >= NBATCH)
			pthread_cond_wait(&s->freed, &s->mu);
		b = s->b[s->queued % NBATCH];
		/* the writer ran dry since the last batch began */
		idle = s->writer_waited;
		s->writer_waited = false;
		pthread_mutex_unlock(&s->mu);
		rti_arena_reset(&b->arena);
		b->n = 0;
		b->raw = s->handover == RTI_HANDOVER_ALWAYS ||
			 (s->handover == RTI_HANDOVER_AUTO && idle);
		s->cur = b;
	}
	return &b->slot[b->n];
}

static void slot_done(struct stage2 *s)
{
	struct batch *b = s->cur;

	b->n++;
	if (b->n == BATCH_EVENTS || b->arena.used_total >= BATCH_ARENA)
		queue_cur(s);
}

/* The reader's next slot for a record from o: 0, -EINVAL outside
 * two-stage mode, -ECANCELED once a sink failed. */
static int claim_slot(struct rti_pipeline *p, const struct rti_origin *o, bool framing,
		      struct slot **out)
{
	struct stage2 *s = p->s2;
	struct slot *sl;

	if (!s)
		return -EINVAL;
	if (atomic_load(&s->failed))
		return -ECANCELED;
	sl = next_slot(s);
	sl->o = *o;
	sl->framing = framing;
	sl->rc = framing ? -EINVAL : 0;
	sl->decoded = 0;
	sl->raw = NULL;
	*out = sl;
	return 0;
}

int rti_pipeline_submit_json(struct rti_pipeline *p, const char *rec, size_t len,
			     const struct rti_origin *o)
{
	struct rti_arena *a;
	struct slot *sl;
	int err = claim_slot(p, o, false, &sl);

	if (err)
		return err;
	a = &p->s2->cur->arena;
	if (p->s2->cur->raw &&
	    (p->s2->handover == RTI_HANDOVER_ALWAYS || len <= HANDOVER_MAX_RECORD)) {
		/* the copy is outside the record's cap: bounded here, so that a
		 * batch in flight holds at most BATCH_ARENA + HANDOVER_MAX_RECORD
		 * of copies */
		char *c;

		a->max_total = a->used_total + len + 8;
		c = rti_arena_alloc(a, len ? len : 1);
		if (c) {
			memcpy(c, rec, len);
			sl->raw = c;
			sl->raw_len = len;
		}
	}
	if (!sl->raw)
		decode_slot(p, p->dec, a, sl, rec, len);
	slot_done(p->s2);
	return 0;
}

void rti_pipeline_set_handover(struct rti_pipeline *p, enum rti_handover h)
{
	if (p->s2)
		p->s2->handover = h;
}

int rti_pipeline_submit_error(struct rti_pipeline *p, const struct rti_origin *o,
			      const struct rti_diag *d)
{
	struct slot *sl;
	int err = claim_slot(p, o, true, &sl);

	if (err)
		return err;
	sl->d = *d;
	slot_done(p->s2);
	return 0;
}

void rti_pipeline_push_batch(struct rti_pipeline *p)
{
	struct stage2 *s = p->s2;

	if (s && s->cur && s->cur->n)
		queue_cur(s);
}

int rti_pipeline_drain(struct rti_pipeline *p)
{
	struct stage2 *s = p->s2;

	if (!s)
		return 0;
	if (s->cur && s->cur->n)
		queue_cur(s);
	s->cur = NULL;
	pthread_mutex_lock(&s->mu);
	while (s->written != s->queued)
		pthread_cond_wait(&s->freed, &s->mu);
	pthread_mutex_unlock(&s->mu);
	return atomic_load(&s->failed);
}

static void stage2_stop(struct rti_pipeline *p)
{
	struct stage2 *s = p->s2;

	if (!s)
		return;
	rti_pipeline_drain(p);
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_signal(&s->ready);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	stage2_free(s);
	p->s2 = NULL;
}
