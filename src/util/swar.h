/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Eight bytes at a time: find the first byte of a string that needs care.
 *
 * The hot loops of the reader (framing), the string decoder and the
 * canonical string writer mostly walk plain ASCII; testing a 64-bit word per
 * step instead of a byte makes them several times faster on such text.
 *
 * Masks flag bytes in bit 7 of their byte. Each mask's LOWEST flagged byte is
 * exact (a borrow only propagates upward from a true hit), so the lowest bit
 * of an OR of masks is the first byte that is a hit for any of them: callers
 * use only that. Big-endian machines take the byte loop.
 */
#ifndef RTI_SWAR_H
#define RTI_SWAR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define RTI_SWAR_ONES 0x0101010101010101ULL
#define RTI_SWAR_HIGH 0x8080808080808080ULL

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
#define RTI_SWAR 1
#else
#define RTI_SWAR 0
#endif

static inline uint64_t rti_swar_load(const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* bytes equal to c */
static inline uint64_t rti_swar_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (RTI_SWAR_ONES * c);

	return (x - RTI_SWAR_ONES) & ~x & RTI_SWAR_HIGH;
}

/* bytes below c (c <= 0x80) */
static inline uint64_t rti_swar_lt(uint64_t w, unsigned char c)
{
	return (w - RTI_SWAR_ONES * c) & ~w & RTI_SWAR_HIGH;
}

/* index (0..7) of the lowest flagged byte of a non-zero mask */
static inline size_t rti_swar_first(uint64_t m)
{
#if RTI_SWAR
	return (size_t)__builtin_ctzll(m) >> 3;
#else
	(void)m;
	return 0;
#endif
}

/*
 * Length of the leading run of s[0..n) made of bytes 0x20..0x7f other than
 * '"' and '\\': the bytes a JSON string carries as themselves.
 */
static inline size_t rti_swar_plain_run(const unsigned char *s, size_t n)
{
	size_t i = 0;

#if RTI_SWAR
	while (i + 8 <= n) {
		uint64_t w = rti_swar_load(s + i);
		uint64_t m = (w & RTI_SWAR_HIGH) | rti_swar_lt(w, 0x20) | rti_swar_eq(w, '"') |
			     rti_swar_eq(w, '\\');

		if (m)
			return i + rti_swar_first(m);
		i += 8;
	}
#endif
	while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

/* Index of the first byte of s[0..n) equal to a or b; n when none. */
static inline size_t rti_swar_find2(const unsigned char *s, size_t n, unsigned char a,
				    unsigned char b)
{
	size_t i = 0;

#if RTI_SWAR
	while (i + 8 <= n) {
		uint64_t w = rti_swar_load(s + i);
		uint64_t m = rti_swar_eq(w, a) | rti_swar_eq(w, b);

		if (m)
			return i + rti_swar_first(m);
		i += 8;
	}
#endif
	while (i < n && s[i] != a && s[i] != b)
		i++;
	return i;
}

#endif
