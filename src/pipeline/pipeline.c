/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapt/canon_write.h"
#include "adapt/probe_map.h"
#include "privacy/privacy.h"
#include "rti/pipeline.h"
#include "stack/frames.h"
#include "tetragon/json_decode.h"
#include "tetragon/policy.h"
#include "util/arena.h"

#define MAX_SINKS 8

struct rti_pipeline {
	struct rti_json_decoder *dec;
	struct rti_arena arena;
	struct rti_policy_set policies;
	const struct rti_privacy *privacy;
	struct rti_privacy *own_privacy; /* when opened here by name */
	struct rti_clean_cache *clean;   /* strings secret detection found clean */
	struct rti_stack *stack;
	struct rti_buf line;
	struct {
		const struct rti_sink_ops *ops;
		void *ctx;
	} sinks[MAX_SINKS];
	int nsinks;
	struct rti_stats st;
};

struct rti_pipeline *rti_pipeline_new(const struct rti_pipeline_opts *o)
{
	struct rti_pipeline_opts def = { sizeof(def), NULL, 0, 0, 0, NULL, NULL };
	struct rti_pipeline *p;

	if (!o)
		o = &def;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	if (o->sz >= offsetof(struct rti_pipeline_opts, profile) + sizeof(o->profile) &&
	    o->profile) {
		p->privacy = o->profile;
	} else {
		char err[256];

		/* by name: built-ins other than "off" (which needs a flag) */
		p->own_privacy = rti_privacy_open(o->privacy, NULL, err, sizeof(err));
		if (!p->own_privacy) {
			int e = errno;

			free(p);
			errno = e;
			return NULL;
		}
		p->privacy = p->own_privacy;
	}
	p->clean = calloc(1, sizeof(*p->clean));
	p->dec = rti_json_decoder_new(o->max_tokens ? o->max_tokens : (1u << 20));
	p->stack = rti_stack_new(o->frame_cache ? o->frame_cache : 4096,
				 o->sz >= offsetof(struct rti_pipeline_opts, symbolize) +
						  sizeof(o->symbolize) ? o->symbolize : NULL);
	rti_arena_init(&p->arena, 64 * 1024, o->arena_max ? o->arena_max : (64u << 20));
	rti_policy_set_init(&p->policies);
	rti_buf_init(&p->line, 64u << 20);
	if (!p->dec || !p->stack || !p->clean) {
		rti_pipeline_free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

void rti_pipeline_free(struct rti_pipeline *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nsinks; i++)
		if (p->sinks[i].ops->destroy)
			p->sinks[i].ops->destroy(p->sinks[i].ctx);
	rti_json_decoder_free(p->dec);
	rti_stack_free(p->stack);
	rti_arena_release(&p->arena);
	rti_policy_set_release(&p->policies);
	rti_buf_release(&p->line);
	rti_privacy_free(p->own_privacy);
	free(p->clean);
	free(p);
}

int rti_pipeline_add_policy(struct rti_pipeline *p, const char *path, char *err,
			    size_t errlen)
{
	return rti_policy_set_load(&p->policies, path, err, errlen);
}

int rti_pipeline_add_sink(struct rti_pipeline *p, const struct rti_sink_ops *ops,
			  void *ctx)
{
	if (p->nsinks >= MAX_SINKS)
		return -E2BIG;
	p->sinks[p->nsinks].ops = ops;
	p->sinks[p->nsinks].ctx = ctx;
	p->nsinks++;
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

int rti_pipeline_feed_event(struct rti_pipeline *p, const struct rti_event *ev,
			    struct rti_diag *d)
{
	struct rti_canon cn;
	struct rti_event fev; /* what privacy lets through: all later stages read it */
	struct rti_pv pv;
	struct rti_time ev_time = ev->time;
	bool by_policy;
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
	if (!ev->time.set) {
		/* Old exports (Tetragon's own testdata) lack the response time.
		 * An exec happens at the process start time and an exit at its
		 * exit time, so those two kinds have an exact fallback; any other
		 * event without a time cannot be placed and is rejected. */
		const struct rti_time *alt = NULL;

		if (ev->kind == RTI_KIND_EXEC && ev->process.start_time.set)
			alt = &ev->process.start_time;
		else if (ev->kind == RTI_KIND_EXIT && ev->exit_time.set)
			alt = &ev->exit_time;
		if (!alt) {
			p->st.kind_in[ev->kind]--;
			return bad(p, d, "time: missing (GetEventsResponse.time is required)");
		}
		ev_time = *alt;
		p->st.time_fallback++;
	}
	memset(&cn, 0, sizeof(cn));
	cn.time = ev_time;
	cn.probe = rti_probe_map(ev, &p->policies, &by_policy);
	if (by_policy)
		p->st.by_policy++;
	pv.p = p->privacy;
	pv.cn = &cn;
	pv.a = &p->arena;
	pv.secrets = p->st.secrets;
	pv.clean = p->clean;
	pv.err = 0;
	err = rti_privacy_apply(&pv, ev, &fev);
	if (err)
		return bad(p, d, err == -ENOBUFS ? "event too large for the event arena"
						 : "privacy: HMAC failed (libcrypto)");
	if (ev->kind == RTI_KIND_UPROBE || ev->kind == RTI_KIND_USDT) {
		/* the same code_id as frames of that module (spec §3, §6) */
		cn.probe_code_id = rti_stack_module_code_id(p->stack, ev, cn.probe_module,
							    &p->arena);
		if (!cn.probe_code_id && errno == ENOBUFS)
			return bad(p, d, "event too large for the event arena");
	}
	if (ev->process.has_pod)
		rti_image_digest(ev->process.pod.image_id, cn.image_digest);
	err = rti_stack_canonicalize(p->stack, &pv, ev, &p->arena, &cn);
	if (err)
		return bad(p, d, "stack too large for the event arena");
	rti_buf_reset(&p->line);
	err = rti_canon_write(&fev, &cn, &p->line);
	if (err)
		return bad(p, d, err == -ENOBUFS ? "canonical event larger than 64 MiB"
						   : "internal error: canonical writer");
	for (int i = 0; i < p->nsinks; i++) {
		err = p->sinks[i].ops->event(p->sinks[i].ctx, &fev, &cn, p->line.p,
					     p->line.len);
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

int rti_pipeline_feed_json(struct rti_pipeline *p, const char *rec, size_t len,
			   struct rti_diag *d)
{
	struct rti_event ev;
	struct rti_decode_error de;
	int rc;

	p->st.records++;
	rti_arena_reset(&p->arena);
	if (rti_json_decode(p->dec, rec, len, &p->arena, &ev, &de)) {
		snprintf(d->msg, sizeof(d->msg), "%s", de.msg);
		d->offset = de.offset;
		p->st.bad_records++;
		return -EINVAL;
	}
	rc = rti_pipeline_feed_event(p, &ev, d);
	return rc;
}

int rti_pipeline_flush(struct rti_pipeline *p)
{
	int rc = 0;

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
