/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "adapt/canon_write.h"
#include "rti/cjson.h"
#include "rti/frame.h"
#include "util/hash.h"
#include "util/timefmt.h"

/* `"event_id":"sha256:<64 hex>"` and one comma */
#define ID_MEMBER_LEN (11 + 1 + 7 + 64 + 1 + 1)

bool rti_image_digest(const char *image_id, char out[7 + 64 + 1])
{
	const char *d;

	if (!image_id)
		return false;
	d = strstr(image_id, "sha256:");
	if (!d || (d != image_id && d[-1] != '@'))
		return false;
	d += 7;
	for (int i = 0; i < 64; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	if (d[64] != '\0')
		return false;
	memcpy(out, "sha256:", 7);
	memcpy(out + 7, d, 64);
	out[71] = '\0';
	return true;
}

static void put_time(struct rti_cjw *w, const char *key, const struct rti_time *t)
{
	char ts[RTI_TIME_STRLEN];

	if (!t->set)
		return;
	rti_cjw_key(w, key);
	rti_cjw_str(w, ts, rti_time_format(t, ts));
}

/* A string map, already filtered, sorted and deduplicated by privacy. */
static void put_map(struct rti_cjw *w, const char *key, const struct rti_kv *kv, unsigned n)
{
	if (!n)
		return;
	rti_cjw_key(w, key);
	rti_cjw_obj_open(w);
	for (unsigned i = 0; i < n; i++) {
		rti_cjw_key(w, kv[i].key);
		rti_cjw_cstr(w, kv[i].value);
	}
	rti_cjw_obj_close(w);
}

/* Integers beyond 2^53 lose precision as JSON numbers (spec §1): unsigned
 * ones become hex strings, signed ones decimal strings. */
static void put_int_value(struct rti_cjw *w, const struct rti_arg *a)
{
	const int64_t lim = INT64_C(1) << 53;

	rti_cjw_key(w, "value");
	if (a->is_unsigned) {
		if ((uint64_t)a->ival < (uint64_t)lim)
			rti_cjw_u64(w, (uint64_t)a->ival);
		else
			rti_cjw_hex(w, (uint64_t)a->ival);
	} else if (a->ival > -lim && a->ival < lim) {
		rti_cjw_i64(w, a->ival);
	} else {
		char d[24];
		int n = snprintf(d, sizeof(d), "%lld", (long long)a->ival);

		rti_cjw_str(w, d, (size_t)n);
	}
}

/* probe.args: the typed arguments the privacy profile let through. */
static void put_args(struct rti_cjw *w, const struct rti_event *ev)
{
	static const char *const type_names[] = {
		[RTI_ARG_INT] = "int", [RTI_ARG_SOCK] = "sock",
		[RTI_ARG_FILE] = "file", [RTI_ARG_STRING] = "string",
	};
	bool open = false;

	for (unsigned i = 0; i < ev->n_args; i++) {
		const struct rti_arg *a = &ev->args[i];

		if (a->type != RTI_ARG_INT && a->type != RTI_ARG_SOCK &&
		    a->type != RTI_ARG_FILE && a->type != RTI_ARG_STRING)
			continue;
		if (!open) {
			rti_cjw_key(w, "args");
			rti_cjw_arr_open(w);
			open = true;
		}
		rti_cjw_obj_open(w);
		if (a->type == RTI_ARG_SOCK) {
			if (a->dport) {
				rti_cjw_key(w, "dport");
				rti_cjw_u64(w, a->dport);
			}
			rti_cjw_kv_str(w, "family", a->family);
		}
		rti_cjw_key(w, "index");
		rti_cjw_u64(w, i);
		if (a->type == RTI_ARG_FILE)
			rti_cjw_kv_str(w, "path", a->text);
		if (a->type == RTI_ARG_SOCK) {
			rti_cjw_kv_str(w, "protocol", a->protocol);
			rti_cjw_kv_str(w, "sock_type", a->sock_type);
			if (a->sport) {
				rti_cjw_key(w, "sport");
				rti_cjw_u64(w, a->sport);
			}
		}
		rti_cjw_key(w, "type");
		rti_cjw_cstr(w, type_names[a->type]);
		if (a->type == RTI_ARG_INT)
			put_int_value(w, a);
		if (a->type == RTI_ARG_STRING)
			rti_cjw_kv_str(w, "value", a->text);
		rti_cjw_obj_close(w);
	}
	if (open)
		rti_cjw_arr_close(w);
}

static void put_container(struct rti_cjw *w, const struct rti_process *p,
			  const struct rti_canon *cn)
{
	const struct rti_pod *pod = &p->pod;
	bool has_image = cn->image_digest[0] || pod->image_name;
	bool has_pod = pod->name || pod->namespace_ || pod->workload || pod->workload_kind ||
		       pod->n_labels || pod->n_annotations;

	if (!p->has_pod || (!pod->container_id && !pod->container_name && !has_image &&
			    !has_pod))
		return;
	rti_cjw_key(w, "container");
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "id", pod->container_id);
	if (has_image) {
		rti_cjw_key(w, "image");
		rti_cjw_obj_open(w);
		if (cn->image_digest[0]) {
			rti_cjw_key(w, "digest");
			rti_cjw_cstr(w, cn->image_digest);
		}
		rti_cjw_kv_str(w, "name", pod->image_name);
		rti_cjw_obj_close(w);
	}
	rti_cjw_kv_str(w, "name", pod->container_name);
	if (has_pod) {
		rti_cjw_key(w, "pod");
		rti_cjw_obj_open(w);
		put_map(w, "annotations", pod->annotations, pod->n_annotations);
		put_map(w, "labels", pod->labels, pod->n_labels);
		rti_cjw_kv_str(w, "name", pod->name);
		rti_cjw_kv_str(w, "namespace", pod->namespace_);
		rti_cjw_kv_str(w, "workload", pod->workload);
		rti_cjw_kv_str(w, "workload_kind", pod->workload_kind);
		rti_cjw_obj_close(w);
	}
	rti_cjw_obj_close(w);
}

