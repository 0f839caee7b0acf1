/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JSON and list helpers of the advisory readers (leaf of src/reach/): messages,
 * string lists, token lookup on rti_json_check's tokens.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rti/buf.h"
#include "reach/reach_int.h"

void reach_diag(struct rti_reach *r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->counts.bad_input++;
	if (r->o.diag)
		r->o.diag(r->o.diag_arg, msg);
}

int reach_list_add(struct reach_str_list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 0;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		char **nv = realloc(l->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

void reach_list_free(struct reach_str_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- JSON helpers ---- */

int reach_jskip(const struct reach_doc *d, int i)
{
	int j = i + 1;

	while (j < d->n && d->t[j].start < d->t[i].end)
		j++;
	return j;
}

bool reach_jis(const struct reach_doc *d, int i, enum rti_json_type type)
{
	return i >= 0 && i < d->n && d->t[i].type == type;
}

int reach_jget(const struct reach_doc *d, int obj, const char *key)
{
	size_t kl = strlen(key);
	int i, m;

	if (!reach_jis(d, obj, RTI_JSON_OBJECT))
		return -1;
	for (i = obj + 1, m = 0; m < d->t[obj].size && i + 1 < d->n; m++) {
		const struct rti_json_token *k = &d->t[i];

		if ((size_t)(k->end - k->start) == kl && !memcmp(d->js + k->start, key, kl)) {
			const struct rti_json_token *v = &d->t[i + 1];

			/* a member set to null is absent: published records write
			 * "affected_functions": null, "schema_version": null */
			if (v->type == RTI_JSON_PRIMITIVE && v->end - v->start == 4 &&
			    !memcmp(d->js + v->start, "null", 4))
				return -1;
			return i + 1;
		}
		i = reach_jskip(d, i + 1);
	}
	return -1;
}

char *reach_jstr(const struct reach_doc *d, int i)
{
	const struct rti_json_token *t;
	const char *why;
	size_t off;
	long len;
	char *out;

	if (!reach_jis(d, i, RTI_JSON_STRING))
		return NULL;
	t = &d->t[i];
	if (t->end - t->start > REACH_MAX_NAME)
		return NULL;
	out = malloc((size_t)(t->end - t->start) + 1);
	if (!out)
		return NULL;
	len = rti_json_unescape(d->js + t->start, (size_t)(t->end - t->start), out, &why, &off);
	if (len < 0 || strlen(out) != (size_t)len) { /* bad escape, or an embedded NUL */
		free(out);
		return NULL;
	}
	return out;
}

/* An optional array of strings: appended to out; problems reported. */
int reach_string_list(const struct reach_doc *d, int arr, const char *path,
		      struct reach_str_list *out)
{
	int i, k;

	if (arr < 0)
		return 0;
	if (!reach_jis(d, arr, RTI_JSON_ARRAY)) {
		reach_diag(d->r, "%s: %s: expected an array of strings", d->file, path);
		return 0;
	}
	for (i = arr + 1, k = 0; k < d->t[arr].size; k++, i = reach_jskip(d, i)) {
		char *s = reach_jstr(d, i);
		int err;

		if (!s) {
			reach_diag(d->r, "%s: %s[%d]: expected a string (at most %d bytes)",
				   d->file, path, k, REACH_MAX_NAME);
			continue;
		}
		err = *s ? reach_list_add(out, s) : 0;
		free(s);
		if (err)
			return err;
	}
	return 0;
}

/* Room for element n of an array doubling from 64: 0 or -ENOMEM. */
int reach_grow(void **p, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *np;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

/* ---- files ---- */

int reach_read_file(struct rti_reach *r, const char *path, struct rti_buf *b)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return -errno;
	while ((got = read(fd, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (rti_buf_add(b, chunk, (size_t)got)) {
			reach_diag(r, "%s: $: larger than %u MiB, skipped", path, REACH_MAX_FILE >> 20);
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
}
