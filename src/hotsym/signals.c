/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Signals push on a hot index handle (include/rti/hotsym.h,
 * docs/hot-index.md "Signals push"): options and clocks here, the
 * transactions in the stores (store_sqlite.c, store_pg.c).
 */
#include <errno.h>
#include <string.h>

#include "hotsym/hotsym_int.h"
#include "util/clock.h"
#include "util/opts.h"

#define SIG_MAX_LINES 10000
#define SIG_MAX_BYTES (4u << 20)
#define SIG_MAX_BYTES_CAP (32u << 20) /* hs_sig_body() reads up to 64 MiB */
/* a body holds at least one line, whatever max_bytes says */
#define SIG_BODY_MAX(max) ((max) + 3 * RTI_HOTSYM_MAX_NAME + 8192)

static int64_t wall_ms(void)
{
	return (int64_t)(rti_wall_ns() / 1000000u);
}

int rti_hotsym_signals_scopes(struct rti_hotsym *h, rti_hot_scope_fn fn, void *arg)
{
	struct hs_store *s = hs_store_of(h);

	hs_clear_err(h);
	return s->ops->sig_scopes(s, fn, arg);
}

int rti_hotsym_signals_freeze(struct rti_hotsym *h, const char *scope,
			      const struct rti_hot_signals_freeze_opts *o)
{
	struct hs_store *s = hs_store_of(h);
	struct hs_sig_freeze f;
	struct rti_buf body;
	int rc;

	if (!scope || !RTI_OPTS_VALID(o, max_bytes) || !o->path)
		return -EINVAL;
	memset(&f, 0, sizeof(f));
	f.node = hs_node_of(h);
	f.scope = scope;
	f.path = o->path;
	f.max_lines = o->max_lines ? o->max_lines : SIG_MAX_LINES;
	f.max_bytes = o->max_bytes ? o->max_bytes : SIG_MAX_BYTES;
	if (f.max_bytes > SIG_MAX_BYTES_CAP)
		f.max_bytes = SIG_MAX_BYTES_CAP;
	f.now_ms = wall_ms();
	rti_buf_init(&body, SIG_BODY_MAX(f.max_bytes));
	hs_clear_err(h);
	rc = s->ops->sig_freeze(s, &f, &body);
	rti_buf_release(&body);
	return rc;
}

int rti_hotsym_signals_next(struct rti_hotsym *h, uint64_t lease_ms,
			    struct rti_hot_signals_batch *b)
{
	struct hs_store *s = hs_store_of(h);
	struct rti_buf *body = hs_sig_body(h);
	struct hs_sig_batch sb;
	int rc;

	if (!body)
		return -ENOMEM;
	memset(&sb, 0, sizeof(sb));
	sb.body = body;
	hs_clear_err(h);
	rc = s->ops->sig_next(s, hs_node_of(h), wall_ms(), (int64_t)lease_ms, &sb);
	if (rc != 1)
		return rc;
	memset(b, 0, sizeof(*b));
	memcpy(b->id, sb.id, sizeof(b->id));
	memcpy(b->path, sb.path, sizeof(b->path));
	b->body = (const uint8_t *)body->p;
	b->len = body->len;
	b->records = sb.records;
	b->created_ms = sb.created_ms > 0 ? (uint64_t)sb.created_ms : 0;
	return 1;
}

int rti_hotsym_signals_ack(struct rti_hotsym *h, const char *id)
{
	struct hs_store *s = hs_store_of(h);

	if (!id)
		return -EINVAL;
	hs_clear_err(h);
	return s->ops->sig_settle(s, id, false, 0, NULL, 0, wall_ms());
}

int rti_hotsym_signals_dead(struct rti_hotsym *h, const char *id, long status,
			    const char *resp, size_t resp_len)
{
	struct hs_store *s = hs_store_of(h);

	if (!id)
		return -EINVAL;
	hs_clear_err(h);
	return s->ops->sig_settle(s, id, true, status, resp, resp_len, wall_ms());
}
