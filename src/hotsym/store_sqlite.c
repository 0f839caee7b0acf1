/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded store: one SQLite file in WAL mode. A flush is one
 * BEGIN IMMEDIATE transaction (writers queue on the busy timeout instead
 * of failing on a lock upgrade); synchronous=NORMAL is enough for
 * exactness: a power loss may roll back the last batches, and their input
 * positions with them.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hotsym/hotsym_int.h"
#include "rti/gobuildinfo.h"
#include "util/timefmt.h"
#include "hotsym/store_sql.h"
#include "util/clock.h"

#define BUSY_TIMEOUT_MS 60000

struct sq_store {
	struct hs_store base;
	sqlite3 *db;
	sqlite3_stmt *reserve, *batch, *sym, *path, *input, *position, *exemplar, *drop;
	sqlite3_stmt *goinfo;
	char *info;     /* RTI_GO_BUILDINFO_MAX: one build information text */
	sqlite3_stmt *scope_ins, *scope_get, *code_ins, *code_get;
};

/* Each entry brings the schema from version i to i + 1 (store_sql.h). */
static const char *const migrations[HS_SCHEMA_VERSION] = {
	/* 1: the index, batch ids, sequences, input positions */
	"CREATE TABLE hot_scopes (id INTEGER PRIMARY KEY, scope TEXT NOT NULL UNIQUE);"
	"CREATE TABLE hot_codes (id INTEGER PRIMARY KEY, code_id TEXT NOT NULL UNIQUE);"
	"CREATE TABLE hot_symbols ("
	" scope_id INTEGER NOT NULL, code_ref INTEGER NOT NULL, symbol TEXT NOT NULL,"
	" hit_count INTEGER NOT NULL, first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL, probe_types INTEGER NOT NULL, module TEXT,"
	" PRIMARY KEY (scope_id, code_ref, symbol)) WITHOUT ROWID;"
	"CREATE TABLE hot_paths ("
	" scope_id INTEGER NOT NULL, stack_digest TEXT NOT NULL,"
	" hit_count INTEGER NOT NULL, first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (scope_id, stack_digest)) WITHOUT ROWID;"
	"CREATE TABLE hot_nodes (node TEXT PRIMARY KEY, next_seq INTEGER NOT NULL);"
	"CREATE TABLE hot_batches ("
	" node TEXT NOT NULL, seq INTEGER NOT NULL, committed_at INTEGER NOT NULL,"
	" observations INTEGER NOT NULL, symbols INTEGER NOT NULL,"
	" paths INTEGER NOT NULL,"
	" PRIMARY KEY (node, seq)) WITHOUT ROWID;"
	"CREATE TABLE hot_inputs ("
	" node TEXT NOT NULL, source TEXT NOT NULL, position INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" PRIMARY KEY (node, source)) WITHOUT ROWID;",
	/* 2: the §7 listing for people at an SQL prompt (times in seconds) */
	"CREATE VIEW hot_symbols_v AS SELECT s.scope AS scope,"
	" k.code_id || '!' || h.symbol AS symbol_id, k.code_id AS code_id,"
	" h.symbol AS symbol, h.module AS module, h.hit_count AS hit_count,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', h.first_seen / 1000000000, 'unixepoch') AS first_seen,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', h.last_seen / 1000000000, 'unixepoch') AS last_seen,"
	" h.probe_types AS probe_types"
	" FROM hot_symbols h JOIN hot_scopes s ON s.id = h.scope_id"
	" JOIN hot_codes k ON k.id = h.code_ref;",
	/* 3: exemplar call paths: per scope, those of the smallest digests */
	"CREATE TABLE hot_exemplars ("
	" scope_id INTEGER NOT NULL, stack_digest TEXT NOT NULL, frames TEXT NOT NULL,"
	" PRIMARY KEY (scope_id, stack_digest)) WITHOUT ROWID;"
	"CREATE TABLE hot_go_buildinfo (code_ref INTEGER PRIMARY KEY, info TEXT NOT NULL);",
	/* 4: the Signals push: per scope its cursor, per symbol the count
	 * acknowledged, the frozen batches and their per-symbol deltas */
	"CREATE TABLE hot_signals_scopes (scope_id INTEGER PRIMARY KEY,"
	" next_seq INTEGER NOT NULL, acked_seq INTEGER NOT NULL DEFAULT 0,"
	" acked_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE hot_signals_pushed ("
	" scope_id INTEGER NOT NULL, code_ref INTEGER NOT NULL, symbol TEXT NOT NULL,"
	" hit_count INTEGER NOT NULL,"
	" PRIMARY KEY (scope_id, code_ref, symbol)) WITHOUT ROWID;"
	"CREATE TABLE hot_signals_batches (id TEXT PRIMARY KEY,"
	" scope_id INTEGER NOT NULL, seq INTEGER NOT NULL, node TEXT NOT NULL,"
	" state INTEGER NOT NULL, owner TEXT NOT NULL, lease_until INTEGER NOT NULL,"
	" created_ms INTEGER NOT NULL, path TEXT NOT NULL, body BLOB NOT NULL,"
	" records INTEGER NOT NULL, dead_status INTEGER, dead_at INTEGER,"
	" dead_response BLOB, UNIQUE (scope_id, seq));"
	"CREATE INDEX hot_signals_outstanding ON hot_signals_batches (state, created_ms, id);"
	"CREATE TABLE hot_signals_deltas ("
	" batch_id TEXT NOT NULL, code_ref INTEGER NOT NULL, symbol TEXT NOT NULL,"
	" delta INTEGER NOT NULL,"
	" PRIMARY KEY (batch_id, code_ref, symbol)) WITHOUT ROWID;",
	/* 5: exemplars in a rowid table: a WITHOUT ROWID row keeps about a
	 * kilobyte in its page and spills the rest of an exemplar (1-2 KB)
	 * to an overflow page of its own, which made the exemplars most of
	 * the index's bytes and of every commit's writes */
	"CREATE TABLE hot_exemplars_5 ("
	" scope_id INTEGER NOT NULL, stack_digest TEXT NOT NULL, frames TEXT NOT NULL,"
	" UNIQUE (scope_id, stack_digest));"
	"INSERT INTO hot_exemplars_5 (scope_id, stack_digest, frames)"
	" SELECT scope_id, stack_digest, frames FROM hot_exemplars;"
	"DROP TABLE hot_exemplars;"
	"ALTER TABLE hot_exemplars_5 RENAME TO hot_exemplars;",
};

