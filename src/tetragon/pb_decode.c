/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "tetragon/events.pb-c.h"
#include "tetragon/jstr.h"
#include "tetragon/pb_decode.h"

/* Timestamp range of google.protobuf.Timestamp: 0001-01-01 .. 9999-12-31. */
#define TS_MIN_SEC (-62135596800LL)
#define TS_MAX_SEC 253402300799LL

struct pctx {
	struct rti_arena *a;
	struct rti_decode_error *err;
};

static void *pa_alloc(void *data, size_t size)
{
	return rti_arena_alloc(data, size ? size : 1);
}

static void pa_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr; /* the arena is reset per message */
}

/* Field paths are only put together when there is an error to report:
 * "where" may hold a second part after a '\n' ("process_kprobe\nparent"). */
static int fail(struct pctx *c, const char *where, const char *field, const char *why)
{
	const char *nl = strchr(where, '\n');
	int wl = nl ? (int)(nl - where) : (int)strlen(where);
	const char *sub = nl ? nl + 1 : "";

	snprintf(c->err->msg, sizeof(c->err->msg), "%.*s%s%s%s%s: %s", wl, where,
		 *sub ? "." : "", sub, field ? "." : "", field ? field : "", why);
	c->err->offset = 0;
	return -1;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * Length of s, and whether it is all ASCII, 8 bytes at a time. protobuf-c
 * allocates every string from our arena, 8-byte aligned with its size
 * rounded up to 8, so whole-word reads stay inside the allocation.
 */
static size_t scan_ascii(const char *s, bool *ascii)
{
	const uint64_t lo = 0x0101010101010101ull;
	const uint64_t hi = 0x8080808080808080ull;
	uint64_t acc = 0;
	size_t i = 0;

	for (;;) {
		uint64_t w;
		uint64_t z;

		memcpy(&w, s + i, sizeof(w));
		/* the lowest flagged byte is the first NUL (later ones may be
		 * false positives, never earlier ones) */
		z = (w - lo) & ~w & hi;
		if (z) {
			size_t k = (size_t)__builtin_ctzll(z) / 8;

			if (k)
				acc |= w & (~0ull >> (64 - 8 * k));
			*ascii = !(acc & hi);
			return i + k;
		}
		acc |= w;
		i += 8;
	}
}
#define HAVE_SCAN_ASCII 1
#endif

/* Empty is absent (protobuf cannot tell them apart); text must be UTF-8.
 * s is a string protobuf-c unpacked into the arena. */
static int str(struct pctx *c, const char *where, const char *field, const char *s,
	       const char **out)
{
	size_t n;
	bool ascii = false;

	if (!s || !*s) {
		*out = NULL;
		return 0;
	}
#ifdef HAVE_SCAN_ASCII
	if (((uintptr_t)s & 7) == 0)
		n = scan_ascii(s, &ascii);
	else
#endif
		n = strlen(s);
	if (!ascii && !rti_utf8_valid(s, n))
		return fail(c, where, field, "invalid UTF-8 in string");
	*out = s;
	return 0;
}

static int ts(struct pctx *c, const char *where, const char *field,
	      const Google__Protobuf__Timestamp *t, struct rti_time *out)
{
	if (!t)
		return 0;
	if (t->seconds < TS_MIN_SEC || t->seconds > TS_MAX_SEC)
		return fail(c, where, field, "timestamp seconds out of range");
	if (t->nanos < 0 || t->nanos > 999999999)
		return fail(c, where, field, "timestamp nanos out of range");
	out->sec = t->seconds;
	out->nsec = (uint32_t)t->nanos;
	out->set = true;
	return 0;
}

static void u32w(const Google__Protobuf__UInt32Value *w, uint32_t *v, bool *has)
{
	if (!w)
		return;
	*v = w->value;
	*has = true;
}

/* protojson prints an enum by name, an unknown value as a number, and
 * omits the zero value of a plain (non-oneof) field. */
static const char *enum_text(struct pctx *c, const ProtobufCEnumDescriptor *d, int v,
			     bool zero_absent)
{
	const ProtobufCEnumValue *ev;
	char num[16];
	int n;

	if (v == 0 && zero_absent)
		return NULL;
	ev = protobuf_c_enum_descriptor_get_value(d, v);
	if (ev)
		return ev->name;
	n = snprintf(num, sizeof(num), "%d", v);
	return rti_arena_strndup(c->a, num, (size_t)n);
}

/* Map entries and EnvVar share one layout: a message header, then the key
 * and value strings. Empty stays "" (a label may be empty). */
struct pb_kv {
	ProtobufCMessage base;
	char *key;
	char *value;
};

#define PB_KV_LAYOUT(T)                                                              \
	_Static_assert(offsetof(T, key) == offsetof(struct pb_kv, key) &&            \
			       offsetof(T, value) == offsetof(struct pb_kv, value) &&   \
			       sizeof(((T *)0)->key) == sizeof(char *),                 \
		       #T " is laid out as struct pb_kv")
PB_KV_LAYOUT(Tetragon__EnvVar);
PB_KV_LAYOUT(Tetragon__Pod__PodLabelsEntry);
PB_KV_LAYOUT(Tetragon__Pod__PodAnnotationsEntry);

static int kv_map(struct pctx *c, const char *w, const char *field, void *const *in,
		  size_t n, const struct rti_kv **out, unsigned *nout)
{
	struct rti_kv *kv;

	if (!n)
		return 0;
	kv = rti_arena_alloc(c->a, sizeof(*kv) * n);
	if (!kv)
		return fail(c, w, field, "map too large for the event arena");
	for (size_t i = 0; i < n; i++) {
		const struct pb_kv *e = in[i];

		if (str(c, w, field, e->key, &kv[i].key) ||
		    str(c, w, field, e->value, &kv[i].value))
			return -1;
		if (!kv[i].key)
			kv[i].key = "";
		if (!kv[i].value)
			kv[i].value = "";
	}
	*out = kv;
	*nout = (unsigned)n;
	return 0;
}

static int dec_pod(struct pctx *c, const char *w, const Tetragon__Pod *pod,
		   struct rti_pod *p)
{
	if (str(c, w, "pod.namespace", pod->namespace_, &p->namespace_) ||
	    str(c, w, "pod.name", pod->name, &p->name) ||
	    str(c, w, "pod.workload", pod->workload, &p->workload) ||
	    str(c, w, "pod.workload_kind", pod->workload_kind, &p->workload_kind))
		return -1;
	if (kv_map(c, w, "pod.pod_labels", (void *const *)pod->pod_labels, pod->n_pod_labels,
		   &p->labels, &p->n_labels) ||
	    kv_map(c, w, "pod.pod_annotations", (void *const *)pod->pod_annotations,
		   pod->n_pod_annotations, &p->annotations, &p->n_annotations))
		return -1;
	if (pod->container) {
		const Tetragon__Container *ct = pod->container;

		if (str(c, w, "pod.container.id", ct->id, &p->container_id) ||
		    str(c, w, "pod.container.name", ct->name, &p->container_name))
			return -1;
		if (ct->image &&
		    (str(c, w, "pod.container.image.id", ct->image->id, &p->image_id) ||
		     str(c, w, "pod.container.image.name", ct->image->name, &p->image_name)))
			return -1;
	}
	return 0;
}

static int dec_process(struct pctx *c, const char *w, const Tetragon__Process *pr,
		       struct rti_process *p)
{
	if (!pr)
		return 0;
	p->present = true;
	if (str(c, w, "exec_id", pr->exec_id, &p->exec_id) ||
	    str(c, w, "parent_exec_id", pr->parent_exec_id, &p->parent_exec_id) ||
	    str(c, w, "binary", pr->binary, &p->binary) ||
	    str(c, w, "cwd", pr->cwd, &p->cwd) ||
	    str(c, w, "arguments", pr->arguments, &p->arguments) ||
	    str(c, w, "docker", pr->docker, &p->docker) ||
	    ts(c, w, "start_time", pr->start_time, &p->start_time))
		return -1;
	u32w(pr->pid, &p->pid, &p->has_pid);
	u32w(pr->tid, &p->tid, &p->has_tid);
	u32w(pr->uid, &p->uid, &p->has_uid);
	u32w(pr->auid, &p->auid, &p->has_auid);
	if (pr->user && str(c, w, "user.name", pr->user->name, &p->user_name))
		return -1;
	if (pr->pod) {
		p->has_pod = true;
		if (dec_pod(c, w, pr->pod, &p->pod))
			return -1;
	}
	if (kv_map(c, w, "environment_variables", (void *const *)pr->environment_variables,
		   pr->n_environment_variables, &p->env, &p->n_env))
		return -1;
	p->has_caps = pr->cap != NULL;
	p->has_credentials = pr->process_credentials || pr->binary_properties;
	p->has_ns = pr->ns != NULL;
	return 0;
}

static int dec_stack(struct pctx *c, const char *w, const char *field,
		     Tetragon__StackTraceEntry *const *in, size_t n,
		     struct rti_stack_entry **out, unsigned *nout)
{
	struct rti_stack_entry *e;

	if (!n)
		return 0;
	e = rti_arena_alloc(c->a, sizeof(*e) * n);
	if (!e)
		return fail(c, w, field, "stack too large for the event arena");
	for (size_t i = 0; i < n; i++) {
		e[i].address = in[i]->address;
		e[i].offset = in[i]->offset;
		if (str(c, w, field, in[i]->symbol, &e[i].symbol) ||
		    str(c, w, field, in[i]->module, &e[i].module))
			return -1;
	}
	*out = e;
	*nout = (unsigned)n;
	return 0;
}

static int dec_arg(struct pctx *c, const char *w, const Tetragon__KprobeArgument *in,
		   struct rti_arg *a)
{
	const ProtobufCFieldDescriptor *fd;
	const char *text = NULL;

	memset(a, 0, sizeof(*a));
	if (in->arg_case == TETRAGON__KPROBE_ARGUMENT__ARG__NOT_SET)
		return 0;
	fd = protobuf_c_message_descriptor_get_field(&tetragon__kprobe_argument__descriptor,
						     (unsigned)in->arg_case);
	a->type_name = fd ? fd->name : NULL;
	switch (in->arg_case) {
	case TETRAGON__KPROBE_ARGUMENT__ARG_INT_ARG:
		a->type = RTI_ARG_INT;
		a->ival = in->int_arg;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_LONG_ARG:
		a->type = RTI_ARG_INT;
		a->ival = in->long_arg;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_UINT_ARG:
		a->type = RTI_ARG_INT;
		a->is_unsigned = true;
		a->ival = in->uint_arg;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_SIZE_ARG:
		a->type = RTI_ARG_INT;
		a->is_unsigned = true;
		a->ival = (int64_t)in->size_arg;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_SOCK_ARG:
		a->type = RTI_ARG_SOCK;
		if (str(c, w, "sock_arg.family", in->sock_arg->family, &a->family) ||
		    str(c, w, "sock_arg.type", in->sock_arg->type, &a->sock_type) ||
		    str(c, w, "sock_arg.protocol", in->sock_arg->protocol, &a->protocol))
			return -1;
		a->sport = in->sock_arg->sport;
		a->dport = in->sock_arg->dport;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_SKB_ARG:
		a->type = RTI_ARG_SOCK;
		if (str(c, w, "skb_arg.family", in->skb_arg->family, &a->family) ||
		    str(c, w, "skb_arg.protocol", in->skb_arg->protocol, &a->protocol))
			return -1;
		a->sport = in->skb_arg->sport;
		a->dport = in->skb_arg->dport;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_SOCKADDR_ARG:
		a->type = RTI_ARG_SOCK;
		if (str(c, w, "sockaddr_arg.family", in->sockaddr_arg->family, &a->family))
			return -1;
		a->dport = in->sockaddr_arg->port;
		break;
	case TETRAGON__KPROBE_ARGUMENT__ARG_FILE_ARG:
		a->type = RTI_ARG_FILE;
		return str(c, w, "file_arg.path", in->file_arg->path, &a->text);
	case TETRAGON__KPROBE_ARGUMENT__ARG_PATH_ARG:
		a->type = RTI_ARG_FILE;
		return str(c, w, "path_arg.path", in->path_arg->path, &a->text);
	case TETRAGON__KPROBE_ARGUMENT__ARG_LINUX_BINPRM_ARG:
		a->type = RTI_ARG_FILE;
		return str(c, w, "linux_binprm_arg.path", in->linux_binprm_arg->path, &a->text);
	case TETRAGON__KPROBE_ARGUMENT__ARG_BYTES_ARG:
	case TETRAGON__KPROBE_ARGUMENT__ARG_TRUNCATED_BYTES_ARG:
		a->type = RTI_ARG_BYTES;
		break;
	/* members that protojson prints as a JSON string */
	case TETRAGON__KPROBE_ARGUMENT__ARG_STRING_ARG:
		text = in->string_arg;
		goto string;
	case TETRAGON__KPROBE_ARGUMENT__ARG_KERNEL_CAP_T_ARG:
		text = in->kernel_cap_t_arg;
		goto string;
	case TETRAGON__KPROBE_ARGUMENT__ARG_CAP_INHERITABLE_ARG:
		text = in->cap_inheritable_arg;
		goto string;
	case TETRAGON__KPROBE_ARGUMENT__ARG_CAP_PERMITTED_ARG:
		text = in->cap_permitted_arg;
		goto string;
	case TETRAGON__KPROBE_ARGUMENT__ARG_CAP_EFFECTIVE_ARG:
		text = in->cap_effective_arg;
		goto string;
	case TETRAGON__KPROBE_ARGUMENT__ARG_BPF_CMD_ARG: {
		const ProtobufCEnumValue *ev =
			protobuf_c_enum_descriptor_get_value(&tetragon__bpf_cmd__descriptor,
							     (int)in->bpf_cmd_arg);

		/* an unknown value prints as a number: not a string */
		if (!ev) {
			a->type = RTI_ARG_OTHER;
			break;
		}
		/* our own static ASCII name: nothing to check (and str() reads
		 * whole words, which only arena strings allow) */
		a->type = RTI_ARG_STRING;
		a->text = ev->name;
		break;
	}
	default:
		a->type = RTI_ARG_OTHER;
		break;
	}
	return 0;
string:
	a->type = RTI_ARG_STRING;
	return str(c, w, a->type_name, text, &a->text);
}

static int dec_args(struct pctx *c, const char *w, Tetragon__KprobeArgument *const *in,
		    size_t n, struct rti_arg **out, unsigned *nout)
{
	struct rti_arg *a;

	if (!n)
		return 0;
	a = rti_arena_alloc(c->a, sizeof(*a) * n);
	if (!a)
		return fail(c, w, "args", "arguments too large for the event arena");
	for (size_t i = 0; i < n; i++)
		if (dec_arg(c, w, in[i], &a[i]))
			return -1;
	*out = a;
	*nout = (unsigned)n;
	return 0;
}

/* The members shared by the process_* bodies. */
struct body {
	const char *wp, *wpp; /* error paths: "<kind>\nprocess", "<kind>\nparent" */
	const Tetragon__Process *process, *parent;
	size_t n_ancestors;
	const char *policy_name;
	const char *message;
	int action;
	bool has_action;
	Tetragon__KprobeArgument *const *args;
	size_t n_args;
	size_t n_data;
	size_t n_tags;
};

static int dec_common(struct pctx *c, const char *w, const struct body *b,
		      struct rti_event *ev)
{
	if (dec_process(c, b->wp, b->process, &ev->process) ||
	    dec_process(c, b->wpp, b->parent, &ev->parent))
		return -1;
	ev->n_ancestors = (unsigned)b->n_ancestors;
	if (str(c, w, "policy_name", b->policy_name, &ev->policy_name) ||
	    str(c, w, "message", b->message, &ev->message))
		return -1;
	if (b->has_action)
		ev->action = enum_text(c, &tetragon__kprobe_action__descriptor, b->action, true);
	ev->n_data = (unsigned)b->n_data;
	ev->n_tags = (unsigned)b->n_tags;
	return dec_args(c, w, b->args, b->n_args, &ev->args, &ev->n_args);
}

/* The process fields every process event has, and their wire paths. */
#define BODY_PROCESSES(b, x, kind_name)                         \
	do {                                                    \
		(b)->process = (x)->process;                    \
		(b)->parent = (x)->parent;                      \
		(b)->n_ancestors = (x)->n_ancestors;            \
		(b)->wp = kind_name "\nprocess";                \
		(b)->wpp = kind_name "\nparent";                \
	} while (0)

/* The policy fields of the probe events. */
#define BODY_POLICY(b, x)                                \
	do {                                             \
		(b)->policy_name = (x)->policy_name;     \
		(b)->message = (x)->message;             \
		(b)->action = (int)(x)->action;          \
		(b)->has_action = true;                  \
		(b)->args = (x)->args;                   \
		(b)->n_args = (x)->n_args;               \
		(b)->n_tags = (x)->n_tags;               \
	} while (0)

/* Each dec_<kind> decodes its own fields first, then the common ones, in
 * that order: the first error found is the one reported. */

static int dec_exec(struct pctx *c, const Tetragon__ProcessExec *x, struct body *b,
		    struct rti_event *ev)
{
	ev->kind = RTI_KIND_EXEC;
	BODY_PROCESSES(b, x, "process_exec");
	return dec_common(c, "process_exec", b, ev);
}

static int dec_exit(struct pctx *c, const Tetragon__ProcessExit *x, struct body *b,
		    struct rti_event *ev)
{
	static const char w[] = "process_exit";

	ev->kind = RTI_KIND_EXIT;
	BODY_PROCESSES(b, x, "process_exit");
	ev->exit_status = x->status;
	if (str(c, w, "signal", x->signal, &ev->exit_signal) ||
	    ts(c, w, "time", x->time, &ev->exit_time))
		return -1;
	return dec_common(c, w, b, ev);
}

static int dec_kprobe(struct pctx *c, const Tetragon__ProcessKprobe *x, struct body *b,
		      struct rti_event *ev)
{
	static const char w[] = "process_kprobe";

	ev->kind = RTI_KIND_KPROBE;
	BODY_PROCESSES(b, x, "process_kprobe");
	BODY_POLICY(b, x);
	b->n_data = x->n_data;
	if (str(c, w, "function_name", x->function_name, &ev->function))
		return -1;
	if (x->return_) {
		ev->has_return = true;
		if (dec_arg(c, "process_kprobe.return", x->return_, &ev->ret))
			return -1;
	}
	if (dec_stack(c, w, "kernel_stack_trace", x->kernel_stack_trace,
		      x->n_kernel_stack_trace, &ev->kstack, &ev->n_kstack) ||
	    dec_stack(c, w, "user_stack_trace", x->user_stack_trace,
		      x->n_user_stack_trace, &ev->ustack, &ev->n_ustack))
		return -1;
	return dec_common(c, w, b, ev);
}

static int dec_tracepoint(struct pctx *c, const Tetragon__ProcessTracepoint *x,
			  struct body *b, struct rti_event *ev)
{
	static const char w[] = "process_tracepoint";

	ev->kind = RTI_KIND_TRACEPOINT;
	BODY_PROCESSES(b, x, "process_tracepoint");
	BODY_POLICY(b, x);
	if (str(c, w, "subsys", x->subsys, &ev->subsys) ||
	    str(c, w, "event", x->event, &ev->tp_event))
		return -1;
	return dec_common(c, w, b, ev);
}

static int dec_loader(struct pctx *c, const Tetragon__ProcessLoader *x, struct body *b,
		      struct rti_event *ev)
{
	static const char w[] = "process_loader";

	ev->kind = RTI_KIND_LOADER;
	BODY_PROCESSES(b, x, "process_loader");
	if (str(c, w, "path", x->path, &ev->path))
		return -1;
	if (x->buildid.len) {
		ev->build_id = x->buildid.data;
		ev->build_id_len = x->buildid.len;
	}
	return dec_common(c, w, b, ev);
}

static int dec_uprobe(struct pctx *c, const Tetragon__ProcessUprobe *x, struct body *b,
		      struct rti_event *ev)
{
	static const char w[] = "process_uprobe";

	ev->kind = RTI_KIND_UPROBE;
	BODY_PROCESSES(b, x, "process_uprobe");
	BODY_POLICY(b, x);
	b->n_data = x->n_data;
	if (str(c, w, "path", x->path, &ev->path) ||
	    str(c, w, "symbol", x->symbol, &ev->function))
		return -1;
	/* proto3: an offset of 0 is not on the wire, nor in protojson */
	ev->offset = x->offset;
	ev->has_offset = x->offset != 0;
	return dec_common(c, w, b, ev);
}

static int dec_throttle(struct pctx *c, const Tetragon__ProcessThrottle *x, struct rti_event *ev)
{
	ev->kind = RTI_KIND_THROTTLE;
	ev->throttle_type = enum_text(c, &tetragon__throttle_type__descriptor, (int)x->type, true);
	return str(c, "process_throttle", "cgroup", x->cgroup, &ev->cgroup);
}

static int dec_lsm(struct pctx *c, const Tetragon__ProcessLsm *x, struct body *b,
		   struct rti_event *ev)
{
	static const char w[] = "process_lsm";

	ev->kind = RTI_KIND_LSM;
	BODY_PROCESSES(b, x, "process_lsm");
	BODY_POLICY(b, x);
	if (str(c, w, "function_name", x->function_name, &ev->function) ||
	    str(c, w, "ima_hash", x->ima_hash, &ev->ima_hash))
		return -1;
	return dec_common(c, w, b, ev);
}

static int dec_usdt(struct pctx *c, const Tetragon__ProcessUsdt *x, struct body *b,
		    struct rti_event *ev)
{
	static const char w[] = "process_usdt";

	ev->kind = RTI_KIND_USDT;
	BODY_PROCESSES(b, x, "process_usdt");
	BODY_POLICY(b, x);
	if (str(c, w, "path", x->path, &ev->path) ||
	    str(c, w, "provider", x->provider, &ev->provider) ||
	    str(c, w, "name", x->name, &ev->usdt_name))
		return -1;
	return dec_common(c, w, b, ev);
}

/* No known member: an unknown length-delimited field is most likely a
 * oneof member added after our protos (new event kinds are messages). */
static int dec_unknown(struct pctx *c, const Tetragon__GetEventsResponse *r,
		       struct rti_event *ev)
{
	for (unsigned i = 0; i < r->base.n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *u = &r->base.unknown_fields[i];
		char name[24];
		int n;

		if (u->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
			continue;
		n = snprintf(name, sizeof(name), "field_%" PRIu32, u->tag);
		ev->kind = RTI_KIND_UNKNOWN;
		ev->unknown_kind = rti_arena_strndup(c->a, name, (size_t)n);
		return 0;
	}
	return fail(c, "record", NULL, "no event kind in record");
}

static int dec_event(struct pctx *c, const Tetragon__GetEventsResponse *r,
		     struct rti_event *ev)
{
	struct body b;

	memset(&b, 0, sizeof(b));
	switch (r->event_case) {
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_EXEC:
		return dec_exec(c, r->process_exec, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_EXIT:
		return dec_exit(c, r->process_exit, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_KPROBE:
		return dec_kprobe(c, r->process_kprobe, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_TRACEPOINT:
		return dec_tracepoint(c, r->process_tracepoint, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_LOADER:
		return dec_loader(c, r->process_loader, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_UPROBE:
		return dec_uprobe(c, r->process_uprobe, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_THROTTLE:
		return dec_throttle(c, r->process_throttle, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_LSM:
		return dec_lsm(c, r->process_lsm, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_USDT:
		return dec_usdt(c, r->process_usdt, &b, ev);
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_TEST:
		ev->kind = RTI_KIND_TEST;
		return 0;
	case TETRAGON__GET_EVENTS_RESPONSE__EVENT_RATE_LIMIT_INFO:
		ev->kind = RTI_KIND_RATE_LIMIT_INFO;
		ev->dropped_events = r->rate_limit_info->number_of_dropped_process_events;
		return 0;
	default:
		return dec_unknown(c, r, ev);
	}
}

int rti_pb_decode(const uint8_t *buf, size_t len, struct rti_arena *arena,
		  struct rti_event *ev, struct rti_decode_error *err)
{
	ProtobufCAllocator al = { pa_alloc, pa_free, arena };
	Tetragon__GetEventsResponse *r;
	struct pctx c = { arena, err };

	memset(ev, 0, sizeof(*ev));
	err->msg[0] = '\0';
	err->offset = 0;
	errno = 0;
	r = tetragon__get_events_response__unpack(&al, len, buf);
	if (!r) {
		snprintf(err->msg, sizeof(err->msg), "%s",
			 errno == ENOBUFS ? "message too large for the event arena"
					  : "malformed protobuf GetEventsResponse");
		return -1;
	}
	if (str(&c, "node_name", NULL, r->node_name, &ev->node_name) ||
	    str(&c, "cluster_name", NULL, r->cluster_name, &ev->cluster_name) ||
	    ts(&c, "time", NULL, r->time, &ev->time))
		return -1;
	ev->n_node_labels = (unsigned)r->n_node_labels;
	return dec_event(&c, r, ev);
}
