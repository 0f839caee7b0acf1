/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rti/cjson.h"
#include "rti/frame.h"
#include "stack/frame_id.h"
#include "stack/frames.h"
#include "stack/memo.h"
#include "stack/stack_memo.h"
#include "stack/symbolize_id.h"
#include "util/hash.h"
#include "util/timefmt.h"

#define KEY_MAX (64u << 10) /* longer raw stacks are not memoized */

struct rti_stack {
	struct rti_frame_id_memo *ids; /* frame_ids of path code_ids and kernel frames */
	struct rti_symbolizer *sym;
	struct rti_stack_memo *memo;   /* whole stacks; NULL: off */
	bool want_digest;
	bool no_json;                  /* no sink reads the line: no frame JSON */
	struct rti_buf key, json;      /* scratch of the memo */
	struct rti_stack_stats st;
};

/* What one frame counts (replayed on a memo hit). */
enum { T_FAILED = 1, T_AGENT = 2, T_UNRES = 4, T_WITHHELD = 8, T_DISAGREE = 16 };
struct tally {
	uint8_t space, kind, found, resolved, why, flags;
};

struct rti_stack *rti_stack_new(unsigned cache_slots, const struct rti_symbolizer_opts *so,
			       size_t memo_bytes)
{
	struct rti_stack *s = calloc(1, sizeof(*s));
	int e;

	if (!s)
		return NULL;
	s->ids = rti_frame_id_memo_new(cache_slots);
	if (!s->ids)
		goto fail;
	s->sym = rti_symbolizer_new(so);
	if (!s->sym)
		goto fail;
	rti_buf_init(&s->key, KEY_MAX);
	rti_buf_init(&s->json, 64u << 20);
	if (memo_bytes != (size_t)-1) {
		s->memo = rti_stack_memo_new(RTI_STACK_MEMO_SLOTS, memo_bytes);
		if (!s->memo)
			goto fail;
	}
	return s;
fail:
	e = errno;
	rti_stack_free(s);
	errno = e ? e : ENOMEM;
	return NULL;
}

void rti_stack_free(struct rti_stack *s)
{
	if (!s)
		return;
	rti_symbolizer_free(s->sym);
	rti_frame_id_memo_free(s->ids);
	rti_stack_memo_free(s->memo);
	rti_buf_release(&s->key);
	rti_buf_release(&s->json);
	free(s);
}

const struct rti_stack_stats *rti_stack_stats(struct rti_stack *s)
{
	const struct rti_symbolize_stats *c = rti_symbolizer_stats(s->sym);
	struct rti_symbolize_stats *d = &s->st.sym;

	rti_frame_id_memo_counts(s->ids, &s->st.cache_hits, &s->st.cache_misses);
	/* the symbolizer counts lookups and caches, we count outcomes */
	d->found_proc_root = c->found_proc_root;
	d->found_host = c->found_host;
	d->pid_gone = c->pid_gone;
	d->found_sibling = c->found_sibling;
	d->found_container = c->found_container;
	d->process_gone = c->process_gone;
	d->siblings_rejected = c->siblings_rejected;
	d->containers = c->containers;
	d->container_modules = c->container_modules;
	d->loader_ids = c->loader_ids;
	d->loader_used = c->loader_used;
	d->loader_mismatch = c->loader_mismatch;
	d->elf_errors = c->elf_errors;
	d->debug_files = c->debug_files;
	d->files_hashed = c->files_hashed;
	d->files = c->files;
	d->modules = c->modules;
	d->frames = c->frames;
	d->loader = c->loader;
	if (s->memo)
		rti_stack_memo_counts(s->memo, &d->stacks);
	return &s->st;
}

/* frame_id of a kernel frame, or of a user frame known by its path */
static int frame_id(struct rti_stack *s, enum rti_space space, const char *name,
		    uint64_t off, struct rti_frame *f)
{
	return rti_frame_id_memo_get(s->ids, space, name, off, f->frame_id) ? -ENOBUFS : 0;
}

/* "path:<module>" in the arena */
static const char *path_code_id(struct rti_arena *a, const char *module)
{
	size_t n = strlen(module);
	char *c = rti_arena_alloc(a, n + RTI_PATH_CODE_ID_EXTRA);

	if (!c)
		return NULL;
	rti_path_code_id(c, module, n);
	return c;
}