static int fail(struct sq_store *s, const char *what)
{
	snprintf(s->base.err, s->base.errlen, "sqlite: %s: %s", what, sqlite3_errmsg(s->db));
	switch (sqlite3_errcode(s->db)) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int exec(struct sq_store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->base.err, s->base.errlen, "sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return sqlite3_errcode(s->db) == SQLITE_BUSY ? -EBUSY : -EIO;
	}
	return 0;
}

static int prep(struct sq_store *s, sqlite3_stmt **st, const char *sql)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return fail(s, "prepare");
	return 0;
}

static int64_t wall_ns(void)
{
	return (int64_t)rti_wall_ns();
}

static int schema_version(struct sq_store *s, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT value FROM hot_meta WHERE key = 'schema_version'",
			       -1, &st, NULL) != SQLITE_OK)
		return -ENOENT; /* no hot_meta table */
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, "schema version");
}

static int migrate(struct sq_store *s)
{
	sqlite3_stmt *st;
	int64_t v;
	int err;

	err = exec(s, "BEGIN IMMEDIATE;"
		      "CREATE TABLE IF NOT EXISTS hot_meta (key TEXT PRIMARY KEY,"
		      " value INTEGER NOT NULL);");
	if (err)
		return err;
	err = schema_version(s, &v);
	if (err)
		goto out;
	if (v > HS_SCHEMA_VERSION) {
		snprintf(s->base.err, s->base.errlen,
			 "index schema version %lld is newer than this program's (%d)",
			 (long long)v, HS_SCHEMA_VERSION);
		err = -EPROTO;
		goto out;
	}
	for (; v < HS_SCHEMA_VERSION; v++) {
		err = exec(s, migrations[v]);
		if (err)
			goto out;
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO hot_meta (key, value) VALUES ('schema_version', ?1)"
			       " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			       -1, &st, NULL) != SQLITE_OK) {
		err = fail(s, "schema version");
		goto out;
	}
	sqlite3_bind_int64(st, 1, HS_SCHEMA_VERSION);
	if (sqlite3_step(st) != SQLITE_DONE)
		err = fail(s, "schema version");
	sqlite3_finalize(st);
	if (!err)
		return exec(s, "COMMIT");
out:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/* Switching a new index to WAL takes an exclusive lock, and SQLite answers
 * BUSY at once, without its busy handler, where waiting could deadlock
 * (several writers opening a new index together): the switch and the
 * migration are retried for as long as the busy timeout. */
static int open_for_writing(struct sq_store *s)
{
	uint64_t deadline = rti_now_ns() + (uint64_t)BUSY_TIMEOUT_MS * 1000000u;
	int rc;

	for (;;) {
		rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
		if (!rc)
			rc = migrate(s);
		if (rc != -EBUSY || rti_now_ns() >= deadline)
			return rc;
		usleep(10000);
	}
}

static int sq_reserve(struct hs_store *bs, const char *node, uint64_t *seq)
{
	struct sq_store *s = (struct sq_store *)bs;
	int rc;

	sqlite3_reset(s->reserve);
	sqlite3_bind_text(s->reserve, 1, node, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->reserve);
	if (rc != SQLITE_ROW) {
		int err = fail(s, "reserving a batch number");

		sqlite3_reset(s->reserve);
		return err;
	}
	*seq = (uint64_t)sqlite3_column_int64(s->reserve, 0);
	sqlite3_reset(s->reserve);
	return 0;
}

static int step_done(struct sq_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : fail(s, what);
}

/* The id of a scope or code id, created when new (in the batch's transaction). */
static int dict_id(struct sq_store *s, sqlite3_stmt *ins, sqlite3_stmt *get, const char *v,
		   struct hs_ptrmap *m, int64_t *id)
{
	int64_t *known = hs_ptrmap_get(m, v);
	int rc, err;

	if (known) {
		*id = *known;
		return 0;
	}
	sqlite3_bind_text(ins, 1, v, -1, SQLITE_STATIC);
	err = step_done(s, ins, "adding a scope or code id");
	if (err)
		return err;
	sqlite3_bind_text(get, 1, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(get);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(get, 0);
	else
		err = fail(s, "reading a scope or code id");
	sqlite3_reset(get);
	return err ? err : hs_ptrmap_put(m, v, *id);
}

/* The exemplar of (scope, digest) (§5); when the scope's last path of
 * the batch is reached, the scope keeps those of its cap smallest digests:
 * the same set whatever the order of arrival. *trim: an exemplar was added
 * to the scope in this batch. */
static int sq_exemplar(struct sq_store *s, int64_t sid, const char *digest,
		       const struct hs_path *p, bool last_of_scope, uint64_t cap, bool *trim)
{
	int err = 0;

	if (p->frames) {
		sqlite3_bind_int64(s->exemplar, 1, sid);
		sqlite3_bind_text(s->exemplar, 2, digest, HS_DIGEST_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_text(s->exemplar, 3, p->frames, -1, SQLITE_STATIC);
		err = step_done(s, s->exemplar, "adding an exemplar");
		*trim |= !err && sqlite3_changes(s->db);
	}
	if (err || !last_of_scope || !*trim)
		return err;
	*trim = false;
	sqlite3_bind_int64(s->drop, 1, sid);
	sqlite3_bind_int64(s->drop, 2, (int64_t)cap);
	return step_done(s, s->drop, "bounding the exemplars");
}

static int sq_commit(struct hs_store *bs, const char *node, const struct hs_batch *b,
		     bool *dup)
{
	struct sq_store *s = (struct sq_store *)bs;
	const struct hs_table *t = b->t;
	char digest[HS_DIGEST_LEN + 1];
	struct hs_ptrmap scopes = { NULL, 0, 0 }, codes = { NULL, 0, 0 };
	int64_t sid = 0, cref = 0;
	bool trim = false;
	int err;

	*dup = false;
	err = exec(s, "BEGIN IMMEDIATE");
	if (err)
		return err;
	/* the batch id first: a batch committed before changes nothing */
	sqlite3_bind_text(s->batch, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->batch, 2, (int64_t)b->seq);
	sqlite3_bind_int64(s->batch, 3, wall_ns());
	sqlite3_bind_int64(s->batch, 4, (int64_t)t->observations);
	sqlite3_bind_int64(s->batch, 5, (int64_t)t->n);
	sqlite3_bind_int64(s->batch, 6, (int64_t)t->np);
	err = step_done(s, s->batch, "recording the batch");
	if (err)
		goto out;
	if (sqlite3_changes(s->db) == 0) {
		*dup = true;
		goto out;
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct hs_entry *e = &t->e[i];

		err = dict_id(s, s->scope_ins, s->scope_get, e->scope, &scopes, &sid);
		if (!err)
			err = dict_id(s, s->code_ins, s->code_get, e->code_id, &codes, &cref);
		if (err)
			goto out;
		sqlite3_bind_int64(s->sym, 1, sid);
		sqlite3_bind_int64(s->sym, 2, cref);
		sqlite3_bind_text(s->sym, 3, e->symbol, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->sym, 4, (int64_t)e->hits);
		sqlite3_bind_int64(s->sym, 5, e->first_ns);
		sqlite3_bind_int64(s->sym, 6, e->last_ns);
		sqlite3_bind_int64(s->sym, 7, e->probe_types);
		if (e->module)
			sqlite3_bind_text(s->sym, 8, e->module, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s->sym, 8);
		err = step_done(s, s->sym, "adding counts");
		if (err)
			goto out;
	}
	for (size_t i = 0; i < t->np; i++) {
		const struct hs_path *p = &t->p[i];

		err = dict_id(s, s->scope_ins, s->scope_get, p->scope, &scopes, &sid);
		if (err)
			goto out;
		hs_digest_hex(p->digest, digest);
		sqlite3_bind_int64(s->path, 1, sid);
		sqlite3_bind_text(s->path, 2, digest, HS_DIGEST_LEN, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s->path, 3, (int64_t)p->hits);
		sqlite3_bind_int64(s->path, 4, p->first_ns);
		sqlite3_bind_int64(s->path, 5, p->last_ns);
		err = step_done(s, s->path, "adding call paths");
		if (!err)
			err = sq_exemplar(s, sid, digest, p,
					  i + 1 == t->np || t->p[i + 1].scope != p->scope,
					  b->max_exemplars, &trim);
		if (err)
			goto out;
	}
	for (size_t i = 0; i < codes.cap && !err; i++) {
		long n = codes.slot[i].k ? rti_go_buildinfo_lookup(codes.slot[i].k, s->info,
								   RTI_GO_BUILDINFO_MAX)
					 : -1;

		if (n <= 0)
			continue;
		sqlite3_bind_int64(s->goinfo, 1, codes.slot[i].v);
		sqlite3_bind_text(s->goinfo, 2, s->info, (int)n, SQLITE_STATIC);
		err = step_done(s, s->goinfo, "adding Go build information");
	}
	if (err)
		goto out;
	for (size_t i = 0; i < b->npos; i++) {
		sqlite3_bind_text(s->input, 1, node, -1, SQLITE_STATIC);
		sqlite3_bind_text(s->input, 2, b->pos[i].source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->input, 3, (int64_t)b->pos[i].offset);
		sqlite3_bind_int64(s->input, 4, (int64_t)b->seq);
		err = step_done(s, s->input, "recording the input position");
		if (err)
			goto out;
	}
	if (rti_hotsym__test_hook)
		rti_hotsym__test_hook("commit:before");
	err = exec(s, "COMMIT");
	if (!err)
		goto done;
out:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
done:
	hs_ptrmap_release(&scopes);
	hs_ptrmap_release(&codes);
	return err;
}

static int sq_position(struct hs_store *bs, const char *node, const char *source,
		       uint64_t *offset)
{
	struct sq_store *s = (struct sq_store *)bs;
	int rc;

	sqlite3_reset(s->position);
	sqlite3_bind_text(s->position, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->position, 2, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->position);
	if (rc == SQLITE_ROW)
		*offset = (uint64_t)sqlite3_column_int64(s->position, 0);
	sqlite3_reset(s->position);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : fail(s, "reading the input position");
}

static int query(struct sq_store *s, enum hs_query what, const struct rti_hot_filter *f,
		 sqlite3_stmt **st)
{
	struct hs_sql q;

	hs_sql_build(&q, what, f, '?');
	if (sqlite3_prepare_v2(s->db, q.sql, -1, st, NULL) != SQLITE_OK)
		return fail(s, "query");
	for (int i = 0; i < q.n; i++) {
		if (q.is_int[i])
			sqlite3_bind_int64(*st, i + 1, q.num[i]);
		else
			sqlite3_bind_text(*st, i + 1, q.text[i], (int)q.text_len[i], SQLITE_STATIC);
	}
	return 0;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int sq_scan(struct hs_store *bs, const struct rti_hot_filter *f,
		   rti_hot_entry_fn fn, void *arg)
{
	struct sq_store *s = (struct sq_store *)bs;
	struct rti_buf sid = RTI_BUF_INIT(3 * RTI_HOTSYM_MAX_NAME);
	sqlite3_stmt *st;
	int rc, err = query(s, HS_Q_SYMBOLS, f, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rti_hot_entry e;

		e.scope = col(st, HS_C_SCOPE);
		e.code_id = col(st, HS_C_CODE_ID);
		e.symbol = col(st, HS_C_SYMBOL);
		e.module = col(st, HS_C_MODULE);
		if (!e.scope || !e.code_id || !e.symbol ||
		    hs_symbol_id(&sid, e.code_id, e.symbol)) {
			err = -ENOMEM;
			break;
		}
		e.symbol_id = sid.p;
		e.hit_count = (uint64_t)sqlite3_column_int64(st, HS_C_HITS);
		rti_time_from_ns(sqlite3_column_int64(st, HS_C_FIRST), &e.first_seen);
		rti_time_from_ns(sqlite3_column_int64(st, HS_C_LAST), &e.last_seen);
		e.probe_types = (uint32_t)sqlite3_column_int64(st, HS_C_PTYPES);
		err = fn(arg, &e);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the index");
	sqlite3_finalize(st);
	rti_buf_release(&sid);
	return err;
}

static int sq_scan_paths(struct hs_store *bs, const struct rti_hot_filter *f,
			 hs_path_fn fn, void *arg)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	int rc, err = query(s, HS_Q_PATHS, f, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!col(st, 0) || !col(st, 1)) {
			err = -ENOMEM;
			break;
		}
		err = fn(arg, col(st, 0), col(st, 1), (uint64_t)sqlite3_column_int64(st, 2),
			 sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), col(st, 5));
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the index");
	sqlite3_finalize(st);
	return err;
}

static int sq_scopes(struct hs_store *bs, const struct rti_hot_filter *f, hs_scope_fn fn,
		     void *arg)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	int rc, err = query(s, HS_Q_SCOPES, f, &st);

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!col(st, 0)) {
			err = -ENOMEM;
			break;
		}
		err = fn(arg, col(st, 0));
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the index");
	sqlite3_finalize(st);
	return err;
}

/* Rows of two text columns to fn; the statement's ?1 bound to n. */
static int scan_pairs(struct sq_store *s, const char *sql, uint64_t n, hs_exemplar_fn fn,
		      void *arg)
{
	sqlite3_stmt *st;
	int rc, err = prep(s, &st, sql);

	if (err)
		return err;
	sqlite3_bind_int64(st, 1, (int64_t)n);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!col(st, 0) || !col(st, 1)) {
			err = -ENOMEM;
			break;
		}
		err = fn(arg, col(st, 0), col(st, 1));
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the exemplars");
	sqlite3_finalize(st);
	return err;
}

