/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The callgraph map reader (callgraph_map.h). libyaml's event parser, not
 * its document loader: the map is flat, so anything nested is an error at
 * its first event, and no input can make the reader recurse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "delivery/callgraph_map.h"

#define DIGEST_LEN (7 + 64)

struct cg_entry {
	char digest[DIGEST_LEN + 1];
	char *id;
	yaml_mark_t at; /* of the key, for a duplicate's message */
};

struct rti_callgraph_map {
	struct cg_entry *e;
	size_t n, cap;
};

struct cg_parse {
	const char *name;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct cg_parse *p, const yaml_mark_t *m, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	for (char *c = why; *c; c++) /* one line whatever the input held */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	snprintf(p->err, p->errlen, "%s:%lu:%lu: %s", p->name, (unsigned long)m->line + 1,
		 (unsigned long)m->column + 1, why);
	return -EINVAL;
}

static bool valid_digest(const char *s, size_t n)
{
	if (n != DIGEST_LEN || memcmp(s, "sha256:", 7))
		return false;
	for (size_t i = 7; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int check_id(struct cg_parse *p, const yaml_event_t *ev)
{
	const unsigned char *v = ev->data.scalar.value;
	size_t n = ev->data.scalar.length;

	if (!n)
		return fail(p, &ev->start_mark, "callgraph id is empty");
	if (n > RTI_CALLGRAPH_ID_MAX)
		return fail(p, &ev->start_mark, "callgraph id longer than %d bytes",
			    RTI_CALLGRAPH_ID_MAX);
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] == 0x7f)
			return fail(p, &ev->start_mark,
				    "callgraph id has a control character at byte %zu", i);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct cg_entry *)a)->digest, ((const struct cg_entry *)b)->digest);
}

/* digest, then place in the file: the second of two equal keys is named */
static int cmp_entry_at(const void *a, const void *b)
{
	const struct cg_entry *x = a, *y = b;
	int c = strcmp(x->digest, y->digest);

	return c ? c : (x->at.index > y->at.index) - (x->at.index < y->at.index);
}

static int add(struct rti_callgraph_map *m, const char *digest, const yaml_mark_t *at,
	       const yaml_event_t *val)
{
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16;
		struct cg_entry *ne = realloc(m->e, ncap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		m->e = ne;
		m->cap = ncap;
	}
	memcpy(m->e[m->n].digest, digest, DIGEST_LEN + 1);
	m->e[m->n].at = *at;
	m->e[m->n].id = strndup((const char *)val->data.scalar.value, val->data.scalar.length);
	if (!m->e[m->n].id)
		return -ENOMEM;
	m->n++;
	return 0;
}

