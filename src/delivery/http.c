/* SPDX-License-Identifier: Apache-2.0 */
/* Delivery requests on libcurl (http.h). */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "delivery/http.h"
#include "util/clock.h"

#ifndef RTI_VERSION
#define RTI_VERSION "0.1.0"
#endif

#define TOKEN_MAX 16384

struct rti_http {
	CURL *curl;
	pthread_mutex_t mu;
	struct rti_http_cfg cfg;   /* strings owned, under mu */
	/* the token, re-read when its file changes (sender thread only) */
	char *token;
	char token_path[4096];
	dev_t tdev;
	ino_t tino;
	off_t tsize;
	struct timespec tmtime;
};

static void cfg_free(struct rti_http_cfg *c)
{
	free((char *)c->url);
	free((char *)c->token_file);
	free((char *)c->tenant);
	free((char *)c->ca_file);
	free((char *)c->cert_file);
	free((char *)c->key_file);
	memset(c, 0, sizeof(*c));
}

static int dup_opt(const char *s, const char **out)
{
	*out = NULL;
	if (!s || !*s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

struct rti_http *rti_http_new(void)
{
	struct rti_http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&h->mu, NULL);
	return h;
}

void rti_http_free(struct rti_http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	cfg_free(&h->cfg);
	pthread_mutex_destroy(&h->mu);
	if (h->token)
		explicit_bzero(h->token, strlen(h->token));
	free(h->token);
	free(h);
}

int rti_http_configure(struct rti_http *h, const struct rti_http_cfg *c)
{
	struct rti_http_cfg n;

	memset(&n, 0, sizeof(n));
	if (dup_opt(c->url, &n.url) || dup_opt(c->token_file, &n.token_file) ||
	    dup_opt(c->tenant, &n.tenant) || dup_opt(c->ca_file, &n.ca_file) ||
	    dup_opt(c->cert_file, &n.cert_file) || dup_opt(c->key_file, &n.key_file)) {
		cfg_free(&n);
		return -ENOMEM;
	}
	n.timeout_ms = c->timeout_ms;
	pthread_mutex_lock(&h->mu);
	cfg_free(&h->cfg);
	h->cfg = n;
	pthread_mutex_unlock(&h->mu);
	return 0;
}

enum rti_http_class rti_http_classify(long status)
{
	if (status >= 200 && status < 300)
		return RTI_HTTP_ACK;
	if (status == 0 || status == 408 || status == 429 || status >= 500)
		return RTI_HTTP_RETRY;
	return RTI_HTTP_DEAD;
}

int rti_gzip(const void *in, size_t n, uint8_t **out, size_t *outlen)
{
	z_stream z;
	gz_header gh;
	size_t cap;
	uint8_t *buf;
	int rc;

	memset(&z, 0, sizeof(z));
	memset(&gh, 0, sizeof(gh));
	gh.os = 255; /* "unknown": the same bytes on every platform */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	deflateSetHeader(&z, &gh);
	cap = deflateBound(&z, (uLong)n) + 32;
	buf = malloc(cap);
	if (!buf) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

int64_t rti_retry_after_parse(const char *v, time_t now)
{
	char *end;
	unsigned long long s;
	time_t t;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v >= '0' && *v <= '9') {
		errno = 0;
		s = strtoull(v, &end, 10);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (errno || *end || s > 10u * 365 * 86400)
			return -1;
		return (int64_t)s * 1000;
	}
	t = curl_getdate(v, NULL);
	if (t == (time_t)-1)
		return -1;
	return t <= now ? 0 : (int64_t)(t - now) * 1000;
}

/* The token of token_file, re-read when the file changed (inode, size or
 * mtime: a Kubernetes secret is swapped by a symlink). NULL: none. */
static const char *token(struct rti_http *h, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *t;
	ssize_t n;
	int fd;

	if (!path)
		return NULL;
	if (stat(path, &st)) {
		snprintf(err, errlen, "token_file %s: %s", path, strerror(errno));
		return h->token; /* the last one read, if any */
	}
	if (h->token && !strcmp(path, h->token_path) && st.st_dev == h->tdev && st.st_ino == h->tino &&
	    st.st_size == h->tsize && st.st_mtim.tv_sec == h->tmtime.tv_sec &&
	    st.st_mtim.tv_nsec == h->tmtime.tv_nsec)
		return h->token;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	t = malloc(TOKEN_MAX + 1);
	n = fd >= 0 && t ? read(fd, t, TOKEN_MAX) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		snprintf(err, errlen, "token_file %s: %s", path, strerror(errno));
		free(t);
		return h->token;
	}
	while (n > 0 && isspace((unsigned char)t[n - 1]))
		n--;
	t[n] = '\0';
	if (h->token) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	h->token = t;
	snprintf(h->token_path, sizeof(h->token_path), "%s", path);
	h->tdev = st.st_dev;
	h->tino = st.st_ino;
	h->tsize = st.st_size;
	h->tmtime = st.st_mtim;
	return h->token;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct rti_http_result *r = arg;
	size_t n = size * nmemb, room = sizeof(r->resp) - 1 - r->resp_len;

	if (n < room)
		room = n;
	memcpy(r->resp + r->resp_len, p, room);
	r->resp_len += room;
	r->resp[r->resp_len] = '\0';
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct rti_http_result *r = arg;
	size_t n = size * nmemb;
	char v[128];

	if (n > 12 && !strncasecmp(p, "Retry-After:", 12) && n - 12 < sizeof(v)) {
		memcpy(v, p + 12, n - 12);
		v[n - 12] = '\0';
		r->retry_after_ms = rti_retry_after_parse(v, time(NULL));
	}
	if (n > 5 && !strncasecmp(p, "HTTP/", 5))
		r->retry_after_ms = -1; /* a new response (after a 100 Continue) */
	return n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	const atomic_bool *abort = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return abort && atomic_load(abort) ? 1 : 0;
}

