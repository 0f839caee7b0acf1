/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "grpc/frame.h"

/* Reassembly and inflate buffers above this size are freed after use, so
 * that one large message does not pin its memory for the process life. */
#define KEEP_BUF (256u * 1024)

enum rti_grpc_encoding rti_grpc_encoding_parse(const char *s, size_t n)
{
	if (!s || n == 0)
		return RTI_GRPC_ENC_IDENTITY;
	if (n == 8 && !strncasecmp(s, "identity", 8))
		return RTI_GRPC_ENC_IDENTITY;
	if (n == 4 && !strncasecmp(s, "gzip", 4))
		return RTI_GRPC_ENC_GZIP;
	if (n == 7 && !strncasecmp(s, "deflate", 7))
		return RTI_GRPC_ENC_DEFLATE;
	return RTI_GRPC_ENC_UNSUPPORTED;
}

void rti_deframer_init(struct rti_deframer *d, size_t max_message)
{
	memset(d, 0, sizeof(*d));
	d->max_message = max_message;
}

void rti_deframer_release(struct rti_deframer *d)
{
	if (d->z) {
		inflateEnd(d->z);
		free(d->z);
	}
	free(d->buf);
	free(d->zout);
	d->z = NULL;
	d->buf = NULL;
	d->zout = NULL;
	d->cap = 0;
	d->zcap = 0;
}

void rti_deframer_reset(struct rti_deframer *d)
{
	d->hdr_have = 0;
	d->have = 0;
	d->need = 0;
	d->enc = RTI_GRPC_ENC_IDENTITY;
}

static int fail(struct rti_deframer *d, int err, const char *why)
{
	d->why = why;
	return err;
}

/* Grows *buf to at least want bytes, doubling, but never past limit
 * (want <= limit). */
static int reserve(uint8_t **buf, size_t *cap, size_t want, size_t limit)
{
	size_t ncap = *cap ? *cap : 4096;
	uint8_t *nb;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	if (ncap > limit)
		ncap = limit;
	nb = realloc(*buf, ncap);
	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

static void trim(uint8_t **buf, size_t *cap)
{
	if (*cap > KEEP_BUF) {
		free(*buf);
		*buf = NULL;
		*cap = 0;
	}
}

/* Inflates one message (gzip or zlib, detected from the header; several
 * gzip members are concatenated). Output is capped at max_message: the
 * buffer holds at most max_message + 1 bytes, one more byte means too big. */
static int inflate_msg(struct rti_deframer *d, const uint8_t *in, size_t n,
		       size_t *outlen)
{
	z_stream *z = d->z;
	size_t out = 0;
	int zr;

	if (!z) {
		z = calloc(1, sizeof(*z));
		if (!z)
			return fail(d, -ENOMEM, "out of memory");
		if (inflateInit2(z, 15 + 32) != Z_OK) {
			free(z);
			return fail(d, -ENOMEM, "zlib initialisation failed");
		}
		d->z = z;
	} else {
		inflateReset(z);
	}
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	for (;;) {
		size_t limit = d->max_message + 1;
		size_t room;

		if (out == d->zcap) {
			size_t want = d->zcap ? d->zcap * 2 : 16384;

			if (want > limit)
				want = limit;
			if (out >= limit || reserve(&d->zout, &d->zcap, want, limit))
				return fail(d, -ENOMEM, "out of memory");
		}
		room = d->zcap - out;
		z->next_out = d->zout + out;
		z->avail_out = (uInt)room;
		zr = inflate(z, Z_NO_FLUSH);
		out += room - z->avail_out;
		if (out > d->max_message)
			return fail(d, -EMSGSIZE, "decompressed message larger than the message size limit");
		if (zr == Z_STREAM_END) {
			if (z->avail_in == 0)
				break;
			inflateReset(z); /* another gzip member follows */
			continue;
		}
		if (zr == Z_BUF_ERROR && z->avail_in == 0)
			return fail(d, -EPROTO, "truncated compressed message");
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return fail(d, -EPROTO, "corrupt compressed message");
	}
	*outlen = out;
	return 0;
}

static int deliver(struct rti_deframer *d, const uint8_t *p, size_t n,
		   rti_grpc_msg_cb cb, void *ctx)
{
	d->messages++;
	d->bytes += n;
	if (d->flag) {
		size_t out;
		int err;

		d->compressed++;
		if (d->enc == RTI_GRPC_ENC_IDENTITY)
			return fail(d, -EPROTO, "compressed message but no grpc-encoding");
		if (d->enc == RTI_GRPC_ENC_UNSUPPORTED)
			return fail(d, -EPROTO, "compressed message in an unsupported grpc-encoding");
		err = inflate_msg(d, p, n, &out);
		if (err)
			return err;
		err = cb(ctx, d->zout, out);
		trim(&d->zout, &d->zcap);
		return err;
	}
	return cb(ctx, p, n);
}

int rti_deframer_push(struct rti_deframer *d, const uint8_t *p, size_t n,
		      rti_grpc_msg_cb cb, void *ctx)
{
	while (n) {
		size_t take;
		int err;

		if (d->hdr_have < RTI_GRPC_HDR_LEN) {
			take = RTI_GRPC_HDR_LEN - d->hdr_have;
			if (take > n)
				take = n;
			memcpy(d->hdr + d->hdr_have, p, take);
			d->hdr_have += take;
			p += take;
			n -= take;
			if (d->hdr_have < RTI_GRPC_HDR_LEN)
				break;
			d->flag = d->hdr[0];
			d->need = (uint32_t)d->hdr[1] << 24 | (uint32_t)d->hdr[2] << 16 |
				  (uint32_t)d->hdr[3] << 8 | d->hdr[4];
			d->have = 0;
			if (d->flag > 1)
				return fail(d, -EPROTO, "bad compressed-flag in message prefix");
			if (d->need > d->max_message)
				return fail(d, -EMSGSIZE, "message larger than the message size limit");
			/* the whole payload is here: deliver in place */
			if (n >= d->need) {
				err = deliver(d, p, d->need, cb, ctx);
				p += d->need;
				n -= d->need;
				d->hdr_have = 0;
				if (err)
					return err;
				continue;
			}
			if (reserve(&d->buf, &d->cap, d->need, d->max_message))
				return fail(d, -ENOMEM, "out of memory");
		}
		take = d->need - d->have;
		if (take > n)
			take = n;
		memcpy(d->buf + d->have, p, take);
		d->have += take;
		p += take;
		n -= take;
		if (d->have == d->need) {
			d->hdr_have = 0;
			err = deliver(d, d->buf, d->need, cb, ctx);
			trim(&d->buf, &d->cap);
			if (err)
				return err;
		}
	}
	return 0;
}
