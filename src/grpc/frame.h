/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gRPC message framing (the "Length-Prefixed-Message" of the gRPC HTTP/2
 * protocol): 1 byte compressed-flag, 4 bytes big-endian length, payload.
 *
 * The deframer is fed the bytes of DATA frames as they arrive; messages
 * straddle frames and frames carry several messages. A message that lies
 * whole in one chunk is delivered in place (no copy); otherwise it is
 * reassembled in a buffer that never grows past max_message. Compressed
 * messages (flag 1) are inflated with zlib according to the grpc-encoding
 * response header, again capped at max_message.
 */
#ifndef RTI_GRPC_FRAME_H
#define RTI_GRPC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTI_GRPC_HDR_LEN 5

enum rti_grpc_encoding {
	RTI_GRPC_ENC_IDENTITY = 0,
	RTI_GRPC_ENC_GZIP,
	RTI_GRPC_ENC_DEFLATE,
	RTI_GRPC_ENC_UNSUPPORTED, /* anything else: compressed messages fail */
};

/* "gzip" -> RTI_GRPC_ENC_GZIP; NULL or "identity" -> IDENTITY. */
enum rti_grpc_encoding rti_grpc_encoding_parse(const char *s, size_t n);

/* Called once per complete (decompressed) message; data is valid during
 * the call only. A non-zero return stops the deframer and is passed on. */
typedef int (*rti_grpc_msg_cb)(void *ctx, const uint8_t *data, size_t len);

struct rti_deframer {
	size_t max_message;
	enum rti_grpc_encoding enc;
	/* current message */
	uint8_t hdr[RTI_GRPC_HDR_LEN];
	size_t hdr_have;
	uint32_t need;          /* payload length */
	uint8_t flag;
	uint8_t *buf;           /* reassembly: `have` of `need` bytes */
	size_t have, cap;
	/* inflate */
	uint8_t *zout;
	size_t zcap;
	void *z;                /* z_stream, allocated on first use */
	/* counters */
	uint64_t messages, bytes, compressed;
	const char *why;        /* reason of the last error */
};

void rti_deframer_init(struct rti_deframer *d, size_t max_message);
void rti_deframer_release(struct rti_deframer *d);
/* Forgets a partial message (new stream). Keeps the counters. */
void rti_deframer_reset(struct rti_deframer *d);

/*
 * Consumes n bytes. Returns 0, the callback's non-zero value, or
 * -EMSGSIZE (a message over max_message), -EPROTO (bad flag, compressed
 * message without a usable grpc-encoding, corrupt compressed data),
 * -ENOMEM; d->why says which.
 */
int rti_deframer_push(struct rti_deframer *d, const uint8_t *p, size_t n,
		      rti_grpc_msg_cb cb, void *ctx);

/* True when no partial message is pending (a clean end of stream). */
static inline bool rti_deframer_idle(const struct rti_deframer *d)
{
	return d->hdr_have == 0;
}

/* Writes the 5-byte prefix of an uncompressed message of len bytes. */
static inline void rti_grpc_frame_header(uint8_t out[RTI_GRPC_HDR_LEN], bool compressed,
					 uint32_t len)
{
	out[0] = compressed ? 1 : 0;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
}

#endif
