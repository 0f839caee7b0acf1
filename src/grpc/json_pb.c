/* SPDX-License-Identifier: Apache-2.0 */
/* Tetragon JSON record -> GetEventsResponse message (rti/json.h), for replay. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "grpc/event_encode.h"
#include "rti/json.h"
#include "tetragon/json_decode.h"
#include "util/arena.h"

struct rti_json_pb {
	struct rti_json_decoder *dec;
	struct rti_arena decoded; /* one record's event view */
	struct rti_arena encode;  /* the encoder's scratch */
};

struct rti_json_pb *rti_json_pb_new(void)
{
	struct rti_json_pb *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->dec = rti_json_decoder_new(0);
	if (!c->dec) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	rti_arena_init(&c->decoded, 64 * 1024, 64u << 20);
	rti_arena_init(&c->encode, 64 * 1024, 64u << 20);
	return c;
}

void rti_json_pb_free(struct rti_json_pb *c)
{
	if (!c)
		return;
	rti_json_decoder_free(c->dec);
	rti_arena_release(&c->decoded);
	rti_arena_release(&c->encode);
	free(c);
}

int rti_json_pb_encode(struct rti_json_pb *c, const char *js, size_t len,
		       struct rti_buf *out, char *why, size_t whylen)
{
	struct rti_decode_error de;
	struct rti_event ev;

	rti_arena_reset(&c->decoded);
	rti_arena_reset(&c->encode);
	if (rti_json_decode(c->dec, js, len, &c->decoded, &ev, &de)) {
		snprintf(why, whylen, "%s", de.msg);
		return -EINVAL;
	}
	return rti_event_encode_pb(&ev, &c->encode, out);
}
