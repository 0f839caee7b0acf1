/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the gRPC deframer (chunking, compression, size cap) and
 * the protobuf decoder (GetEventsResponse -> struct rti_event).
 *
 * Input: byte 0 = mode (bits 0-1: grpc-encoding identity/gzip/deflate/other;
 * bits 2-7: chunk size seed), then the bytes of the HTTP/2 DATA payload.
 * Every delivered message goes through rti_pb_decode, and so does the whole
 * payload on its own (the decoder sees raw protobuf directly too).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "grpc/frame.h"
#include "tetragon/pb_decode.h"
#include "util/arena.h"

static struct rti_arena arena;
static int ready;

/* Touches what the view points at, so that ASan sees bad pointers. */
static size_t touch(const struct rti_event *ev)
{
	size_t n = 0;

	if (ev->process.binary)
		n += strlen(ev->process.binary);
	if (ev->function)
		n += strlen(ev->function);
	for (unsigned i = 0; i < ev->n_kstack; i++)
		n += ev->kstack[i].symbol ? strlen(ev->kstack[i].symbol) : 0;
	for (unsigned i = 0; i < ev->n_ustack; i++)
		n += ev->ustack[i].module ? strlen(ev->ustack[i].module) : 0;
	for (unsigned i = 0; i < ev->n_args; i++)
		n += ev->args[i].text ? strlen(ev->args[i].text) : 0;
	if (ev->unknown_kind)
		n += strlen(ev->unknown_kind);
	return n;
}

static int on_msg(void *ctx, const uint8_t *p, size_t n)
{
	struct rti_event ev;
	struct rti_decode_error err;

	(void)ctx;
	rti_arena_reset(&arena);
	if (rti_pb_decode(p, n, &arena, &ev, &err) == 0)
		touch(&ev);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rti_deframer d;
	size_t chunk;

	if (!ready) {
		rti_arena_init(&arena, 64 * 1024, 16u << 20);
		ready = 1;
	}
	if (size < 1)
		return 0;
	rti_deframer_init(&d, 1u << 20);
	d.enc = (enum rti_grpc_encoding)(data[0] & 3);
	chunk = (size_t)(data[0] >> 2) * 97 + 1;
	for (size_t off = 1; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (rti_deframer_push(&d, data + off, n, on_msg, NULL))
			break;
	}
	rti_deframer_release(&d);
	on_msg(NULL, data + 1, size - 1);
	return 0;
}
