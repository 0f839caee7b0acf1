/* SPDX-License-Identifier: Apache-2.0 */
/* YAML into a tree with positions (ytree.h), through libyaml's events. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "agent/ytree.h"

struct yt_parse {
	yaml_parser_t yp;
	struct yt_tree *t;
	char *err;
	size_t errlen;
};

static void node_free(struct yt_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		node_free(n->kids[i]);
		if (n->keys)
			node_free(n->keys[i]);
	}
	free(n->kids);
	free(n->keys);
	free(n->s);
	free(n);
}

static int fail_at(struct yt_parse *p, const yaml_mark_t *m, const char *why)
{
	snprintf(p->err, p->errlen, "%s:%zu:%zu: %s", p->t->file, m->line + 1, m->column + 1, why);
	return -EINVAL;
}

static struct yt_node *node_new(struct yt_parse *p, enum yt_kind k, const yaml_mark_t *m)
{
	struct yt_node *n;

	if (p->t->nodes >= YT_MAX_NODES)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	p->t->nodes++;
	n->kind = k;
	n->file = p->t->file;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

static int push_kid(struct yt_node *parent, struct yt_node *key, struct yt_node *kid)
{
	struct yt_node **k = realloc(parent->kids, (parent->n + 1) * sizeof(*k));

	if (!k)
		return -ENOMEM;
	parent->kids = k;
	if (parent->kind == YT_MAP) {
		struct yt_node **kk = realloc(parent->keys, (parent->n + 1) * sizeof(*kk));

		if (!kk)
			return -ENOMEM;
		parent->keys = kk;
		parent->keys[parent->n] = key;
	}
	parent->kids[parent->n++] = kid;
	return 0;
}

static int parse_node(struct yt_parse *p, yaml_event_t *ev, unsigned depth, struct yt_node **out);

static int next_event(struct yt_parse *p, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&p->yp, ev)) {
		snprintf(p->err, p->errlen, "%s:%zu:%zu: %s", p->t->file,
			 p->yp.problem_mark.line + 1, p->yp.problem_mark.column + 1,
			 p->yp.problem ? p->yp.problem : "YAML syntax error");
		return -EINVAL;
	}
	return 0;
}

/* The children of a sequence or mapping, until its end event. */
static int parse_children(struct yt_parse *p, struct yt_node *n, unsigned depth)
{
	for (;;) {
		struct yt_node *key = NULL, *val = NULL;
		yaml_event_t ev;
		int rc = next_event(p, &ev);

		if (rc)
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (n->kind == YT_MAP) {
			if (ev.type != YAML_SCALAR_EVENT) {
				rc = fail_at(p, &ev.start_mark, "a key must be a plain string");
				yaml_event_delete(&ev);
				return rc;
			}
			rc = parse_node(p, &ev, depth + 1, &key);
			yaml_event_delete(&ev);
			if (rc)
				return rc;
			for (size_t i = 0; i < n->n; i++) {
				if (!strcmp(n->keys[i]->s, key->s)) {
					yaml_mark_t m = { .line = key->line - 1, .column = key->col - 1 };

					node_free(key);
					return fail_at(p, &m, "duplicate key");
				}
			}
			rc = next_event(p, &ev);
			if (rc) {
				node_free(key);
				return rc;
			}
		}
		rc = parse_node(p, &ev, depth + 1, &val);
		yaml_event_delete(&ev);
		if (!rc)
			rc = push_kid(n, key, val);
		if (rc) {
			node_free(key);
			node_free(val);
			return rc;
		}
	}
}

/* One node starting with ev (not deleted here). */
static int parse_node(struct yt_parse *p, yaml_event_t *ev, unsigned depth, struct yt_node **out)
{
	struct yt_node *n;
	int rc;

	if (depth > YT_MAX_DEPTH)
		return fail_at(p, &ev->start_mark, "nested too deeply");
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return fail_at(p, &ev->start_mark, "aliases are not supported");
	case YAML_SCALAR_EVENT:
		if (ev->data.scalar.anchor)
			return fail_at(p, &ev->start_mark, "anchors are not supported");
		n = node_new(p, YT_SCALAR, &ev->start_mark);
		if (!n)
			return fail_at(p, &ev->start_mark, "too many nodes");
		n->s = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (!n->s) {
			free(n);
			return -ENOMEM;
		}
		if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    (!strcmp(n->s, "") || !strcmp(n->s, "~") || !strcmp(n->s, "null") ||
		     !strcmp(n->s, "Null") || !strcmp(n->s, "NULL")))
			n->plain_null = true;
		*out = n;
		return 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
							   : ev->data.mapping_start.anchor))
			return fail_at(p, &ev->start_mark, "anchors are not supported");
		n = node_new(p, ev->type == YAML_SEQUENCE_START_EVENT ? YT_SEQ : YT_MAP,
			     &ev->start_mark);
		if (!n)
			return fail_at(p, &ev->start_mark, "too many nodes");
		rc = parse_children(p, n, depth);
		if (rc) {
			node_free(n);
			return rc;
		}
		*out = n;
		return 0;
	default:
		return fail_at(p, &ev->start_mark, "unexpected YAML event");
	}
}

/* The stream: one document at most. */
static int parse_stream(struct yt_parse *p)
{
	bool in_doc = false;

	for (;;) {
		yaml_event_t ev;
		int rc = next_event(p, &ev);

		if (rc)
			return rc;
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && p->t->root)
			rc = fail_at(p, &ev.start_mark, "more than one YAML document");
		else if (ev.type == YAML_DOCUMENT_START_EVENT)
			in_doc = true;
		else if (ev.type == YAML_DOCUMENT_END_EVENT || ev.type == YAML_STREAM_START_EVENT)
			in_doc = false;
		else if (!in_doc)
			rc = fail_at(p, &ev.start_mark, "unexpected YAML event");
		else
			rc = parse_node(p, &ev, 0, &p->t->root);
		if (!rc && p->t->root && p->t->root->kind != YT_MAP)
			rc = fail_at(p, &ev.start_mark, "the configuration must be a mapping");
		yaml_event_delete(&ev);
		if (rc)
			return rc;
	}
}

int yt_load(struct yt_tree *t, const char *file, char *err, size_t errlen)
{
	struct yt_parse p;
	struct stat st;
	FILE *f;
	int rc;

	memset(t, 0, sizeof(*t));
	t->file = strdup(file);
	if (!t->file)
		return -ENOMEM;
	f = fopen(file, "rbe");
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > YT_MAX_BYTES) {
		rc = f && !S_ISREG(st.st_mode) ? -EINVAL : f ? -EFBIG : -errno;
		snprintf(err, errlen, "%s: %s", file,
			 rc == -EFBIG ? "larger than 4 MiB" : rc == -EINVAL ? "not a regular file"
									  : strerror(-rc));
		if (f)
			fclose(f);
		return rc;
	}
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.err = err;
	p.errlen = errlen;
	if (!yaml_parser_initialize(&p.yp)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&p.yp, f);
	rc = parse_stream(&p);
	yaml_parser_delete(&p.yp);
	fclose(f);
	if (rc) {
		node_free(t->root);
		t->root = NULL;
	}
	return rc;
}

void yt_release(struct yt_tree *t)
{
	node_free(t->root);
	free(t->file);
	memset(t, 0, sizeof(*t));
}