static int sq_scan_exemplars(struct hs_store *bs, size_t max, hs_exemplar_fn fn, void *arg)
{
	return scan_pairs((struct sq_store *)bs,
			  "SELECT s.scope, x.stack_digest FROM hot_exemplars x"
			  " JOIN hot_scopes s ON s.id = x.scope_id LIMIT ?1",
			  max, fn, arg);
}

static int sq_scan_full_scopes(struct hs_store *bs, uint64_t cap, hs_exemplar_fn fn, void *arg)
{
	return scan_pairs((struct sq_store *)bs,
			  "SELECT s.scope, max(x.stack_digest) FROM hot_exemplars x"
			  " JOIN hot_scopes s ON s.id = x.scope_id GROUP BY x.scope_id"
			  " HAVING count(*) >= ?1",
			  cap, fn, arg);
}

static int sq_scan_buildinfo(struct hs_store *bs, hs_info_fn fn, void *arg)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	int rc, err = prep(s, &st, "SELECT k.code_id, g.info FROM hot_go_buildinfo g"
				   " JOIN hot_codes k ON k.id = g.code_ref ORDER BY k.code_id");

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = col(st, 0) && col(st, 1) ? fn(arg, col(st, 0), col(st, 1)) : -ENOMEM;
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the index");
	sqlite3_finalize(st);
	return err;
}

