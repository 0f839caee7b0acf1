/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fleet store: PostgreSQL through libpq. A flush is one transaction:
 * the batch id goes in first (a unique key: a batch committed before, or
 * being committed by a session whose connection we lost, makes the insert
 * wait and then do nothing), then the counts are COPYed into a temporary
 * table and merged by one INSERT ... ON CONFLICT in key order: rows are
 * staged sorted by (scope, code_id, symbol) strings, a total order the same
 * for every writer, and merged in staging order (an integer sort), so
 * writers take row locks in the same order and do not deadlock; if they
 * ever do, the transaction is retried with the same batch id.
 *
 * Text columns use the "C" collation: byte order, the same as SQLite and
 * as the sorted exports.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hotsym/hotsym_int.h"
#include "rti/gobuildinfo.h"
#include "util/hash.h"
#include "util/numfmt.h"
#include "util/timefmt.h"
#include "hotsym/pq_load.h"
#include "hotsym/store_sql.h"
#include "rti/buf.h"

#define COPY_CHUNK (256 * 1024)
#define TX_RETRIES 5
#define MIGRATION_LOCK "7310582919405436929" /* pg_advisory_xact_lock key */

struct pg_store {
	struct hs_store base;
	PGconn *c;
	bool staged; /* temporary tables exist on this connection */
	char *locked[HS_MAX_SOURCES]; /* "node\nsource" input locks this session holds */
	size_t nlocked;
	struct rti_buf sid; /* symbol_id of the row being read */
};

/* The same tables as the SQLite store (store_sql.h), in PostgreSQL types. */
static const char *const migrations[HS_SCHEMA_VERSION] = {
	/* 1: the index, batch ids, sequences, input positions */
	"CREATE TABLE hot_scopes (id bigserial PRIMARY KEY,"
	" scope text COLLATE \"C\" NOT NULL UNIQUE);"
	"CREATE TABLE hot_codes (id bigserial PRIMARY KEY,"
	" code_id text COLLATE \"C\" NOT NULL UNIQUE);"
	"CREATE TABLE hot_symbols ("
	" scope_id bigint NOT NULL, code_ref bigint NOT NULL,"
	" symbol text COLLATE \"C\" NOT NULL,"
	" hit_count bigint NOT NULL, first_seen bigint NOT NULL,"
	" last_seen bigint NOT NULL, probe_types integer NOT NULL,"
	" module text COLLATE \"C\","
	" PRIMARY KEY (scope_id, code_ref, symbol)) WITH (fillfactor = 50);"
	"CREATE TABLE hot_paths ("
	" scope_id bigint NOT NULL, stack_digest text COLLATE \"C\" NOT NULL,"
	" hit_count bigint NOT NULL, first_seen bigint NOT NULL,"
	" last_seen bigint NOT NULL,"
	" PRIMARY KEY (scope_id, stack_digest)) WITH (fillfactor = 50);"
	"CREATE TABLE hot_nodes (node text COLLATE \"C\" PRIMARY KEY,"
	" next_seq bigint NOT NULL);"
	"CREATE TABLE hot_batches ("
	" node text COLLATE \"C\" NOT NULL, seq bigint NOT NULL,"
	" committed_at timestamptz NOT NULL DEFAULT now(),"
	" observations bigint NOT NULL, symbols bigint NOT NULL, paths bigint NOT NULL,"
	" PRIMARY KEY (node, seq));"
	"CREATE TABLE hot_inputs ("
	" node text COLLATE \"C\" NOT NULL, source text COLLATE \"C\" NOT NULL,"
	" position bigint NOT NULL, seq bigint NOT NULL,"
	" PRIMARY KEY (node, source));",
	/* 2: the §7 listing for people at an SQL prompt */
	"CREATE VIEW hot_symbols_v AS SELECT s.scope, k.code_id || '!' || h.symbol AS symbol_id,"
	" k.code_id, h.symbol, h.module, h.hit_count,"
	" to_timestamp(h.first_seen / 1e9) AS first_seen,"
	" to_timestamp(h.last_seen / 1e9) AS last_seen, h.probe_types"
	" FROM hot_symbols h JOIN hot_scopes s ON s.id = h.scope_id"
	" JOIN hot_codes k ON k.id = h.code_ref;",
	/* 3: exemplar call paths: per scope, those of the smallest digests */
	"CREATE TABLE hot_exemplars ("
	" scope_id bigint NOT NULL, stack_digest text COLLATE \"C\" NOT NULL,"
	" frames text NOT NULL, PRIMARY KEY (scope_id, stack_digest));"
	"CREATE TABLE hot_go_buildinfo (code_ref bigint PRIMARY KEY, info text NOT NULL);",
	/* 4: the Signals push: per scope its cursor, per symbol the count
	 * acknowledged, the frozen batches and their per-symbol deltas */
	"CREATE TABLE hot_signals_scopes (scope_id bigint PRIMARY KEY,"
	" next_seq bigint NOT NULL, acked_seq bigint NOT NULL DEFAULT 0,"
	" acked_at bigint NOT NULL DEFAULT 0);"
	"CREATE TABLE hot_signals_pushed ("
	" scope_id bigint NOT NULL, code_ref bigint NOT NULL,"
	" symbol text COLLATE \"C\" NOT NULL, hit_count bigint NOT NULL,"
	" PRIMARY KEY (scope_id, code_ref, symbol)) WITH (fillfactor = 50);"
	"CREATE TABLE hot_signals_batches (id text COLLATE \"C\" PRIMARY KEY,"
	" scope_id bigint NOT NULL, seq bigint NOT NULL, node text NOT NULL,"
	" state integer NOT NULL, owner text NOT NULL, lease_until bigint NOT NULL,"
	" created_ms bigint NOT NULL, path text NOT NULL, body bytea NOT NULL,"
	" records bigint NOT NULL, dead_status integer, dead_at bigint,"
	" dead_response bytea, UNIQUE (scope_id, seq));"
	"CREATE INDEX hot_signals_outstanding ON hot_signals_batches (state, created_ms, id);"
	"CREATE TABLE hot_signals_deltas ("
	" batch_id text COLLATE \"C\" NOT NULL, code_ref bigint NOT NULL,"
	" symbol text COLLATE \"C\" NOT NULL, delta bigint NOT NULL,"
	" PRIMARY KEY (batch_id, code_ref, symbol));",
	/* 5: the SQLite store moved its exemplars to a rowid table; here
	 * they already are in a heap table: nothing changes */
	"COMMENT ON TABLE hot_exemplars IS 'exemplar call paths, per scope those of the"
	" smallest digests'",
};

static void ignore_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* libpq's message on one line: newlines and tabs become single spaces. */
static int fail_msg(struct pg_store *s, const char *what, const char *msg, int err)
{
	int n = snprintf(s->base.err, s->base.errlen, "postgres: %s: ", what);
	size_t w = n > 0 && (size_t)n < s->base.errlen ? (size_t)n : 0;

	for (; *msg && w + 1 < s->base.errlen; msg++) {
		char c = *msg == '\n' || *msg == '\t' ? ' ' : *msg;

		if (c == ' ' && (!w || s->base.err[w - 1] == ' '))
			continue;
		s->base.err[w++] = c;
	}
	while (w && s->base.err[w - 1] == ' ')
		w--;
	s->base.err[w] = '\0';
	return err;
}

