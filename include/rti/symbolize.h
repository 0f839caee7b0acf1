/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbolizer: identity and function name of a code location, the same
 * on every node, in every container and under every ASLR layout (spec
 * runtime-call-event.md §6, docs/stacks.md).
 *
 * A user frame is (module path as seen by the process, file offset). The
 * module is found through <proc root>/<pid>/root while that process lives.
 * For a process in a container that is gone: through the root of a live
 * process of the same container (a sibling), else from the per-container
 * module cache, never from the host's file of that path (process_gone).
 * A host process that is gone: the host root, unless the file changed
 * after the event (module_changed). Its code_id is the GNU build id, else a
 * SHA-256 of the file; its symbols come from .symtab, .dynsym and a debug
 * file found by build id or .gnu_debuglink. process_loader build ids fill
 * in when the file cannot be read or is not the one the process mapped.
 * Kernel addresses resolve through a kallsyms snapshot.
 *
 * Parsed files, (process, module) lookups and frames are cached, bounded,
 * with counters. One symbolizer is used by one thread.
 */
#ifndef RTI_SYMBOLIZE_H
#define RTI_SYMBOLIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/canon.h"
#include "rti/opts.h"

/* `resolved_by` of a frame. */
enum rti_resolved {
	RTI_RESOLVED_NONE = 0,
	RTI_RESOLVED_AGENT,     /* Tetragon's symbol */
	RTI_RESOLVED_SYMTAB,
	RTI_RESOLVED_DYNSYM,
	RTI_RESOLVED_DEBUGINFO, /* .symtab of a separate debug file */
	RTI_RESOLVED_KALLSYMS,
	RTI_RESOLVED__COUNT
};

/* Why our own resolution found no symbol (`unresolved`). */
enum rti_unresolved {
	RTI_UNRES_NONE = 0,
	RTI_UNRES_SYMBOLIZATION_OFF, /* --no-symbolize */
	RTI_UNRES_ANONYMOUS,         /* no module: JIT code, anonymous memory */
	RTI_UNRES_PSEUDO,            /* [vdso], [vsyscall], ... */
	RTI_UNRES_BAD_PATH,          /* not absolute, or with . / .. components */
	RTI_UNRES_DELETED,           /* "(deleted)": the file on disk is another one */
	RTI_UNRES_NOT_FOUND,
	RTI_UNRES_UNREADABLE,        /* permission denied, not a regular file */
	RTI_UNRES_NOT_ELF,
	RTI_UNRES_BAD_ELF,
	RTI_UNRES_BUILD_ID_MISMATCH, /* the file differs from the mapped one */
	RTI_UNRES_NOT_MAPPED,        /* offset in no PT_LOAD segment */
	RTI_UNRES_STRIPPED,          /* no function symbols at all */
	RTI_UNRES_NO_SYMBOL,         /* no function covers the offset */
	RTI_UNRES_NO_KALLSYMS,       /* kernel address, no usable kallsyms */
	RTI_UNRES_NO_KERNEL_SYMBOL,  /* kernel address, no text symbol */
	RTI_UNRES_PROCESS_GONE,      /* container process gone, no sibling, not cached */
	RTI_UNRES_MODULE_CHANGED,    /* host file changed after the event (ctime) */
	RTI_UNRES__COUNT
};

/* How the file of a user frame was found (the summary's "frames found"). */
enum rti_found {
	RTI_FOUND_NONE = 0,       /* no file: pseudo, anonymous, bad path, not found ... */
	RTI_FOUND_PROC_ROOT,      /* <proc root>/<pid>/root of the traced process */
	RTI_FOUND_SIBLING,        /* the root of a live process of the same container */
	RTI_FOUND_CONTAINER_CACHE,/* opened earlier for the same container */
	RTI_FOUND_HOST,           /* the host root */
	RTI_FOUND_BUILD_ID,       /* a process_loader build id only */
	RTI_FOUND_PROCESS_GONE,   /* container process gone: no file used */
	RTI_FOUND_MODULE_CHANGED, /* host file changed after the event: not used */
	RTI_FOUND__COUNT
};

enum rti_code_id_kind {
	RTI_CODE_ID_PATH = 0,
	RTI_CODE_ID_BUILD_ID,
	RTI_CODE_ID_FILE_SHA256,
	RTI_CODE_ID_KERNEL,
	RTI_CODE_ID__COUNT
};

/* "none", "agent", "symtab", ... */
const char *rti_resolved_name(enum rti_resolved r);
/* NULL for RTI_UNRES_NONE, else "module_not_found", ... */
const char *rti_unresolved_name(enum rti_unresolved u);
/* "none", "proc root", "sibling", "container cache", "host", "build id",
 * "process gone", "module changed" */
const char *rti_found_name(enum rti_found f);
/* "path", "gnu-build-id", "file-sha256", "kernel" */
const char *rti_code_id_kind_name(enum rti_code_id_kind k);

struct rti_cache_stats {
	uint64_t hits, misses, evictions, entries;
	uint64_t bytes; /* memory held (parsed files) */
};