/* ---- the Signals push (docs/hot-index.md "Signals push") ---- */

/* The delta of every symbol of a scope: its count minus what Signals
 * acknowledged, in symbolId byte order (code_id "!" symbol). */
#define SQ_SIG_GROWN \
	" FROM hot_symbols h JOIN hot_codes k ON k.id = h.code_ref" \
	" LEFT JOIN hot_signals_pushed p ON p.scope_id = h.scope_id" \
	" AND p.code_ref = h.code_ref AND p.symbol = h.symbol" \
	" WHERE h.scope_id = ?1 AND h.hit_count > coalesce(p.hit_count, 0)"

static int sq_sig_scopes(struct hs_store *bs, hs_scope_fn fn, void *arg)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st;
	int rc, err = prep(s, &st,
			   "SELECT s.scope FROM hot_scopes s WHERE NOT EXISTS (SELECT 1"
			   " FROM hot_signals_batches b WHERE b.scope_id = s.id AND b.state = 0)"
			   " AND EXISTS (SELECT 1 FROM hot_symbols h LEFT JOIN hot_signals_pushed p"
			   " ON p.scope_id = h.scope_id AND p.code_ref = h.code_ref"
			   " AND p.symbol = h.symbol WHERE h.scope_id = s.id"
			   " AND h.hit_count > coalesce(p.hit_count, 0)) ORDER BY s.scope");

	if (err)
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		err = col(st, 0) ? fn(arg, col(st, 0)) : -ENOMEM;
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = fail(s, "reading the Signals cursors");
	sqlite3_finalize(st);
	return err;
}

