/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "tetragon/policy.h"

#define MAX_POLICY_BYTES (16u << 20)
#define DEFAULT_MAX_HOOKS 100000

void rti_policy_set_init(struct rti_policy_set *ps)
{
	memset(ps, 0, sizeof(*ps));
	ps->max_hooks = DEFAULT_MAX_HOOKS;
}

void rti_policy_set_release(struct rti_policy_set *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->hooks[i].policy);
		free(ps->hooks[i].call);
		free(ps->hooks[i].path);
	}
	free(ps->hooks);
	memset(ps, 0, sizeof(*ps));
}

struct ld {
	struct rti_policy_set *ps;
	yaml_document_t *doc;
	const char *name;
	char *err;
	size_t errlen;
};

static int ld_fail(struct ld *l, const yaml_node_t *n, const char *why)
{
	snprintf(l->err, l->errlen, "%s:%lu: %s", l->name,
		 n ? (unsigned long)n->start_mark.line + 1 : 0UL, why);
	return -EINVAL;
}

static yaml_node_t *map_get(struct ld *l, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE &&
		    strlen(key) == k->data.scalar.length &&
		    memcmp(k->data.scalar.value, key, k->data.scalar.length) == 0)
			return yaml_document_get_node(l->doc, p->value);
	}
	return NULL;
}

static const char *scalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int is_true(yaml_node_t *n)
{
	const char *s = scalar(n);

	return s && (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") ||
		     !strcmp(s, "yes"));
}

static int add_hook(struct ld *l, yaml_node_t *at, const char *policy,
		    enum rti_hook_kind kind, const char *call, const char *path,
		    bool ret)
{
	struct rti_policy_set *ps = l->ps;
	struct rti_hook *h;

	if (ps->n >= ps->max_hooks)
		return ld_fail(l, at, "too many hooks in the policies");
	if (ps->n == ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 16;
		struct rti_hook *nh = realloc(ps->hooks, nc * sizeof(*nh));

		if (!nh)
			return -ENOMEM;
		ps->hooks = nh;
		ps->cap = nc;
	}
	h = &ps->hooks[ps->n];
	h->policy = strdup(policy);
	h->call = strdup(call);
	h->path = path ? strdup(path) : NULL;
	h->kind = kind;
	h->ret = ret;
	if (!h->policy || !h->call || (path && !h->path)) {
		free(h->policy);
		free(h->call);
		free(h->path);
		return -ENOMEM;
	}
	ps->n++;
	return 0;
}

static int load_kernel_list(struct ld *l, const char *policy, yaml_node_t *list,
			    enum rti_hook_kind kind, const char *what)
{
	if (!list)
		return 0;
	if (list->type != YAML_SEQUENCE_NODE) {
		char why[96];

		snprintf(why, sizeof(why), "spec.%s must be a list", what);
		return ld_fail(l, list, why);
	}
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *h = yaml_document_get_node(l->doc, *it);
		const char *call = scalar(map_get(l, h, "call"));
		int err;

		if (!h || h->type != YAML_MAPPING_NODE || !call || !*call) {
			char why[96];

			snprintf(why, sizeof(why), "spec.%s entry without a `call`", what);
			return ld_fail(l, h, why);
		}
		err = add_hook(l, h, policy, kind, call, NULL,
			       is_true(map_get(l, h, "return")));
		if (err)
			return err;
	}
	return 0;
}

static int load_uprobes(struct ld *l, const char *policy, yaml_node_t *list)
{
	if (!list)
		return 0;
	if (list->type != YAML_SEQUENCE_NODE)
		return ld_fail(l, list, "spec.uprobes must be a list");
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top; it++) {
		yaml_node_t *h = yaml_document_get_node(l->doc, *it);
		const char *path = scalar(map_get(l, h, "path"));
		yaml_node_t *syms = map_get(l, h, "symbols");
		bool ret = is_true(map_get(l, h, "return"));

		if (!h || h->type != YAML_MAPPING_NODE || !path)
			return ld_fail(l, h, "spec.uprobes entry without a `path`");
		if (!syms)
			continue; /* offsets-only uprobes carry no symbol to match */
		if (syms->type != YAML_SEQUENCE_NODE)
			return ld_fail(l, syms, "uprobe `symbols` must be a list");
		for (yaml_node_item_t *s = syms->data.sequence.items.start;
		     s < syms->data.sequence.items.top; s++) {
			yaml_node_t *sn = yaml_document_get_node(l->doc, *s);
			const char *sym = scalar(sn);
			int err;

			if (!sym || !*sym)
				return ld_fail(l, sn, "uprobe symbol must be a string");
			err = add_hook(l, sn, policy, RTI_HOOK_UPROBE, sym, path, ret);
			if (err)
				return err;
		}
	}
	return 0;
}