static int fail_res(struct pg_store *s, const char *what, PGresult *r)
{
	const char *state = r ? rti_pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	int err = -EIO;

	if (state && (!strcmp(state, "40P01") || !strcmp(state, "40001")))
		err = -EAGAIN; /* deadlock or serialization failure: retry */
	if (rti_pq.PQstatus(s->c) != CONNECTION_OK)
		err = -ECONNRESET;
	fail_msg(s, what, r ? rti_pq.PQresultErrorMessage(r) : rti_pq.PQerrorMessage(s->c), err);
	rti_pq.PQclear(r);
	return err;
}

/* run() with parameters that may be binary (bytea): lens/fmts per libpq. */
static int run_bin(struct pg_store *s, const char *what, const char *sql, int n,
		   const char *const *vals, const int *lens, const int *fmts, ExecStatusType st,
		   PGresult **out)
{
	PGresult *r = rti_pq.PQexecParams(s->c, sql, n, NULL, vals, lens, fmts, 0);

	if (!r || rti_pq.PQresultStatus(r) != st)
		return fail_res(s, what, r);
	if (out)
		*out = r;
	else
		rti_pq.PQclear(r);
	return 0;
}

/* Runs sql expecting status st; 0 or -errno. */
static int run(struct pg_store *s, const char *what, const char *sql, int nparams,
	       const char *const *params, ExecStatusType st, PGresult **out)
{
	return run_bin(s, what, sql, nparams, params, NULL, NULL, st, out);
}

static void rollback(struct pg_store *s)
{
	if (rti_pq.PQstatus(s->c) == CONNECTION_OK && rti_pq.PQtransactionStatus(s->c) != PQTRANS_IDLE)
		rti_pq.PQclear(rti_pq.PQexec(s->c, "ROLLBACK"));
}

/* The session ended (or ends): its advisory locks went with it. */
static void unlock_all(struct pg_store *s)
{
	for (size_t i = 0; i < s->nlocked; i++)
		free(s->locked[i]);
	s->nlocked = 0;
}

static int connected(struct pg_store *s)
{
	if (rti_pq.PQstatus(s->c) == CONNECTION_OK)
		return 0;
	rti_pq.PQreset(s->c);
	s->staged = false;
	unlock_all(s); /* session locks end with the session */
	if (rti_pq.PQstatus(s->c) != CONNECTION_OK)
		return fail_msg(s, "reconnecting", rti_pq.PQerrorMessage(s->c), -ECONNREFUSED);
	return 0;
}

static int schema_version(struct pg_store *s, int64_t *v)
{
	PGresult *r = NULL;
	int err;

	*v = 0;
	err = run(s, "schema version",
		  "SELECT value FROM hot_meta WHERE key = 'schema_version'", 0, NULL,
		  PGRES_TUPLES_OK, &r);
	if (err)
		return err;
	if (rti_pq.PQntuples(r) == 1)
		*v = strtoll(rti_pq.PQgetvalue(r, 0, 0), NULL, 10);
	rti_pq.PQclear(r);
	return 0;
}

