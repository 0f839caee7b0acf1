/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one writer of a Signals runtime-facts line (spec
 * runtime-call-event.md §8; docs/hot-index.md §6): used by
 * `hot export --format signals-ndjson` (export.c) and by the frozen
 * batches of the Signals push (the stores' freeze), so both always give
 * the same bytes for the same entry. Depends on nothing else of the index.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "hotsym/hotsym_int.h"
#include "rti/canon.h"
#include "rti/cjson.h"
#include "util/hash.h"
#include "util/timefmt.h"

/* Probe type names of a bit set, sorted by name. */
unsigned rti_hot_probe_type_names(uint32_t bits, const char *names[RTI_PROBE__COUNT])
{
	unsigned n = 0;

	for (int t = 1; t < RTI_PROBE__COUNT; t++) {
		const char *nm;
		unsigned i;

		if (!(bits & (1u << t)))
			continue;
		nm = rti_probe_type_name((enum rti_probe_type)t);
		for (i = n; i > 0 && strcmp(names[i - 1], nm) > 0; i--)
			names[i] = names[i - 1];
		names[i] = nm;
		n++;
	}
	return n;
}

static void put_time(struct rti_cjw *w, const char *key, const struct rti_time *t)
{
	char ts[RTI_TIME_STRLEN];

	rti_cjw_key(w, key);
	rti_cjw_str(w, ts, rti_time_format(t, ts));
}

int hs_signals_line(const struct rti_hot_entry *e, struct rti_buf *out)
{
	const char *names[RTI_PROBE__COUNT];
	unsigned np = rti_hot_probe_type_names(e->probe_types, names);
	char pt[RTI_PROBE__COUNT * 24];
	size_t ptlen = 0;
	struct rti_cjw w;

	for (unsigned i = 0; i < np; i++) {
		size_t n = strlen(names[i]);

		if (ptlen + n + 2 > sizeof(pt))
			return -ENOBUFS;
		if (i)
			pt[ptlen++] = ',';
		memcpy(pt + ptlen, names[i], n);
		ptlen += n;
	}
	pt[ptlen] = '\0';
	rti_cjw_init(&w, out);
	rti_cjw_obj_open(&w);
	if (!strncmp(e->code_id, "gnu-build-id:", 13))
		rti_cjw_kv_str(&w, "buildId", e->code_id + 13);
	rti_cjw_kv_str(&w, "codeId", e->code_id);
	rti_cjw_key(&w, "hitCount");
	rti_cjw_u64(&w, e->hit_count);
	rti_cjw_key(&w, "metadata");
	rti_cjw_obj_open(&w);
	put_time(&w, "firstSeen", &e->first_seen);
	rti_cjw_kv_str(&w, "module", e->module);
	rti_cjw_kv_str(&w, "probeTypes", pt);
	rti_cjw_kv_str(&w, "scope", e->scope);
	rti_cjw_kv_str(&w, "source", "stella-rti");
	rti_cjw_kv_str(&w, "symbol", e->symbol);
	rti_cjw_obj_close(&w);
	put_time(&w, "observedAt", &e->last_seen);
	rti_cjw_kv_str(&w, "symbolId", e->symbol_id);
	rti_cjw_obj_close(&w);
	if (w.err)
		return w.err;
	return rti_buf_addch(out, '\n') ? -ENOBUFS : 0;
}

static bool id_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			return false;
	return true;
}

/*
 * The batch id, the request's Idempotency-Key: node "/" scope "/" sequence,
 * e.g. "node-1/sha256:46f2.../17" (an image scope loses its "image:"
 * prefix). A node name longer than 48 bytes or with characters outside
 * [A-Za-z0-9._-] is replaced by "n-" and 32 hex digits of its SHA-256, so
 * the id always fits a header and 159 bytes. The sequence is the scope's,
 * reserved in the store: the id is unique in the index whoever froze it.
 */
int hs_sig_batch_id(char out[160], const char *node, const char *scope, uint64_t seq)
{
	char hex[65], nb[40];
	const char *n = node;
	int len;

	if (strlen(node) > 48 || !*node || !id_safe(node)) {
		rti_sha256_hex(node, strlen(node), hex);
		snprintf(nb, sizeof(nb), "n-%.32s", hex);
		n = nb;
	}
	if (!strncmp(scope, "image:", 6))
		scope += 6;
	len = snprintf(out, 160, "%s/%s/%llu", n, scope, (unsigned long long)seq);
	return len > 0 && len < 160 ? 0 : -ENAMETOOLONG;
}

int hs_signals_take(const struct hs_sig_freeze *f, const struct rti_hot_entry *e,
		    uint64_t records, struct rti_buf *line, struct rti_buf *body)
{
	int err;

	rti_buf_reset(line);
	err = hs_signals_line(e, line);
	if (err)
		return err;
	if (records == f->max_lines || (records && body->len + line->len > f->max_bytes))
		return 1;
	return rti_buf_add(body, line->p, line->len);
}