static int64_t start_ns(const struct rti_process *p)
{
	int64_t ns;

	if (!p->present || !p->start_time.set)
		return 0;
	/* a start time beyond 64-bit nanoseconds (bad input): no live process
	 * can be shown to be this one (RTI_SYM_START_UNKNOWABLE) */
	if (rti_time_to_ns(&p->start_time, &ns))
		return RTI_SYM_START_UNKNOWABLE;
	return ns;
}

/* The container of a process (pod container id, else Tetragon's docker
 * field); NULL: a host process. */
static const char *container_of(const struct rti_process *p)
{
	if (!p->present)
		return NULL;
	if (p->has_pod && p->pod.container_id)
		return p->pod.container_id;
	return p->docker;
}

/* The container registry learns from every event: the process and its
 * parent. */
static void learn(struct rti_stack *s, const struct rti_event *ev)
{
	const struct rti_process *ps[2] = { &ev->process, &ev->parent };

	for (int i = 0; i < 2; i++) {
		const struct rti_process *p = ps[i];
		const char *c = container_of(p);

		if (c && p->has_pid)
			rti_symbolizer_add_process(s->sym, p->pid, start_ns(p), c,
						   p->has_pod ? p->pod.image_id : NULL);
	}
}

static int64_t event_ns(const struct rti_event *ev)
{
	int64_t ns;

	if (!ev->time.set || rti_time_to_ns(&ev->time, &ns))
		return 0;
	return ns;
}

/* The query of a module of ev's process. */
static void query_of(const struct rti_event *ev, const char *module, uint64_t offset,
		     struct rti_sym_query *q)
{
	memset(q, 0, sizeof(*q));
	q->module = module;
	q->offset = offset;
	q->pid = ev->process.has_pid ? ev->process.pid : 0;
	q->start_ns = start_ns(&ev->process);
	q->container = container_of(&ev->process);
	q->time_ns = event_ns(ev);
}

/* The symbolizer's strings live until its next call: copy what we keep. */
static const char *keep(struct rti_arena *a, const char *s)
{
	return rti_arena_strndup(a, s, strlen(s));
}

/* *str through the privacy filter, in place; NULL stays NULL. */
static int filter_string(const struct rti_frame_filter *ff, enum rti_frame_part part,
			 const char **str)
{
	if (!*str)
		return 0;
	return ff->filter(ff->ctx, part, *str, str);
}

/* The counters of one frame: the same whether computed or memoized. */
static void tally_apply(struct rti_stack *s, const struct tally *t)
{
	struct rti_symbolize_stats *st = &s->st.sym;

	if (t->space == RTI_SPACE_KERNEL) {
		s->st.kernel_frames++;
		st->code_ids[RTI_CODE_ID_KERNEL]++;
	} else {
		s->st.user_frames++;
		st->code_ids[t->kind]++;
		st->found[t->found]++;
	}
	if (t->flags & T_WITHHELD)
		s->st.module_withheld++;
	st->resolved[t->resolved]++;
	if (t->flags & T_FAILED)
		st->failed[t->why]++;
	if (t->flags & T_AGENT) {
		s->st.resolved_agent++;
		if (t->flags & T_FAILED)
			st->failed_agent[t->why]++;
	}
	if (t->flags & T_UNRES)
		s->st.unresolved++;
	if (t->flags & T_DISAGREE)
		st->agent_disagree++;
}

static int kernel_frame(struct rti_stack *s, const struct rti_frame_filter *ff,
			const struct rti_stack_entry *e, struct rti_arena *a, struct rti_frame *f,
			struct tally *t)
{
	int err_symbol, err_module;

