/* SPDX-License-Identifier: Apache-2.0 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grpc/event_encode.h"
#include "tetragon/events.pb-c.h"

struct ectx {
	struct rti_arena *a;
	int err;
};

/* Zeroed arena memory; remembers the failure so call sites stay short. */
static void *zalloc(struct ectx *e, size_t n)
{
	void *p = rti_arena_alloc(e->a, n ? n : 1);

	if (!p) {
		e->err = -ENOBUFS;
		return NULL;
	}
	memset(p, 0, n ? n : 1);
	return p;
}

/* protobuf-c wants char *; it only reads strings when packing. */
static char *s(const char *x)
{
	return (char *)(uintptr_t)(x ? x : protobuf_c_empty_string);
}

static void *new_msg(struct ectx *e, const ProtobufCMessageDescriptor *d)
{
	ProtobufCMessage *m = zalloc(e, d->sizeof_message);

	if (m)
		protobuf_c_message_init(d, m);
	return m;
}

static Google__Protobuf__Timestamp *ts(struct ectx *e, const struct rti_time *t)
{
	Google__Protobuf__Timestamp *m;

	if (!t->set)
		return NULL;
	m = new_msg(e, &google__protobuf__timestamp__descriptor);
	if (m) {
		m->seconds = t->sec;
		m->nanos = (int32_t)t->nsec;
	}
	return m;
}

static Google__Protobuf__UInt32Value *u32w(struct ectx *e, bool has, uint32_t v)
{
	Google__Protobuf__UInt32Value *m;

	if (!has)
		return NULL;
	m = new_msg(e, &google__protobuf__uint32_value__descriptor);
	if (m)
		m->value = v;
	return m;
}

/* n empty messages of type d (counted content the view does not keep). */
static void *empties(struct ectx *e, const ProtobufCMessageDescriptor *d, unsigned n)
{
	void **v;

	if (!n)
		return NULL;
	v = zalloc(e, sizeof(*v) * n);
	for (unsigned i = 0; v && i < n; i++)
		v[i] = new_msg(e, d);
	return v;
}

/* Map entries and EnvVar: a message header, then key and value strings. */
_Static_assert(offsetof(Tetragon__EnvVar, value) == offsetof(Tetragon__Pod__PodLabelsEntry, value) &&
		       offsetof(Tetragon__EnvVar, key) == offsetof(Tetragon__Pod__PodAnnotationsEntry, key),
	       "EnvVar and the map entries share one layout");
struct kv_entry {
	ProtobufCMessage base;
	char *key;
	char *value;
};

static void *kv_entries(struct ectx *e, const ProtobufCMessageDescriptor *d,
			const struct rti_kv *kv, unsigned n)
{
	struct kv_entry **v = empties(e, d, n);

	for (unsigned i = 0; v && i < n; i++) {
		if (!v[i])
			return NULL;
		v[i]->key = s(kv[i].key);
		v[i]->value = s(kv[i].value);
	}
	return v;
}

/* Node labels are only counted by the decoders (always withheld): entries
 * with distinct placeholder keys keep the count through a round trip. */
static void *map_entries(struct ectx *e, const ProtobufCMessageDescriptor *d, unsigned n)
{
	struct kv_entry **v = empties(e, d, n);

	for (unsigned i = 0; v && i < n; i++) {
		char *k = zalloc(e, 24);

		if (!k || !v[i])
			return NULL;
		snprintf(k, 24, "withheld-%u", i);
		v[i]->key = k;
	}
	return v;
}

static int enum_value(const ProtobufCEnumDescriptor *d, const char *name, int *out)
{
	const ProtobufCEnumValue *v;
	char *end;
	long n;

	if (!name)
		return -1;
	v = protobuf_c_enum_descriptor_get_value_by_name(d, name);
	if (v) {
		*out = v->value;
		return 0;
	}
	/* protojson prints unknown values as numbers */
	n = strtol(name, &end, 10);
	if (end == name || *end)
		return -1;
	*out = (int)n;
	return 0;
}

