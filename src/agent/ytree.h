/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A YAML document as a small tree with the position of every node
 * (libyaml's marks), for configuration files whose errors must say
 * FILE:LINE:COL. Bounded: at most YT_MAX_NODES nodes and YT_MAX_DEPTH
 * levels per file, files up to YT_MAX_BYTES; anchors and aliases, tags and
 * more than one document are refused.
 */
#ifndef RTI_AGENT_YTREE_H
#define RTI_AGENT_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#define YT_MAX_NODES 100000
#define YT_MAX_DEPTH 32
#define YT_MAX_BYTES (4u << 20)

enum yt_kind { YT_SCALAR, YT_SEQ, YT_MAP };

struct yt_node {
	enum yt_kind kind;
	const char *file;  /* borrowed from the tree */
	unsigned line, col; /* 1-based */
	char *s;            /* scalar value */
	bool plain_null;    /* an unquoted ~, null or empty scalar */
	size_t n;           /* SEQ, MAP: children (MAP: n pairs) */
	struct yt_node **kids;
	struct yt_node **keys; /* MAP: the key scalars */
};

struct yt_tree {
	char *file;
	struct yt_node *root; /* NULL: an empty document */
	size_t nodes;
};

/* 0, or -errno with err "FILE:LINE:COL: reason" (or "FILE: reason"). */
int yt_load(struct yt_tree *t, const char *file, char *err, size_t errlen);
void yt_release(struct yt_tree *t);

#endif