static bool null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	return ev->data.scalar.plain_implicit &&
	       (!ev->data.scalar.length || !strcmp(v, "~") || !strcmp(v, "null") ||
		!strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* One event of the top level: the document's root, or an entry of the map.
 * *state: 0 before the root, 1 expecting a key, 2 a value, 3 after the map. */
static int step(struct cg_parse *p, struct rti_callgraph_map *m, const yaml_event_t *ev,
		int *state, char *key, yaml_mark_t *key_mark)
{
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_STREAM_END_EVENT:
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		return *state == 0 ? 0 : fail(p, &ev->start_mark, "more than one YAML document");
	case YAML_DOCUMENT_END_EVENT:
		*state = 3;
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(p, &ev->start_mark, "aliases are not allowed in a callgraph map");
	case YAML_MAPPING_START_EVENT:
		if (*state != 0)
			return fail(p, &ev->start_mark, *state == 3 ? "more than one YAML document"
				    : "expected a string, found a mapping");
		*state = 1;
		return 0;
	case YAML_MAPPING_END_EVENT:
		*state = 3;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		return fail(p, &ev->start_mark, *state == 0 ? "a callgraph map must be a mapping"
			    " {sha256:<hex>: <callgraphId>}" : "expected a string, found a list");
	case YAML_SCALAR_EVENT:
		break;
	default:
		return 0;
	}
	if (*state == 0) {
		if (!null_scalar(ev))
			return fail(p, &ev->start_mark, "a callgraph map must be a mapping"
				    " {sha256:<hex>: <callgraphId>}");
		*state = 3; /* an empty document: an empty map */
		return 0;
	}
	if (*state == 1) {
		if (!valid_digest((const char *)ev->data.scalar.value, ev->data.scalar.length))
			return fail(p, &ev->start_mark, "key must be an image digest"
				    " sha256:<64 lowercase hex digits>");
		memcpy(key, ev->data.scalar.value, DIGEST_LEN + 1);
		*key_mark = ev->start_mark;
		*state = 2;
		return 0;
	}
	if (*state != 2)
		return fail(p, &ev->start_mark, "more than one YAML document");
	*state = 1;
	if (m->n >= RTI_CALLGRAPH_MAP_MAX_ENTRIES) {
		fail(p, key_mark, "more than %d entries", RTI_CALLGRAPH_MAP_MAX_ENTRIES);
		return -E2BIG;
	}
	if (null_scalar(ev) && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return fail(p, &ev->start_mark, "%.71s: no callgraph id", key);
	return check_id(p, ev) ?: add(m, key, key_mark, ev);
}

static int check_dups(struct cg_parse *p, struct rti_callgraph_map *m)
{
	if (m->n < 2)
		return 0;
	qsort(m->e, m->n, sizeof(*m->e), cmp_entry_at);
	for (size_t i = 1; i < m->n; i++)
		if (!strcmp(m->e[i - 1].digest, m->e[i].digest))
			return fail(p, &m->e[i].at, "%s: mapped more than once (first at line %lu)",
				    m->e[i].digest, (unsigned long)m->e[i - 1].at.line + 1);
	return 0;
}

struct rti_callgraph_map *rti_callgraph_map_parse(const char *name, const char *data,
						  size_t len, char *err, size_t errlen)
{
	struct cg_parse p = { name ? name : "callgraph_map", err, errlen };
	struct rti_callgraph_map *m = calloc(1, sizeof(*m));
	yaml_parser_t parser;
	yaml_event_t ev;
	char key[DIGEST_LEN + 1] = "";
	yaml_mark_t key_mark = { 0, 0, 0 };
	int state = 0, rc = 0;

	if (!m || !yaml_parser_initialize(&parser)) {
		free(m);
		snprintf(err, errlen, "%s: out of memory", p.name);
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!rc) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = fail(&p, &parser.problem_mark, "YAML: %s",
				  parser.problem ? parser.problem : "syntax error");
			break;
		}
		rc = step(&p, m, &ev, &state, key, &key_mark);
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (!rc)
		rc = check_dups(&p, m);
	if (rc) {
		rti_callgraph_map_free(m);
		errno = -rc;
		return NULL;
	}
	return m;
}

struct rti_callgraph_map *rti_callgraph_map_load(const char *path, char *err, size_t errlen)
{
	struct rti_callgraph_map *m;
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		int e = errno;

		snprintf(err, errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	if (st.st_size > (off_t)RTI_CALLGRAPH_MAP_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %u bytes", path, RTI_CALLGRAPH_MAP_MAX_BYTES);
		close(fd);
		errno = E2BIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			errno = EIO;
			return NULL;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		errno = ENOMEM;
		return NULL;
	}
	m = rti_callgraph_map_parse(path, buf, n, err, errlen);
	free(buf);
	return m;
}

const char *rti_callgraph_map_get(const struct rti_callgraph_map *m, const char *digest)
{
	struct cg_entry k, *e;

	if (!m || !m->n || !digest || strlen(digest) != DIGEST_LEN)
		return NULL;
	memcpy(k.digest, digest, DIGEST_LEN + 1);
	e = bsearch(&k, m->e, m->n, sizeof(*m->e), cmp_entry);
	return e ? e->id : NULL;
}

size_t rti_callgraph_map_size(const struct rti_callgraph_map *m)
{
	return m ? m->n : 0;
}

void rti_callgraph_map_free(struct rti_callgraph_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].id);
	free(m->e);
	free(m);
}
