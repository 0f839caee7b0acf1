/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the hot symbol index: the bounded aggregation table, the
 * batch a flush commits, and the store interface (SQLite, PostgreSQL).
 */
#ifndef RTI_HOTSYM_INT_H
#define RTI_HOTSYM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/hotsym.h"
#include "util/arena.h"

#define HS_SCHEMA_VERSION 5
#define HS_EXEMPLAR_MAX (64u << 10) /* bytes of one exemplar's frames */
#define HS_MAX_SOURCES 256
#define HS_DIGEST_LEN (7 + 64) /* "sha256:" + hex */

/* One (scope, code_id, symbol) being counted: symbol_id = code_id "!" symbol. */
struct hs_entry {
	uint64_t hash;
	const char *scope;     /* interned */
	const char *code_id;   /* interned */
	const char *module;    /* interned; NULL = withheld */
	const char *symbol;
	uint32_t probe_types;
	uint64_t hits;
	int64_t first_ns, last_ns;
	uint64_t serial;       /* last event counted: once per event (§7) */
};

/* One (scope, call path): a distinct stack. */
struct hs_path {
	uint64_t hash;
	const char *scope;
	unsigned char digest[32]; /* SHA-256 of the stack's frame ids */
	const char *frames;       /* exemplar (docs/hot-index.md §1), interned; or NULL */
	uint64_t hits;
	int64_t first_ns, last_ns;
};

struct hs_istr {
	uint64_t hash;
	const char *s;
};

/* Open addressing over arrays that grow up to the caps. */
struct hs_table {
	struct rti_arena strings;
	struct hs_entry *e;
	size_t n, cap, max;
	uint64_t *idx;          /* hash tag | entry index + 1; 0 = empty */
	size_t icap;
	struct hs_path *p;
	size_t np, pcap, pmax;
	uint64_t *pidx;
	size_t picap;
	struct hs_istr *is;     /* interned strings */
	size_t nis, iscap;
	uint64_t observations;  /* counted into this table */
};

void hs_table_init(struct hs_table *t, size_t max_entries, size_t max_paths,
		   size_t max_bytes);
void hs_table_release(struct hs_table *t);
void hs_table_reset(struct hs_table *t);
/* s[0..n) as a shared copy; NULL when the string memory is full. */
const char *hs_intern(struct hs_table *t, const char *s, size_t n);
/* Room for `entries` more entries, one more path and `bytes` more string bytes. */
bool hs_table_has_room(const struct hs_table *t, size_t entries, size_t bytes);
/*
 * Counts one observation; h = hs_entry_hash(). scope, code_id, module: interned. 0 counted,
 * 1 already counted for this event serial, -ENOBUFS or -ENOMEM when full.
 */
uint64_t hs_entry_hash(const char *scope, const char *code_id, const char *symbol,
		      size_t symlen);
/* The same from the symbol's rti_str_hash64() */
uint64_t hs_entry_hash_sym(const char *scope, const char *code_id, uint64_t symhash);
/* A hint before hs_table_add(): stage 0 the slot, 1 the entry, 2 its name.
 * An event's observations go through each stage in turn, so that their
 * cache misses overlap instead of following one another. */
void hs_table_prefetch(const struct hs_table *t, uint64_t h, int stage);
int hs_table_add(struct hs_table *t, uint64_t h, const char *scope, const char *code_id,
		 const char *module, const char *symbol, size_t symlen,
		 uint32_t ptype_bit, int64_t ns, uint64_t serial);
/* 1 when the path is new in this table (its exemplar may be set), 0, -errno. */
int hs_table_add_path(struct hs_table *t, const char *scope,
		      const unsigned char digest[32], int64_t ns);
#define RTI_MAX_FOLDED_FRAMES 1024
/* folded.c: the folded-stack export of exemplar call paths */
int hs_export_folded(struct rti_hotsym *h, struct rti_hot_export_opts *eo, int fd);

/* "sha256:" + hex of d into out[HS_DIGEST_LEN + 1]. */
void hs_digest_hex(const unsigned char d[32], char *out);
/* Sorts entries by (scope, code_id, symbol) and paths by (scope, digest);
 * the hash index is invalid afterwards (reset to reuse). */
void hs_table_freeze(struct hs_table *t);

/* Interned string -> number, for the commit of one batch. */
struct hs_ptrmap {
	struct {
		const char *k;
		int64_t v;
	} *slot;
	size_t n, cap;
};

void hs_ptrmap_release(struct hs_ptrmap *m);
/* The value of k, or NULL. */
int64_t *hs_ptrmap_get(const struct hs_ptrmap *m, const char *k);
int hs_ptrmap_put(struct hs_ptrmap *m, const char *k, int64_t v);

struct hs_pos {
	char *source;
	uint64_t offset;
};

/* What one flush commits. */
struct hs_batch {
	uint64_t seq;
	bool has_seq;
	const struct hs_table *t;
	struct hs_pos *pos;
	size_t npos;
	uint64_t max_exemplars; /* per scope, in the store */
};

/* signals_line.c: one Signals runtime-facts line of e (canonical JSON and
 * '\n') appended to out; the writer of `hot export --format signals-ndjson`. */
int hs_signals_line(const struct rti_hot_entry *e, struct rti_buf *out);
struct hs_sig_freeze;
/* e's line appended to body (line: scratch) unless the batch is full
 * (f->max_lines lines, or max_bytes once it holds one): 0 appended, 1
 * full (the rest goes into the scope's next batch), -errno. One rule
 * for both stores. */
int hs_signals_take(const struct hs_sig_freeze *f, const struct rti_hot_entry *e,
		    uint64_t records, struct rti_buf *line, struct rti_buf *body);

