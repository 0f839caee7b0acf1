/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti-floors: two anchors for `make bench`, the work every converted event
 * needs whatever else the pipeline does, each on one thread:
 *
 *   rti-floors jsmn FILE   tokenize every line with jsmn, built as the
 *                          decoder builds it (strict, parent links)
 *   rti-floors sha FILE    SHA-256 of every line, as the event id is
 *                          computed (one reused EVP context)
 *   rti-floors frame FILE  record framing as convert does it: the file
 *                          read through the record reader (src/ingest,
 *                          read(2) in 256 KiB chunks, the structural
 *                          pre-scan that caps depth and length)
 *   rti-floors secrets FILE  secret detection of every string value of
 *                          every line (give it convert's output: the
 *                          strings an event emits, each scanned once
 *                          by rti_secret_scan, without the clean cache);
 *                          only the scans are timed, not the tokenizing
 *   rti-floors secrets1 FILE  the same, but each distinct string scanned
 *                          once (as privacy's cache of clean strings
 *                          lets it): a 64-bit hash and a table lookup
 *                          per string, the scan on first sight only
 *   rti-floors gzip6 FILE  the delivery floor: the lines in batches of at
 *                          most 1 MiB, each gzipped at zlib level 6 and
 *                          hashed (SHA-256, the Idempotency-Key), as the
 *                          events sink does
 *
 * The file is read into memory before the clock starts (frame: from the
 * page cache, as convert reads it); the best of 3 passes is reported as
 * "key value" pairs. Bench code, not product code.
 */
#define JSMN_PARENT_LINKS
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn.h>

#include <openssl/evp.h>
#include "ingest/records.h"
#include "rti/privacy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

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

/* One pass of the record reader over path: records and bytes framed. */
static int frame_pass(const char *path, unsigned long long *lines)
{
	struct rti_records *r = rti_records_open(path, NULL);
	struct rti_record rec;
	int st;

	if (!r)
		return -1;
	*lines = 0;
	while ((st = rti_records_next(r, &rec)) == RTI_REC_OK || st == RTI_REC_BAD)
		(*lines)++;
	rti_records_close(r);
	return st == RTI_REC_EOF ? 0 : -1;
}

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* secrets1: hashes of the strings already scanned (open addressing,
 * 0 = empty; stops remembering when 3/4 full) */
#define SEEN_SLOTS (1u << 21)
static unsigned long long *seen;
static unsigned seen_n;

static int seen_before(const char *s, size_t n)
{
	unsigned long long h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	h |= 1;
	for (unsigned i = (unsigned)h & (SEEN_SLOTS - 1);; i = (i + 1) & (SEEN_SLOTS - 1)) {
		if (seen[i] == h)
			return 1;
		if (!seen[i]) {
			if (seen_n < SEEN_SLOTS / 4 * 3) {
				seen[i] = h;
				seen_n++;
			}
			return 0;
		}
	}
}

/* Secret scans of the string values (not the member names) of one line
 * already tokenized: the time of the scans alone. */
static double scan_strings(const char *line, const jsmntok_t *tok, int n,
			   unsigned long long *strings)
{
	struct rti_secret_span sp[16];
	double t0 = now();

	for (int i = 1; i < n; i++) {
		const jsmntok_t *k = &tok[i];

		if (k->type != JSMN_STRING)
			continue;
		/* a member name is the string child of an object */
		if (k->parent >= 0 && tok[k->parent].type == JSMN_OBJECT)
			continue;
		if (seen && seen_before(line + k->start, (size_t)(k->end - k->start)))
			continue;
		rti_secret_scan(line + k->start, (size_t)(k->end - k->start), sp, 16);
		(*strings)++;
	}
	return now() - t0;
}

/*
 * gzip6: the delivery floor (docs/delivery.md): the lines cut into
 * batches of at most 1 MiB (batch_max_bytes' default), each deflated as
 * the events sink does (zlib level 6, gzip wrapper) and its SHA-256 taken
 * (the Idempotency-Key). CPU time, best of 3; per line.
 */
