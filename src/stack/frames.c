/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/frame_id.h"
#include "stack/frames.h"
#include "util/timefmt.h"

struct rti_stack {
	struct rti_frame_id_memo *ids; /* frame_ids of path code_ids and kernel frames */
	struct rti_symbolizer *sym;
	struct rti_stack_stats st;
};

struct rti_stack *rti_stack_new(unsigned cache_slots, const struct rti_symbolizer_opts *so)
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

static int kernel_frame(struct rti_stack *s, const struct rti_frame_filter *ff,
			const struct rti_stack_entry *e, struct rti_arena *a, struct rti_frame *f)
{
	struct rti_symbolize_stats *st = &s->st.sym;
	int err_symbol, err_module;

	f->space = RTI_SPACE_KERNEL;
	f->module = "[kernel]";
	f->code_id = "kernel";
	s->st.kernel_frames++;
	st->code_ids[RTI_CODE_ID_KERNEL]++;
	if (e->symbol) {
		/* Tetragon read kallsyms on the node at event time: authoritative */
		f->symbol = e->symbol;
		f->offset = e->offset;
		f->resolved_by = "agent";
		s->st.resolved_agent++;
		st->resolved[RTI_RESOLVED_AGENT]++;
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
			st->resolved[RTI_RESOLVED_KALLSYMS]++;
		} else {
			/* never the address: it would break KASLR */
			f->offset = 0;
			f->resolved_by = "none";
			f->unresolved = rti_unresolved_name(why);
			s->st.unresolved++;
			st->resolved[RTI_RESOLVED_NONE]++;
			st->failed[why]++;
		}
	}
	/* secrets out before the symbol becomes part of the frame's identity */
	err_symbol = filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
	err_module = filter_string(ff, RTI_FRAME_KERNEL_MODULE, &f->module);
	if (err_symbol || err_module)
		return err_symbol ? err_symbol : err_module;
	return frame_id(s, RTI_SPACE_KERNEL, f->symbol ? f->symbol : "", f->offset, f);
}

static int user_frame(struct rti_stack *s, const struct rti_frame_filter *ff,
		      const struct rti_event *ev, const struct rti_stack_entry *e,
		      struct rti_arena *a, struct rti_frame *f)
{
	struct rti_symbolize_stats *st = &s->st.sym;
	struct rti_sym_query q;
	struct rti_sym_result r;
	enum rti_unresolved why;
	int err;

	f->space = RTI_SPACE_USER;
	f->offset = e->offset;
	s->st.user_frames++;
	if (e->module) {
		f->module = e->module;
		err = filter_string(ff, RTI_FRAME_USER_MODULE, &f->module);
		if (err)
			return err;
		if (!f->module)
			s->st.module_withheld++;
	}
	q.module = e->module;
	q.offset = e->offset;
	q.pid = ev->process.has_pid ? ev->process.pid : 0;
	q.start_ns = start_ns(&ev->process);
	q.agent_symbol = e->symbol;
	if (rti_symbolize_user(s->sym, &q, &r))
		return -ENOBUFS;
	st->code_ids[r.kind]++;
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
	if (r.symbol) {
		f->symbol = keep(a, r.symbol);
		if (!f->symbol)
			return -ENOBUFS;
		err = filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
		if (err)
			return err;
		f->symbol_offset = r.symbol_offset;
		f->has_symbol_offset = true;
		f->resolved_by = rti_resolved_name(r.by);
		st->resolved[r.by]++;
		st->agent_disagree += r.agent_disagrees;
		return 0;
	}
	why = r.why ? r.why : RTI_UNRES_NO_SYMBOL;
	st->failed[why]++;
	if (e->symbol) {
		/* ours failed: Tetragon's hint, from the host path, undemangled */
		f->symbol = e->symbol;
		err = filter_string(ff, RTI_FRAME_SYMBOL, &f->symbol);
		if (err)
			return err;
		f->resolved_by = "agent";
		s->st.resolved_agent++;
		st->resolved[RTI_RESOLVED_AGENT]++;
		st->failed_agent[why]++;
	} else {
		f->resolved_by = "none";
		f->unresolved = rti_unresolved_name(why);
		s->st.unresolved++;
		st->resolved[RTI_RESOLVED_NONE]++;
	}
	return 0;
}

int rti_stack_canonicalize(struct rti_stack *s, const struct rti_frame_filter *ff,
			   const struct rti_event *ev, struct rti_arena *a,
			   struct rti_canon *cn)
{
	unsigned n = ev->n_kstack + ev->n_ustack;
	struct rti_frame *fr;
	unsigned k = 0;
	int err;

	cn->frames = NULL;
	cn->n_frames = 0;
	if (!n)
		return 0;
	fr = rti_arena_alloc(a, sizeof(*fr) * n);
	if (!fr)
		return -ENOBUFS;
	memset(fr, 0, sizeof(*fr) * n);
	for (unsigned i = 0; i < ev->n_kstack; i++, k++) {
		err = kernel_frame(s, ff, &ev->kstack[i], a, &fr[k]);
		if (err)
			return err;
	}
	for (unsigned i = 0; i < ev->n_ustack; i++, k++) {
		err = user_frame(s, ff, ev, &ev->ustack[i], a, &fr[k]);
		if (err)
			return err;
	}
	cn->frames = fr;
	cn->n_frames = n;
	return 0;
}

void rti_stack_loader(struct rti_stack *s, const struct rti_event *ev)
{
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
	memset(&q, 0, sizeof(q));
	q.module = ev->path;
	q.offset = ev->has_offset ? ev->offset : 0;
	q.pid = ev->process.has_pid ? ev->process.pid : 0;
	q.start_ns = start_ns(&ev->process);
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
