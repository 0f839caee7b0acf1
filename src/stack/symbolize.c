/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbolizer (include/rti/symbolize.h): finds the file a frame's
 * module names and answers from its parts, one module per concept:
 *
 *   stack/root_open.c      opening a path inside a process's root
 *   stack/modules.c        module files -> code objects (identity, symbols)
 *   stack/debug_file.c     separate debug files, build-id paths
 *   stack/proc_liveness.c  is <proc root>/<pid> the traced process?
 *   stack/module_memo.c    (pid, start, path) -> object, short-lived
 *   stack/loader_ids.c     process_loader build ids
 *   stack/frame_cache.c    (object, offset) -> symbol and frame_id
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/symbolize.h"
#include "stack/frame_cache.h"
#include "stack/kallsyms.h"
#include "stack/loader_ids.h"
#include "stack/memo.h"
#include "stack/module_memo.h"
#include "stack/modules.h"
#include "stack/proc_liveness.h"
#include "stack/root_open.h"
#include "util/clock.h"
#include "util/opts.h"

struct rti_symbolizer {
	bool disabled;
	char *proc_root;
	char *host_root; /* NULL: "/" */
	char *debug_dir;
	char *kallsyms_path; /* NULL: off */
	unsigned ttl_ms;
	struct rti_modules mods;
	struct rti_module_memo memo;
	struct rti_module_slot *last; /* the module of the previous lookup */
	struct rti_module_slot elf;   /* rti_symbolize_elf: the last file, same rules */
	struct rti_loader_ids loader;
	struct rti_proc_liveness procs;
	struct rti_frame_cache frames;
	uint64_t now_ms;
	unsigned clock_calls; /* the clock is read once per 64 lookups */
	struct rti_kallsyms *ks;
	bool ks_tried;
	struct rti_symbolize_stats st;
};

static const char *const resolved_names[RTI_RESOLVED__COUNT] = {
	"none", "agent", "symtab", "dynsym", "debuginfo", "kallsyms",
};

static const char *const unres_names[RTI_UNRES__COUNT] = {
	NULL,
	"symbolization_off",
	"anonymous_mapping",
	"pseudo_mapping",
	"bad_module_path",
	"module_deleted",
	"module_not_found",
	"module_unreadable",
	"not_elf",
	"bad_elf",
	"build_id_mismatch",
	"offset_not_mapped",
	"stripped",
	"no_symbol_covers_offset",
	"kallsyms_unavailable",
	"no_kernel_symbol",
};

static const char *const kind_names[RTI_CODE_ID__COUNT] = {
	"path", "gnu-build-id", "file-sha256", "kernel",
};

const char *rti_resolved_name(enum rti_resolved r)
{
	return (unsigned)r < RTI_RESOLVED__COUNT ? resolved_names[r] : "none";
}

const char *rti_unresolved_name(enum rti_unresolved u)
{
	return (unsigned)u < RTI_UNRES__COUNT ? unres_names[u] : NULL;
}

const char *rti_code_id_kind_name(enum rti_code_id_kind k)
{
	return (unsigned)k < RTI_CODE_ID__COUNT ? kind_names[k] : "path";
}

static char *dupstr(const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *s = malloc(la + lb + 1);

	if (s) {
		memcpy(s, a, la);
		if (lb)
			memcpy(s + la, b, lb);
		s[la + lb] = '\0';
	}
	return s;
}

static uint64_t coarse_now(struct rti_symbolizer *s)
{
	if (!(s->clock_calls++ & 63))
		s->now_ms = rti_coarse_ms();
	return s->now_ms;
}

int rti_symbolizer_add_build_id(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				const char *path, const unsigned char *id, size_t len)
{
	size_t plen;
	uint64_t h;

	if (!path || !id || !len || len > RTI_BUILD_ID_MAX)
		return -EINVAL;
	if (s->disabled)
		return 0;
	plen = strlen(path);
	if (plen >= RTI_MEMO_PATH_MAX)
		return -EINVAL;
	h = rti_memo_proc_key(pid, start_ns, path, plen);
	if (rti_loader_ids_add(&s->loader, pid, start_ns, path, plen, h, id, len))
		return -ENOMEM;
	/* a memoized lookup of this module predates the build id */
	rti_module_memo_forget(&s->memo, h);
	return 0;
}

/* ---- finding the file ---- */

/* The file at path under the host root: shared by every process that is
 * gone, so a stream of short-lived processes costs no open() each. */
