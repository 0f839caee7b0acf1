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
 *   stack/containers.c     which processes are in which container
 *   stack/frame_cache.c    (object, offset) -> symbol and frame_id
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "rti/symbolize.h"
#include "stack/containers.h"
#include "stack/frame_cache.h"
#include "stack/kallsyms.h"
#include "stack/loader_ids.h"
#include "stack/memo.h"
#include "stack/module_memo.h"
#include "stack/modules.h"
#include "stack/proc_liveness.h"
#include "stack/root_open.h"
#include "stack/symbolize_id.h"
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
	struct rti_containers ctrs;
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
	"process_gone",
	"module_changed",
};

static const char *const found_names[RTI_FOUND__COUNT] = {
	"none", "proc root", "sibling", "container cache", "host", "build id",
	"process gone", "module changed",
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

const char *rti_found_name(enum rti_found f)
{
	return (unsigned)f < RTI_FOUND__COUNT ? found_names[f] : "none";
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

void rti_symbolizer_add_process(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				const char *container, const char *image)
{
	size_t n;
	const char *id;

	if (s->disabled || !container)
		return;
	id = rti_container_id_norm(container, &n);
	rti_containers_learn(&s->ctrs, id, n, image, pid, start_ns);
}

/* ---- finding the file ---- */

/* The outcome of a module lookup. */
struct lookup {
	struct rti_obj *o;
	enum rti_unresolved why;
	enum rti_found found;
	int64_t ctime_ns; /* host files: their ctime, for module_changed; 0: none */
};

static int64_t ctime_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
}

/* The file at path under the host root: shared by every process that is
 * gone, so a stream of short-lived processes costs no open() each. */
static void host_module(struct rti_symbolizer *s, const char *path, size_t plen, uint64_t now,
			struct lookup *lk)
{
	uint64_t h = rti_memo_proc_key(0, 0, path, plen);
	struct rti_module_slot *m = rti_module_memo_get(&s->memo, 0, 0, path, plen, h,
							s->mods.epoch, now);
	int fd, err;

	if (m) {
		lk->o = m->obj;
		lk->why = (enum rti_unresolved)m->why;
		lk->ctime_ns = m->ctime_ns;
		lk->found = lk->o ? RTI_FOUND_HOST : RTI_FOUND_NONE;
		return;
	}
	lk->o = NULL;
	lk->ctime_ns = 0;
	fd = rti_root_open(s->host_root, path, &err);
	if (fd < 0) {
		lk->why = err == EACCES || err == EPERM ? RTI_UNRES_UNREADABLE : RTI_UNRES_NOT_FOUND;
	} else {
		s->st.found_host++;
		lk->why = RTI_UNRES_NONE;
		lk->ctime_ns = ctime_of(fd);
		lk->o = rti_module_from_fd(&s->mods, fd, s->host_root, path, &lk->why);
		close(fd);
	}
	lk->found = lk->o ? RTI_FOUND_HOST : RTI_FOUND_NONE;
	/* after rti_module_from_fd: it may have bumped the epoch */
	m = rti_module_memo_put(&s->memo, 0, 0, path, plen, h, s->mods.epoch, now, lk->o,
				lk->why);
	if (m)
		m->ctime_ns = lk->ctime_ns;
}

/* The file in the root of the live process pid. NULL with lk->why, and
 * *in_root false when the root could not be read. */
static void proc_root_module(struct rti_symbolizer *s, uint32_t pid, const char *path,
			     bool *in_root, struct lookup *lk)
{
	char rootbuf[4200];
	int fd, err = ENOENT;

	*in_root = true;
	lk->o = NULL;
	snprintf(rootbuf, sizeof(rootbuf), "%s/%u/root", s->proc_root, pid);
	fd = rti_root_open(rootbuf, path, &err);
	if (fd >= 0) {
		lk->o = rti_module_from_fd(&s->mods, fd, rootbuf, path, &lk->why);
		close(fd);
		return;
	}
	if (err == ENOENT || err == ENOTDIR) {
		/* gone from the process's own root: a host file of that name is
		 * another file */
		lk->why = RTI_UNRES_NOT_FOUND;
		return;
	}
	*in_root = false;
}

/* Inode of the mount namespace of pid; 0 when unreadable. */
static uint64_t mntns_of(struct rti_symbolizer *s, uint32_t pid)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%u/ns/mnt", s->proc_root, pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

/* Whether /proc/<pid>/cgroup names the container id (runtimes put it in
 * the cgroup path: .../cri-containerd-<id>.scope, /docker/<id>). */
static bool cgroup_names(struct rti_symbolizer *s, uint32_t pid, const struct rti_ctr *x)
{
	char path[4200], buf[8192], id[RTI_CTR_ID_MAX + 1];
	ssize_t n;
	int fd;

	if (x->idlen < 12)
		return false; /* too short to be found by chance */
	snprintf(path, sizeof(path), "%s/%u/cgroup", s->proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = rti_pread_full(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	memcpy(id, x->id, x->idlen);
	id[x->idlen] = '\0';
	return strstr(buf, id) != NULL;
}

/*
 * Whether the live process pid (its start time checked) is still in
 * container x: its mount namespace is the container's, or its cgroup names
 * the container (then its namespace becomes the container's: a container
 * with a new namespace under the same id is a new instance). The traced
 * process itself (the event says it is in x) gives x its namespace when x
 * has none yet.
 */
static bool in_container(struct rti_symbolizer *s, struct rti_ctr *x, uint32_t pid,
			 bool traced)
{
	uint64_t ns = mntns_of(s, pid);

	if (!ns)
		return false;
	if (x->mntns == ns)
		return true;
	if (cgroup_names(s, pid, x)) {
		if (x->mntns)
			rti_containers_renew(&s->ctrs, x);
		x->mntns = ns;
		return true;
	}
	if (traced && !x->mntns) {
		x->mntns = ns;
		return true;
	}
	return false;
}

/* A container process that is gone: the module opened before for this
 * container, else through a live sibling's root, else process_gone. */
static void container_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
			     struct rti_ctr *x, size_t plen, uint64_t now, struct lookup *lk)
{
	bool in_root;

	if (x) {
		lk->o = rti_objcache_by_container(s->mods.objs, x->serial, q->module, plen);
		if (lk->o) {
			s->st.found_container++;
			lk->found = RTI_FOUND_CONTAINER_CACHE;
			return;
		}
		for (unsigned i = 0; i < RTI_CTR_MEMBERS; i++) {
			/* the most recently seen first */
			const struct rti_ctr_member *m =
				&x->m[(x->next + RTI_CTR_MEMBERS - 1 - i) % RTI_CTR_MEMBERS];

			if (!m->valid || (m->pid == q->pid && m->start_ns == q->start_ns) ||
			    !rti_proc_liveness_is_traced(&s->procs, m->pid, m->start_ns, now))
				continue;
			if (!in_container(s, x, m->pid, false)) {
				s->st.siblings_rejected++;
				continue;
			}
			proc_root_module(s, m->pid, q->module, &in_root, lk);
			if (!in_root)
				continue;
			if (lk->o) {
				s->st.found_sibling++;
				lk->found = RTI_FOUND_SIBLING;
				rti_objcache_add_container(s->mods.objs, lk->o, x->serial,
							   q->module, plen);
			}
			return;
		}
	}
	s->st.process_gone++;
	lk->o = NULL;
	lk->why = RTI_UNRES_PROCESS_GONE;
	lk->found = RTI_FOUND_PROCESS_GONE;
}

/* The file of a well-formed module path: the process's root; for a host
 * process then the host; for a container process its container. */
static void find_module(struct rti_symbolizer *s, const struct rti_sym_query *q, size_t plen,
			uint64_t now, struct lookup *lk)
{
	size_t idn;
	const char *id = rti_container_id_norm(q->container, &idn);
	struct rti_ctr *x = idn ? rti_containers_find(&s->ctrs, id, idn) : NULL;
	bool in_root;

	if (q->pid && rti_proc_liveness_is_traced(&s->procs, q->pid, q->start_ns, now)) {
		proc_root_module(s, q->pid, q->module, &in_root, lk);
		if (in_root) {
			if (lk->o) {
				s->st.found_proc_root++;
				lk->found = RTI_FOUND_PROC_ROOT;
			}
			if (lk->o && x && in_container(s, x, q->pid, true))
				rti_objcache_add_container(s->mods.objs, lk->o, x->serial,
							   q->module, plen);
			return;
		}
		/* root not readable: as if gone */
	} else if (q->pid) {
		s->st.pid_gone++;
	}
	if (idn)
		container_module(s, q, x, plen, now, lk);
	else
		host_module(s, q->module, plen, now, lk);
}

/* Code known by a process_loader build id only (the file unreadable, or
 * another build on disk). A container process that is gone may use the
 * host's file when it is that very build. */
static void by_loader(struct rti_symbolizer *s, const struct rti_sym_query *q, size_t plen,
		      uint64_t now, const struct rti_loader_id *l, struct lookup *lk)
{
	struct lookup h;

	if (lk->why == RTI_UNRES_PROCESS_GONE) {
		memset(&h, 0, sizeof(h));
		host_module(s, q->module, plen, now, &h);
		if (h.o && h.o->bid_len == l->bid_len && !memcmp(h.o->bid, l->bid, l->bid_len)) {
			*lk = h;
			lk->why = RTI_UNRES_NONE;
			lk->ctime_ns = 0; /* the build id says it is the mapped file */
			return;
		}
	}
	s->st.loader_used++;
	lk->o = rti_module_by_build_id(&s->mods, l->bid, l->bid_len);
	if (lk->o)
		lk->found = RTI_FOUND_BUILD_ID;
}

/* A module memo miss: find the file the process mapped. */
static void resolve_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
			   size_t plen, uint64_t h, uint64_t now, struct lookup *lk)
{
	static const char deleted[] = " (deleted)";
	const char *path = q->module;
	const struct rti_loader_id *l =
		rti_loader_ids_find(&s->loader, q->pid, q->start_ns, path, plen, h);

	memset(lk, 0, sizeof(*lk));
	if (l)
		s->loader.st.hits++;
	else if (s->loader.stored)
		s->loader.st.misses++;
	if (plen >= sizeof(deleted) - 1 &&
	    !strcmp(path + plen - (sizeof(deleted) - 1), deleted)) {
		lk->why = RTI_UNRES_DELETED;
		goto by_loader;
	}
	if (!rti_root_path_ok(path)) {
		lk->why = RTI_UNRES_BAD_PATH;
		goto by_loader;
	}
	find_module(s, q, plen, now, lk);
	if (!lk->o)
		goto by_loader;
	if (l && (lk->o->bid_len != l->bid_len || memcmp(lk->o->bid, l->bid, l->bid_len))) {
		/* the process mapped other bytes than those on disk now */
		s->st.loader_mismatch++;
		lk->why = RTI_UNRES_BUILD_ID_MISMATCH;
		lk->found = RTI_FOUND_NONE;
		lk->o = NULL;
		goto by_loader;
	}
	if (l)
		lk->ctime_ns = 0; /* the build id says it is the mapped file */
	lk->why = RTI_UNRES_NONE;
	return;
by_loader:
	if (l)
		by_loader(s, q, plen, now, l, lk);
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

/* A host file whose ctime is later than the event: not necessarily the
 * bytes the process ran (a package upgrade since). */
static bool changed_since(int64_t ctime_ns, const struct rti_sym_query *q)
{
	return ctime_ns && q->time_ns && ctime_ns > q->time_ns;
}

/* The module of q (through the memo): *lk. false for frames that name
 * no file (r filled). */
static bool module_of(struct rti_symbolizer *s, const struct rti_sym_query *q,
		      struct rti_sym_result *r, struct lookup *lk)
{
	const char *path = q->module;
	struct rti_module_slot *m;
	size_t plen;
	uint64_t h, now;

	reset(r);
	if (no_file(s, path, r))
		return false;
	plen = strlen(path);
	now = coarse_now(s);
	m = s->last;
	if (m && rti_module_slot_holds(m, q->pid, q->start_ns, path, plen, s->mods.epoch, now)) {
		/* the same module as the frame before: no hashing */
		s->memo.st.hits++;
		goto found;
	}
	h = rti_memo_proc_key(q->pid, q->start_ns, path, plen);
	m = rti_module_memo_get(&s->memo, q->pid, q->start_ns, path, plen, h, s->mods.epoch, now);
	if (!m) {
		resolve_module(s, q, plen, h, now, lk);
		m = rti_module_memo_put(&s->memo, q->pid, q->start_ns, path, plen, h,
					s->mods.epoch, now, lk->o, lk->why);
		if (m) {
			m->found = (uint8_t)lk->found;
			m->ctime_ns = lk->ctime_ns;
		}
	}
	s->last = m;
	if (!m)
		return true; /* a path too long to memoize: *lk as resolved */
found:
	lk->o = m->obj;
	lk->why = (enum rti_unresolved)m->why;
	lk->found = (enum rti_found)m->found;
	lk->ctime_ns = m->ctime_ns;
	return true;
}

int rti_symbolize_user(struct rti_symbolizer *s, const struct rti_sym_query *q,
		       struct rti_sym_result *r)
{
	struct lookup lk;

	if (!module_of(s, q, r, &lk))
		return 0;
	if (lk.o && changed_since(lk.ctime_ns, q)) {
		r->why = RTI_UNRES_MODULE_CHANGED;
		r->found = RTI_FOUND_MODULE_CHANGED;
		return 0;
	}
	r->found = lk.found;
	if (!lk.o)
		r->why = lk.why;
	else
		answer(s, lk.o, q->offset, lk.why, q->agent_symbol, r);
	return 0;
}

void rti_symbolize_module_id(struct rti_symbolizer *s, const struct rti_sym_query *q,
			     struct rti_module_id *id)
{
	struct rti_sym_result r;
	struct lookup lk;

	memset(id, 0, sizeof(*id));
	if (!module_of(s, q, &r, &lk)) {
		id->why = (uint8_t)r.why;
		return;
	}
	id->serial = lk.o ? lk.o->serial : 0;
	id->why = (uint8_t)lk.why;
	id->found = (uint8_t)lk.found;
	id->changed = lk.o && changed_since(lk.ctime_ns, q);
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
	    rti_containers_init(&s->ctrs, o->container_slots) ||
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
	rti_containers_release(&s->ctrs);
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
	if (s->mods.objs) {
		s->st.files = *rti_objcache_stats(s->mods.objs);
		s->st.container_modules = *rti_objcache_container_stats(s->mods.objs);
	}
	s->st.containers = s->ctrs.st;
	s->st.modules = s->memo.st;
	s->st.frames = s->frames.st;
	s->st.loader = s->loader.st;
	s->st.loader_ids = s->loader.stored;
	s->st.elf_errors = s->mods.elf_errors;
	s->st.debug_files = s->mods.debug_files;
	s->st.files_hashed = s->mods.files_hashed;
	return &s->st;
}
