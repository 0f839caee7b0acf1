/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti-floors: two anchors for `make bench`, the work every converted event
 * needs whatever else the pipeline does, each on one thread:
 *
 *   rti-floors jsmn FILE   tokenize every line with jsmn, built as the
 *                          decoder builds it (strict, parent links)
 *   rti-floors sha FILE    SHA-256 of every line, as the event id is
 *                          computed (one reused EVP context)
 *
 * The file is read into memory before the clock starts; the best of 3
 * passes is reported as "key value" pairs. Bench code, not product code.
 */
#define JSMN_PARENT_LINKS
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0;
	size_t len = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len == cap) {
			char *np = realloc(p, cap ? cap * 2 : (1u << 20));

			if (!np) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = np;
			cap = cap ? cap * 2 : (1u << 20);
		}
		size_t got = fread(p + len, 1, cap - len, f);

		if (!got)
			break;
		len += got;
	}
	fclose(f);
	*n = len;
	return p;
}

int main(int argc, char **argv)
{
	unsigned ntok = 1u << 12;
	jsmntok_t *tok = malloc(sizeof(*tok) * ntok);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	double best = 1e30;
	unsigned long long lines = 0;
	unsigned long long tokens = 0;
	size_t n;
	char *buf;
	int sha;

	if (argc != 3 || (strcmp(argv[1], "jsmn") && strcmp(argv[1], "sha"))) {
		fprintf(stderr, "usage: rti-floors jsmn|sha FILE\n");
		return 2;
	}
	sha = !strcmp(argv[1], "sha");
	buf = slurp(argv[2], &n);
	if (!buf || !tok || !ctx || !md) {
		fprintf(stderr, "rti-floors: %s: cannot read\n", argv[2]);
		return 1;
	}
	for (int pass = 0; pass < 3; pass++) {
		double t0 = now();
		size_t at = 0;

		lines = tokens = 0;
		while (at < n) {
			char *nl = memchr(buf + at, '\n', n - at);
			size_t len = (nl ? (size_t)(nl - buf) : n) - at;

			if (sha) {
				unsigned char d[EVP_MAX_MD_SIZE];
				unsigned dl;

				EVP_DigestInit_ex(ctx, md, NULL);
				EVP_DigestUpdate(ctx, buf + at, len);
				EVP_DigestFinal_ex(ctx, d, &dl);
			} else {
				jsmn_parser p;
				int r;

				jsmn_init(&p);
				while ((r = jsmn_parse(&p, buf + at, len, tok, ntok)) == JSMN_ERROR_NOMEM) {
					jsmntok_t *nt = realloc(tok, sizeof(*tok) * ntok * 2);

					if (!nt)
						return 1;
					tok = nt;
					ntok *= 2;
				}
				if (r > 0)
					tokens += (unsigned)r;
			}
			lines++;
			at += len + 1;
		}
		double t = now() - t0;

		if (t < best)
			best = t;
	}
	printf("mode %s bytes %zu lines %llu tokens %llu best_s %.6f mb_s %.1f ns_per_line %.1f\n",
	       argv[1], n, lines, tokens, best, (double)n / best / 1e6,
	       best * 1e9 / (double)(lines ? lines : 1));
	EVP_MD_free(md);
	EVP_MD_CTX_free(ctx);
	free(tok);
	free(buf);
	return 0;
}
