/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/capture.h"

#define WBUF (64u * 1024)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

bool rti_capture_sniff(const void *p, size_t n)
{
	return n >= RTI_CAPTURE_MAGIC_LEN && !memcmp(p, RTI_CAPTURE_MAGIC, RTI_CAPTURE_MAGIC_LEN);
}

struct rti_capture_writer {
	int fd;
	int err;
	uint8_t buf[WBUF];
	size_t len;
};

static int write_all(struct rti_capture_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t r = write(w->fd, b, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			w->err = -errno;
			return w->err;
		}
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

int rti_capture_flush(struct rti_capture_writer *w)
{
	int err;

	if (w->err)
		return w->err;
	err = write_all(w, w->buf, w->len);
	w->len = 0;
	return err;
}

struct rti_capture_writer *rti_capture_create(const char *path)
{
	struct rti_capture_writer *w = malloc(sizeof(*w));
	uint8_t h[RTI_CAPTURE_HEADER_LEN];

	if (!w)
		return NULL;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		free(w);
		return NULL;
	}
	w->err = 0;
	w->len = 0;
	memcpy(h, RTI_CAPTURE_MAGIC, RTI_CAPTURE_MAGIC_LEN);
	put16(h + 8, 1);
	put16(h + 10, RTI_CAPTURE_HEADER_LEN);
	put32(h + 12, 0);
	memcpy(w->buf, h, sizeof(h));
	w->len = sizeof(h);
	return w;
}

int rti_capture_write(struct rti_capture_writer *w, uint8_t type, uint64_t time_ns,
		      const void *p, size_t n)
{
	uint8_t h[RTI_CAPTURE_RECORD_HDR];

	if (w->err)
		return w->err;
	if (n > UINT32_MAX)
		return -EMSGSIZE;
	put32(h, (uint32_t)n);
	h[4] = type;
	h[5] = 0;
	put16(h + 6, 0);
	put64(h + 8, time_ns);
	if (w->len + sizeof(h) + n > WBUF && rti_capture_flush(w))
		return w->err;
	if (sizeof(h) + n > WBUF) {
		/* large message: straight to the file */
		if (write_all(w, h, sizeof(h)) || write_all(w, p, n))
			return w->err;
		return 0;
	}
	memcpy(w->buf + w->len, h, sizeof(h));
	memcpy(w->buf + w->len + sizeof(h), p, n);
	w->len += sizeof(h) + n;
	return 0;
}

int rti_capture_close(struct rti_capture_writer *w)
{
	int err;

	if (!w)
		return 0;
	err = rti_capture_flush(w);
	if (close(w->fd) < 0 && !err)
		err = -errno;
	free(w);
	return err;
}

struct rti_capture_reader {
	FILE *f;
	size_t max_record;
	uint8_t *buf;
	size_t cap;
	uint64_t offset;
};

struct rti_capture_reader *rti_capture_open(const char *path, size_t max_record,
					    const char **why)
{
	struct rti_capture_reader *r = calloc(1, sizeof(*r));
	uint8_t h[RTI_CAPTURE_HEADER_LEN];
	unsigned hl;
	int e;

	*why = NULL;
	if (!r)
		return NULL;
	r->max_record = max_record ? max_record : (64u << 20);
	r->f = fopen(path, "rbe");
	if (!r->f) {
		e = errno;
		free(r);
		errno = e;
		return NULL;
	}
	if (fread(h, 1, sizeof(h), r->f) != sizeof(h) || !rti_capture_sniff(h, sizeof(h))) {
		*why = "not a stella-rti capture file (bad magic)";
		goto inval;
	}
	if (((unsigned)h[8] << 8 | h[9]) != 1) {
		*why = "unsupported capture format version";
		goto inval;
	}
	hl = (unsigned)h[10] << 8 | h[11];
	if (hl < RTI_CAPTURE_HEADER_LEN) {
		*why = "bad capture header length";
		goto inval;
	}
	/* a longer header (later minor additions) is skipped */
	if (hl > RTI_CAPTURE_HEADER_LEN && fseek(r->f, (long)hl, SEEK_SET) < 0) {
		*why = "truncated capture header";
		goto inval;
	}
	r->offset = hl;
	return r;
inval:
	fclose(r->f);
	free(r);
	errno = EINVAL;
	return NULL;
}

int rti_capture_next(struct rti_capture_reader *r, struct rti_capture_record *rec,
		     const char **why)
{
	uint8_t h[RTI_CAPTURE_RECORD_HDR];
	size_t got = fread(h, 1, sizeof(h), r->f);
	uint32_t n;

	*why = NULL;
	if (got == 0 && feof(r->f))
		return 0;
	if (got != sizeof(h)) {
		if (ferror(r->f))
			return -EIO;
		*why = "truncated record header at the end of the file";
		return -EINVAL;
	}
	n = get32(h);
	if (n > r->max_record) {
		*why = "record larger than the record size limit";
		return -EINVAL;
	}
	if (n > r->cap) {
		size_t ncap = r->cap ? r->cap : 4096;
		uint8_t *nb;

		while (ncap < n)
			ncap *= 2;
		nb = realloc(r->buf, ncap);
		if (!nb)
			return -ENOMEM;
		r->buf = nb;
		r->cap = ncap;
	}
	if (n && fread(r->buf, 1, n, r->f) != n) {
		if (ferror(r->f))
			return -EIO;
		*why = "truncated record at the end of the file";
		return -EINVAL;
	}
	rec->type = h[4];
	rec->time_ns = get64(h + 8);
	rec->data = r->buf;
	rec->len = n;
	r->offset += sizeof(h) + n;
	return 1;
}

void rti_capture_close_reader(struct rti_capture_reader *r)
{
	if (!r)
		return;
	fclose(r->f);
	free(r->buf);
	free(r);
}
