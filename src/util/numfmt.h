/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decimal integers without printf (the canonical writer and the
 * PostgreSQL batch writer format millions of them).
 */
#ifndef RTI_UTIL_NUMFMT_H
#define RTI_UTIL_NUMFMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RTI_DEC_MAX 20 /* "-9223372036854775808", "18446744073709551615" */

/* v in decimal into out (no NUL); returns the length. */
static inline size_t rti_dec_u64(char *out, uint64_t v)
{
	char tmp[RTI_DEC_MAX];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

static inline size_t rti_dec_i64(char *out, int64_t v)
{
	if (v >= 0)
		return rti_dec_u64(out, (uint64_t)v);
	out[0] = '-';
	return 1 + rti_dec_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}

#endif