/* The first one or two integers of a one-row query, with a text parameter
 * (?1, when t) or an integer one (?1 = a). 1 row, 0 none, -errno. */
static int sq_int(struct sq_store *s, const char *sql, const char *t, int64_t a,
		  int64_t *out, int64_t *out2)
{
	sqlite3_stmt *st;
	int i = 1, rc, err = prep(s, &st, sql);

	if (err)
		return err;
	if (t)
		sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, i, a);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && out)
		*out = sqlite3_column_int64(st, 0);
	if (rc == SQLITE_ROW && out2)
		*out2 = sqlite3_column_int64(st, 1);
	err = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail(s, "Signals push");
	sqlite3_finalize(st);
	return err;
}

/* The delta lines of scope sid into body and hot_signals_deltas, within
 * the caps: *records lines; 2 when rows were left out, 1 otherwise. */
static int sq_sig_lines(struct sq_store *s, const struct hs_sig_freeze *f, int64_t sid,
			const char *id, struct rti_buf *body, uint64_t *records)
{
	struct rti_buf line = RTI_BUF_INIT(3 * RTI_HOTSYM_MAX_NAME + 4096);
	struct rti_buf symid = RTI_BUF_INIT(3 * RTI_HOTSYM_MAX_NAME);
	sqlite3_stmt *st, *ins = NULL;
	int rc, more = 1, err = prep(s, &st,
				     "SELECT k.code_id, h.symbol, h.module,"
				     " h.hit_count - coalesce(p.hit_count, 0), h.first_seen,"
				     " h.last_seen, h.probe_types, h.code_ref" SQ_SIG_GROWN
				     " ORDER BY k.code_id || '!' || h.symbol, h.code_ref LIMIT ?2");

	if (!err)
		err = prep(s, &ins, "INSERT INTO hot_signals_deltas (batch_id, code_ref, symbol,"
				    " delta) VALUES (?1, ?2, ?3, ?4)");
	if (err)
		goto out;
	sqlite3_bind_int64(st, 1, sid);
	sqlite3_bind_int64(st, 2, (int64_t)f->max_lines + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rti_hot_entry e = { .scope = f->scope };

		e.code_id = col(st, 0);
		e.symbol = col(st, 1);
		e.module = col(st, 2);
		if (!e.code_id || !e.symbol || hs_symbol_id(&symid, e.code_id, e.symbol)) {
			err = -ENOMEM;
			break;
		}
		e.symbol_id = symid.p;
		e.hit_count = (uint64_t)sqlite3_column_int64(st, 3);
		rti_time_from_ns(sqlite3_column_int64(st, 4), &e.first_seen);
		rti_time_from_ns(sqlite3_column_int64(st, 5), &e.last_seen);
		e.probe_types = (uint32_t)sqlite3_column_int64(st, 6);
		err = hs_signals_take(f, &e, *records, &line, body);
		if (err == 1) {
			err = 0;
			more = 2; /* the rest goes into the scope's next batch */
			break;
		}
		if (err)
			break;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, sqlite3_column_int64(st, 7));
		sqlite3_bind_text(ins, 3, e.symbol, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 4, (int64_t)e.hit_count);
		err = step_done(s, ins, "freezing a Signals batch");
		if (err)
			break;
		(*records)++;
	}
	if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = fail(s, "freezing a Signals batch");
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	rti_buf_release(&line);
	rti_buf_release(&symid);
	return err ? err : more;
}

