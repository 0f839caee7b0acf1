/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stack stage's memo of frame_ids (include/rti/frame.h computes them):
 * identity string -> frame_id in a bounded direct-mapped table. A frame_id
 * is a pure function of the identity, so the memo changes speed, never
 * output. Identities of 96 bytes or more (IDENT_MEMO_MAX) are not memoized.
 */
#ifndef RTI_STACK_FRAME_ID_H
#define RTI_STACK_FRAME_ID_H

#include <stdint.h>

#include "rti/frame.h"

struct rti_frame_id_memo;

/* slots 0: no memo (every frame_id computed). NULL with errno ENOMEM. */
struct rti_frame_id_memo *rti_frame_id_memo_new(unsigned slots);
void rti_frame_id_memo_free(struct rti_frame_id_memo *m);

/* rti_frame_id_of through the memo. 0 or -ENOMEM. */
int rti_frame_id_memo_get(struct rti_frame_id_memo *m, enum rti_space space,
			  const char *name, uint64_t offset, char out[RTI_FRAME_ID_LEN + 1]);

/* Lookups answered from the memo, and computed. */
void rti_frame_id_memo_counts(const struct rti_frame_id_memo *m, uint64_t *hits,
			      uint64_t *misses);

#endif
