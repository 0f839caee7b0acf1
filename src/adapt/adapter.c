/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adapt/adapter.h"
#include "adapt/canon_write.h"
#include "adapt/probe_map.h"

#define HMAC_FAILED "privacy: HMAC failed (libcrypto)"

/* The stack stage's questions, answered by the privacy filter. */
static int filter_frame_part(void *ctx, enum rti_frame_part part, const char *s,
			     const char **out)
{
	struct rti_privacy_run *run = ctx;

	switch (part) {
	case RTI_FRAME_USER_MODULE:
		*out = rti_privacy_filter_field(run, RTI_FIELD_STACK_MODULE, s);
		break;
	case RTI_FRAME_KERNEL_MODULE:
		*out = rti_privacy_scan(run, RTI_FIELD_STACK_MODULE, s);
		break;
	case RTI_FRAME_SYMBOL:
		*out = rti_privacy_scan(run, RTI_FIELD_STACK_SYMBOL, s);
		break;
	default:
		/* a part added later is text until said otherwise: the full
		 * scan, not the code identifiers' */
		*out = rti_privacy_scan(run, RTI_FIELD_STACK_MODULE, s);
		break;
	}
	return run->err;
}

int rti_adapter_init(struct rti_adapter *ad, const struct rti_privacy *profile,
		     struct rti_stack *stack, struct rti_stats *st)
{
	memset(ad, 0, sizeof(*ad));
	rti_policy_set_init(&ad->policies);
	ad->privacy.profile = profile;
	ad->privacy.secrets = st->secrets;
	ad->privacy.clean = calloc(1, sizeof(*ad->privacy.clean));
	if (!ad->privacy.clean)
		return -ENOMEM;
	ad->frame_filter.filter = filter_frame_part;
	ad->frame_filter.ctx = &ad->privacy;
	/* the memo replays what the stack's strings mark and count */
	ad->frame_filter.marks = &ad->privacy.redacted;
	ad->frame_filter.counters = st->secrets;
	ad->stack = stack;
	ad->st = st;
	return 0;
}

void rti_adapter_release(struct rti_adapter *ad)
{
	rti_policy_set_release(&ad->policies);
	free(ad->privacy.clean);
	ad->privacy.clean = NULL;
}

int rti_adapter_load_policy(struct rti_adapter *ad, const char *path, char *err,
			    size_t errlen)
{
	return rti_policy_set_load(&ad->policies, path, err, errlen);
}

/*
 * The event's time. Old exports (Tetragon's own testdata) lack the
 * response time. An exec happens at the process start time and an exit at
 * its exit time, so those two kinds have an exact fallback; any other
 * event without a time cannot be placed and is rejected.
 */
static int event_time(struct rti_adapter *ad, const struct rti_event *ev, struct rti_time *t)
{
	if (ev->time.set) {
		*t = ev->time;
		return 0;
	}
	if (ev->kind == RTI_KIND_EXEC && ev->process.start_time.set)
		*t = ev->process.start_time;
	else if (ev->kind == RTI_KIND_EXIT && ev->exit_time.set)
		*t = ev->exit_time;
	else
		return -EINVAL;
	ad->st->time_fallback++;
	return 0;
}

/* Only -ENOBUFS means the arena is full; privacy's other error is its HMAC. */
static const char *failure(int err, const char *arena_full)
{
	return err == -ENOBUFS ? arena_full : HMAC_FAILED;
}

int rti_adapt_event(struct rti_adapter *ad, const struct rti_event *in, struct rti_arena *a,
		    struct rti_event *filtered, struct rti_canon *cn, const char **why)
{
	struct rti_privacy_run *run = &ad->privacy;
	bool by_policy;
	int err;

	memset(cn, 0, sizeof(*cn));
	if (event_time(ad, in, &cn->time)) {
		*why = "time: missing (GetEventsResponse.time is required)";
		return -EINVAL;
	}
	cn->probe = rti_probe_map(in, &ad->policies, &by_policy);
	if (by_policy)
		ad->st->by_policy++;
	run->arena = a;
	err = ad->index_only ? rti_privacy_filter_index_fields(run, in, filtered)
			     : rti_privacy_filter_event(run, in, filtered);
	if (err) {
		*why = failure(err, "event too large for the event arena");
		return err;
	}
	cn->privacy_profile = rti_privacy_name(run->profile);
	cn->probe_module = filtered->path;
	if (in->kind == RTI_KIND_UPROBE || in->kind == RTI_KIND_USDT) {
		/* the same code_id as frames of that module (spec §3, §6) */
		cn->probe_code_id = rti_stack_module_code_id(ad->stack, in, cn->probe_module, a);
		if (!cn->probe_code_id && errno == ENOBUFS) {
			*why = "event too large for the event arena";
			return -ENOBUFS;
		}
	}
	if (in->process.has_pod)
		rti_image_digest(in->process.pod.image_id, cn->image_digest);
	err = rti_stack_canonicalize(ad->stack, &ad->frame_filter, in, a, cn);
	if (err) {
		*why = failure(err, "stack too large for the event arena");
		return err;
	}
	/* privacy's marks, the stack's included */
	cn->redacted = run->redacted;
	return 0;
}