static int sq_sig_freeze(struct hs_store *bs, const struct hs_sig_freeze *f,
			 struct rti_buf *body)
{
	struct sq_store *s = (struct sq_store *)bs;
	char id[160];
	int64_t sid = 0, seq = 0;
	uint64_t records = 0;
	sqlite3_stmt *st = NULL;
	int rc, err = exec(s, "BEGIN IMMEDIATE");

	if (err)
		return err;
	rti_buf_reset(body);
	rc = sq_int(s, "SELECT id FROM hot_scopes WHERE scope = ?1", f->scope, 0, &sid, NULL);
	if (rc == 1) /* one outstanding batch per scope, in the whole index */
		rc = sq_int(s, "SELECT 1 FROM hot_signals_batches WHERE scope_id = ?1"
			       " AND state = 0", NULL, sid, NULL, NULL) == 0 ? 1 : 0;
	if (rc == 1)
		rc = sq_int(s, "INSERT INTO hot_signals_scopes (scope_id, next_seq) VALUES (?1, 1)"
			       " ON CONFLICT (scope_id) DO UPDATE SET next_seq = next_seq + 1"
			       " RETURNING next_seq", NULL, sid, &seq, NULL);
	if (rc == 1 && hs_sig_batch_id(id, f->node, f->scope, (uint64_t)seq))
		rc = -ENAMETOOLONG;
	if (rc == 1)
		rc = sq_sig_lines(s, f, sid, id, body, &records);
	if (rc <= 0 || !records)
		goto out;
	err = prep(s, &st, "INSERT INTO hot_signals_batches (id, scope_id, seq, node, state,"
			   " owner, lease_until, created_ms, path, body, records)"
			   " VALUES (?1, ?2, ?3, ?4, 0, ?4, 0, ?5, ?6, ?7, ?8)");
	if (!err) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, sid);
		sqlite3_bind_int64(st, 3, seq);
		sqlite3_bind_text(st, 4, f->node, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, f->now_ms);
		sqlite3_bind_text(st, 6, f->path, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 7, body->p, (int)body->len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, (int64_t)records);
		err = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, "freezing a Signals batch");
		sqlite3_finalize(st);
	}
	if (!err && rti_hotsym__test_hook)
		rti_hotsym__test_hook("signals:freeze");
	if (!err)
		err = exec(s, "COMMIT");
	if (!err)
		return rc;
	rc = err;
out:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc < 0 ? rc : 0;
}

static int sq_sig_next(struct hs_store *bs, const char *node, int64_t now_ms, int64_t lease_ms,
		       struct hs_sig_batch *b)
{
	struct sq_store *s = (struct sq_store *)bs;
	sqlite3_stmt *st = NULL;
	int rc, found = 0, err = exec(s, "BEGIN IMMEDIATE");

	if (err)
		return err;
	err = prep(s, &st, "SELECT id, path, body, records, created_ms FROM hot_signals_batches"
			   " WHERE state = 0 AND (owner = ?1 OR lease_until < ?2)"
			   " ORDER BY created_ms, id LIMIT 1");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const void *p = sqlite3_column_blob(st, 2);
		int n = sqlite3_column_bytes(st, 2);

		snprintf(b->id, sizeof(b->id), "%s", col(st, 0) ? col(st, 0) : "");
		snprintf(b->path, sizeof(b->path), "%s", col(st, 1) ? col(st, 1) : "");
		b->records = (uint64_t)sqlite3_column_int64(st, 3);
		b->created_ms = sqlite3_column_int64(st, 4);
		rti_buf_reset(b->body);
		err = n > 0 && p ? rti_buf_add(b->body, p, (size_t)n) : 0;
		found = 1;
	} else if (rc != SQLITE_DONE) {
		err = fail(s, "reading a Signals batch");
	}
	sqlite3_finalize(st);
	st = NULL;
	if (err || !found)
		goto out;
	err = prep(s, &st, "UPDATE hot_signals_batches SET owner = ?1, lease_until = ?2"
			   " WHERE id = ?3");
	if (err)
		goto out;
	sqlite3_bind_text(st, 1, node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms + lease_ms);
	sqlite3_bind_text(st, 3, b->id, -1, SQLITE_STATIC);
	err = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, "claiming a Signals batch");
	sqlite3_finalize(st);
	st = NULL;
	if (!err)
		err = exec(s, "COMMIT");
	if (!err)
		return 1;
