/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The identity of a user frame's module as the symbolizer would answer it
 * now, for the whole-stack memo (stack/stack_memo.h): the code object
 * (serials are never reused, stack/objcache.h) or the reason there is
 * none, how it was found, and whether the file changed since the event.
 * Two frames with equal identities, module strings and offsets get equal
 * answers from rti_symbolize_user.
 */
#ifndef RTI_STACK_SYMBOLIZE_ID_H
#define RTI_STACK_SYMBOLIZE_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "rti/symbolize.h"

struct rti_module_id {
	uint64_t serial; /* the code object; 0: none (why says why) */
	uint8_t why, found;
	uint8_t changed; /* the file changed since q->time_ns (module_changed) */
	uint8_t pad[5];
};

void rti_symbolize_module_id(struct rti_symbolizer *s, const struct rti_sym_query *q,
			     struct rti_module_id *id);

#endif
