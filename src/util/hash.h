/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_HASH_H
#define RTI_HASH_H
#include <stddef.h>
#include <stdint.h>
/* Lowercase hex SHA-256 of data (64 chars + NUL into out[65]). */
void rti_sha256_hex(const void *data, size_t n, char out[65]);
/* SHA-256 of the concatenation of two byte ranges. */
void rti_sha256_hex2(const void *a, size_t an, const void *b, size_t bn, char out[65]);
void rti_hex(const unsigned char *in, size_t n, char *out); /* 2n + NUL */
/* The value of one hex digit (either case), or -1. */
static inline int rti_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
/* "0x" and v in lowercase hex, no NUL (at most 18 bytes); returns the length. */
size_t rti_hex_u64(char *out, uint64_t v);
/* HMAC-SHA256 of data under key into md[32]. 0, or -1 when libcrypto fails. */
int rti_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
		    unsigned char md[32]);
/* A thread that hashed and is about to exit frees libcrypto's per-thread
 * state (else it leaks until the process ends). */
void rti_crypto_thread_stop(void);
/* FNV-1a, for in-memory hash tables only (never emitted). */
static inline uint64_t rti_fnv1a(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
#define RTI_FNV_INIT 0xcbf29ce484222325ULL

/* A string's 64-bit hash, for in-memory tables only: the hot index's
 * symbol and interning hash, which the whole-stack memo computes once per
 * stack. Eight bytes a step: symbols are hashed once per observation, and
 * an exemplar (kilobytes) is interned once per new call path. */
static inline uint64_t rti_str_hash64(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		__builtin_memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	__builtin_memcpy(&w, s, n);
	h ^= w;
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}
#endif