static struct rti_obj *host_module(struct rti_symbolizer *s, const char *path, size_t plen,
				   uint64_t now, enum rti_unresolved *why)
{
	uint64_t h = rti_memo_proc_key(0, 0, path, plen);
	struct rti_module_slot *m = rti_module_memo_get(&s->memo, 0, 0, path, plen, h,
							s->mods.epoch, now);
	struct rti_obj *o;
	int fd, err;

	if (m) {
		*why = (enum rti_unresolved)m->why;
		return m->obj;
	}
	o = NULL;
	fd = rti_root_open(s->host_root, path, &err);
	if (fd < 0) {
		*why = err == EACCES || err == EPERM ? RTI_UNRES_UNREADABLE : RTI_UNRES_NOT_FOUND;
	} else {
		s->st.found_host++;
		*why = RTI_UNRES_NONE;
		o = rti_module_from_fd(&s->mods, fd, s->host_root, path, why);
		close(fd);
	}
	/* after rti_module_from_fd: it may have bumped the epoch */
	rti_module_memo_put(&s->memo, 0, 0, path, plen, h, s->mods.epoch, now, o, *why);
	return o;
}

/* The file in the root of the live process q->pid. NULL with *why, and
 * *in_root false when the root could not be read (the host path then). */
static struct rti_obj *proc_root_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
					bool *in_root, enum rti_unresolved *why)
{
	char rootbuf[4200];
	struct rti_obj *o;
	int fd, err = ENOENT;

	*in_root = true;
	snprintf(rootbuf, sizeof(rootbuf), "%s/%u/root", s->proc_root, q->pid);
	fd = rti_root_open(rootbuf, q->module, &err);
	if (fd >= 0) {
		s->st.found_proc_root++;
		o = rti_module_from_fd(&s->mods, fd, rootbuf, q->module, why);
		close(fd);
		return o;
	}
	if (err == ENOENT || err == ENOTDIR) {
		/* gone from the process's own root: a host file of that name is
		 * another file */
		*why = RTI_UNRES_NOT_FOUND;
		return NULL;
	}
	*in_root = false;
	return NULL;
}

/* The file of a well-formed module path, from the process's root or the host. */
static struct rti_obj *find_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
				   size_t plen, uint64_t now, enum rti_unresolved *why)
{
	bool in_root;
	struct rti_obj *o;

	if (q->pid && rti_proc_liveness_is_traced(&s->procs, q->pid, q->start_ns, now)) {
		o = proc_root_module(s, q, &in_root, why);
		if (in_root)
			return o;
		return host_module(s, q->module, plen, now, why); /* root not readable */
	}
	if (q->pid)
		s->st.pid_gone++;
	return host_module(s, q->module, plen, now, why);
}

/* A module memo miss: find the file the process mapped. */
static struct rti_obj *resolve_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
				      size_t plen, uint64_t h, uint64_t now,
				      enum rti_unresolved *why)
{
	static const char deleted[] = " (deleted)";
	const char *path = q->module;
	const struct rti_loader_id *l =
		rti_loader_ids_find(&s->loader, q->pid, q->start_ns, path, plen, h);
	struct rti_obj *o;

	if (l)
		s->loader.st.hits++;
	else if (s->loader.stored)
		s->loader.st.misses++;
	if (plen >= sizeof(deleted) - 1 &&
	    !strcmp(path + plen - (sizeof(deleted) - 1), deleted)) {
		*why = RTI_UNRES_DELETED;
		goto by_loader;
	}
	if (!rti_root_path_ok(path)) {
		*why = RTI_UNRES_BAD_PATH;
		goto by_loader;
	}
	o = find_module(s, q, plen, now, why);
	if (!o)
		goto by_loader;
	if (l && (o->bid_len != l->bid_len || memcmp(o->bid, l->bid, l->bid_len))) {
		/* the process mapped other bytes than those on disk now */
		s->st.loader_mismatch++;
		*why = RTI_UNRES_BUILD_ID_MISMATCH;
		goto by_loader;
	}
	*why = RTI_UNRES_NONE;
	return o;
by_loader:
	if (!l)
		return NULL;
	s->st.loader_used++;
	return rti_module_by_build_id(&s->mods, l->bid, l->bid_len);
}

/* ---- lookups ---- */

/* The answer for offset in o (why: the module lookup's reason, for stubs). */
static void answer(struct rti_symbolizer *s, struct rti_obj *o, uint64_t offset,
		   enum rti_unresolved why, const char *agent, struct rti_sym_result *r)
{
	const struct rti_frame_answer *f = rti_frame_cache_get(&s->frames, o, offset);

