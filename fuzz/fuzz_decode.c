/* libFuzzer: the JSON event path (framer -> jsmn decoder -> pipeline ->
 * canonical writer) on arbitrary bytes. Any crash, sanitizer report, leak
 * or hang is a bug; malformed input must only produce diagnostics. */
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

static const struct rti_sink_ops null_ops = { "null", null_event, NULL, NULL };

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
		struct rti_pipeline_opts po = { sizeof(po), NULL, 1u << 16, 4u << 20, 64, &so };

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