static Tetragon__Process *process(struct ectx *e, const struct rti_process *p)
{
	Tetragon__Process *m;

	if (!p->present)
		return NULL;
	m = new_msg(e, &tetragon__process__descriptor);
	if (!m)
		return NULL;
	m->exec_id = s(p->exec_id);
	m->parent_exec_id = s(p->parent_exec_id);
	m->binary = s(p->binary);
	m->cwd = s(p->cwd);
	m->arguments = s(p->arguments);
	m->docker = s(p->docker);
	m->pid = u32w(e, p->has_pid, p->pid);
	m->tid = u32w(e, p->has_tid, p->tid);
	m->uid = u32w(e, p->has_uid, p->uid);
	m->auid = u32w(e, p->has_auid, p->auid);
	m->start_time = ts(e, &p->start_time);
	if (p->user_name) {
		m->user = new_msg(e, &tetragon__user_record__descriptor);
		if (m->user)
			m->user->name = s(p->user_name);
	}
	if (p->has_pod) {
		const struct rti_pod *pd = &p->pod;
		Tetragon__Pod *pod = new_msg(e, &tetragon__pod__descriptor);

		m->pod = pod;
		if (!pod)
			return NULL;
		pod->namespace_ = s(pd->namespace_);
		pod->name = s(pd->name);
		pod->workload = s(pd->workload);
		pod->workload_kind = s(pd->workload_kind);
		pod->n_pod_labels = pd->n_labels;
		pod->pod_labels = kv_entries(e, &tetragon__pod__pod_labels_entry__descriptor,
					     pd->labels, pd->n_labels);
		pod->n_pod_annotations = pd->n_annotations;
		pod->pod_annotations =
			kv_entries(e, &tetragon__pod__pod_annotations_entry__descriptor,
				   pd->annotations, pd->n_annotations);
		if (pd->container_id || pd->container_name || pd->image_id || pd->image_name) {
			Tetragon__Container *ct = new_msg(e, &tetragon__container__descriptor);

			pod->container = ct;
			if (!ct)
				return NULL;
			ct->id = s(pd->container_id);
			ct->name = s(pd->container_name);
			if (pd->image_id || pd->image_name) {
				ct->image = new_msg(e, &tetragon__image__descriptor);
				if (ct->image) {
					ct->image->id = s(pd->image_id);
					ct->image->name = s(pd->image_name);
				}
			}
		}
	}
	m->n_environment_variables = p->n_env;
	m->environment_variables = kv_entries(e, &tetragon__env_var__descriptor, p->env,
					      p->n_env);
	if (p->has_caps)
		m->cap = new_msg(e, &tetragon__capabilities__descriptor);
	if (p->has_credentials)
		m->process_credentials = new_msg(e, &tetragon__process_credentials__descriptor);
	if (p->has_ns)
		m->ns = new_msg(e, &tetragon__namespaces__descriptor);
	return m;
}

static Tetragon__Process **processes(struct ectx *e, unsigned n)
{
	return empties(e, &tetragon__process__descriptor, n);
}

/* "intArg" -> "int_arg" (JSON input may use lowerCamelCase keys). */
static void snake(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in && o + 2 < outlen; in++) {
		if (isupper((unsigned char)*in)) {
			out[o++] = '_';
			out[o++] = (char)tolower((unsigned char)*in);
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static void set_field(void *msg, const ProtobufCFieldDescriptor *f, const void *val,
		      size_t n)
{
	memcpy((char *)msg + f->offset, val, n);
}

/* Fills a string member by name, when the message has it. */
static void set_str(void *msg, const ProtobufCMessageDescriptor *d, const char *name,
		    const char *v)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);
	char *sv = s(v);

	if (f && f->type == PROTOBUF_C_TYPE_STRING)
		set_field(msg, f, &sv, sizeof(sv));
}

static void set_u32(void *msg, const ProtobufCMessageDescriptor *d, const char *name,
		    uint32_t v)
{
	const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field_by_name(d, name);

	if (f && f->type == PROTOBUF_C_TYPE_UINT32)
		set_field(msg, f, &v, sizeof(v));
}

/* One KprobeArgument from what struct rti_arg kept: the oneof member by
 * name, its typed value, and for socket and file arguments the fields the
 * view holds. */
