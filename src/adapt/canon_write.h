/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_CANON_WRITE_H
#define RTI_CANON_WRITE_H

#include "rti/buf.h"
#include "rti/canon.h"

#define RTI_SCHEMA "stellaops.runtime-call-event.v1"

/*
 * Appends one RuntimeCallEvent line (canonical JSON + '\n') to out, from
 * the privacy-filtered event (privacy/filter.h: the writer emits what it
 * is given, privacy decided what that is):
 * the event serialized without event_id, hashed, and event_id inserted at
 * its canonical place. On error out is left as it was. 0 or -errno
 * (-EDOM: a key-order bug, never expected).
 */
int rti_canon_write(const struct rti_event *ev, const struct rti_canon *cn,
		    struct rti_buf *out);

/* "sha256:<64 hex>" from an image id ("repo@sha256:<hex>" or "sha256:<hex>"),
 * into out[72]; false when the id carries no digest. */
bool rti_image_digest(const char *image_id, char out[7 + 64 + 1]);

#endif