	r->kind = o->kind;
	if (o->kind != RTI_CODE_ID_PATH) {
		r->code_id = o->code_id;
		memcpy(r->frame_id, f->frame_id, sizeof(r->frame_id));
	}
	if (f->symbol) {
		r->symbol = f->symbol;
		r->raw_symbol = f->raw;
		r->symbol_offset = f->symbol_offset;
		r->by = (enum rti_resolved)f->by;
		if (agent && strcmp(agent, f->raw))
			r->agent_disagrees = !rti_symtab_is_alias(o->syms, f->row, agent);
	} else {
		r->why = o->stub ? (why ? why : RTI_UNRES_NOT_FOUND) : (enum rti_unresolved)f->why;
	}
}

static void reset(struct rti_sym_result *r)
{
	memset(r, 0, offsetof(struct rti_sym_result, frame_id));
	r->frame_id[0] = '\0';
}

/* Frames that name no file: NULL, or the reason. */
static bool no_file(struct rti_symbolizer *s, const char *path, struct rti_sym_result *r)
{
	if (s->disabled)
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
	else if (!path || !*path)
		r->why = RTI_UNRES_ANONYMOUS;
	else if (path[0] == '[')
		r->why = RTI_UNRES_PSEUDO;
	else
		return false;
	return true;
}

int rti_symbolize_user(struct rti_symbolizer *s, const struct rti_sym_query *q,
		       struct rti_sym_result *r)
{
	const char *path = q->module;
	struct rti_module_slot *m;
	struct rti_obj *o;
	enum rti_unresolved why;
	size_t plen;
	uint64_t h, now;

	reset(r);
	if (no_file(s, path, r))
		return 0;
	plen = strlen(path);
	now = coarse_now(s);
	m = s->last;
	if (m && rti_module_slot_holds(m, q->pid, q->start_ns, path, plen, s->mods.epoch, now)) {
		/* the same module as the frame before: no hashing */
		s->memo.st.hits++;
		o = m->obj;
		why = (enum rti_unresolved)m->why;
		goto found;
	}
	h = rti_memo_proc_key(q->pid, q->start_ns, path, plen);
	m = rti_module_memo_get(&s->memo, q->pid, q->start_ns, path, plen, h, s->mods.epoch, now);
	if (m) {
		o = m->obj;
		why = (enum rti_unresolved)m->why;
	} else {
		o = resolve_module(s, q, plen, h, now, &why);
		rti_module_memo_put(&s->memo, q->pid, q->start_ns, path, plen, h, s->mods.epoch,
				    now, o, why);
	}
	s->last = rti_module_memo_slot_of(&s->memo, h, q->pid, q->start_ns);
found:
	if (!o)
		r->why = why;
	else
		answer(s, o, q->offset, why, q->agent_symbol, r);
	return 0;
}

int rti_symbolize_elf(struct rti_symbolizer *s, const char *path, uint64_t offset,
		      struct rti_sym_result *r)
{
	enum rti_unresolved why = RTI_UNRES_NONE;
	struct rti_module_slot *m = &s->elf;
	struct rti_obj *o;
	size_t plen = strlen(path);
	uint64_t now;
	int fd, err;

	reset(r);
	if (s->disabled) {
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
		return 0;
	}
	now = coarse_now(s);
	if (rti_module_slot_holds(m, 0, 0, path, plen, s->mods.epoch, now)) {
		o = m->obj; /* many offsets of one file: one open */
		why = (enum rti_unresolved)m->why;
	} else {
		o = NULL;
		fd = rti_root_open(NULL, path, &err);
		if (fd < 0) {
			why = err == EACCES || err == EPERM ? RTI_UNRES_UNREADABLE
							     : RTI_UNRES_NOT_FOUND;
		} else {
			o = rti_module_from_fd(&s->mods, fd, NULL, path, &why);
			close(fd);
		}
		rti_module_slot_fill(m, 0, 0, 0, path, plen, s->mods.epoch, now + s->ttl_ms, o,
				     (uint8_t)why);
	}
	if (!o) {
		r->why = why;
		return 0;
	}
	answer(s, o, offset, RTI_UNRES_NONE, NULL, r);
	return 0;
}
int rti_symbolize_kernel(struct rti_symbolizer *s, uint64_t addr, struct rti_sym_result *r)
{
	uint64_t off;

	reset(r);
	r->kind = RTI_CODE_ID_KERNEL;
	r->code_id = "kernel";
	r->module = "[kernel]";
	if (s->disabled) {
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
		return 0;
	}
	if (!s->ks_tried) {
		s->ks_tried = true;
		if (s->kallsyms_path)
			s->ks = rti_kallsyms_load(s->kallsyms_path, NULL, 0);
	}
	if (!s->ks) {
		r->why = RTI_UNRES_NO_KALLSYMS;
		return 0;
	}
	if (rti_kallsyms_lookup(s->ks, addr, &r->symbol, &off, &r->module)) {
		r->why = RTI_UNRES_NO_KERNEL_SYMBOL;
		return 0;
	}
	r->raw_symbol = r->symbol;
	r->symbol_offset = off;
	r->by = RTI_RESOLVED_KALLSYMS;
	return 0;
}