static int load_doc(struct ld *l)
{
	yaml_node_t *root = yaml_document_get_root_node(l->doc);
	yaml_node_t *spec;
	const char *kind;
	const char *name;
	int err;

	if (!root)
		return 0; /* empty document */
	if (root->type != YAML_MAPPING_NODE)
		return ld_fail(l, root, "a policy document must be a mapping");
	kind = scalar(map_get(l, root, "kind"));
	if (!kind || (strcmp(kind, "TracingPolicy") && strcmp(kind, "TracingPolicyNamespaced")))
		return 0; /* not a TracingPolicy: other manifests may share the file */
	name = scalar(map_get(l, map_get(l, root, "metadata"), "name"));
	if (!name || !*name)
		return ld_fail(l, root, "TracingPolicy without metadata.name");
	spec = map_get(l, root, "spec");
	if (!spec || spec->type != YAML_MAPPING_NODE)
		return ld_fail(l, root, "TracingPolicy without a spec mapping");
	if ((err = load_kernel_list(l, name, map_get(l, spec, "kprobes"),
				    RTI_HOOK_KPROBE, "kprobes")))
		return err;
	if ((err = load_kernel_list(l, name, map_get(l, spec, "fentries"),
				    RTI_HOOK_FENTRY, "fentries")))
		return err;
	if ((err = load_uprobes(l, name, map_get(l, spec, "uprobes"))))
		return err;
	l->ps->n_policies++;
	return 0;
}

int rti_policy_set_load_mem(struct rti_policy_set *ps, const char *name,
			    const char *data, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	struct ld l = { ps, NULL, name, err, errlen };
	int rc = 0;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	for (;;) {
		yaml_document_t doc;
		int done;

		if (!yaml_parser_load(&parser, &doc)) {
			snprintf(err, errlen, "%s:%lu: %s", name,
				 (unsigned long)parser.problem_mark.line + 1,
				 parser.problem ? parser.problem : "invalid YAML");
			rc = -EINVAL;
			break;
		}
		done = yaml_document_get_root_node(&doc) == NULL;
		if (!done) {
			l.doc = &doc;
			rc = load_doc(&l);
		}
		yaml_document_delete(&doc);
		if (done || rc)
			break;
	}
	yaml_parser_delete(&parser);
	return rc;
}

static int load_file(struct rti_policy_set *ps, const char *path, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *data;
	size_t n;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	data = malloc(MAX_POLICY_BYTES + 1);
	if (!data) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(data, 1, MAX_POLICY_BYTES + 1, f);
	if (ferror(f) || n > MAX_POLICY_BYTES) {
		snprintf(err, errlen, "%s: %s", path,
			 n > MAX_POLICY_BYTES ? "policy file larger than 16 MiB" : "read error");
		fclose(f);
		free(data);
		return -EFBIG;
	}
	fclose(f);
	rc = rti_policy_set_load_mem(ps, path, data, n, err, errlen);
	free(data);
	return rc;
}

static int has_yaml_ext(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rti_policy_set_load(struct rti_policy_set *ps, const char *path, char *err,
			size_t errlen)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (stat(path, &st)) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (!S_ISDIR(st.st_mode))
		return load_file(ps, path, err, errlen);
	d = opendir(path);
	if (!d) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		char **nn;

		if (e->d_name[0] == '.' || !has_yaml_ext(e->d_name))
			continue;
		if (n >= 10000) {
			rc = -E2BIG;
			snprintf(err, errlen, "%s: more than 10000 policy files", path);
			break;
		}
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn || !(nn[n] = strdup(e->d_name))) {
			names = nn ? nn : names;
			rc = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (!rc)
		qsort(names, n, sizeof(*names), cmp_str); /* deterministic order */
	for (size_t i = 0; i < n; i++) {
		if (!rc) {
			char full[4096];

			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			rc = load_file(ps, full, err, errlen);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

const struct rti_hook *rti_policy_find_kernel(const struct rti_policy_set *ps,
					      const char *policy, const char *call)
{
	if (!policy || !call)
		return NULL;
	for (size_t i = 0; i < ps->n; i++) {
		const struct rti_hook *h = &ps->hooks[i];

		if (h->kind != RTI_HOOK_UPROBE && !strcmp(h->call, call) &&
		    !strcmp(h->policy, policy))
			return h;
	}
	return NULL;
}

const struct rti_hook *rti_policy_find_uprobe(const struct rti_policy_set *ps,
					      const char *policy, const char *path,
					      const char *symbol)
{
	const struct rti_hook *any = NULL;

	if (!policy || !symbol)
		return NULL;
	for (size_t i = 0; i < ps->n; i++) {
		const struct rti_hook *h = &ps->hooks[i];

		if (h->kind != RTI_HOOK_UPROBE || strcmp(h->call, symbol) ||
		    strcmp(h->policy, policy))
			continue;
		if (path && h->path && !strcmp(h->path, path))
			return h;
		if (!any)
			any = h;
	}
	return any;
}