out:
	sqlite3_finalize(st);
	sqlite3_exec(s->db, err ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return err;
}

/* The statements of an acknowledgement or a refusal, after the batch's
 * row was found outstanding: ?1 id, ?2 scope id, ?3 seq, ?4 now (ms),
 * ?5 status, ?6 response. */
static const char *const sq_settle_ack[] = {
	"INSERT INTO hot_signals_pushed (scope_id, code_ref, symbol, hit_count)"
	" SELECT ?2, code_ref, symbol, delta FROM hot_signals_deltas WHERE batch_id = ?1"
	" ON CONFLICT (scope_id, code_ref, symbol) DO UPDATE SET"
	" hit_count = hit_count + excluded.hit_count",
	"DELETE FROM hot_signals_deltas WHERE batch_id = ?1",
	"DELETE FROM hot_signals_batches WHERE id = ?1",
	"UPDATE hot_signals_scopes SET acked_seq = max(acked_seq, ?3), acked_at = ?4"
	" WHERE scope_id = ?2",
	NULL,
};
static const char *const sq_settle_dead[] = {
	"INSERT INTO hot_signals_pushed (scope_id, code_ref, symbol, hit_count)"
	" SELECT ?2, code_ref, symbol, delta FROM hot_signals_deltas WHERE batch_id = ?1"
	" ON CONFLICT (scope_id, code_ref, symbol) DO UPDATE SET"
	" hit_count = hit_count + excluded.hit_count",
	"UPDATE hot_signals_batches SET state = 1, dead_status = ?5, dead_at = ?4,"
	" dead_response = ?6 WHERE id = ?1",
	"UPDATE hot_signals_scopes SET acked_seq = max(acked_seq, ?3), acked_at = ?4"
	" WHERE scope_id = ?2",
	NULL,
};

static int sq_sig_settle(struct hs_store *bs, const char *id, bool dead, long status,
			 const char *resp, size_t resp_len, int64_t now_ms)
{
	struct sq_store *s = (struct sq_store *)bs;
	const char *const *sql = dead ? sq_settle_dead : sq_settle_ack;
	int64_t sid = 0, seq = 0;
	sqlite3_stmt *st;
	int rc, err = exec(s, "BEGIN IMMEDIATE");

	if (err)
		return err;
	rc = sq_int(s, "SELECT scope_id, seq FROM hot_signals_batches WHERE id = ?1"
		       " AND state = 0", id, 0, &sid, &seq);
	for (int i = 0; rc == 1 && sql[i]; i++) {
		err = prep(s, &st, sql[i]);
		if (err) {
			rc = err;
			break;
		}
		for (int k = 1; k <= sqlite3_bind_parameter_count(st); k++) {
			const char *nm = sqlite3_bind_parameter_name(st, k);
			int which = nm ? atoi(nm + 1) : 0;

			if (which == 1)
				sqlite3_bind_text(st, k, id, -1, SQLITE_STATIC);
			else if (which == 6)
				sqlite3_bind_blob(st, k, resp ? resp : "", (int)(resp_len > HS_SIG_RESP_MAX
					? HS_SIG_RESP_MAX : resp_len), SQLITE_STATIC);
			else
				sqlite3_bind_int64(st, k, which == 2 ? sid : which == 3 ? seq
						   : which == 4 ? now_ms : (int64_t)status);
		}
		rc = sqlite3_step(st) == SQLITE_DONE ? 1 : fail(s, "settling a Signals batch");
		sqlite3_finalize(st);
	}
	if (rc == 1 && rti_hotsym__test_hook)
		rti_hotsym__test_hook("signals:settle");
	err = rc >= 0 ? exec(s, "COMMIT") : 0;
	if (rc >= 0 && !err)
		return rc;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc < 0 ? rc : err;
}

static void sq_close(struct hs_store *bs)
{
	struct sq_store *s = (struct sq_store *)bs;

	sqlite3_finalize(s->reserve);
	sqlite3_finalize(s->batch);
	sqlite3_finalize(s->sym);
	sqlite3_finalize(s->path);
	sqlite3_finalize(s->input);
	sqlite3_finalize(s->position);
	sqlite3_finalize(s->exemplar);
	sqlite3_finalize(s->drop);
	sqlite3_finalize(s->goinfo);
	free(s->info);
	sqlite3_finalize(s->scope_ins);
	sqlite3_finalize(s->scope_get);
	sqlite3_finalize(s->code_ins);
	sqlite3_finalize(s->code_get);
	sqlite3_close(s->db);
	free(s);
}

static const struct hs_store_ops sqlite_ops = {
	.name = "sqlite",
	.reserve = sq_reserve,
	.commit = sq_commit,
	.position = sq_position,
	.scan = sq_scan,
	.scan_paths = sq_scan_paths,
	.scan_buildinfo = sq_scan_buildinfo,
	.scan_exemplars = sq_scan_exemplars,
	.scan_full_scopes = sq_scan_full_scopes,
	.scopes = sq_scopes,
	.sig_scopes = sq_sig_scopes,
	.sig_freeze = sq_sig_freeze,
	.sig_next = sq_sig_next,
	.sig_settle = sq_sig_settle,
	.close = sq_close,
};