static int migrate(struct pg_store *s)
{
	char vbuf[24];
	const char *p[1] = { vbuf };
	int64_t v;
	int err;

	err = run(s, "migration", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (err)
		return err;
	/* writers starting together migrate one after the other */
	err = run(s, "migration", "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", 0, NULL,
		  PGRES_TUPLES_OK, NULL);
	if (!err)
		err = run(s, "migration",
			  "CREATE TABLE IF NOT EXISTS hot_meta (key text PRIMARY KEY,"
			  " value bigint NOT NULL)",
			  0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err)
		err = schema_version(s, &v);
	if (!err && v > HS_SCHEMA_VERSION) {
		snprintf(s->base.err, s->base.errlen,
			 "index schema version %lld is newer than this program's (%d)",
			 (long long)v, HS_SCHEMA_VERSION);
		err = -EPROTO;
	}
	for (; !err && v < HS_SCHEMA_VERSION; v++) {
		PGresult *r = rti_pq.PQexec(s->c, migrations[v]);

		if (!r || rti_pq.PQresultStatus(r) != PGRES_COMMAND_OK)
			err = fail_res(s, "migration", r);
		else
			rti_pq.PQclear(r);
	}
	snprintf(vbuf, sizeof(vbuf), "%d", HS_SCHEMA_VERSION);
	if (!err)
		err = run(s, "migration",
			  "INSERT INTO hot_meta (key, value) VALUES ('schema_version', $1)"
			  " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			  1, p, PGRES_COMMAND_OK, NULL);
	if (!err)
		return run(s, "migration", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL);
	rollback(s);
	return err;
}

static int stage(struct pg_store *s)
{
	int err;

	if (s->staged)
		return 0;
	/* before the first use of temporary tables (else a harmless error):
	 * a batch stays in memory */
	rti_pq.PQclear(rti_pq.PQexec(s->c, "SET temp_buffers = '128MB'"));
	err = run(s, "staging tables",
		  "CREATE TEMP TABLE IF NOT EXISTS hot_stage_dict ("
		  " kind \"char\", n integer, v text COLLATE \"C\") ON COMMIT DELETE ROWS",
		  0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err)
		err = run(s, "staging tables",
			  "CREATE TEMP TABLE IF NOT EXISTS hot_stage_symbols (ord integer,"
			  " scope_n integer, code_n integer, symbol text COLLATE \"C\","
			  " hit_count bigint, first_seen bigint, last_seen bigint,"
			  " probe_types integer, module text COLLATE \"C\")"
			  " ON COMMIT DELETE ROWS",
			  0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err)
		err = run(s, "staging tables",
			  "CREATE TEMP TABLE IF NOT EXISTS hot_stage_paths (ord integer,"
			  " scope_n integer, stack_digest text COLLATE \"C\","
			  " hit_count bigint, first_seen bigint, last_seen bigint)"
			  " ON COMMIT DELETE ROWS",
			  0, NULL, PGRES_COMMAND_OK, NULL);
	s->staged = !err;
	return err;
}

static int pg_reserve(struct hs_store *bs, const char *node, uint64_t *seq)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[1] = { node };
	PGresult *r = NULL;
	int err = connected(s);

	if (!err)
		err = run(s, "reserving a batch number",
			  "INSERT INTO hot_nodes (node, next_seq) VALUES ($1, 2)"
			  " ON CONFLICT (node) DO UPDATE SET next_seq = hot_nodes.next_seq + 1"
			  " RETURNING next_seq - 1",
			  1, p, PGRES_TUPLES_OK, &r);
	if (err)
		return err;
	*seq = strtoull(rti_pq.PQgetvalue(r, 0, 0), NULL, 10);
	rti_pq.PQclear(r);
	return 0;
}

/* COPY text format: backslash, tab, newline and CR are escaped. */
static int copy_str(struct rti_buf *b, const char *v)
{
	int err = 0;

	if (!v)
		return rti_buf_add(b, "\\N", 2);
	while (*v && !err) {
		size_t run = strcspn(v, "\\\t\n\r");

		err = rti_buf_add(b, v, run);
		v += run;
		if (err || !*v)
			break;
		switch (*v++) {
		case '\\': err = rti_buf_add(b, "\\\\", 2); break;
		case '\t': err = rti_buf_add(b, "\\t", 2); break;
		case '\n': err = rti_buf_add(b, "\\n", 2); break;
		default: err = rti_buf_add(b, "\\r", 2); break;
		}
	}
	return err;
}

/* Integers without printf: a batch has a million of them. */
static int put_i64(struct rti_buf *b, int64_t v, char sep)
{
	char tmp[RTI_DEC_MAX + 1];
	size_t n = rti_dec_i64(tmp, v);

	tmp[n++] = sep;
	return rti_buf_add(b, tmp, n);
}

static int copy_send(struct pg_store *s, struct rti_buf *b, bool force)
{
	if (b->len < COPY_CHUNK && !force)
		return 0;
	if (b->len && rti_pq.PQputCopyData(s->c, b->p, (int)b->len) != 1)
		return fail_msg(s, "sending counts", rti_pq.PQerrorMessage(s->c), -ECONNRESET);
	rti_buf_reset(b);
	return 0;
}

static int copy_end(struct pg_store *s, struct rti_buf *b, int err)
{
	PGresult *r;

	if (!err)
		err = copy_send(s, b, true);
	if (rti_pq.PQputCopyEnd(s->c, err ? "aborted" : NULL) != 1 && !err)
		err = fail_msg(s, "sending counts", rti_pq.PQerrorMessage(s->c), -ECONNRESET);
	while ((r = rti_pq.PQgetResult(s->c))) {
		if (rti_pq.PQresultStatus(r) != PGRES_COMMAND_OK && !err)
			err = fail_res(s, "copying counts", r);
		else
			rti_pq.PQclear(r);
	}
	return err;
}

/*
 * The batch's scopes and code ids, each numbered once (kind 's' or 'c'):
 * the rows refer to them by number, so each row sends its symbol only.
 */
static int copy_dict(struct pg_store *s, const struct hs_table *t, struct rti_buf *b,
		     struct hs_ptrmap *scopes, struct hs_ptrmap *codes)
{
	int err = run(s, "copying counts", "COPY hot_stage_dict (kind, n, v) FROM STDIN", 0,
		      NULL, PGRES_COPY_IN, NULL);

	for (size_t i = 0; i < t->n + t->np && !err; i++) {
		const char *vals[2] = { i < t->n ? t->e[i].scope : t->p[i - t->n].scope,
					i < t->n ? t->e[i].code_id : NULL };

		for (int k = 0; k < 2 && !err; k++) {
			struct hs_ptrmap *m = k ? codes : scopes;

			if (!vals[k] || hs_ptrmap_get(m, vals[k]))
				continue;
			err = hs_ptrmap_put(m, vals[k], (int64_t)m->n);
			err = err ? err : rti_buf_addf(b, "%c\t%zu\t", k ? 'c' : 's', m->n - 1);
			err = err ? err : copy_str(b, vals[k]);
			err = err ? err : rti_buf_addch(b, '\n');
			err = err ? err : copy_send(s, b, false);
		}
	}
	return copy_end(s, b, err);
}

static int copy_symbols(struct pg_store *s, const struct hs_table *t, struct rti_buf *b,
			const struct hs_ptrmap *scopes, const struct hs_ptrmap *codes)
{
	int err = run(s, "copying counts",
		      "COPY hot_stage_symbols (ord, scope_n, code_n, symbol, hit_count,"
		      " first_seen, last_seen, probe_types, module) FROM STDIN",
		      0, NULL, PGRES_COPY_IN, NULL);

	for (size_t i = 0; i < t->n && !err; i++) {
		const struct hs_entry *e = &t->e[i];

		err = put_i64(b, (int64_t)i, '\t');
		err = err ? err : put_i64(b, *hs_ptrmap_get(scopes, e->scope), '\t');
		err = err ? err : put_i64(b, *hs_ptrmap_get(codes, e->code_id), '\t');
		err = err ? err : copy_str(b, e->symbol);
		err = err ? err : rti_buf_addch(b, '\t');
		err = err ? err : put_i64(b, (int64_t)e->hits, '\t');
		err = err ? err : put_i64(b, e->first_ns, '\t');
		err = err ? err : put_i64(b, e->last_ns, '\t');
		err = err ? err : put_i64(b, e->probe_types, '\t');
		err = err ? err : copy_str(b, e->module);
		err = err ? err : rti_buf_addch(b, '\n');
		err = err ? err : copy_send(s, b, false);
	}
	return copy_end(s, b, err);
}

static int copy_paths(struct pg_store *s, const struct hs_table *t, struct rti_buf *b,
		      const struct hs_ptrmap *scopes)
{
	static const char hx[] = "0123456789abcdef";
	int err = run(s, "copying call paths",
		      "COPY hot_stage_paths (ord, scope_n, stack_digest, hit_count, first_seen,"
		      " last_seen) FROM STDIN",
		      0, NULL, PGRES_COPY_IN, NULL);

	for (size_t i = 0; i < t->np && !err; i++) {
		const struct hs_path *p = &t->p[i];
		char d[65];

		for (int k = 0; k < 32; k++) {
			d[2 * k] = hx[p->digest[k] >> 4];
			d[2 * k + 1] = hx[p->digest[k] & 15];
		}
		d[64] = '\0';
		err = rti_buf_addf(b, "%zu\t%" PRId64 "\tsha256:%s\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\n",
				   i, *hs_ptrmap_get(scopes, p->scope), d, p->hits, p->first_ns,
				   p->last_ns);
		err = err ? err : copy_send(s, b, false);
	}
	return copy_end(s, b, err);
}

/* The batch's new exemplars (§5); then each scope keeps those of its cap
 * smallest digests, the same set whatever the order of arrival. The trim
 * of a scope holds a transaction lock on it, taken in scope order (the
 * batch is sorted), so that concurrent writers trim one after the other. */
static int pg_exemplars(struct pg_store *s, const struct hs_table *t, uint64_t cap)
{
	char digest[HS_DIGEST_LEN + 1], capv[24];
	const char *last = NULL; /* interned: one pointer per scope */
	int err = 0;

	snprintf(capv, sizeof(capv), "%" PRIu64, cap);
	for (size_t i = 0; i < t->np && !err; i++) {
		const struct hs_path *p = &t->p[i];
		const char *v[3] = { p->scope, digest, p->frames };

		if (!p->frames)
			continue;
		hs_digest_hex(p->digest, digest);
		err = run(s, "adding an exemplar",
			  "INSERT INTO hot_exemplars (scope_id, stack_digest, frames)"
			  " SELECT s.id, $2, $3 FROM hot_scopes s WHERE s.scope = $1"
			  " ON CONFLICT (scope_id, stack_digest) DO NOTHING",
			  3, v, PGRES_COMMAND_OK, NULL);
	}
	for (size_t i = 0; i < t->np && !err; i++) {
		const char *v[2] = { t->p[i].scope, capv };

		if (!t->p[i].frames || t->p[i].scope == last)
			continue;
		last = t->p[i].scope;
		err = run(s, "bounding the exemplars",
			  "SELECT pg_advisory_xact_lock(hashtext('stella-rti exemplars ' || $1))",
			  1, v, PGRES_TUPLES_OK, NULL);
		if (!err)
			err = run(s, "bounding the exemplars",
				  "DELETE FROM hot_exemplars x USING hot_scopes s"
				  " WHERE s.scope = $1 AND x.scope_id = s.id AND x.stack_digest >"
				  " (SELECT stack_digest FROM hot_exemplars WHERE scope_id = s.id"
				  " ORDER BY stack_digest LIMIT 1 OFFSET $2::bigint - 1)",
				  2, v, PGRES_COMMAND_OK, NULL);
	}
	return err;
}

/* Go build information of the batch's code ids (rti/gobuildinfo.h). */
static int pg_buildinfo(struct pg_store *s, const struct hs_ptrmap *codes)
{
	char *info = NULL;
	int err = 0;

	for (size_t i = 0; i < codes->cap && !err; i++) {
		const char *v[2] = { codes->slot[i].k, NULL };

		if (!v[0])
			continue;
		if (!info && !(info = malloc(RTI_GO_BUILDINFO_MAX)))
			return -ENOMEM;
		if (rti_go_buildinfo_lookup(v[0], info, RTI_GO_BUILDINFO_MAX) <= 0)
			continue;
		v[1] = info;
		err = run(s, "adding Go build information",
			  "INSERT INTO hot_go_buildinfo (code_ref, info) SELECT k.id, $2"
			  " FROM hot_codes k WHERE k.code_id = $1 ON CONFLICT (code_ref) DO NOTHING",
			  2, v, PGRES_COMMAND_OK, NULL);
	}
	free(info);
	return err;
}

#define INPUT_LOCK_WAIT_MS 60000

/*
 * An input position (node, source) has one writer. A writer killed in the
 * middle of its COMMIT leaves the server finishing that transaction after
 * the process is gone: a restarted writer that read the position before
 * the commit landed would count the batch's records again. Every session
 * that reads or records a position holds that position's advisory lock,
 * so a restart waits until the old session's backend has ended (it does
 * once it answers the COMMIT to a closed socket). 0, or -EBUSY when a live
 * writer holds it for INPUT_LOCK_WAIT_MS (two writers of one input under
 * one node name).
 */
static int lock_input(struct pg_store *s, const char *node, const char *source)
{
	const char *p[2] = { node, source };
	uint64_t waited = 0;
	char *key;

	for (size_t i = 0; i < s->nlocked; i++)
		if (!strncmp(s->locked[i], node, strlen(node)) && s->locked[i][strlen(node)] == '\n' &&
		    !strcmp(s->locked[i] + strlen(node) + 1, source))
			return 0;
	if (s->nlocked == HS_MAX_SOURCES || asprintf(&key, "%s\n%s", node, source) < 0)
		return -ENOMEM;
	for (;;) {
		PGresult *r = NULL;
		int err = run(s, "locking the input position",
			      "SELECT pg_try_advisory_lock(hashtextextended("
			      "'stella-rti input ' || $1 || chr(10) || $2, 0))",
			      2, p, PGRES_TUPLES_OK, &r);
		bool got;

		if (err) {
			free(key);
			return err;
		}
		got = !strcmp(rti_pq.PQgetvalue(r, 0, 0), "t");
		rti_pq.PQclear(r);
		if (got)
			break;
		if (waited >= INPUT_LOCK_WAIT_MS) {
			snprintf(s->base.err, s->base.errlen,
				 "postgres: another writer of node '%s' holds the input position of %s",
				 node, source);
			free(key);
			return -EBUSY;
		}
		nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
		waited += 50;
	}
	s->locked[s->nlocked++] = key;
	return 0;
}

static int lock_batch_inputs(struct pg_store *s, const char *node, const struct hs_batch *b)
{
	int err = 0;

	for (size_t i = 0; i < b->npos && !err; i++)
		err = lock_input(s, node, b->pos[i].source);
	return err;
}

static int commit_once(struct pg_store *s, const char *node, const struct hs_batch *b,
		       bool *dup, struct rti_buf *buf)
{
	const struct hs_table *t = b->t;
	char seq[24], obs[24], nsym[24], npath[24];
	const char *bp[5] = { node, seq, obs, nsym, npath };
	struct hs_ptrmap scopes = { NULL, 0, 0 }, codes = { NULL, 0, 0 };
	PGresult *r = NULL;
	int err;

	*dup = false;
	err = connected(s);
	if (!err)
		err = lock_batch_inputs(s, node, b);
	if (!err)
		err = stage(s);
	if (!err)
		err = run(s, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (err)
		return err;
	/* the batch is sorted in memory, not in temporary files */
	err = run(s, "begin", "SET LOCAL work_mem = '256MB'", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (err)
		goto out;
	snprintf(seq, sizeof(seq), "%" PRIu64, b->seq);
	snprintf(obs, sizeof(obs), "%" PRIu64, t->observations);
	snprintf(nsym, sizeof(nsym), "%zu", t->n);
	snprintf(npath, sizeof(npath), "%zu", t->np);
	err = run(s, "recording the batch",
		  "INSERT INTO hot_batches (node, seq, observations, symbols, paths)"
		  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (node, seq) DO NOTHING",
		  5, bp, PGRES_COMMAND_OK, &r);
	if (err)
		goto out;
	*dup = !strcmp(rti_pq.PQcmdTuples(r), "0");
	rti_pq.PQclear(r);
	if (*dup)
		goto out; /* committed before: roll back, nothing to add */
	err = copy_dict(s, t, buf, &scopes, &codes);
	/* new scopes and code ids first, in order; a writer adding the same
	 * one waits for the other's commit, then finds it */
	if (!err)
		err = run(s, "adding scopes",
			  "INSERT INTO hot_scopes (scope) SELECT v FROM hot_stage_dict"
			  " WHERE kind = 's' ORDER BY v ON CONFLICT (scope) DO NOTHING",
			  0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err)
		err = run(s, "adding code ids",
			  "INSERT INTO hot_codes (code_id) SELECT v FROM hot_stage_dict"
			  " WHERE kind = 'c' ORDER BY v ON CONFLICT (code_id) DO NOTHING",
			  0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err && t->n) {
		err = copy_symbols(s, t, buf, &scopes, &codes);
		if (!err)
			err = run(s, "adding counts",
				  "INSERT INTO hot_symbols AS h (scope_id, code_ref, symbol,"
				  " hit_count, first_seen, last_seen, probe_types, module)"
				  " SELECT sc.id, kc.id, t.symbol, t.hit_count, t.first_seen,"
				  " t.last_seen, t.probe_types, t.module FROM hot_stage_symbols t"
				  " JOIN hot_stage_dict ds ON ds.kind = 's' AND ds.n = t.scope_n"
				  " JOIN hot_scopes sc ON sc.scope = ds.v"
				  " JOIN hot_stage_dict dc ON dc.kind = 'c' AND dc.n = t.code_n"
				  " JOIN hot_codes kc ON kc.code_id = dc.v"
				  " ORDER BY t.ord"
				  " ON CONFLICT (scope_id, code_ref, symbol) DO UPDATE SET"
				  " hit_count = h.hit_count + excluded.hit_count,"
				  " first_seen = LEAST(h.first_seen, excluded.first_seen),"
				  " last_seen = GREATEST(h.last_seen, excluded.last_seen),"
				  " probe_types = h.probe_types | excluded.probe_types,"
				  " module = LEAST(h.module, excluded.module)",
				  0, NULL, PGRES_COMMAND_OK, NULL);
	}
	if (!err && t->np) {
		err = copy_paths(s, t, buf, &scopes);
		if (!err)
			err = run(s, "adding call paths",
				  "INSERT INTO hot_paths AS h (scope_id, stack_digest, hit_count,"
				  " first_seen, last_seen)"
				  " SELECT sc.id, t.stack_digest, t.hit_count, t.first_seen,"
				  " t.last_seen FROM hot_stage_paths t"
				  " JOIN hot_stage_dict ds ON ds.kind = 's' AND ds.n = t.scope_n"
				  " JOIN hot_scopes sc ON sc.scope = ds.v"
				  " ORDER BY t.ord"
				  " ON CONFLICT (scope_id, stack_digest) DO UPDATE SET"
				  " hit_count = h.hit_count + excluded.hit_count,"
				  " first_seen = LEAST(h.first_seen, excluded.first_seen),"
				  " last_seen = GREATEST(h.last_seen, excluded.last_seen)",
				  0, NULL, PGRES_COMMAND_OK, NULL);
	}
	if (!err)
		err = pg_exemplars(s, t, b->max_exemplars);
	if (!err)
		err = pg_buildinfo(s, &codes);
	if (err)
		goto out;
	for (size_t i = 0; i < b->npos; i++) {
		char off[24];
		const char *ip[4] = { node, b->pos[i].source, off, seq };

		snprintf(off, sizeof(off), "%" PRIu64, b->pos[i].offset);
		err = run(s, "recording the input position",
			  "INSERT INTO hot_inputs (node, source, position, seq)"
			  " VALUES ($1, $2, $3, $4) ON CONFLICT (node, source) DO UPDATE SET"
			  " position = excluded.position, seq = excluded.seq",
			  4, ip, PGRES_COMMAND_OK, NULL);
		if (err)
			goto out;
	}
	if (rti_hotsym__test_hook)
		rti_hotsym__test_hook("commit:before");
	err = run(s, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL);
	goto done;
out:
	rollback(s);
done:
	hs_ptrmap_release(&scopes);
	hs_ptrmap_release(&codes);
	return err;
}

static int pg_commit(struct hs_store *bs, const char *node, const struct hs_batch *b,
		     bool *dup)
{
	struct pg_store *s = (struct pg_store *)bs;
	struct rti_buf buf = RTI_BUF_INIT(4 * COPY_CHUNK + 4 * RTI_HOTSYM_MAX_NAME);
	int err;

	for (int i = 0; i < TX_RETRIES; i++) {
		rti_buf_reset(&buf);
		err = commit_once(s, node, b, dup, &buf);
		if (err != -EAGAIN)
			break;
	}
	rti_buf_release(&buf);
	return err;
}

static int pg_position(struct hs_store *bs, const char *node, const char *source,
		       uint64_t *offset)
{
	struct pg_store *s = (struct pg_store *)bs;
	const char *p[2] = { node, source };
	PGresult *r = NULL;
	int err = connected(s);

	if (!err)
		err = lock_input(s, node, source);
	if (!err)
		err = run(s, "reading the input position",
			  "SELECT position FROM hot_inputs WHERE node = $1 AND source = $2",
			  2, p, PGRES_TUPLES_OK, &r);
	if (err)
		return err;
	if (rti_pq.PQntuples(r) != 1) {
		rti_pq.PQclear(r);
		return -ENOENT;
	}
	*offset = strtoull(rti_pq.PQgetvalue(r, 0, 0), NULL, 10);
	rti_pq.PQclear(r);
	return 0;
}

typedef int (*row_fn)(struct pg_store *s, PGresult *r, void *fn, void *arg);

/* Streams the rows of a read query one at a time (bounded memory). */
static int stream(struct pg_store *s, enum hs_query what, const struct rti_hot_filter *f,
		  row_fn each, void *fn, void *arg)
{
	struct hs_sql q;
	char *vals[HS_SQL_PARAMS];
	PGresult *r;
	int err = connected(s);

	if (err)
		return err;
	hs_sql_build(&q, what, f, '$');
	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < q.n && !err; i++) {
		/* libpq wants NUL-terminated text: parts of a symbol_id are copied */
		vals[i] = q.is_int[i] ? malloc(24) : strndup(q.text[i], q.text_len[i]);
		if (!vals[i])
			err = -ENOMEM;
		else if (q.is_int[i])
			snprintf(vals[i], 24, "%" PRId64, q.num[i]);
	}
	if (!err && !rti_pq.PQsendQueryParams(s->c, q.sql, q.n, NULL, (const char *const *)vals, NULL,
				       NULL, 0))
		err = fail_msg(s, "query", rti_pq.PQerrorMessage(s->c), -EIO);
	for (int i = 0; i < q.n; i++)
		free(vals[i]);
	if (err)
		return err;
	rti_pq.PQsetSingleRowMode(s->c);
	while ((r = rti_pq.PQgetResult(s->c))) {
		ExecStatusType st = rti_pq.PQresultStatus(r);

		if (st == PGRES_SINGLE_TUPLE && !err) {
			err = each(s, r, fn, arg);
			rti_pq.PQclear(r);
		} else if (st != PGRES_TUPLES_OK && st != PGRES_SINGLE_TUPLE && !err) {
			err = fail_res(s, "reading the index", r);
		} else {
			rti_pq.PQclear(r);
		}
	}
	return err;
}

static const char *val(PGresult *r, int c)
{
	return rti_pq.PQgetisnull(r, 0, c) ? NULL : rti_pq.PQgetvalue(r, 0, c);
}

static int64_t num(PGresult *r, int c)
{
	return strtoll(rti_pq.PQgetvalue(r, 0, c), NULL, 10);
}

static int each_symbol(struct pg_store *s, PGresult *r, void *fn, void *arg)
{
	struct rti_hot_entry e;

	e.scope = val(r, HS_C_SCOPE);
	e.code_id = val(r, HS_C_CODE_ID);
	e.symbol = val(r, HS_C_SYMBOL);
	e.module = val(r, HS_C_MODULE);
	if (!e.scope || !e.code_id || !e.symbol || hs_symbol_id(&s->sid, e.code_id, e.symbol))
		return -ENOMEM;
	e.symbol_id = s->sid.p;
	e.hit_count = strtoull(rti_pq.PQgetvalue(r, 0, HS_C_HITS), NULL, 10);
	rti_time_from_ns(num(r, HS_C_FIRST), &e.first_seen);
	rti_time_from_ns(num(r, HS_C_LAST), &e.last_seen);
	e.probe_types = (uint32_t)num(r, HS_C_PTYPES);
	return ((rti_hot_entry_fn)fn)(arg, &e);
}

static int each_path(struct pg_store *s, PGresult *r, void *fn, void *arg)
{
	(void)s;
	return ((hs_path_fn)fn)(arg, val(r, 0), val(r, 1),
				strtoull(rti_pq.PQgetvalue(r, 0, 2), NULL, 10), num(r, 3), num(r, 4),
				val(r, 5));
}

static int each_scope(struct pg_store *s, PGresult *r, void *fn, void *arg)
{
	(void)s;
	return ((hs_scope_fn)fn)(arg, val(r, 0));
}

static int pg_scan_buildinfo(struct hs_store *bs, hs_info_fn fn, void *arg)
{
	struct pg_store *s = (struct pg_store *)bs;
	PGresult *r = NULL;
	int err = connected(s);

	if (!err)
		err = run(s, "reading the index",
			  "SELECT k.code_id, g.info FROM hot_go_buildinfo g"
			  " JOIN hot_codes k ON k.id = g.code_ref ORDER BY k.code_id",
			  0, NULL, PGRES_TUPLES_OK, &r);
	for (int i = 0; !err && i < rti_pq.PQntuples(r); i++)
		err = fn(arg, rti_pq.PQgetvalue(r, i, 0), rti_pq.PQgetvalue(r, i, 1));
	if (r)
		rti_pq.PQclear(r);
	return err;
}

static int pg_scan(struct hs_store *bs, const struct rti_hot_filter *f,
		   rti_hot_entry_fn fn, void *arg)
{
	return stream((struct pg_store *)bs, HS_Q_SYMBOLS, f, each_symbol, (void *)fn, arg);
}

static int pg_scan_paths(struct hs_store *bs, const struct rti_hot_filter *f,
			 hs_path_fn fn, void *arg)
{
	return stream((struct pg_store *)bs, HS_Q_PATHS, f, each_path, (void *)fn, arg);
}

static int pg_scopes(struct hs_store *bs, const struct rti_hot_filter *f, hs_scope_fn fn,
		     void *arg)
{
	return stream((struct pg_store *)bs, HS_Q_SCOPES, f, each_scope, (void *)fn, arg);
}

/* ---- the Signals push (docs/hot-index.md "Signals push") ---- */

/* A bytea column in text form ("\x" and hex, PostgreSQL's default output). */
static int unhex_bytea(struct pg_store *s, const char *v, struct rti_buf *out)
{
	rti_buf_reset(out);
	if (v[0] != '\\' || v[1] != 'x')
		return fail_msg(s, "reading a Signals batch", "bytea_output is not hex", -EIO);
	for (v += 2; v[0] && v[1]; v += 2) {
		int hi = rti_hexval(v[0]), lo = rti_hexval(v[1]);

		if (hi < 0 || lo < 0)
			return fail_msg(s, "reading a Signals batch", "bad bytea", -EIO);
		if (rti_buf_addch(out, (char)(hi << 4 | lo)))
			return -ENOBUFS;
	}
	return 0;
}

static int pg_sig_scopes(struct hs_store *bs, hs_scope_fn fn, void *arg)
{
	struct pg_store *s = (struct pg_store *)bs;
	PGresult *r = NULL;
	int err = connected(s);

	if (!err)
		err = run(s, "reading the Signals cursors",
			  "SELECT s.scope FROM hot_scopes s WHERE NOT EXISTS (SELECT 1"
			  " FROM hot_signals_batches b WHERE b.scope_id = s.id AND b.state = 0)"
			  " AND EXISTS (SELECT 1 FROM hot_symbols h LEFT JOIN hot_signals_pushed p"
			  " ON p.scope_id = h.scope_id AND p.code_ref = h.code_ref"
			  " AND p.symbol = h.symbol WHERE h.scope_id = s.id"
			  " AND h.hit_count > coalesce(p.hit_count, 0)) ORDER BY s.scope",
			  0, NULL, PGRES_TUPLES_OK, &r);
	for (int i = 0; !err && i < rti_pq.PQntuples(r); i++)
		err = fn(arg, rti_pq.PQgetvalue(r, i, 0));
	if (r)
		rti_pq.PQclear(r);
	return err;
}

/* The delta lines of scope sid (rows r, in symbolId order) into body, and
 * their deltas COPYed into hot_signals_deltas, within the caps. */
static int pg_sig_lines(struct pg_store *s, const struct hs_sig_freeze *f, PGresult *r,
			const char *id, struct rti_buf *body, uint64_t *records)
{
	struct rti_buf line = RTI_BUF_INIT(3 * RTI_HOTSYM_MAX_NAME + 4096);
	struct rti_buf cp = RTI_BUF_INIT(4 * COPY_CHUNK + 4 * RTI_HOTSYM_MAX_NAME);
	int more = 1, n = rti_pq.PQntuples(r);
	int err = run(s, "freezing a Signals batch",
		      "COPY hot_signals_deltas (batch_id, code_ref, symbol, delta) FROM STDIN",
		      0, NULL, PGRES_COPY_IN, NULL);

	for (int i = 0; i < n && !err; i++) {
		struct rti_hot_entry e = { .scope = f->scope };

		e.code_id = rti_pq.PQgetvalue(r, i, 0);
		e.symbol = rti_pq.PQgetvalue(r, i, 1);
		e.module = rti_pq.PQgetisnull(r, i, 2) ? NULL : rti_pq.PQgetvalue(r, i, 2);
		err = hs_symbol_id(&s->sid, e.code_id, e.symbol);
		if (err)
			break;
		e.symbol_id = s->sid.p;
		e.hit_count = strtoull(rti_pq.PQgetvalue(r, i, 3), NULL, 10);
		rti_time_from_ns(strtoll(rti_pq.PQgetvalue(r, i, 4), NULL, 10), &e.first_seen);
		rti_time_from_ns(strtoll(rti_pq.PQgetvalue(r, i, 5), NULL, 10), &e.last_seen);
		e.probe_types = (uint32_t)strtoul(rti_pq.PQgetvalue(r, i, 6), NULL, 10);
		err = hs_signals_take(f, &e, *records, &line, body);
		if (err == 1) {
			err = 0;
			more = 2; /* the rest goes into the scope's next batch */
			break;
		}
		if (err)
			break;
		err = copy_str(&cp, id);
		err = err ? err : rti_buf_addch(&cp, '\t');
		err = err ? err : put_i64(&cp, strtoll(rti_pq.PQgetvalue(r, i, 7), NULL, 10), '\t');
		err = err ? err : copy_str(&cp, e.symbol);
		err = err ? err : rti_buf_addch(&cp, '\t');
		err = err ? err : put_i64(&cp, (int64_t)e.hit_count, '\n');
		err = err ? err : copy_send(s, &cp, false);
		(*records)++;
	}
	err = copy_end(s, &cp, err);
	rti_buf_release(&line);
	rti_buf_release(&cp);
	return err ? err : more;
}

/* One integer of a query's first row: 1, 0 (no row) or -errno. */
static int pg_int(struct pg_store *s, const char *sql, int n, const char *const *v,
		  int64_t *out)
{
	PGresult *r = NULL;
	int err = run(s, "Signals push", sql, n, v, PGRES_TUPLES_OK, &r);

	if (err)
		return err;
	err = rti_pq.PQntuples(r) > 0;
	if (err && out)
		*out = strtoll(rti_pq.PQgetvalue(r, 0, 0), NULL, 10);
	rti_pq.PQclear(r);
	return err;
}

static int pg_sig_freeze(struct hs_store *bs, const struct hs_sig_freeze *f,
			 struct rti_buf *body)
{
	struct pg_store *s = (struct pg_store *)bs;
	char id[160], sidv[24], seqv[24], lim[24], now[24], recs[24];
	const char *v[8] = { f->scope };
	int lens[8] = { 0 }, fmts[8] = { 0 };
	int64_t sid = 0, seq = 0;
	uint64_t records = 0;
	PGresult *r = NULL;
	int rc, err = connected(s);

	if (!err)
		err = run(s, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (err)
		return err;
	rti_buf_reset(body);
	rc = pg_int(s, "SELECT id FROM hot_scopes WHERE scope = $1", 1, v, &sid);
	snprintf(sidv, sizeof(sidv), "%" PRId64, sid);
	v[0] = sidv;
	if (rc == 1)
		rc = run(s, "Signals push", "INSERT INTO hot_signals_scopes (scope_id, next_seq)"
			 " VALUES ($1, 1) ON CONFLICT (scope_id) DO NOTHING", 1, v,
			 PGRES_COMMAND_OK, NULL) ?: 1;
	/* the scope's cursor row, locked: freezes and acknowledgements of a
	 * scope go one after the other, whichever node runs them */
	if (rc == 1)
		rc = pg_int(s, "SELECT next_seq FROM hot_signals_scopes WHERE scope_id = $1"
			       " FOR UPDATE", 1, v, &seq);
	if (rc == 1)
		rc = pg_int(s, "SELECT 1 FROM hot_signals_batches WHERE scope_id = $1"
			       " AND state = 0 LIMIT 1", 1, v, NULL) == 0 ? 1 : 0;
	if (rc == 1 && hs_sig_batch_id(id, f->node, f->scope, (uint64_t)seq))
		rc = -ENAMETOOLONG;
	snprintf(lim, sizeof(lim), "%" PRIu64, f->max_lines + 1);
	v[1] = lim;
	if (rc == 1)
		rc = run(s, "freezing a Signals batch",
			 "SELECT k.code_id, h.symbol, h.module, h.hit_count - coalesce(p.hit_count, 0),"
			 " h.first_seen, h.last_seen, h.probe_types, h.code_ref"
			 " FROM hot_symbols h JOIN hot_codes k ON k.id = h.code_ref"
			 " LEFT JOIN hot_signals_pushed p ON p.scope_id = h.scope_id"
			 " AND p.code_ref = h.code_ref AND p.symbol = h.symbol"
			 " WHERE h.scope_id = $1 AND h.hit_count > coalesce(p.hit_count, 0)"
			 " ORDER BY (k.code_id || '!' || h.symbol) COLLATE \"C\", h.code_ref LIMIT $2",
			 2, v, PGRES_TUPLES_OK, &r) ?: 1;
	if (rc == 1)
		rc = pg_sig_lines(s, f, r, id, body, &records);
	if (r)
		rti_pq.PQclear(r);
	if (rc <= 0 || !records)
		goto out;
	snprintf(seqv, sizeof(seqv), "%" PRId64, seq);
	snprintf(now, sizeof(now), "%" PRId64, f->now_ms);
	snprintf(recs, sizeof(recs), "%" PRIu64, records);
	err = run(s, "freezing a Signals batch",
		  "UPDATE hot_signals_scopes SET next_seq = next_seq + 1 WHERE scope_id = $1",
		  1, v, PGRES_COMMAND_OK, NULL);
	{
		const char *bv[8] = { id, sidv, seqv, f->node, now, f->path, body->p ? body->p : "",
				      recs };

		lens[6] = (int)body->len;
		fmts[6] = 1;
		if (!err)
			err = run_bin(s, "freezing a Signals batch",
				      "INSERT INTO hot_signals_batches (id, scope_id, seq, node, state,"
				      " owner, lease_until, created_ms, path, body, records)"
				      " VALUES ($1, $2, $3, $4, 0, $4, 0, $5, $6, $7, $8)",
				      8, bv, lens, fmts, PGRES_COMMAND_OK, NULL);
	}
	if (!err && rti_hotsym__test_hook)
		rti_hotsym__test_hook("signals:freeze");
	if (!err)
		err = run(s, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (!err)
		return rc;
	rc = err;
out:
	rollback(s);
	return rc < 0 ? rc : 0;
}

static int pg_sig_next(struct hs_store *bs, const char *node, int64_t now_ms, int64_t lease_ms,
		       struct hs_sig_batch *b)
{
	struct pg_store *s = (struct pg_store *)bs;
	char now[24], lease[24];
	const char *v[3] = { node, now, lease };
	PGresult *r = NULL;
	int err = connected(s);

	snprintf(now, sizeof(now), "%" PRId64, now_ms);
	snprintf(lease, sizeof(lease), "%" PRId64, now_ms + lease_ms);
	/* one statement: the row lock of the claim (SKIP LOCKED) keeps two
	 * nodes from claiming the same batch at once */
	if (!err)
		err = run(s, "claiming a Signals batch",
			  "UPDATE hot_signals_batches SET owner = $1, lease_until = $3::bigint"
			  " WHERE id = (SELECT id FROM hot_signals_batches WHERE state = 0"
			  " AND (owner = $1 OR lease_until < $2::bigint) ORDER BY created_ms, id"
			  " LIMIT 1 FOR UPDATE SKIP LOCKED)"
			  " RETURNING id, path, body, records, created_ms",
			  3, v, PGRES_TUPLES_OK, &r);
	if (err)
		return err;
	if (rti_pq.PQntuples(r) != 1) {
		rti_pq.PQclear(r);
		return 0;
	}
	snprintf(b->id, sizeof(b->id), "%s", rti_pq.PQgetvalue(r, 0, 0));
	snprintf(b->path, sizeof(b->path), "%s", rti_pq.PQgetvalue(r, 0, 1));
	err = unhex_bytea(s, rti_pq.PQgetvalue(r, 0, 2), b->body);
	b->records = strtoull(rti_pq.PQgetvalue(r, 0, 3), NULL, 10);
	b->created_ms = strtoll(rti_pq.PQgetvalue(r, 0, 4), NULL, 10);
	rti_pq.PQclear(r);
	return err ? err : 1;
}

static int pg_sig_settle(struct hs_store *bs, const char *id, bool dead, long status,
			 const char *resp, size_t resp_len, int64_t now_ms)
{
	struct pg_store *s = (struct pg_store *)bs;
	char sidv[24], seqv[24], now[24], st[24];
	const char *v[2] = { id, sidv };
	int64_t sid = 0, seq = 0;
	int rc, err = connected(s);

	if (!err)
		err = run(s, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (err)
		return err;
	rc = pg_int(s, "SELECT scope_id FROM hot_signals_batches WHERE id = $1 AND state = 0",
		    1, v, &sid);
	snprintf(sidv, sizeof(sidv), "%" PRId64, sid);
	/* the cursor row first (the order of freeze), then the batch again:
	 * a node that settled it meanwhile leaves nothing to do */
	if (rc == 1)
		rc = pg_int(s, "SELECT 1 FROM hot_signals_scopes WHERE scope_id = $1 FOR UPDATE",
			    1, v + 1, NULL);
	if (rc == 1)
		rc = pg_int(s, "SELECT seq FROM hot_signals_batches WHERE id = $1 AND state = 0"
			       " FOR UPDATE", 1, v, &seq);
	snprintf(seqv, sizeof(seqv), "%" PRId64, seq);
	snprintf(now, sizeof(now), "%" PRId64, now_ms);
	snprintf(st, sizeof(st), "%ld", status);
	if (rc == 1)
		rc = run(s, "settling a Signals batch",
			 "INSERT INTO hot_signals_pushed AS p (scope_id, code_ref, symbol, hit_count)"
			 " SELECT $2::bigint, code_ref, symbol, delta FROM hot_signals_deltas"
			 " WHERE batch_id = $1 ORDER BY code_ref, symbol"
			 " ON CONFLICT (scope_id, code_ref, symbol) DO UPDATE SET"
			 " hit_count = p.hit_count + excluded.hit_count",
			 2, v, PGRES_COMMAND_OK, NULL) ?: 1;
	if (rc == 1 && !dead)
		rc = run(s, "settling a Signals batch",
			 "WITH d AS (DELETE FROM hot_signals_deltas WHERE batch_id = $1)"
			 " DELETE FROM hot_signals_batches WHERE id = $1",
			 1, v, PGRES_COMMAND_OK, NULL) ?: 1;
	if (rc == 1 && dead) {
		const char *dv[4] = { id, now, st, resp ? resp : "" };
		int dl[4] = { 0, 0, 0, (int)(resp_len > HS_SIG_RESP_MAX ? HS_SIG_RESP_MAX : resp_len) };
		int df[4] = { 0, 0, 0, 1 };

		rc = run_bin(s, "settling a Signals batch",
			     "UPDATE hot_signals_batches SET state = 1, dead_status = $3::integer,"
			     " dead_at = $2::bigint, dead_response = $4 WHERE id = $1",
			     4, dv, dl, df, PGRES_COMMAND_OK, NULL) ?: 1;
	}
	if (rc == 1)
		rc = run(s, "settling a Signals batch",
			 "UPDATE hot_signals_scopes SET acked_seq = GREATEST(acked_seq, $2::bigint),"
			 " acked_at = $3::bigint WHERE scope_id = $1::bigint",
			 3, (const char *const[]){ sidv, seqv, now }, PGRES_COMMAND_OK, NULL) ?: 1;
	if (rc == 1 && rti_hotsym__test_hook)
		rti_hotsym__test_hook("signals:settle");
	if (rc == 1)
		err = run(s, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL);
	if (rc == 1 && !err)
		return 1;
	rollback(s);
	return rc < 0 ? rc : err;
}

static void pg_close(struct hs_store *bs)
{
	struct pg_store *s = (struct pg_store *)bs;

	if (s->c)
		rti_pq.PQfinish(s->c);
	unlock_all(s);
	rti_buf_release(&s->sid);
	free(s);
}

static const struct hs_store_ops pg_ops = {
	.name = "postgres",
	.reserve = pg_reserve,
	.commit = pg_commit,
	.position = pg_position,
	.scan = pg_scan,
	.scan_paths = pg_scan_paths,
	.scan_buildinfo = pg_scan_buildinfo,
	.scopes = pg_scopes,
	.sig_scopes = pg_sig_scopes,
	.sig_freeze = pg_sig_freeze,
	.sig_next = pg_sig_next,
	.sig_settle = pg_sig_settle,
	.close = pg_close,
};

int hs_pg_open(const char *conninfo, bool read_only, char *err, size_t errlen,
	       struct hs_store **out)
{
	static const char *const keys[] = { "connect_timeout", "application_name", "dbname",
					    NULL };
	const char *vals[] = { "10", "stella-rti", conninfo, NULL };
	struct pg_store *s = calloc(1, sizeof(*s));
	int64_t v;
	int rc;

	if (!s)
		return -ENOMEM;
	s->base.ops = &pg_ops;
	s->base.err = err;
	s->base.errlen = errlen;
	rti_buf_init(&s->sid, 3 * RTI_HOTSYM_MAX_NAME);
	rc = rti_pq_load(err, errlen);
	if (rc) {
		pg_close(&s->base);
		return rc;
	}
	/* the URL's own parameters (dbname is expanded last) win */
	s->c = rti_pq.PQconnectdbParams(keys, vals, 1);
	if (!s->c || rti_pq.PQstatus(s->c) != CONNECTION_OK) {
		rc = s->c ? fail_msg(s, "connecting", rti_pq.PQerrorMessage(s->c), -ECONNREFUSED)
			  : -ENOMEM;
		pg_close(&s->base);
		return rc;
	}
	rti_pq.PQsetNoticeProcessor(s->c, ignore_notice, NULL);
	if (read_only) {
		PGresult *r = rti_pq.PQexec(s->c, "SELECT to_regclass('hot_meta') IS NOT NULL");

		rc = r && rti_pq.PQresultStatus(r) == PGRES_TUPLES_OK && rti_pq.PQntuples(r) == 1 &&
				     !strcmp(rti_pq.PQgetvalue(r, 0, 0), "t")
			     ? 0
			     : -ENOENT;
		rti_pq.PQclear(r);
		if (!rc)
			rc = schema_version(s, &v);
		if (rc == -ENOENT || (!rc && v == 0)) {
			snprintf(err, errlen, "not a hot symbol index (no schema in this database)");
			rc = -ENOENT;
		} else if (!rc && v > HS_SCHEMA_VERSION) {
			snprintf(err, errlen,
				 "index schema version %lld is newer than this program's (%d)",
				 (long long)v, HS_SCHEMA_VERSION);
			rc = -EPROTO;
		} else if (!rc && v < 3) {
			/* readers never migrate: an older index has no exemplars */
			rc = run(s, "opening", "CREATE TEMP TABLE hot_exemplars (scope_id bigint,"
				 " stack_digest text, frames text)", 0, NULL, PGRES_COMMAND_OK, NULL);
			if (!rc)
				rc = run(s, "opening", "CREATE TEMP TABLE hot_go_buildinfo"
					 " (code_ref bigint, info text)", 0, NULL,
					 PGRES_COMMAND_OK, NULL);
		}
	} else {
		rc = migrate(s);
	}
	if (rc) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return 0;
}