/* "KPROBE_ACTION_POST" -> "post" */
static void put_action(struct rti_cjw *w, const char *action)
{
	static const char pre[] = "KPROBE_ACTION_";
	char low[64];
	size_t n;

	if (!action || !*action)
		return;
	if (!strncmp(action, pre, sizeof(pre) - 1))
		action += sizeof(pre) - 1;
	n = strlen(action);
	if (n == 0 || n >= sizeof(low) || !strcmp(action, "UNKNOWN"))
		return;
	for (size_t i = 0; i < n; i++) {
		char c = action[i];

		low[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	rti_cjw_key(w, "action");
	rti_cjw_str(w, low, n);
}

static void put_probe(struct rti_cjw *w, const struct rti_event *ev,
		      const struct rti_canon *cn)
{
	enum rti_probe_type t = cn->probe;
	bool user = t == RTI_PROBE_UPROBE || t == RTI_PROBE_URETPROBE;
	bool kern = t == RTI_PROBE_KPROBE || t == RTI_PROBE_KRETPROBE ||
		    t == RTI_PROBE_FENTRY || t == RTI_PROBE_FEXIT || t == RTI_PROBE_LSM;

	rti_cjw_key(w, "probe");
	rti_cjw_obj_open(w);
	put_action(w, ev->action);
	put_args(w, ev);
	if (user || t == RTI_PROBE_USDT)
		rti_cjw_kv_str(w, "code_id", cn->probe_code_id);
	if (t == RTI_PROBE_TRACEPOINT)
		rti_cjw_kv_str(w, "event", ev->tp_event);
	if (user || t == RTI_PROBE_USDT)
		rti_cjw_kv_str(w, "module", cn->probe_module);
	if (t == RTI_PROBE_USDT)
		rti_cjw_kv_str(w, "name", ev->usdt_name);
	if (user && ev->has_offset) {
		rti_cjw_key(w, "offset");
		rti_cjw_hex(w, ev->offset);
	}
	if (t == RTI_PROBE_USDT)
		rti_cjw_kv_str(w, "provider", ev->provider);
	if (t == RTI_PROBE_TRACEPOINT)
		rti_cjw_kv_str(w, "subsystem", ev->subsys);
	if (user || kern)
		rti_cjw_kv_str(w, "symbol", ev->function);
	rti_cjw_key(w, "type");
	rti_cjw_cstr(w, rti_probe_type_name(t));
	rti_cjw_obj_close(w);
}

static void put_process(struct rti_cjw *w, const struct rti_process *p)
{
	rti_cjw_key(w, "process");
	rti_cjw_obj_open(w);
	rti_cjw_kv_str(w, "arguments", p->arguments);
	rti_cjw_kv_str(w, "binary", p->binary);
	rti_cjw_kv_str(w, "cwd", p->cwd);
	put_map(w, "environment", p->env, p->n_env);
	rti_cjw_kv_str(w, "exec_id", p->exec_id);
	rti_cjw_kv_str(w, "parent_exec_id", p->parent_exec_id);
	if (p->has_pid) {
		rti_cjw_key(w, "pid");
		rti_cjw_u64(w, p->pid);
	}
	put_time(w, "start_time", &p->start_time);
	if (p->has_tid) {
		rti_cjw_key(w, "tid");
		rti_cjw_u64(w, p->tid);
	}
	if (p->has_uid) {
		rti_cjw_key(w, "uid");
		rti_cjw_u64(w, p->uid);
	}
	rti_cjw_kv_str(w, "user", p->user_name);
	rti_cjw_obj_close(w);
}

int rti_canon_write(const struct rti_event *ev, const struct rti_canon *cn,
		    struct rti_buf *out)
{
	struct rti_cjw w;
	size_t start = out->len;
	size_t id_pos;
	char hex[65];
	int err;

	rti_cjw_init(&w, out);
	rti_cjw_obj_open(&w);
	rti_cjw_kv_str(&w, "cluster", ev->cluster_name);
	put_container(&w, &ev->process, cn);
	/* event_id goes here, between the members before and after it. Leave a
	 * gap of its exact size (85 bytes: the member and one comma, which
	 * stands after it when it is the first member, else before it), hash
	 * everything but the gap, then fill it: no move of the whole line. */
	id_pos = out->len;
	err = rti_buf_grow(out, ID_MEMBER_LEN);
	if (err)
		goto undo;
	memset(out->p + out->len, ' ', ID_MEMBER_LEN);
	out->len += ID_MEMBER_LEN;
	out->p[out->len] = '\0';
	if (ev->kind == RTI_KIND_EXIT) {
		rti_cjw_key(&w, "exit");
		rti_cjw_obj_open(&w);
		rti_cjw_kv_str(&w, "signal", ev->exit_signal);
		rti_cjw_key(&w, "status");
		rti_cjw_u64(&w, ev->exit_status);
		rti_cjw_obj_close(&w);
	}
	rti_cjw_kv_str(&w, "node", ev->node_name);
	if (ev->parent.present && (ev->parent.binary || ev->parent.exec_id || ev->parent.cwd ||
				   ev->parent.arguments || ev->parent.n_env ||
				   ev->parent.user_name)) {
		const struct rti_process *pp = &ev->parent;

		rti_cjw_key(&w, "parent");
		rti_cjw_obj_open(&w);
		rti_cjw_kv_str(&w, "arguments", pp->arguments);
		rti_cjw_kv_str(&w, "binary", pp->binary);
		rti_cjw_kv_str(&w, "cwd", pp->cwd);
		put_map(&w, "environment", pp->env, pp->n_env);
		rti_cjw_kv_str(&w, "exec_id", pp->exec_id);
		rti_cjw_kv_str(&w, "user", pp->user_name);
		rti_cjw_obj_close(&w);
	}
	rti_cjw_kv_str(&w, "policy", ev->policy_name);
	rti_cjw_key(&w, "privacy");
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "profile");
	rti_cjw_cstr(&w, cn->privacy_profile);
	if (cn->redacted) {
		rti_cjw_key(&w, "redacted");
		rti_cjw_arr_open(&w);
		for (int r = 0; r < RTI_FIELD__COUNT; r++)
			if (cn->redacted & ((uint64_t)1 << r))
				rti_cjw_cstr(&w, rti_field_path((enum rti_field)r));
		rti_cjw_arr_close(&w);
	}
	rti_cjw_obj_close(&w);
	put_probe(&w, ev, cn);
	if (ev->process.present &&
	    (ev->process.binary || ev->process.exec_id || ev->process.has_pid ||
	     ev->process.has_tid || ev->process.has_uid || ev->process.parent_exec_id ||
	     ev->process.start_time.set || ev->process.cwd || ev->process.arguments ||
	     ev->process.n_env || ev->process.user_name))
		put_process(&w, &ev->process);
	rti_cjw_key(&w, "schema");
	rti_cjw_cstr(&w, RTI_SCHEMA);
	rti_cjw_key(&w, "source");
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "agent");
	rti_cjw_cstr(&w, "tetragon");
	rti_cjw_key(&w, "kind");
	rti_cjw_cstr(&w, rti_kind_name(ev->kind));
	rti_cjw_obj_close(&w);
	if (cn->n_frames) {
		rti_cjw_key(&w, "stack");
		rti_cjw_arr_open(&w);
		if (cn->stack_json)
			rti_cjw_raw(&w, cn->stack_json, cn->stack_json_len);
		else
			for (unsigned i = 0; i < cn->n_frames; i++)
				rti_frame_json(&w, &cn->frames[i]);
		rti_cjw_arr_close(&w);
	}
	put_time(&w, "time", &cn->time);
	rti_cjw_obj_close(&w);
	if (w.err || w.depth != 0) {
		err = w.err ? w.err : -EINVAL;
		goto undo;
	}
	rti_sha256_hex2(out->p + start, id_pos - start, out->p + id_pos + ID_MEMBER_LEN,
			out->len - id_pos - ID_MEMBER_LEN, hex);
	{
		char *g = out->p + id_pos;
		bool first = id_pos == start + 1; /* right after '{' */
		size_t n = 0;

		if (!first)
			g[n++] = ',';
		memcpy(g + n, "\"event_id\":\"sha256:", 19);
		n += 19;
		memcpy(g + n, hex, 64);
		n += 64;
		g[n++] = '"';
		if (first)
			g[n++] = ',';
	}
	err = rti_buf_addch(out, '\n');
	if (err)
		goto undo;
	return 0;
undo:
	out->len = start;
	if (out->p)
		out->p[start] = '\0';
	return err;
}