	f->space = RTI_SPACE_KERNEL;
	f->module = "[kernel]";
	f->code_id = "kernel";
	t->space = RTI_SPACE_KERNEL;
	if (e->symbol) {
		/* Tetragon read kallsyms on the node at event time: authoritative */
		f->symbol = e->symbol;
		f->offset = e->offset;
		f->resolved_by = "agent";
		t->resolved = RTI_RESOLVED_AGENT;
		t->flags = T_AGENT;
	} else {
		struct rti_sym_result r;
		enum rti_unresolved why = RTI_UNRES_NO_KERNEL_SYMBOL;

		if (e->address) {
			rti_symbolize_kernel(s->sym, e->address, &r);
			why = r.why;
		}
		if (e->address && r.symbol) {
			f->symbol = keep(a, r.symbol);
			f->module = keep(a, r.module);
			if (!f->symbol || !f->module)
				return -ENOBUFS;
			f->offset = r.symbol_offset;
			f->resolved_by = "kallsyms";
			t->resolved = RTI_RESOLVED_KALLSYMS;
		} else {
			/* never the address: it would break KASLR */
			f->offset = 0;
			f->resolved_by = "none";
			f->unresolved = rti_unresolved_name(why);
			t->resolved = RTI_RESOLVED_NONE;
			t->why = (uint8_t)why;
			t->flags = T_UNRES | T_FAILED;
		}
	}
	/* secrets out before the symbol becomes part of the frame's identity */
	err_symbol = filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
	err_module = filter_string(ff, RTI_FRAME_KERNEL_MODULE, &f->module);
	if (err_symbol || err_module)
		return err_symbol ? err_symbol : err_module;
	return frame_id(s, RTI_SPACE_KERNEL, f->symbol ? f->symbol : "", f->offset, f);
}

/* A user frame without a symbol of ours: Tetragon's hint, or none. */
static int user_unresolved(struct rti_stack *s, const struct rti_frame_filter *ff,
			   const struct rti_stack_entry *e, const struct rti_sym_query *q,
			   enum rti_unresolved why, struct rti_frame *f, struct tally *t)
{
	t->why = (uint8_t)why;
	t->flags |= T_FAILED;
	if (e->symbol && (!q->container || !rti_symbolizer_enabled(s->sym))) {
		/* ours failed: Tetragon's hint, from the host path, undemangled;
		 * never for a container process: the host's file is not its */
		f->symbol = e->symbol;
		f->resolved_by = "agent";
		t->resolved = RTI_RESOLVED_AGENT;
		t->flags |= T_AGENT;
		return filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
	}
	f->resolved_by = "none";
	f->unresolved = rti_unresolved_name(why);
	t->resolved = RTI_RESOLVED_NONE;
	t->flags |= T_UNRES;
	return 0;
}

static int user_frame(struct rti_stack *s, const struct rti_frame_filter *ff,
		      const struct rti_event *ev, const struct rti_stack_entry *e,
		      struct rti_arena *a, struct rti_frame *f, struct tally *t)
{
	struct rti_sym_query q;
	struct rti_sym_result r;
	int err;

	f->space = RTI_SPACE_USER;
	f->offset = e->offset;
	t->space = RTI_SPACE_USER;
	if (e->module) {
		f->module = e->module;
		err = filter_string(ff, RTI_FRAME_USER_MODULE, &f->module);
		if (err)
			return err;
		if (!f->module)
			t->flags |= T_WITHHELD;
	}
	query_of(ev, e->module, e->offset, &q);
	q.agent_symbol = e->symbol;
	if (rti_symbolize_user(s->sym, &q, &r))
		return -ENOBUFS;
	t->kind = (uint8_t)r.kind;
	t->found = (uint8_t)r.found;
	if (r.code_id) {
		/* a build id or digest does not leak the path: kept when the
		 * module itself is withheld */
		f->code_id = keep(a, r.code_id);
		if (!f->code_id)
			return -ENOBUFS;
		memcpy(f->frame_id, r.frame_id, sizeof(f->frame_id));
	} else {
		const char *m = !e->module ? "[anon]" : f->module ? f->module : "[private]";

		f->code_id = path_code_id(a, m);
		if (!f->code_id || frame_id(s, RTI_SPACE_USER, f->code_id, f->offset, f))
			return -ENOBUFS;
	}
	if (!r.symbol)
		return user_unresolved(s, ff, e, &q, r.why ? r.why : RTI_UNRES_NO_SYMBOL, f, t);
	f->symbol = keep(a, r.symbol);
	if (!f->symbol)
		return -ENOBUFS;
	f->symbol_offset = r.symbol_offset;
	f->has_symbol_offset = true;
	f->resolved_by = rti_resolved_name(r.by);
	t->resolved = (uint8_t)r.by;
	if (r.agent_disagrees)
		t->flags |= T_DISAGREE;
	return filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
}

/* Computes the frames into fr (n of them) and their tallies. */
static int compute(struct rti_stack *s, const struct rti_frame_filter *ff,
		   const struct rti_event *ev, struct rti_arena *a, struct rti_frame *fr,
		   struct tally *tl)
{
	unsigned k = 0;
	int err;

