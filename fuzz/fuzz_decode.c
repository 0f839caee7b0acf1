/* libFuzzer: the JSON event path (framer -> jsmn decoder -> pipeline ->
 * canonical writer) on arbitrary bytes. Any crash, sanitizer report, leak
 * or hang is a bug; malformed input must only produce diagnostics. Two
 * differentials abort on a difference: the 64-byte framer against the byte
 * loop, one thread against two stages with the writer decoding, and the
 * whole-stack memo on against off (every line fed three times: stored on
 * its second sighting, used on its third), and aggregate only (the decoder
 * skims the maps nobody reads) against the full path: the same
 * acceptance, diagnostics and stacks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/records.h"
#include "rti/pipeline.h"
#include "rti/symbolize.h"

static int null_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		      const char *line, size_t len)
{
	(void)ctx;
	(void)ev;
	(void)cn;
	/* the canonical line must be one line */
	for (size_t i = 0; i + 1 < len; i++)
		if (line[i] == '\n')
			abort();
	return len && line[len - 1] == '\n' ? 0 : (abort(), 0);
}

static const struct rti_sink_ops null_ops = { "null", null_event, NULL, NULL, 0 };

/* ---- one thread against two stages with the writer decoding ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const unsigned char *)p)[i]) * 0x100000001b3ULL;
	return h;
}

static int hash_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		      const char *line, size_t len)
{
	(void)ev;
	(void)cn;
	*(uint64_t *)ctx = fnv(*(uint64_t *)ctx, line, len);
	return 0;
}

static const struct rti_sink_ops hash_ops = { "hash", hash_event, NULL, NULL, 0 };

static void hash_result(void *ctx, const struct rti_origin *o, int rc, const struct rti_diag *d)
{
	uint64_t *h = ctx;

	*h = fnv(*h, &o->line, sizeof(o->line));
	*h = fnv(*h, &rc, sizeof(rc));
	*h = fnv(*h, d->msg, strlen(d->msg));
	*h = fnv(*h, &d->offset, sizeof(d->offset));
}

static struct rti_pipeline *fresh_memo(uint64_t *out, size_t memo)
{
	static const struct rti_symbolizer_opts so = { .sz = sizeof(so), .disabled = true };
	struct rti_pipeline_opts po = { sizeof(po), NULL, 1u << 16, 4u << 20, 64, &so, NULL,
					memo };
	struct rti_pipeline *p = rti_pipeline_new(&po);

	if (p)
		rti_pipeline_add_sink(p, &hash_ops, out);
	return p;
}

static struct rti_pipeline *fresh(uint64_t *out)
{
	return fresh_memo(out, 0);
}

/* Output of every line three times, with the whole-stack memo and
 * without: equal, or abort. (RTI_STACK_MEMO must not be set.) */
static void memo_differential(const char *d, size_t size)
{
	uint64_t out[2] = { 1, 1 };
	struct rti_pipeline *p[2] = { fresh_memo(&out[0], 0), fresh_memo(&out[1], (size_t)-1) };

	for (int k = 0; k < 2 && p[0] && p[1]; k++) {
		for (size_t i = 0; i < size;) {
			const char *nl = memchr(d + i, '\n', size - i);
			size_t n = nl ? (size_t)(nl - d) - i : size - i;
			struct rti_diag dg;

			for (int rep = 0; rep < 3; rep++)
				rti_pipeline_feed_json(p[k], d + i, n, &dg);
			i += n + 1;
		}
	}
	if (out[0] != out[1])
		abort();
	rti_pipeline_free(p[0]);
	rti_pipeline_free(p[1]);
}

/* Output and diagnostics of every line, one thread and two stages (the
 * writer decoding, rti_handover ALWAYS): equal, or abort. */
static void two_stage_differential(const char *d, size_t size)
{
	uint64_t out[2] = { 1, 1 };
	uint64_t diag[2] = { 1, 1 };
	struct rti_pipeline *p1 = fresh(&out[0]);
	struct rti_pipeline *p2 = fresh(&out[1]);
	size_t i = 0;
	uint64_t line = 1;

	if (!p1 || !p2 || rti_pipeline_start(p2, hash_result, &diag[1])) {
		rti_pipeline_free(p1);
		rti_pipeline_free(p2);
		return;
	}
	rti_pipeline_set_handover(p2, RTI_HANDOVER_ALWAYS);
	while (i < size) {
		const char *nl = memchr(d + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - d) - i : size - i;
		struct rti_origin o = { "fuzz", line, line };
		struct rti_diag dg;
		int rc = rti_pipeline_feed_json(p1, d + i, n, &dg);

		if (rc)
			hash_result(&diag[0], &o, rc, &dg);
		rti_pipeline_submit_json(p2, d + i, n, &o);
		i += n + 1;
		line++;
	}
	rti_pipeline_drain(p2);
	if (out[0] != out[1] || diag[0] != diag[1] ||
	    rti_pipeline_stats(p1)->records != rti_pipeline_stats(p2)->records ||
	    rti_pipeline_stats(p1)->bad_records != rti_pipeline_stats(p2)->bad_records)
		abort();
	rti_pipeline_free(p1);
	rti_pipeline_free(p2);
}

/* ---- aggregate only against the full path ---- */

