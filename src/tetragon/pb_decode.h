/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tetragon GetEventsResponse (binary protobuf, as on the gRPC stream and in
 * capture files) -> struct rti_event: the same view json_decode.c fills
 * from the JSON export, field by field, so that probe mapping, privacy and
 * canonicalization exist once and both inputs give byte-identical output.
 *
 * protobuf-c unpacks into the caller's arena (a bump allocator reset per
 * message: no malloc per field, nothing to free), so every string of the
 * view stays valid until the arena is reset. Unknown fields and unknown
 * oneof members are skipped; a response whose only event is an unknown
 * oneof member becomes RTI_KIND_UNKNOWN named "field_<number>".
 *
 * Mirrored rules (see json_decode.c): empty strings are absent; wrapper
 * values (UInt32Value) set the has_* flags; enum values become their
 * names (an unknown value its decimal number, as protojson prints it);
 * env vars, labels, annotations, ancestors, tags and data are counted;
 * probe arguments are kept as struct rti_arg. Strings must be valid UTF-8.
 */
#ifndef RTI_PB_DECODE_H
#define RTI_PB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "rti/event.h"
#include "tetragon/json_decode.h" /* struct rti_decode_error */
#include "util/arena.h"

/* 0, or -1 with *err filled ("field.path: reason"; offset is 0). */
int rti_pb_decode(const uint8_t *buf, size_t len, struct rti_arena *arena,
		  struct rti_event *ev, struct rti_decode_error *err);

#endif
