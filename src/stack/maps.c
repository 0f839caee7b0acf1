/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/maps.h"
#include "util/hash.h"

#define MAPS_MAX_BYTES (256u << 20) /* a process with millions of mappings */

static int bad(char *err, size_t n, const char *why)
{
	if (err && n)
		snprintf(err, n, "%s", why);
	return -EINVAL;
}

/* Hex number at *p up to a byte not a hex digit; no overflow, >= 1 digit. */
static int hexnum(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int d;

	if (s >= end || rti_hexval(*s) < 0)
		return -1;
	while (s < end && (d = rti_hexval(*s)) >= 0) {
		if (x >> 60)
			return -1;
		x = x << 4 | (uint64_t)d;
		s++;
	}
	*p = s;
	*v = x;
	return 0;
}

static int decnum(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
		s++;
	}
	*p = s;
	*v = x;
	return 0;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

static void spaces(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

int rti_maps_parse_line(char *line, size_t len, struct rti_map *m, char *err,
			size_t errlen)
{
	const char *p = line, *end = line + len;
	uint64_t maj, min;
	char *path;
	size_t plen;
	static const char deleted[] = " (deleted)";

	memset(m, 0, sizeof(*m));
	if (len && line[len - 1] == '\n')
		end--;
	if (hexnum(&p, end, &m->start) || expect(&p, end, '-') || hexnum(&p, end, &m->end))
		return bad(err, errlen, "expected start-end addresses");
	if (m->end < m->start)
		return bad(err, errlen, "end address below start");
	if (expect(&p, end, ' ') || end - p < 4)
		return bad(err, errlen, "expected permissions");
	for (int i = 0; i < 4; i++) {
		if (!strchr("rwxsp-", p[i]) || !p[i])
			return bad(err, errlen, "bad permissions");
		m->perms[i] = p[i];
	}
	p += 4;
	if (expect(&p, end, ' ') || hexnum(&p, end, &m->offset))
		return bad(err, errlen, "expected file offset");
	if (expect(&p, end, ' ') || hexnum(&p, end, &maj) || expect(&p, end, ':') ||
	    hexnum(&p, end, &min) || maj > UINT32_MAX || min > UINT32_MAX)
		return bad(err, errlen, "expected device major:minor");
	m->dev_major = (uint32_t)maj;
	m->dev_minor = (uint32_t)min;
	if (expect(&p, end, ' ') || decnum(&p, end, &m->inode))
		return bad(err, errlen, "expected inode");
	if (p < end && *p != ' ' && *p != '\t')
		return bad(err, errlen, "garbage after inode");
	spaces(&p, end);
	/* the rest, spaces included, is the path; the kernel escapes '\n' */
	path = line + (p - line);
	plen = (size_t)(end - p);
	if (memchr(path, '\0', plen))
		return bad(err, errlen, "NUL byte in path");
	if (plen >= sizeof(deleted) - 1 &&
	    !memcmp(path + plen - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1)) {
		m->deleted = true;
		plen -= sizeof(deleted) - 1;
	}
	path[plen] = '\0';
	m->path = path;
	return 0;
}

int rti_maps_parse(const char *text, size_t len, struct rti_maps *out, char *err,
		   size_t errlen)
{
	size_t lines = 0, k = 0, lineno = 0;
	char *t;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	t = malloc(len + 1);
	out->v = calloc(lines + 1, sizeof(*out->v));
	if (!t || !out->v) {
		free(t);
		free(out->v);
		out->v = NULL;
		return -ENOMEM;
	}
	memcpy(t, text, len);
	t[len] = '\0';
	out->text = t;
	for (char *s = t; s < t + len;) {
		char *nl = memchr(s, '\n', (size_t)(t + len - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(t + len - s);
		char why[96];

		lineno++;
		if (n && rti_maps_parse_line(s, n, &out->v[k], why, sizeof(why))) {
			if (err && errlen)
				snprintf(err, errlen, "line %zu: %s", lineno, why);
			rti_maps_release(out);
			return -EINVAL;
		}
		if (n)
			k++;
		s += n + 1;
	}
	out->n = k;
	return 0;
}

int rti_maps_read(const char *proc_root, uint32_t pid, struct rti_maps *out, char *err,
		  size_t errlen)
{
	char path[4096];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%u/maps", proc_root ? proc_root : "/proc", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	for (;;) {
		ssize_t r;

		if (len + 65536 > cap) {
			char *nb;

			if (cap >= MAPS_MAX_BYTES) {
				close(fd);
				free(buf);
				if (err && errlen)
					snprintf(err, errlen, "%s: larger than %u bytes", path,
						 MAPS_MAX_BYTES);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				close(fd);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			if (err && errlen)
				snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return rc;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	rc = rti_maps_parse(buf ? buf : "", len, out, err, errlen);
	free(buf);
	return rc;
}

void rti_maps_release(struct rti_maps *m)
{
	free(m->v);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

const struct rti_map *rti_maps_find(const struct rti_maps *m, uint64_t addr)
{
	/* maps are sorted by address; a linear scan keeps odd input harmless */
	for (size_t i = 0; i < m->n; i++)
		if (addr >= m->v[i].start && addr < m->v[i].end)
			return &m->v[i];
	return NULL;
}
