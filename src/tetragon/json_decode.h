/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tetragon JSON export (protojson of GetEventsResponse) -> struct rti_event.
 *
 * jsmn is built with JSMN_PARENT_LINKS (linear time for wide values) and
 * JSMN_STRICT. Depth and record length are capped by the framer before the
 * record gets here (deep nesting is quadratic in jsmn). The token array
 * grows on JSMN_ERROR_NOMEM up to a cap.
 */
#ifndef RTI_JSON_DECODE_H
#define RTI_JSON_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "rti/event.h"
#include "rti/json.h"
#include "util/arena.h"

struct rti_decode_error {
	char msg[320];   /* "field.path: reason" */
	size_t offset;   /* byte offset in the record */
};

/*
 * Decodes one JSON value. Strings are copied into arena (reset by the
 * caller between events). 0 on success, -1 with *err filled.
 */
int rti_json_decode(struct rti_json_decoder *d, const char *js, size_t len,
		    struct rti_arena *arena, struct rti_event *ev,
		    struct rti_decode_error *err);

/*
 * Skimming (off by default), for consumers that read no environment, pod
 * labels or annotations (the aggregate-only path): those maps are checked
 * as when decoded (same acceptance, same errors, same arena use) but left
 * empty in the event.
 */
void rti_json_decoder_skim(struct rti_json_decoder *d, bool on);

#endif
