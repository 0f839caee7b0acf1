/* SPDX-License-Identifier: Apache-2.0 */
/* RFC 3339 timestamps: parse any offset and 0-9 fraction digits, format
 * in UTC with exactly nine fraction digits (spec §1). */
#ifndef RTI_PUBLIC_TIME_H
#define RTI_PUBLIC_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "rti/event.h"

#define RTI_TIME_STRLEN 31 /* "2026-11-20T10:00:00.123456789Z" + NUL */

/* 0, or -1 with *why set. */
int rti_time_parse(const char *s, size_t n, struct rti_time *t, const char **why);
/* Writes RTI_TIME_STRLEN bytes including the NUL; returns 30. */
size_t rti_time_format(const struct rti_time *t, char *out);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
long long rti_days_from_civil(long long y, unsigned m, unsigned d);
void rti_civil_from_days(long long z, long long *y, unsigned *m, unsigned *d);
/* Nanoseconds since the epoch: 0, or -ERANGE when they do not fit in 64
 * bits (before 1677 or after 2262: RFC 3339 allows years 0000-9999). */
int rti_time_to_ns(const struct rti_time *t, int64_t *ns);
/* -1, 0, 1 */
int rti_time_cmp(const struct rti_time *a, const struct rti_time *b);

#endif
