/* gRPC message framing: messages across and within chunks, compression,
 * caps and protocol errors (src/grpc/frame.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "grpc/frame.h"
#include "tap.h"

struct got {
	int n;
	size_t lens[64];
	unsigned char first[64];
	const uint8_t *ptr[64];
	int fail_at; /* return -42 at this message (1-based), 0 = never */
};

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	struct got *g = ctx;

	if (g->n < 64) {
		g->lens[g->n] = n;
		g->first[g->n] = n ? p[0] : 0;
		g->ptr[g->n] = p;
	}
	g->n++;
	return g->fail_at && g->n == g->fail_at ? -42 : 0;
}

/* Appends a framed message of n bytes, all set to fill. */
static size_t frame(uint8_t *out, size_t n, uint8_t fill, int compressed)
{
	rti_grpc_frame_header(out, compressed, (uint32_t)n);
	memset(out + RTI_GRPC_HDR_LEN, fill, n);
	return RTI_GRPC_HDR_LEN + n;
}

static size_t gz(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int wbits)
{
	z_stream z;
	size_t r;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	r = z.total_out;
	deflateEnd(&z);
	return r;
}

int main(void)
{
	static uint8_t buf[1 << 20];
	static uint8_t plain[200000];
	struct rti_deframer d;
	struct got g;
	size_t len = 0;
	int err;

	/* three messages (one empty) fed in every chunk size from 1 to all */
	len += frame(buf + len, 10, 'a', 0);
	len += frame(buf + len, 0, 0, 0);
	len += frame(buf + len, 300, 'c', 0);
	for (size_t chunk = 1; chunk <= len; chunk += (chunk < 20 ? 1 : 37)) {
		int bad = 0;

		rti_deframer_init(&d, 1 << 20);
		memset(&g, 0, sizeof(g));
		for (size_t off = 0; off < len; off += chunk) {
			size_t n = len - off < chunk ? len - off : chunk;

			if (rti_deframer_push(&d, buf + off, n, collect, &g))
				bad = 1;
		}
		if (bad || g.n != 3 || g.lens[0] != 10 || g.lens[1] != 0 || g.lens[2] != 300 ||
		    g.first[0] != 'a' || g.first[2] != 'c' || !rti_deframer_idle(&d)) {
			ok(0, "chunk size %zu", chunk);
			break;
		}
		rti_deframer_release(&d);
	}
	ok(1, "messages reassembled whatever the chunking");

	/* a message wholly inside one chunk is delivered in place */
	rti_deframer_init(&d, 1 << 20);
	memset(&g, 0, sizeof(g));
	err = rti_deframer_push(&d, buf, len, collect, &g);
	ok(!err && g.n == 3 && g.ptr[0] == buf + RTI_GRPC_HDR_LEN, "whole message: no copy");
	ok(d.messages == 3 && d.bytes == 310, "counters");
	rti_deframer_release(&d);

	/* partial message: not idle */
	rti_deframer_init(&d, 1 << 20);
	memset(&g, 0, sizeof(g));
	rti_deframer_push(&d, buf, 7, collect, &g);
	ok(!rti_deframer_idle(&d) && g.n == 0, "mid-message: not idle");
	rti_deframer_reset(&d);
	ok(rti_deframer_idle(&d), "reset forgets the partial message");
	rti_deframer_release(&d);

	/* size cap, checked on the prefix before any byte is buffered */
	rti_deframer_init(&d, 1000);
	memset(&g, 0, sizeof(g));
	len = frame(buf, 1001, 'x', 0);
	err = rti_deframer_push(&d, buf, 5, collect, &g);
	ok(err == -EMSGSIZE && d.cap == 0, "over the cap: -EMSGSIZE, nothing buffered");
	rti_deframer_release(&d);
	rti_deframer_init(&d, 1001);
	memset(&g, 0, sizeof(g));
	ok(rti_deframer_push(&d, buf, len, collect, &g) == 0 && g.n == 1, "at the cap: accepted");
	rti_deframer_release(&d);

	/* bad compressed-flag */
	rti_deframer_init(&d, 1000);
	buf[0] = 2;
	ok(rti_deframer_push(&d, buf, 10, collect, &g) == -EPROTO, "flag 2: -EPROTO");
	rti_deframer_release(&d);

	/* compressed without grpc-encoding */
	rti_deframer_init(&d, 1000);
	len = frame(buf, 5, 'q', 1);
	ok(rti_deframer_push(&d, buf, len, collect, &g) == -EPROTO &&
	   strstr(d.why, "no grpc-encoding"), "compressed, identity encoding: -EPROTO");
	rti_deframer_release(&d);

	/* gzip and deflate (zlib) messages */
	for (int i = 0; i < (int)sizeof(plain); i++)
		plain[i] = (uint8_t)("tetragon"[i % 8]);
	for (int mode = 0; mode < 2; mode++) {
		size_t zn = gz(plain, sizeof(plain), buf + 5, sizeof(buf) - 5, mode ? 15 : 31);

		rti_grpc_frame_header(buf, true, (uint32_t)zn);
		rti_deframer_init(&d, 1 << 20);
		d.enc = mode ? RTI_GRPC_ENC_DEFLATE : RTI_GRPC_ENC_GZIP;
		memset(&g, 0, sizeof(g));
		err = rti_deframer_push(&d, buf, 5 + zn, collect, &g);
		ok(!err && g.n == 1 && g.lens[0] == sizeof(plain) && g.first[0] == 't' &&
		   d.compressed == 1, "%s message inflated", mode ? "deflate" : "gzip");
		rti_deframer_release(&d);
		/* the same message against a small cap: a zip bomb is stopped */
		rti_deframer_init(&d, 100000);
		d.enc = mode ? RTI_GRPC_ENC_DEFLATE : RTI_GRPC_ENC_GZIP;
		err = rti_deframer_push(&d, buf, 5 + zn, collect, &g);
		ok(err == -EMSGSIZE && d.zcap <= 100001, "%s: inflated size capped (%d %zu)", mode ? "deflate" : "gzip", err, d.zcap);
		rti_deframer_release(&d);
	}
	ok(rti_grpc_encoding_parse("gzip", 4) == RTI_GRPC_ENC_GZIP &&
	   rti_grpc_encoding_parse("identity", 8) == RTI_GRPC_ENC_IDENTITY &&
	   rti_grpc_encoding_parse("snappy", 6) == RTI_GRPC_ENC_UNSUPPORTED,
	   "grpc-encoding names");

	/* corrupt compressed data */
	rti_deframer_init(&d, 1 << 20);
	d.enc = RTI_GRPC_ENC_GZIP;
	len = frame(buf, 20, 0x55, 1);
	err = rti_deframer_push(&d, buf, len, collect, &g);
	ok(err == -EPROTO, "corrupt gzip: -EPROTO (%s)", d.why ? d.why : "");
	rti_deframer_release(&d);

	/* a callback error stops the deframer and comes back */
	rti_deframer_init(&d, 1 << 20);
	memset(&g, 0, sizeof(g));
	g.fail_at = 2;
	len = frame(buf, 3, 'a', 0);
	len += frame(buf + len, 3, 'b', 0);
	len += frame(buf + len, 3, 'c', 0);
	ok(rti_deframer_push(&d, buf, len, collect, &g) == -42 && g.n == 2,
	   "callback error propagates, later messages not delivered");
	rti_deframer_release(&d);
	return done_testing();
}
