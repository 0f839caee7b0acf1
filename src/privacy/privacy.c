/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "privacy/privacy.h"

struct rti_privacy {
	const char *name;
	const char *const *path_prefixes; /* NULL-terminated */
};

/* Paths under these prefixes name system software, not users' data. */
static const char *const system_prefixes[] = {
	"/usr/", "/lib/", "/lib32/", "/lib64/", "/libx32/", "/bin/", "/sbin/",
	"/opt/", "/app/", "/snap/", "/nix/store/", "/usr/local/", NULL,
};

static const struct rti_privacy strict = { "strict", system_prefixes };

const struct rti_privacy *rti_privacy_builtin(const char *name)
{
	if (!name || !strcmp(name, "strict"))
		return &strict;
	errno = ENOENT;
	return NULL;
}

const char *rti_privacy_name(const struct rti_privacy *p)
{
	return p->name;
}

/* No "." or ".." component and no empty component: a prefix check must not
 * be fooled by /usr/../home/alice. */
static bool path_is_normal(const char *p)
{
	const char *s = p;

	while (*s) {
		const char *e;
		size_t n;

		if (*s != '/')
			return false;
		s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		s += n;
	}
	return true;
}

const char *rti_privacy_path(const struct rti_privacy *p, const char *path)
{
	if (!path || !*path)
		return NULL;
	if (path[0] == '[')
		return path; /* pseudo mappings: [vdso], [kernel] */
	if (!path_is_normal(path))
		return NULL;
	for (const char *const *pre = p->path_prefixes; *pre; pre++)
		if (!strncmp(path, *pre, strlen(*pre)))
			return path;
	return NULL;
}

#define MARK(cn, r) ((cn)->redacted |= (uint64_t)1 << (r))

static void apply_process(const struct rti_privacy *p, const struct rti_process *pr,
			  struct rti_canon *cn, const char **binary, bool parent)
{
	if (!pr->present)
		return;
	*binary = rti_privacy_path(p, pr->binary);
	if (pr->binary && !*binary)
		MARK(cn, parent ? RTI_R_PARENT_BINARY : RTI_R_PROCESS_BINARY);
	if (pr->arguments)
		MARK(cn, parent ? RTI_R_PARENT_ARGUMENTS : RTI_R_PROCESS_ARGUMENTS);
	if (pr->cwd)
		MARK(cn, parent ? RTI_R_PARENT_CWD : RTI_R_PROCESS_CWD);
	if (pr->n_env)
		MARK(cn, parent ? RTI_R_PARENT_ENVIRONMENT : RTI_R_PROCESS_ENVIRONMENT);
	if (pr->has_caps)
		MARK(cn, parent ? RTI_R_PARENT_CAPABILITIES : RTI_R_PROCESS_CAPABILITIES);
	if (pr->has_credentials)
		MARK(cn, parent ? RTI_R_PARENT_CREDENTIALS : RTI_R_PROCESS_CREDENTIALS);
	if (pr->user_name)
		MARK(cn, parent ? RTI_R_PARENT_USER : RTI_R_PROCESS_USER);
	/* pod labels/annotations of the parent describe the same pod */
	if (pr->pod.n_labels)
		MARK(cn, RTI_R_POD_LABELS);
	if (pr->pod.n_annotations)
		MARK(cn, RTI_R_POD_ANNOTATIONS);
}

void rti_privacy_apply(const struct rti_privacy *p, const struct rti_event *ev,
		       struct rti_canon *cn)
{
	cn->privacy_profile = p->name;
	apply_process(p, &ev->process, cn, &cn->process_binary, false);
	apply_process(p, &ev->parent, cn, &cn->parent_binary, true);
	if (ev->n_ancestors)
		MARK(cn, RTI_R_ANCESTORS);
	if (ev->n_node_labels)
		MARK(cn, RTI_R_NODE_LABELS);
	if (ev->n_args)
		MARK(cn, RTI_R_PROBE_ARGS);
	if (ev->has_return)
		MARK(cn, RTI_R_PROBE_RETURN);
	if (ev->n_data)
		MARK(cn, RTI_R_PROBE_DATA);
	if (ev->kind == RTI_KIND_UPROBE || ev->kind == RTI_KIND_USDT) {
		cn->probe_module = rti_privacy_path(p, ev->path);
		if (ev->path && !cn->probe_module)
			MARK(cn, RTI_R_PROBE_MODULE);
	}
}