	for (unsigned i = 0; i < ev->n_kstack; i++, k++) {
		err = kernel_frame(s, ff, &ev->kstack[i], a, &fr[k], &tl[k]);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < ev->n_ustack; i++, k++) {
		err = user_frame(s, ff, ev, &ev->ustack[i], a, &fr[k], &tl[k]);
		if (err)
			return err;
	}
	return 0;
}

/* ---- the whole-stack memo ---- */

/* The memoized value: header, tallies, observation keys, frames, their
 * strings, JSON. */
struct memo_val {
	uint32_t n, json_len;
	size_t json_off;
	uint64_t marks;                      /* privacy's marks from the stack */
	uint64_t counts[RTI_FRAME_FILTER_COUNTERS]; /* the filter's counters */
	unsigned char digest[32];
	bool has_digest;
	/* struct tally t[n]; struct rti_obs_key o[n] and struct rti_frame f[n]
	 * (8-aligned); strings; json */
};

static size_t val_tally_off(void)
{
	return (sizeof(struct memo_val) + 7) & ~(size_t)7;
}

static size_t val_obs_off(unsigned n)
{
	return (val_tally_off() + sizeof(struct tally) * n + 7) & ~(size_t)7;
}

static size_t val_frames_off(unsigned n)
{
	return val_obs_off(n) + sizeof(struct rti_obs_key) * n;
}

/* what the hot index would measure of each frame, once */
static void obs_keys(const struct rti_frame *fr, unsigned n, struct rti_obs_key *o)
{
	for (unsigned i = 0; i < n; i++) {
		const struct rti_frame *f = &fr[i];

		o[i].symlen = f->symbol ? (uint32_t)strlen(f->symbol) : 0;
		o[i].symhash = f->symbol ? rti_str_hash64(f->symbol, o[i].symlen) : 0;
		o[i].clen = f->space == RTI_SPACE_KERNEL ? 6
			    : f->code_id ? (uint32_t)strlen(f->code_id) : 0;
		o[i].mlen = f->module ? (uint32_t)strlen(f->module) : 0;
	}
}

static int key_str(struct rti_buf *k, const char *str)
{
	uint32_t n = str ? (uint32_t)strlen(str) : UINT32_MAX;
	int err = rti_buf_add(k, &n, sizeof(n));

	return err || !str ? err : rti_buf_add(k, str, n);
}

/* The raw stack and the identity of everything its answer depends on. */
static int build_key(struct rti_stack *s, const struct rti_frame_filter *ff,
		     const struct rti_event *ev, struct rti_buf *k)
{
	struct rti_sym_query q;
	struct rti_module_id id;
	uint64_t hdr[3] = { ff->generation, ev->n_kstack, ev->n_ustack };
	int err;

	rti_buf_reset(k);
	query_of(ev, NULL, 0, &q);
	hdr[1] |= (uint64_t)(q.container != NULL) << 32;
	err = rti_buf_add(k, hdr, sizeof(hdr));
	for (unsigned i = 0; i < ev->n_kstack && !err; i++) {
		const struct rti_stack_entry *e = &ev->kstack[i];
		uint64_t v[2] = { e->offset, e->symbol ? 0 : e->address };

		err = rti_buf_add(k, v, sizeof(v));
		if (!err)
			err = key_str(k, e->symbol);
	}
	for (unsigned i = 0; i < ev->n_ustack && !err; i++) {
		const struct rti_stack_entry *e = &ev->ustack[i];
		const char *prev = i ? ev->ustack[i - 1].module : NULL;

		/* a module's identity does not depend on the offset: frames of
		 * the module of the frame before share its answer */
		if (!i || !e->module || !prev ||
		    (e->module != prev && strcmp(e->module, prev))) {
			query_of(ev, e->module, e->offset, &q);
			rti_symbolize_module_id(s->sym, &q, &id);
		}
		err = rti_buf_add(k, &e->offset, sizeof(e->offset));
		if (!err)
			err = rti_buf_add(k, &id, sizeof(id));
		if (!err)
			err = key_str(k, e->module);
		if (!err)
			err = key_str(k, e->symbol);
	}
	return err;
}

static size_t str_need(const char *str)
{
	return str ? strlen(str) + 1 : 0;
}

/* copies *str into *p (advanced), unless NULL */
static void str_move(const char **str, char **p)
{
	size_t n;

	if (!*str)
		return;
	n = strlen(*str) + 1;
	memcpy(*p, *str, n);
	*str = *p;
	*p += n;
}

