/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One delivery request (spec agent.md §5 "Requests"), on libcurl: a POST
 * of a gzip body with the headers of the contract, TLS with a CA file and
 * a client certificate, a timeout; the answer classified. One client per
 * sender thread (a curl handle keeps its connection alive); the settings
 * are copied in and may change between requests (reload).
 */
#ifndef RTI_DELIVERY_HTTP_H
#define RTI_DELIVERY_HTTP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct rti_http_cfg {
	const char *url;        /* the sink's URL; the batch's path is appended */
	const char *token_file; /* Authorization: Bearer <its content, trimmed> */
	const char *tenant;     /* X-Stella-Tenant when set */
	const char *ca_file, *cert_file, *key_file;
	uint64_t timeout_ms;
};

enum rti_http_class { RTI_HTTP_ACK, RTI_HTTP_RETRY, RTI_HTTP_DEAD };

#define RTI_HTTP_RESP_MAX 4096

struct rti_http_result {
	long status;            /* 0: a transport error (err says which) */
	char err[256];
	int64_t retry_after_ms; /* -1: none */
	char resp[RTI_HTTP_RESP_MAX]; /* the start of the response body */
	size_t resp_len;
	uint64_t latency_us;
	size_t wire_bytes;      /* the gzip body's size */
};

struct rti_http;

struct rti_http *rti_http_new(void);
void rti_http_free(struct rti_http *h);
/* Copies c (used from the next request). 0 or -ENOMEM. */
int rti_http_configure(struct rti_http *h, const struct rti_http_cfg *c);

/* POSTs body (uncompressed NDJSON) gzipped to url + path with
 * Idempotency-Key key. abort: when it becomes true the request is given up
 * (a transport error). 0 (r filled, whatever the status), or -ENOMEM. */
int rti_http_post(struct rti_http *h, const char *path, const char *key, const void *body,
		  size_t len, const atomic_bool *abort, struct rti_http_result *r);

/* 2xx ack; 408, 429, 5xx and transport errors (0) retry; other codes dead. */
enum rti_http_class rti_http_classify(long status);

/* gzip of in (zlib level 6, header mtime 0 and OS byte 255: the same
 * input gives the same bytes). 0 with *out malloc'ed, or -ENOMEM. */
int rti_gzip(const void *in, size_t n, uint8_t **out, size_t *outlen);

/* Retry-After: delta-seconds or an HTTP-date (relative to now). ms, or -1
 * when v is not one. */
int64_t rti_retry_after_parse(const char *v, time_t now);

#endif