static Tetragon__KprobeArgument *arg(struct ectx *e, const struct rti_arg *a)
{
	const ProtobufCMessageDescriptor *ad = &tetragon__kprobe_argument__descriptor;
	Tetragon__KprobeArgument *m = new_msg(e, ad);
	const ProtobufCFieldDescriptor *f;
	char name[64];

	if (!m || !a->type_name)
		return m;
	snake(a->type_name, name, sizeof(name));
	f = protobuf_c_message_descriptor_get_field_by_name(ad, name);
	if (!f || !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
		return m; /* a member we do not know: an empty argument */
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32: {
		int32_t v = (int32_t)a->ival;

		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_UINT32: {
		uint32_t v = (uint32_t)a->ival;

		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64: {
		int64_t v = a->ival;

		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_STRING: {
		char *v = s(a->text);

		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int v = 0;

		if (enum_value(f->descriptor, a->text, &v))
			return m;
		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData v = { 0, NULL };

		set_field(m, f, &v, sizeof(v));
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessageDescriptor *sd = f->descriptor;
		void *sub = new_msg(e, sd);

		if (!sub)
			return NULL;
		if (a->type == RTI_ARG_SOCK) {
			set_str(sub, sd, "family", a->family);
			set_str(sub, sd, "type", a->sock_type);
			set_str(sub, sd, "protocol", a->protocol);
			set_u32(sub, sd, "sport", a->sport);
			set_u32(sub, sd, "dport", a->dport);
			set_u32(sub, sd, "port", a->dport);
		} else if (a->type == RTI_ARG_FILE) {
			set_str(sub, sd, "path", a->text);
		}
		set_field(m, f, &sub, sizeof(sub));
		break;
	}
	default:
		return m;
	}
	*(uint32_t *)(void *)((char *)m + f->quantifier_offset) = f->id;
	return m;
}

static Tetragon__KprobeArgument **args(struct ectx *e, const struct rti_arg *a, unsigned n)
{
	Tetragon__KprobeArgument **v;

	if (!n)
		return NULL;
	v = zalloc(e, sizeof(*v) * n);
	for (unsigned i = 0; v && i < n; i++)
		v[i] = arg(e, &a[i]);
	return v;
}

static Tetragon__KprobeArgument **empty_args(struct ectx *e, unsigned n)
{
	return empties(e, &tetragon__kprobe_argument__descriptor, n);
}

static char **empty_strs(struct ectx *e, unsigned n)
{
	char **v;

	if (!n)
		return NULL;
	v = zalloc(e, sizeof(*v) * n);
	for (unsigned i = 0; v && i < n; i++)
		v[i] = s(NULL);
	return v;
}

static Tetragon__StackTraceEntry **stack(struct ectx *e, const struct rti_stack_entry *in,
					 unsigned n)
{
	Tetragon__StackTraceEntry **v;

	if (!n)
		return NULL;
	v = zalloc(e, sizeof(*v) * n);
	for (unsigned i = 0; v && i < n; i++) {
		Tetragon__StackTraceEntry *m = new_msg(e, &tetragon__stack_trace_entry__descriptor);

		if (!m)
			return NULL;
		m->address = in[i].address;
		m->offset = in[i].offset;
		m->symbol = s(in[i].symbol);
		m->module = s(in[i].module);
		v[i] = m;
	}
	return v;
}

static int action(const char *name)
{
	int v = 0;

	if (enum_value(&tetragon__kprobe_action__descriptor, name, &v))
		return 0;
	return v;
}

/* The fields every process event has. */
#define SET_PROCESSES(e, x, ev)                                        \
	do {                                                           \
		(x)->process = process((e), &(ev)->process);           \
		(x)->parent = process((e), &(ev)->parent);             \
		(x)->n_ancestors = (ev)->n_ancestors;                  \
		(x)->ancestors = processes((e), (ev)->n_ancestors);    \
	} while (0)

/* The policy fields of the probe events (kprobe, tracepoint, uprobe, lsm, usdt). */
#define SET_POLICY(e, x, ev)                                                   \
	do {                                                                   \
		(x)->policy_name = s((ev)->policy_name);                       \
		(x)->message = s((ev)->message);                               \
		(x)->action = (Tetragon__KprobeAction)action((ev)->action);    \
		(x)->n_args = (ev)->n_args;                                    \
		(x)->args = args((e), (ev)->args, (ev)->n_args);               \
		(x)->n_tags = (ev)->n_tags;                                    \
		(x)->tags = empty_strs((e), (ev)->n_tags);                     \
	} while (0)

static void encode_exec(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessExec *x = new_msg(e, &tetragon__process_exec__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_EXEC;
	r->process_exec = x;
}

static void encode_exit(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessExit *x = new_msg(e, &tetragon__process_exit__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->signal = s(ev->exit_signal);
	x->status = ev->exit_status;
	x->time = ts(e, &ev->exit_time);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_EXIT;
	r->process_exit = x;
}

static void encode_kprobe(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessKprobe *x = new_msg(e, &tetragon__process_kprobe__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->function_name = s(ev->function);
	SET_POLICY(e, x, ev);
	if (ev->has_return)
		x->return_ = arg(e, &ev->ret);
	x->n_data = ev->n_data;
	x->data = empty_args(e, ev->n_data);
	x->n_kernel_stack_trace = ev->n_kstack;
	x->kernel_stack_trace = stack(e, ev->kstack, ev->n_kstack);
	x->n_user_stack_trace = ev->n_ustack;
	x->user_stack_trace = stack(e, ev->ustack, ev->n_ustack);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_KPROBE;
	r->process_kprobe = x;
}

static void encode_tracepoint(struct ectx *e, const struct rti_event *ev,
			      Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessTracepoint *x = new_msg(e, &tetragon__process_tracepoint__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->subsys = s(ev->subsys);
	x->event = s(ev->tp_event);
	SET_POLICY(e, x, ev);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_TRACEPOINT;
	r->process_tracepoint = x;
}

static void encode_loader(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessLoader *x = new_msg(e, &tetragon__process_loader__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->path = s(ev->path);
	x->buildid.data = (uint8_t *)(uintptr_t)ev->build_id;
	x->buildid.len = ev->build_id ? ev->build_id_len : 0;
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_LOADER;
	r->process_loader = x;
}

static void encode_uprobe(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessUprobe *x = new_msg(e, &tetragon__process_uprobe__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->path = s(ev->path);
	x->symbol = s(ev->function);
	x->offset = ev->has_offset ? ev->offset : 0;
	SET_POLICY(e, x, ev);
	x->n_data = ev->n_data;
	x->data = empty_args(e, ev->n_data);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_UPROBE;
	r->process_uprobe = x;
}

static void encode_throttle(struct ectx *e, const struct rti_event *ev,
			    Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessThrottle *x = new_msg(e, &tetragon__process_throttle__descriptor);
	int v = 0;

	if (!x)
		return;
	if (!enum_value(&tetragon__throttle_type__descriptor, ev->throttle_type, &v))
		x->type = (Tetragon__ThrottleType)v;
	x->cgroup = s(ev->cgroup);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_THROTTLE;
	r->process_throttle = x;
}

static void encode_lsm(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessLsm *x = new_msg(e, &tetragon__process_lsm__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->function_name = s(ev->function);
	x->ima_hash = s(ev->ima_hash);
	SET_POLICY(e, x, ev);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_LSM;
	r->process_lsm = x;
}

static void encode_usdt(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	Tetragon__ProcessUsdt *x = new_msg(e, &tetragon__process_usdt__descriptor);

	if (!x)
		return;
	SET_PROCESSES(e, x, ev);
	x->path = s(ev->path);
	x->provider = s(ev->provider);
	x->name = s(ev->usdt_name);
	SET_POLICY(e, x, ev);
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_PROCESS_USDT;
	r->process_usdt = x;
}

static void encode_rate_limit(struct ectx *e, const struct rti_event *ev,
			      Tetragon__GetEventsResponse *r)
{
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_RATE_LIMIT_INFO;
	r->rate_limit_info = new_msg(e, &tetragon__rate_limit_info__descriptor);
	if (r->rate_limit_info)
		r->rate_limit_info->number_of_dropped_process_events = ev->dropped_events;
}

static void encode_test(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r)
{
	(void)ev; /* a test event carries nothing */
	r->event_case = TETRAGON__GET_EVENTS_RESPONSE__EVENT_TEST;
	r->test = new_msg(e, &tetragon__test__descriptor);
}

typedef void (*encode_fn)(struct ectx *e, const struct rti_event *ev, Tetragon__GetEventsResponse *r);

/* One encoder per kind we can serve; NULL: not encodable. */
static const encode_fn encoders[RTI_KIND__COUNT] = {
	[RTI_KIND_EXEC] = encode_exec,
	[RTI_KIND_EXIT] = encode_exit,
	[RTI_KIND_KPROBE] = encode_kprobe,
	[RTI_KIND_TRACEPOINT] = encode_tracepoint,
	[RTI_KIND_LOADER] = encode_loader,
	[RTI_KIND_UPROBE] = encode_uprobe,
	[RTI_KIND_THROTTLE] = encode_throttle,
	[RTI_KIND_LSM] = encode_lsm,
	[RTI_KIND_USDT] = encode_usdt,
	[RTI_KIND_TEST] = encode_test,
	[RTI_KIND_RATE_LIMIT_INFO] = encode_rate_limit,
};

int rti_event_encode_pb(const struct rti_event *ev, struct rti_arena *a, struct rti_buf *out)
{
	Tetragon__GetEventsResponse r = TETRAGON__GET_EVENTS_RESPONSE__INIT;
	struct ectx e = { a, 0 };
	encode_fn enc = (unsigned)ev->kind < RTI_KIND__COUNT ? encoders[ev->kind] : NULL;
	size_t n;
	int err;

	if (!enc)
		return -ENOTSUP;
	r.node_name = s(ev->node_name);
	r.cluster_name = s(ev->cluster_name);
	r.time = ts(&e, &ev->time);
	r.n_node_labels = ev->n_node_labels;
	r.node_labels = map_entries(&e, &tetragon__get_events_response__node_labels_entry__descriptor,
				    ev->n_node_labels);
	enc(&e, ev, &r);
	if (e.err)
		return e.err;
	n = tetragon__get_events_response__get_packed_size(&r);
	err = rti_buf_grow(out, n);
	if (err)
		return err;
	tetragon__get_events_response__pack(&r, (uint8_t *)out->p + out->len);
	out->len += n;
	out->p[out->len] = '\0';
	return 0;
}