/* ---- stores ---- */

struct hs_store;

/* The Signals push (docs/hot-index.md "Signals push"): freezing one scope. */
struct hs_sig_freeze {
	const char *node;      /* who freezes: part of the batch id */
	const char *scope;
	const char *path;      /* the request path, kept with the batch */
	uint64_t max_lines;    /* symbols per batch */
	size_t max_bytes;      /* body bytes per batch (at least one line) */
	int64_t now_ms;        /* CLOCK_REALTIME */
};

/* A frozen batch as read back; body is the store's buffer. */
struct hs_sig_batch {
	char id[160];
	char path[1024];
	struct rti_buf *body;
	uint64_t records;
	int64_t created_ms;
};

/* signals_line.c: the batch id (Idempotency-Key) of (node, scope, seq). */
int hs_sig_batch_id(char out[160], const char *node, const char *scope, uint64_t seq);

#define HS_SIG_RESP_MAX 4096 /* bytes of a refusal's response kept with a dead batch */

/* frames: the path's exemplar, NULL when none was kept */
typedef int (*hs_path_fn)(void *arg, const char *scope, const char *digest,
			  uint64_t hits, int64_t first_ns, int64_t last_ns, const char *frames);
typedef int (*hs_scope_fn)(void *arg, const char *scope);
typedef int (*hs_info_fn)(void *arg, const char *code_id, const char *info);
typedef int (*hs_exemplar_fn)(void *arg, const char *scope, const char *digest_hex);

struct hs_store_ops {
	const char *name;
	/* A new, never used sequence number for node (autocommit). */
	int (*reserve)(struct hs_store *s, const char *node, uint64_t *seq);
	/* One transaction: the batch id, its counts, its input positions.
	 * *dup = the batch had been committed before (nothing changed). */
	int (*commit)(struct hs_store *s, const char *node, const struct hs_batch *b,
		      bool *dup);
	int (*position)(struct hs_store *s, const char *node, const char *source,
			uint64_t *offset);
	int (*scan)(struct hs_store *s, const struct rti_hot_filter *f,
		    rti_hot_entry_fn fn, void *arg);
	/* paths of f->scope within f->since/until, ordered by digest */
	int (*scan_paths)(struct hs_store *s, const struct rti_hot_filter *f,
			  hs_path_fn fn, void *arg);
	/* distinct scopes with entries matching f, in byte order */
	int (*scopes)(struct hs_store *s, const struct rti_hot_filter *f,
		      hs_scope_fn fn, void *arg);
	/* Go build information per code id (schema 3), by code id */
	int (*scan_buildinfo)(struct hs_store *s, hs_info_fn fn, void *arg);
	/* up to max of the (scope, digest) pairs that have an exemplar, any
	 * order; NULL: the store does not list them (a fleet's index is large
	 * and every node would read all of it at start) */
	int (*scan_exemplars)(struct hs_store *s, size_t max, hs_exemplar_fn fn, void *arg);
	/* per scope holding at least cap exemplars, its largest digest (a
	 * larger one would be trimmed at once); NULL as above */
	int (*scan_full_scopes)(struct hs_store *s, uint64_t cap, hs_exemplar_fn fn, void *arg);
	/* ---- Signals push (schema 4); each one transaction ---- */
	/* scopes whose counts grew since their acknowledged push and that have
	 * no outstanding batch, in byte order */
	int (*sig_scopes)(struct hs_store *s, hs_scope_fn fn, void *arg);
	/* 0 nothing to freeze, 1 a batch frozen, 2 frozen and more is left
	 * (a cap was reached); body is scratch */
	int (*sig_freeze)(struct hs_store *s, const struct hs_sig_freeze *f,
			  struct rti_buf *body);
	/* the oldest outstanding batch this node owns or whose lease ran out,
	 * claimed for lease_ms: 1 and *b, 0 none, -errno */
	int (*sig_next)(struct hs_store *s, const char *node, int64_t now_ms,
			int64_t lease_ms, struct hs_sig_batch *b);
	/* dead == false: acknowledged; true: refused (status, resp kept). 1 the
	 * batch's deltas were applied now, 0 unknown or done before (no-op) */
	int (*sig_settle)(struct hs_store *s, const char *id, bool dead, long status,
			  const char *resp, size_t resp_len, int64_t now_ms);
	void (*close)(struct hs_store *s);
};

struct hs_store {
	const struct hs_store_ops *ops;
	char *err;      /* the handle's message buffer */
	size_t errlen;
};

/* The handle's store (export.c). */
struct hs_store *hs_store_of(struct rti_hotsym *h);
/* The handle's node identity (signals.c). */
const char *hs_node_of(const struct rti_hotsym *h);
/* The handle's buffer for a Signals batch's body (signals.c). */
struct rti_buf *hs_sig_body(struct rti_hotsym *h);
/* Empties rti_hotsym_errmsg() before a call that may set it. */
void hs_clear_err(struct rti_hotsym *h);

int hs_sqlite_open(const char *path, bool read_only, char *err, size_t errlen,
		   struct hs_store **out);
int hs_pg_open(const char *conninfo, bool read_only, char *err, size_t errlen,
	       struct hs_store **out);

/* "postgres://u:secret@h/db" -> "postgres://u:***@h/db", for messages. */
void hs_redact_url(const char *url, char *out, size_t outlen);


/*
 * Test-only fault injection (tests/hotsym, bench): NULL in production.
 * Called at "commit:before" (inside the transaction, counts written, not
 * yet committed) and "commit:after" (committed); a non-zero return at
 * "commit:after" reports the commit as failed, like a lost acknowledgement.
 */
extern int (*rti_hotsym__test_hook)(const char *point);

#endif