struct rti_symbolize_stats {
	/* frames, by outcome (counted by the stack stage) */
	uint64_t resolved[RTI_RESOLVED__COUNT];
	uint64_t failed[RTI_UNRES__COUNT];       /* our resolution failed, by reason */
	uint64_t failed_agent[RTI_UNRES__COUNT]; /* ... and Tetragon's symbol was used */
	uint64_t agent_disagree;  /* Tetragon named another function than we did */
	uint64_t code_ids[RTI_CODE_ID__COUNT];
	uint64_t found[RTI_FOUND__COUNT];        /* user frames, by how the file was found */
	/* module lookups (on cache misses) */
	uint64_t found_proc_root; /* through <proc root>/<pid>/root */
	uint64_t found_host;      /* under the host root */
	uint64_t pid_gone;        /* pid absent or reused (host process: host path) */
	uint64_t found_sibling;   /* through a live sibling of the container */
	uint64_t found_container; /* from the per-container module cache */
	uint64_t process_gone;    /* container process gone: nothing to open */
	uint64_t siblings_rejected; /* sibling pids reused or no longer in the container */
	uint64_t loader_ids;      /* process_loader build ids stored */
	uint64_t loader_used;     /* ... that named a module we could not read */
	uint64_t loader_mismatch; /* ... that differed from the file on disk */
	uint64_t elf_errors;      /* corrupt ELF files */
	uint64_t debug_files;     /* separate debug files loaded */
	uint64_t files_hashed;    /* file-sha256 computed */
	/* caches */
	struct rti_cache_stats files;   /* parsed files */
	struct rti_cache_stats modules; /* (pid, module) -> file, short-lived */
	struct rti_cache_stats frames;  /* (file, offset) -> frame */
	struct rti_cache_stats loader;  /* process_loader build ids */
	struct rti_cache_stats containers; /* container registry (entries, evictions) */
	struct rti_cache_stats container_modules; /* (container, path) -> file */
	struct rti_cache_stats stacks; /* whole stacks -> frames, JSON (stack stage) */
};

struct rti_symbolizer_opts {
	size_t sz;                /* sizeof(struct rti_symbolizer_opts) */
	bool disabled;            /* --no-symbolize: no file access at all */
	const char *proc_root;    /* NULL: "/proc" */
	const char *host_root;    /* NULL: "/" */
	const char *debug_dir;    /* NULL: <host root>/usr/lib/debug */
	const char *kallsyms;     /* NULL: <proc root>/kallsyms; "" or "none": off */
	unsigned max_files;       /* parsed files kept; 0: 256 */
	size_t max_file_bytes;    /* their memory; 0: 64 MiB */
	unsigned module_slots;    /* (pid, module) memo; 0: 2048 */
	unsigned module_ttl_ms;   /* how long a (pid, module) lookup holds; 0: 1000 */
	unsigned frame_slots;     /* frame memo (4-way sets); 0: 4096 */
	unsigned loader_slots;    /* process_loader build ids; 0: 2048 */
	unsigned container_slots; /* containers remembered (8 processes each); 0: 1024 */
};

/* One user frame. */
struct rti_sym_query {
	const char *module;       /* path in the process's mount namespace */
	uint64_t offset;          /* file offset (Tetragon's user-frame offset) */
	uint32_t pid;             /* 0: no process, host path only */
	int64_t start_ns;         /* process start, ns since the epoch; 0: unknown;
				   * RTI_SYM_START_UNKNOWABLE: given but not
				   * representable, so never a live pid */
	const char *agent_symbol; /* Tetragon's, compared when both resolve; may be NULL */
	const char *container;    /* the process's container id (pod container id or
				   * Tetragon's docker field); NULL: a host process */
	int64_t time_ns;          /* the event's time, ns since the epoch; 0: unknown */
};

/*
 * The answer. Strings stay valid until the next call on the symbolizer.
 * code_id NULL (kind RTI_CODE_ID_PATH) means the code has no identity but
 * its path: the caller builds "path:<module>" (after privacy filtering)
 * and its frame_id; otherwise frame_id is filled.
 */
struct rti_sym_result {
	enum rti_code_id_kind kind;
	const char *code_id;
	const char *symbol;       /* demangled; NULL when not resolved */
	const char *raw_symbol;   /* as in the symbol table */
	uint64_t symbol_offset;
	const char *module;       /* kernel: "[kernel]" or "[module]" */
	enum rti_resolved by;     /* RTI_RESOLVED_NONE when symbol is NULL */
	enum rti_unresolved why;  /* when symbol is NULL */
	bool agent_disagrees;
	enum rti_found found;     /* how the file was found */
	char frame_id[RTI_FRAME_ID_LEN + 1];
};

/* start_ns of a process whose start time does not fit in 64-bit ns */
#define RTI_SYM_START_UNKNOWABLE INT64_MIN

struct rti_symbolizer;

/* NULL with errno (EINVAL: bad options, ENOMEM). */
struct rti_symbolizer *rti_symbolizer_new(const struct rti_symbolizer_opts *o);
void rti_symbolizer_free(struct rti_symbolizer *s);
bool rti_symbolizer_enabled(const struct rti_symbolizer *s);

/* A user frame. 0, or -errno on internal failure (out of memory). An
 * unresolved frame is not an error: r->why says what went wrong. */
int rti_symbolize_user(struct rti_symbolizer *s, const struct rti_sym_query *q,
		       struct rti_sym_result *r);
/* A file offset in the ELF file at path (opened as given, no roots). */
int rti_symbolize_elf(struct rti_symbolizer *s, const char *path, uint64_t offset,
		      struct rti_sym_result *r);
/* A kernel address through the kallsyms snapshot (loaded on first use). */
int rti_symbolize_kernel(struct rti_symbolizer *s, uint64_t addr, struct rti_sym_result *r);

/* A process_loader build id for (process, path). 0 or -EINVAL. */
int rti_symbolizer_add_build_id(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				const char *path, const unsigned char *id, size_t len);

/*
 * A process seen in an event (any kind, stacks or not): container (NULL:
 * host, nothing to do), its image digest (may be NULL), pid and start.
 * O(1); the bounded registry of container members (stack/containers.h).
 */
void rti_symbolizer_add_process(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				const char *container, const char *image);

/* Cache and lookup counters (the outcome counters stay zero here). */
const struct rti_symbolize_stats *rti_symbolizer_stats(struct rti_symbolizer *s);

#endif