/* ---- life cycle ---- */

/* The roots and paths of the options, with their defaults. false when out
 * of memory. */
static bool set_paths(struct rti_symbolizer *s, const struct rti_symbolizer_opts *o)
{
	const char *host;

	s->proc_root = dupstr(o->proc_root && *o->proc_root ? o->proc_root : "/proc", NULL);
	host = o->host_root && *o->host_root && strcmp(o->host_root, "/") ? o->host_root : NULL;
	if (host) {
		size_t n = strlen(host);

		s->host_root = dupstr(host, NULL);
		if (s->host_root)
			while (n > 1 && s->host_root[n - 1] == '/')
				s->host_root[--n] = '\0';
	}
	if (o->debug_dir && *o->debug_dir)
		s->debug_dir = dupstr(o->debug_dir, NULL);
	else
		s->debug_dir = dupstr(host ? s->host_root : "", "/usr/lib/debug");
	if (!o->kallsyms)
		s->kallsyms_path = dupstr(s->proc_root ? s->proc_root : "/proc", "/kallsyms");
	else if (*o->kallsyms && strcmp(o->kallsyms, "none"))
		s->kallsyms_path = dupstr(o->kallsyms, NULL);
	return s->proc_root && (!host || s->host_root) && s->debug_dir;
}

/* The caches (none when symbolization is off). 0 or -ENOMEM. */
static int make_caches(struct rti_symbolizer *s, const struct rti_symbolizer_opts *o)
{
	unsigned max_files = o->max_files ? o->max_files : 256;
	size_t max_bytes = o->max_file_bytes ? o->max_file_bytes : (64u << 20);

	if (rti_modules_init(&s->mods, s->debug_dir, max_files, max_bytes) ||
	    rti_module_memo_init(&s->memo, o->module_slots, s->ttl_ms) ||
	    rti_frame_cache_init(&s->frames, o->frame_slots) ||
	    rti_loader_ids_init(&s->loader, o->loader_slots) ||
	    rti_proc_liveness_init(&s->procs, s->proc_root, s->ttl_ms))
		return -ENOMEM;
	return 0;
}

struct rti_symbolizer *rti_symbolizer_new(const struct rti_symbolizer_opts *o)
{
	struct rti_symbolizer_opts opts = RTI_OPTS_INIT(rti_symbolizer_opts, .disabled = false);
	struct rti_symbolizer *s;

	if (o && !RTI_OPTS_VALID(o, kallsyms)) {
		errno = EINVAL;
		return NULL;
	}
	if (o) /* an older, shorter struct: its fields, our defaults */
		RTI_OPTS_COPY(&opts, o);
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->disabled = opts.disabled;
	s->ttl_ms = opts.module_ttl_ms ? opts.module_ttl_ms : 1000;
	if (!set_paths(s, &opts))
		goto nomem;
	if (!s->disabled && make_caches(s, &opts))
		goto nomem;
	return s;
nomem:
	rti_symbolizer_free(s);
	errno = ENOMEM;
	return NULL;
}

void rti_symbolizer_free(struct rti_symbolizer *s)
{
	if (!s)
		return;
	rti_modules_release(&s->mods);
	rti_kallsyms_free(s->ks);
	rti_module_memo_release(&s->memo);
	free(s->elf.path);
	rti_frame_cache_release(&s->frames);
	rti_loader_ids_release(&s->loader);
	rti_proc_liveness_release(&s->procs);
	free(s->proc_root);
	free(s->host_root);
	free(s->debug_dir);
	free(s->kallsyms_path);
	free(s);
}

bool rti_symbolizer_enabled(const struct rti_symbolizer *s)
{
	return !s->disabled;
}

/* The counters live with the parts that count them; gathered here. */
const struct rti_symbolize_stats *rti_symbolizer_stats(struct rti_symbolizer *s)
{
	if (s->mods.objs)
		s->st.files = *rti_objcache_stats(s->mods.objs);
	s->st.modules = s->memo.st;
	s->st.frames = s->frames.st;
	s->st.loader = s->loader.st;
	s->st.loader_ids = s->loader.stored;
	s->st.elf_errors = s->mods.elf_errors;
	s->st.debug_files = s->mods.debug_files;
	s->st.files_hashed = s->mods.files_hashed;
	return &s->st;
}