/* the frames' canonical JSON, without the array's brackets, into s->json */
static int frames_json(struct rti_stack *s, const struct rti_frame *fr, unsigned n)
{
	struct rti_cjw w;

	rti_buf_reset(&s->json);
	rti_cjw_init(&w, &s->json);
	rti_cjw_arr_open(&w);
	for (unsigned i = 0; i < n; i++)
		rti_frame_json(&w, &fr[i]);
	rti_cjw_arr_close(&w);
	return w.err;
}

static int stack_digest(const struct rti_frame *fr, unsigned n, struct rti_buf *tmp,
			unsigned char md[32])
{
	unsigned int mdlen = 0;
	int err = 0;

	rti_buf_reset(tmp);
	for (unsigned i = 0; i < n && !err; i++) {
		err = rti_buf_add(tmp, fr[i].frame_id, strnlen(fr[i].frame_id, RTI_FRAME_ID_LEN));
		if (!err)
			err = rti_buf_addch(tmp, '\n');
	}
	if (err)
		return err;
	if (!EVP_Digest(tmp->p, tmp->len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	return 0;
}

/* A hit: the frames, JSON and digest from the memo; counters replayed. */
static void memo_use(struct rti_stack *s, const struct rti_frame_filter *ff,
		     const struct memo_val *v, struct rti_canon *cn)
{
	const char *base = (const char *)v;
	const struct tally *t = (const struct tally *)(base + val_tally_off());

	for (unsigned i = 0; ff && i < v->n; i++)
		tally_apply(s, &t[i]);
	if (ff)
		*ff->marks |= v->marks;
	for (unsigned i = 0; ff && ff->counters && i < RTI_FRAME_FILTER_COUNTERS; i++)
		ff->counters[i] += v->counts[i];
	cn->frames = (struct rti_frame *)(base + val_frames_off(v->n));
	cn->n_frames = v->n;
	cn->stack_json = v->json_len ? base + v->json_off : NULL;
	cn->stack_json_len = v->json_len;
	cn->stack_digest = v->has_digest ? v->digest : NULL;
	cn->obs = (const struct rti_obs_key *)(base + val_obs_off(v->n));
}

/* The memo's value for the computed frames fr (n > 0); cn then points
 * into it. No value (memo full, stack too large): cn keeps fr. */
static void memo_store(struct rti_stack *s, uint64_t h, const struct rti_frame *fr,
		       const struct tally *tl, unsigned n, const uint64_t counts[],
		       uint64_t marks, struct rti_canon *cn)
{
	size_t strings = 0, need, json_len;
	struct memo_val *v;
	struct rti_frame *vf;
	char *p;

	if (!s->no_json && (frames_json(s, fr, n) || s->json.len < 2))
		return;
	for (unsigned i = 0; i < n; i++)
		strings += str_need(fr[i].module) + str_need(fr[i].code_id) +
			   str_need(fr[i].symbol);
	json_len = s->no_json ? 0 : s->json.len - 2; /* without the brackets */
	need = val_frames_off(n) + sizeof(*fr) * n + strings + json_len;
	v = rti_stack_memo_put(s->memo, h, s->key.p, s->key.len, need);
	if (!v)
		return;
	memset(v, 0, sizeof(*v));
	v->n = n;
	v->marks = marks;
	memcpy(v->counts, counts, sizeof(v->counts));
	memcpy((char *)v + val_tally_off(), tl, sizeof(*tl) * n);
	vf = (struct rti_frame *)((char *)v + val_frames_off(n));
	memcpy(vf, fr, sizeof(*fr) * n);
	p = (char *)(vf + n);
	for (unsigned i = 0; i < n; i++) {
		/* resolved_by and unresolved are static names */
		str_move(&vf[i].module, &p);
		str_move(&vf[i].code_id, &p);
		str_move(&vf[i].symbol, &p);
	}
	obs_keys(vf, n, (struct rti_obs_key *)((char *)v + val_obs_off(n)));
	v->json_off = (size_t)(p - (char *)v);
	v->json_len = (uint32_t)json_len;
	if (json_len)
		memcpy(p, s->json.p + 1, json_len);
	if (s->want_digest) {
		if (stack_digest(vf, n, &s->json, v->digest)) {
			rti_stack_memo_drop_last(s->memo);
			return;
		}
		v->has_digest = true;
	}
	memo_use(s, NULL, v, cn);
}

/* A memo lookup; false on a miss, *h (and s->key) then set for the store. */
static bool memo_lookup(struct rti_stack *s, const struct rti_frame_filter *ff,
			const struct rti_event *ev, struct rti_canon *cn, uint64_t *h)
{
	const struct memo_val *v;

	if (build_key(s, ff, ev, &s->key))
		return false;
	*h = rti_memo_hash_bytes(s->key.p, s->key.len, 0x5a17);
	v = rti_stack_memo_find(s->memo, *h, s->key.p, s->key.len);
	if (!v)
		return false;
	memo_use(s, ff, v, cn);
	return true;
}

int rti_stack_canonicalize(struct rti_stack *s, const struct rti_frame_filter *ff,
			   const struct rti_event *ev, struct rti_arena *a,
			   struct rti_canon *cn)
{
	unsigned n = ev->n_kstack + ev->n_ustack;
	bool memo = s->memo && ff->marks;
	uint64_t counts[RTI_FRAME_FILTER_COUNTERS] = { 0 };
	uint64_t marks = 0, h = 0;
	struct rti_frame *fr;
	struct tally *tl;
	bool store;
	int err;

	cn->frames = NULL;
	cn->n_frames = 0;
	cn->stack_json = NULL;
	cn->stack_json_len = 0;
	cn->stack_digest = NULL;
	cn->obs = NULL;
	learn(s, ev);
	if (!n)
		return 0;
	if (memo && memo_lookup(s, ff, ev, cn, &h))
		return 0;
	store = memo && s->key.len && rti_stack_memo_admit(s->memo, h);
	fr = rti_arena_alloc(a, sizeof(*fr) * n);
	tl = rti_arena_alloc(a, sizeof(*tl) * n);
	if (!fr || !tl)
		return -ENOBUFS;
	memset(fr, 0, sizeof(*fr) * n);
	memset(tl, 0, sizeof(*tl) * n);
	if (store) {
		/* what privacy marks and counts for this stack alone */
		marks = *ff->marks;
		*ff->marks = 0;
		for (unsigned i = 0; i < RTI_FRAME_FILTER_COUNTERS && ff->counters; i++)
			counts[i] = ff->counters[i];
	}
	err = compute(s, ff, ev, a, fr, tl);
	if (store) {
		uint64_t own = *ff->marks;

		*ff->marks |= marks;
		marks = own;
		for (unsigned i = 0; i < RTI_FRAME_FILTER_COUNTERS && ff->counters; i++)
			counts[i] = ff->counters[i] - counts[i];
	}
	if (err)
		return err;
	for (unsigned i = 0; i < n; i++)
		tally_apply(s, &tl[i]);
	cn->frames = fr;
	cn->n_frames = n;
	if (store)
		memo_store(s, h, fr, tl, n, counts, marks, cn);
	return 0;
}

void rti_stack_want_digest(struct rti_stack *s, bool on)
{
	s->want_digest = on;
}

void rti_stack_want_json(struct rti_stack *s, bool on)
{
	if (s->no_json == !on)
		return;
	s->no_json = !on;
	rti_stack_forget(s); /* values made the other way */
}

void rti_stack_forget(struct rti_stack *s)
{
	if (s->memo)
		rti_stack_memo_clear(s->memo);
}

void rti_stack_loader(struct rti_stack *s, const struct rti_event *ev)
{
	learn(s, ev);
	if (ev->kind != RTI_KIND_LOADER || !ev->path || !ev->build_id_len ||
	    !ev->process.has_pid)
		return;
	rti_symbolizer_add_build_id(s->sym, ev->process.pid, start_ns(&ev->process), ev->path,
				    ev->build_id, ev->build_id_len);
}

const char *rti_stack_module_code_id(struct rti_stack *s, const struct rti_event *ev,
				     const char *filtered, struct rti_arena *a)
{
	struct rti_sym_query q;
	struct rti_sym_result r;
	const char *c;

	if (!ev->path)
		return NULL;
	learn(s, ev); /* before the stage's frames: this runs first */
	query_of(ev, ev->path, ev->has_offset ? ev->offset : 0, &q);
	if (!rti_symbolize_user(s->sym, &q, &r) && r.code_id)
		c = keep(a, r.code_id);
	else if (filtered)
		c = path_code_id(a, filtered);
	else
		return NULL;
	if (!c)
		errno = ENOBUFS;
	return c;
}