/* An index-only sink: no line, only the index fields; hashes the stack. */
static int index_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		       const char *line, size_t len)
{
	uint64_t *h = ctx;

	(void)ev;
	(void)line;
	(void)len;
	*h = fnv(*h, &cn->n_frames, sizeof(cn->n_frames));
	for (unsigned i = 0; i < cn->n_frames; i++) {
		const char *sym = cn->frames[i].symbol ? cn->frames[i].symbol : "";

		*h = fnv(*h, cn->frames[i].frame_id, strnlen(cn->frames[i].frame_id,
							    sizeof(cn->frames[i].frame_id)));
		*h = fnv(*h, sym, strlen(sym) + 1);
	}
	return 0;
}

static const struct rti_sink_ops index_ops = { "index", index_event, NULL, NULL,
					       RTI_SINK_NO_LINE | RTI_SINK_INDEX_FIELDS };

/* Every line through a full pipeline and an aggregate-only one: the same
 * return codes, diagnostics and stacks, or abort. */
static void skim_differential(const char *d, size_t size)
{
	static const struct rti_symbolizer_opts so = { .sz = sizeof(so), .disabled = true };
	struct rti_pipeline_opts po = { sizeof(po), NULL, 1u << 16, 4u << 20, 64, &so, NULL, 0 };
	uint64_t st[2] = { 1, 1 }, lines = 1;
	struct rti_pipeline *p[2] = { rti_pipeline_new(&po), rti_pipeline_new(&po) };

	if (p[0] && p[1] && !rti_pipeline_add_sink(p[0], &hash_ops, &lines) &&
	    !rti_pipeline_add_sink(p[0], &index_ops, &st[0]) &&
	    !rti_pipeline_add_sink(p[1], &index_ops, &st[1])) {
		for (size_t i = 0; i < size;) {
			const char *nl = memchr(d + i, '\n', size - i);
			size_t n = nl ? (size_t)(nl - d) - i : size - i;
			struct rti_diag dg[2];
			int rc[2];

			for (int k = 0; k < 2; k++) {
				memset(&dg[k], 0, sizeof(dg[k]));
				rc[k] = rti_pipeline_feed_json(p[k], d + i, n, &dg[k]);
			}
			if (rc[0] != rc[1] || (rc[0] && (strcmp(dg[0].msg, dg[1].msg) ||
							 dg[0].offset != dg[1].offset)))
				abort();
			i += n + 1;
		}
		if (st[0] != st[1] ||
		    rti_pipeline_stats(p[0])->bad_records != rti_pipeline_stats(p[1])->bad_records)
			abort();
	}
	rti_pipeline_free(p[0]);
	rti_pipeline_free(p[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rti_pipeline *p;
	struct rti_records_opts ro = { 1u << 20, 0, false, NULL, false, NULL, NULL };
	struct rti_records *r;
	struct rti_record rec;
	char path[] = "/tmp/rti-fuzz-XXXXXX";
	int fd;
	int st;

	if (!p) {
		/* symbolization off: fuzz the decoder, not the host's files */
		static const struct rti_symbolizer_opts so = { .sz = sizeof(so), .disabled = true };
		struct rti_pipeline_opts po = { sizeof(po), NULL, 1u << 16, 4u << 20, 64, &so, NULL,
						0 };

		p = rti_pipeline_new(&po);
		rti_pipeline_add_sink(p, &null_ops, NULL);
	}
	/* The framer needs an fd (temp file, slow): every input still goes
	 * through the decoder directly, line by line, and 1 in 16 also through
	 * the records reader. */
	{
		const char *d = (const char *)data;
		size_t i = 0;

		while (i < size) {
			const char *nl = memchr(d + i, '\n', size - i);
			size_t n = nl ? (size_t)(nl - d) - i : size - i;
			struct rti_diag dg;

			rti_pipeline_feed_json(p, d + i, n, &dg);
			i += n + 1;
		}
	}
	if (size && data[0] % 8 == 1)
		two_stage_differential((const char *)data, size);
	if (size && data[0] % 8 == 2)
		memo_differential((const char *)data, size);
	if (size && data[0] % 8 == 3)
		skim_differential((const char *)data, size);
	if (size && data[0] % 16 == 0) {
		/* the 64-byte framer against the byte loop: the same records,
		 * diagnostics and line numbers, or abort */
		uint64_t sum[2] = { 0, 0 };

		fd = mkstemp(path);
		if (fd < 0)
			return 0;
		unlink(path);
		if (write(fd, data, size) != (ssize_t)size) {
			close(fd);
			return 0;
		}
		for (int mode = 0; mode < 2; mode++) {
			uint64_t h = 0xcbf29ce484222325ULL;

			if (lseek(fd, 0, SEEK_SET) != 0)
				break;
			ro.scalar_only = mode == 1;
			r = rti_records_fdopen(fd, "fuzz", &ro);
			while (r && (st = rti_records_next(r, &rec)) != RTI_REC_EOF &&
			       st != RTI_REC_ERROR) {
				struct rti_diag d;
				const char *w = st == RTI_REC_OK ? rec.p : rec.why;
				size_t wn = st == RTI_REC_OK ? rec.n : strlen(rec.why);

				h = (h ^ (uint64_t)st ^ (rec.line << 8) ^ ((uint64_t)rec.err_off << 40)) *
				    0x100000001b3ULL;
				for (size_t k = 0; k < wn; k++)
					h = (h ^ (unsigned char)w[k]) * 0x100000001b3ULL;
				if (st == RTI_REC_OK && mode == 0)
					rti_pipeline_feed_json(p, rec.p, rec.n, &d);
			}
			rti_records_close(r);
			sum[mode] = h;
		}
		close(fd);
		if (sum[0] != sum[1])
			abort();
	}
	return 0;
}