int hs_sqlite_open(const char *path, bool read_only, char *err, size_t errlen,
		   struct hs_store **out)
{
	struct sq_store *s;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int64_t v;
	int rc;

	if (read_only && access(path, F_OK)) {
		snprintf(err, errlen, "%s: no such index (%s)", path, strerror(errno));
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->info = malloc(RTI_GO_BUILDINFO_MAX);
	if (!s->info) {
		free(s);
		return -ENOMEM;
	}
	s->base.ops = &sqlite_ops;
	s->base.err = err;
	s->base.errlen = errlen;
	if (!read_only)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "cannot open");
		sq_close(&s->base);
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (read_only) {
		rc = schema_version(s, &v);
		if (rc == -ENOENT || (!rc && v == 0)) {
			snprintf(err, errlen, "%s: not a hot symbol index", path);
			rc = -ENOENT;
		} else if (!rc && v > HS_SCHEMA_VERSION) {
			snprintf(err, errlen,
				 "index schema version %lld is newer than this program's (%d)",
				 (long long)v, HS_SCHEMA_VERSION);
			rc = -EPROTO;
		} else if (!rc && v < 3) {
			/* readers never migrate: an older index has no exemplars */
			rc = exec(s, "CREATE TEMP TABLE hot_exemplars (scope_id INTEGER,"
				     " stack_digest TEXT, frames TEXT);"
				     "CREATE TEMP TABLE hot_go_buildinfo (code_ref INTEGER,"
				     " info TEXT);");
		}
	} else {
		rc = open_for_writing(s);
	}
	if (!rc)
		rc = prep(s, &s->reserve,
			  "INSERT INTO hot_nodes (node, next_seq) VALUES (?1, 2)"
			  " ON CONFLICT (node) DO UPDATE SET next_seq = next_seq + 1"
			  " RETURNING next_seq - 1");
	if (!rc)
		rc = prep(s, &s->batch,
			  "INSERT INTO hot_batches (node, seq, committed_at, observations,"
			  " symbols, paths) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
			  " ON CONFLICT (node, seq) DO NOTHING");
	if (!rc)
		rc = prep(s, &s->sym,
			  "INSERT INTO hot_symbols (scope_id, code_ref, symbol, hit_count,"
			  " first_seen, last_seen, probe_types, module)"
			  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
			  " ON CONFLICT (scope_id, code_ref, symbol) DO UPDATE SET"
			  " hit_count = hit_count + excluded.hit_count,"
			  " first_seen = min(first_seen, excluded.first_seen),"
			  " last_seen = max(last_seen, excluded.last_seen),"
			  " probe_types = probe_types | excluded.probe_types,"
			  " module = CASE WHEN module IS NULL OR excluded.module < module"
			  " THEN coalesce(excluded.module, module) ELSE module END");
	if (!rc)
		rc = prep(s, &s->path,
			  "INSERT INTO hot_paths (scope_id, stack_digest, hit_count, first_seen,"
			  " last_seen) VALUES (?1, ?2, ?3, ?4, ?5)"
			  " ON CONFLICT (scope_id, stack_digest) DO UPDATE SET"
			  " hit_count = hit_count + excluded.hit_count,"
			  " first_seen = min(first_seen, excluded.first_seen),"
			  " last_seen = max(last_seen, excluded.last_seen)");
	if (!rc)
		rc = prep(s, &s->input,
			  "INSERT INTO hot_inputs (node, source, position, seq)"
			  " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (node, source) DO UPDATE SET"
			  " position = excluded.position, seq = excluded.seq");
	if (!rc)
		rc = prep(s, &s->scope_ins,
			  "INSERT INTO hot_scopes (scope) VALUES (?1) ON CONFLICT (scope) DO NOTHING");
	if (!rc)
		rc = prep(s, &s->scope_get, "SELECT id FROM hot_scopes WHERE scope = ?1");
	if (!rc)
		rc = prep(s, &s->code_ins,
			  "INSERT INTO hot_codes (code_id) VALUES (?1)"
			  " ON CONFLICT (code_id) DO NOTHING");
	if (!rc)
		rc = prep(s, &s->code_get, "SELECT id FROM hot_codes WHERE code_id = ?1");
	if (!rc)
		rc = prep(s, &s->exemplar,
			  "INSERT INTO hot_exemplars (scope_id, stack_digest, frames)"
			  " VALUES (?1, ?2, ?3) ON CONFLICT (scope_id, stack_digest) DO NOTHING");
	if (!rc)
		rc = prep(s, &s->drop,
			  "DELETE FROM hot_exemplars WHERE scope_id = ?1 AND stack_digest >"
			  " (SELECT stack_digest FROM hot_exemplars WHERE scope_id = ?1"
			  " ORDER BY stack_digest LIMIT 1 OFFSET ?2 - 1)");
	if (!rc)
		rc = prep(s, &s->goinfo,
			  "INSERT INTO hot_go_buildinfo (code_ref, info) VALUES (?1, ?2)"
			  " ON CONFLICT (code_ref) DO NOTHING");
	if (!rc)
		rc = prep(s, &s->position,
			  "SELECT position FROM hot_inputs WHERE node = ?1 AND source = ?2");
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		sq_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}
