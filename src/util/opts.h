/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading options structs (include/rti/opts.h) inside the library.
 *
 * RTI_OPTS_VALID(o, last_required): o is non-NULL and its sz covers at least
 *   the fields up to last_required (the ones every caller has had).
 * RTI_OPTS_HAS(o, field): the caller's struct is new enough to have field.
 * RTI_OPTS_GET(o, field, def): the field, or def when o is NULL or too old.
 *
 * One idiom everywhere, so a newer field never reads past an older
 * caller's struct.
 *
 * Fields are only ever appended, and a new field must not fall inside the
 * tail padding of the struct as it was released (an older caller's sz
 * covers that padding, whose bytes are unspecified): when the last field
 * leaves padding (a bool after a pointer), add new fields after a
 * `size_t :0;` marker, which starts them at the next size_t boundary.
 */
#ifndef RTI_UTIL_OPTS_H
#define RTI_UTIL_OPTS_H

#include <stddef.h>

#include "rti/opts.h"

#define RTI_OPTS_END(o, field) (offsetof(__typeof__(*(o)), field) + sizeof((o)->field))
#define RTI_OPTS_HAS(o, field) ((o) && (o)->sz >= RTI_OPTS_END(o, field))
#define RTI_OPTS_GET(o, field, def) (RTI_OPTS_HAS(o, field) ? (o)->field : (def))
#define RTI_OPTS_VALID(o, last_required) RTI_OPTS_HAS(o, last_required)

/* Copies the caller's options into *dst (the library's own struct, with
 * defaults already set): only the bytes the caller has. */
#define RTI_OPTS_COPY(dst, o)                                                        \
	do {                                                                          \
		size_t rti_opts_n_ = (o)->sz < sizeof(*(dst)) ? (o)->sz : sizeof(*(dst)); \
		memcpy((dst), (o), rti_opts_n_);                                      \
		(dst)->sz = sizeof(*(dst));                                           \
	} while (0)

#endif