static int gzip6(const char *path)
{
	size_t n, cap = compressBound(1u << 20) + 64;
	char *buf = slurp(path, &n);
	unsigned char *out = malloc(cap);
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
	double best_z = 1e30, best_s = 1e30;
	unsigned long long lines = 0, zbytes = 0;

	if (!buf || !out || !md)
		return 1;
	for (int pass = 0; pass < 3; pass++) {
		double tz = 0, ts = 0;
		size_t at = 0;

		lines = zbytes = 0;
		while (at < n) {
			size_t start = at, end = at;
			z_stream z;
			double c0;
			unsigned char d[EVP_MAX_MD_SIZE];
			unsigned dl;

			/* whole lines up to 1 MiB (one line at least) */
			while (end < n) {
				char *nl = memchr(buf + end, '\n', n - end);
				size_t next = nl ? (size_t)(nl - buf) + 1 : n;

				if (end > start && next - start > (1u << 20))
					break;
				end = next;
				lines++;
			}
			memset(&z, 0, sizeof(z));
			c0 = cpu_now();
			if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
				return 1;
			z.next_in = (unsigned char *)buf + start;
			z.avail_in = (uInt)(end - start);
			z.next_out = out;
			z.avail_out = (uInt)cap;
			if (deflate(&z, Z_FINISH) != Z_STREAM_END)
				return 1;
			zbytes += z.total_out;
			deflateEnd(&z);
			tz += cpu_now() - c0;
			c0 = cpu_now();
			EVP_Digest(buf + start, end - start, d, &dl, md, NULL);
			ts += cpu_now() - c0;
			at = end;
		}
		if (tz < best_z)
			best_z = tz;
		if (ts < best_s)
			best_s = ts;
	}
	printf("mode gzip6 bytes %zu lines %llu gzip_bytes %llu gzip_s %.6f ns_per_line %.1f batch_sha_ns_per_line %.1f\n",
	       n, lines, zbytes, best_z, best_z * 1e9 / (double)(lines ? lines : 1),
	       best_s * 1e9 / (double)(lines ? lines : 1));
	EVP_MD_free(md);
	free(out);
	free(buf);
	return 0;
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
	unsigned long long strings = 0;
	int sha, secrets;

	if (argc != 3 || (strcmp(argv[1], "jsmn") && strcmp(argv[1], "sha") &&
			  strcmp(argv[1], "frame") && strcmp(argv[1], "secrets") &&
			  strcmp(argv[1], "secrets1") && strcmp(argv[1], "gzip6"))) {
		fprintf(stderr, "usage: rti-floors jsmn|sha|frame|secrets|secrets1|gzip6 FILE\n");
		return 2;
	}
	if (!strcmp(argv[1], "gzip6"))
		return gzip6(argv[2]);
	if (!strcmp(argv[1], "frame")) {
		for (int pass = 0; pass < 3; pass++) {
			double c0 = cpu_now();

			if (frame_pass(argv[2], &lines)) {
				fprintf(stderr, "rti-floors: %s: cannot frame\n", argv[2]);
				return 1;
			}
			double t = cpu_now() - c0;

			if (t < best)
				best = t;
		}
		printf("mode frame lines %llu best_s %.6f ns_per_line %.1f\n", lines, best,
		       best * 1e9 / (double)(lines ? lines : 1));
		return 0;
	}
	sha = !strcmp(argv[1], "sha");
	secrets = !strncmp(argv[1], "secrets", 7);
	buf = slurp(argv[2], &n);
	if (!buf || !tok || !ctx || !md) {
		fprintf(stderr, "rti-floors: %s: cannot read\n", argv[2]);
		return 1;
	}
	for (int pass = 0; pass < 3; pass++) {
		double t0 = now();
		double scanned = 0;
		size_t at = 0;

		lines = tokens = strings = 0;
		if (!strcmp(argv[1], "secrets1")) {
			free(seen);
			seen = calloc(SEEN_SLOTS, sizeof(*seen));
			seen_n = 0;
			if (!seen)
				return 1;
		}
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
				if (r > 0 && secrets)
					scanned += scan_strings(buf + at, tok, r, &strings);
			}
			lines++;
			at += len + 1;
		}
		double t = secrets ? scanned : now() - t0;

		if (t < best)
			best = t;
	}
	printf("mode %s bytes %zu lines %llu tokens %llu strings %llu best_s %.6f mb_s %.1f ns_per_line %.1f\n",
	       argv[1], n, lines, tokens, strings, best, (double)n / best / 1e6,
	       best * 1e9 / (double)(lines ? lines : 1));
	EVP_MD_free(md);
	EVP_MD_CTX_free(ctx);
	free(seen);
	free(tok);
	free(buf);
	return 0;
}
