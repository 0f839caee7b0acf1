/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/hash.h"

void rti_hex(const unsigned char *in, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t rti_hex_u64(char *out, uint64_t v)
{
	static const char d[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0;
	size_t k = 0;

	do {
		tmp[n++] = d[v & 15];
		v >>= 4;
	} while (v);
	out[k++] = '0';
	out[k++] = 'x';
	while (n)
		out[k++] = tmp[--n];
	return k;
}

/* The one-shot SHA256() of OpenSSL 3 fetches the algorithm on every call;
 * a fetched EVP_MD and a reused context per thread cost far less per event. */
static _Thread_local EVP_MD_CTX *tl_ctx;
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void fetch_sha256(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void rti_sha256_hex(const void *data, size_t n, char out[65])
{
	rti_sha256_hex2(data, n, NULL, 0, out);
}

void rti_sha256_hex2(const void *a, size_t an, const void *b, size_t bn, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	pthread_once(&sha256_once, fetch_sha256); /* several threads hash */
	if (!tl_ctx)
		tl_ctx = EVP_MD_CTX_new();
	if (!sha256_md || !tl_ctx || !EVP_DigestInit_ex(tl_ctx, sha256_md, NULL) ||
	    !EVP_DigestUpdate(tl_ctx, a, an) || (bn && !EVP_DigestUpdate(tl_ctx, b, bn)) ||
	    !EVP_DigestFinal_ex(tl_ctx, md, &mdlen)) {
		/* libcrypto broken: an unusable digest must never look valid */
		out[0] = '\0';
		return;
	}
	rti_hex(md, mdlen, out);
}

int rti_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
		    unsigned char md[32])
{
	unsigned int mdlen = 0;

	if (!HMAC(EVP_sha256(), key, (int)klen, data, n, md, &mdlen) || mdlen != 32)
		return -1;
	return 0;
}

void rti_crypto_thread_stop(void)
{
	EVP_MD_CTX_free(tl_ctx);
	tl_ctx = NULL;
	OPENSSL_thread_stop();
}