static struct curl_slist *headers(struct rti_http *h, const char *key, char *err, size_t errlen)
{
	struct curl_slist *l = NULL, *n;
	char line[TOKEN_MAX + 64];
	const char *tok = token(h, h->cfg.token_file, err, errlen);
	const char *fixed[] = { "Content-Type: application/x-ndjson", "Content-Encoding: gzip",
				"Expect:", NULL };

	for (int i = 0; fixed[i]; i++) {
		if (!(n = curl_slist_append(l, fixed[i])))
			goto fail;
		l = n;
	}
	snprintf(line, sizeof(line), "Idempotency-Key: %s", key);
	if (!(n = curl_slist_append(l, line)))
		goto fail;
	l = n;
	if (h->cfg.tenant) {
		snprintf(line, sizeof(line), "X-Stella-Tenant: %s", h->cfg.tenant);
		if (!(n = curl_slist_append(l, line)))
			goto fail;
		l = n;
	}
	if (tok) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s", tok);
		n = curl_slist_append(l, line);
		explicit_bzero(line, sizeof(line));
		if (!n)
			goto fail;
		l = n;
	}
	return l;
fail:
	curl_slist_free_all(l);
	return NULL;
}

int rti_http_post(struct rti_http *h, const char *path, const char *key, const void *body,
		  size_t len, const atomic_bool *abort, struct rti_http_result *r)
{
	CURL *c = h->curl;
	struct curl_slist *hl;
	uint8_t *gz = NULL;
	size_t gzlen = 0;
	char url[8192];
	uint64_t t0;
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	r->retry_after_ms = -1;
	if (rti_gzip(body, len, &gz, &gzlen))
		return -ENOMEM;
	r->wire_bytes = gzlen;
	curl_easy_reset(c); /* keeps the connection cache */
	pthread_mutex_lock(&h->mu);
	snprintf(url, sizeof(url), "%s%s", h->cfg.url ? h->cfg.url : "", path ? path : "");
	hl = headers(h, key, r->err, sizeof(r->err));
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->cfg.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->cfg.timeout_ms);
	if (h->cfg.ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->cfg.ca_file);
	if (h->cfg.cert_file)
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->cfg.cert_file);
	if (h->cfg.key_file)
		curl_easy_setopt(c, CURLOPT_SSLKEY, h->cfg.key_file);
	pthread_mutex_unlock(&h->mu);
	if (!hl) {
		free(gz);
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, gz);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)gzlen);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "stella-rti/" RTI_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)abort);
	t0 = rti_now_ns();
	cc = curl_easy_perform(c);
	r->latency_us = (rti_now_ns() - t0) / 1000u;
	if (cc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	} else {
		r->status = 0;
		snprintf(r->err, sizeof(r->err), "%s", curl_easy_strerror(cc));
	}
	curl_slist_free_all(hl);
	free(gz);
	return 0;
}
