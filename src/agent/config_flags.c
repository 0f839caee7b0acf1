/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run`'s command line on the option table (include/rti/config.h): its
 * flags are the table's, each value set as its key would be, and values
 * read back by key. One definition per option: adding an option with a
 * flag to options.c gives run the flag, its help and its checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config_int.h"

static int option_of_flag(const char *flag)
{
	for (int id = 0; id < O__COUNT; id++)
		if (rti_options[id].flag && !strcmp(rti_options[id].flag, flag))
			return id;
	return -1;
}

int rti_config_flag_at(unsigned i, const char **name, bool *takes_value)
{
	for (int id = 0; id < O__COUNT; id++) {
		const struct rti_option *o = &rti_options[id];

		if (!o->flag)
			continue;
		if (i-- == 0) {
			*name = o->flag;
			*takes_value = o->type != RTI_OPT_BOOL;
			return 0;
		}
	}
	if (i >= RTI_FILTER_FLAGS)
		return -ENOENT;
	*name = rti_filter_flags[i].flag;
	*takes_value = true;
	return 0;
}

/* --event-types a,b: the items added to the first filter. */
static int set_filter_flag(struct rti_config *c, unsigned fi, const char *text, char *err,
			   size_t errlen)
{
	struct rti_cval *v = &c->v[fi < 4 ? O_TG_ALLOW : O_TG_DENY];
	struct rti_cfilter *f;
	unsigned k = fi % 4;

	if (!v->nfilt) {
		v->filt = calloc(1, sizeof(*v->filt));
		if (!v->filt)
			return -ENOMEM;
		v->nfilt = 1;
	}
	v->set = true;
	f = &v->filt[0];
	for (const char *s = text;;) {
		size_t n = strcspn(s, ",");

		if (f->n[k] >= RTI_CONFIG_MAX_LIST) {
			snprintf(err, errlen, "--%s: more than %d values", rti_filter_flags[fi].flag,
				 RTI_CONFIG_MAX_LIST);
			return -EINVAL;
		}
		f->v[k][f->n[k]] = strndup(s, n);
		if (!f->v[k][f->n[k]])
			return -ENOMEM;
		f->n[k]++;
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

/* A list flag: one more item (a list of one is replaced). */
static int add_item(const struct rti_option *o, struct rti_cval *v, const char *text, char *err,
		    size_t errlen)
{
	char *dup;

	if (o->max == 1) {
		for (unsigned i = 0; i < v->n; i++)
			free(v->list[i]);
		v->n = 0;
	}
	if (v->n >= o->max || v->n >= RTI_CONFIG_MAX_LIST) {
		snprintf(err, errlen, "--%s: given more than %u times", o->flag, (unsigned)o->max);
		return -EINVAL;
	}
	dup = strdup(text);
	if (!dup)
		return -ENOMEM;
	v->list[v->n++] = dup;
	return 0;
}

int rti_config_set_flag(struct rti_config *c, const char *flag, const char *text, char *err,
			size_t errlen)
{
	int id = option_of_flag(flag);
	const struct rti_option *o;
	struct rti_cval *v, tmp;
	char why[300];
	char *dup;

	if (id < 0) {
		for (unsigned i = 0; i < RTI_FILTER_FLAGS; i++)
			if (!strcmp(rti_filter_flags[i].flag, flag))
				return text ? set_filter_flag(c, i, text, err, errlen) : -EINVAL;
		return -ENOENT;
	}
	o = &rti_options[id];
	v = &c->v[id];
	if (o->type == RTI_OPT_BOOL)
		text = o->flags & RTI_OPT_INVERT ? "false" : "true";
	if (!text)
		return -EINVAL;
	v->set = true;
	v->node = NULL;
	if (o->type == RTI_OPT_LIST)
		return add_item(o, v, text, err, errlen);
	memset(&tmp, 0, sizeof(tmp));
	if (o->type != RTI_OPT_STR && rti_cfg_scalar(o, text, &tmp, why, sizeof(why))) {
		snprintf(err, errlen, "--%s: %s", flag, why);
		return -EINVAL;
	}
	dup = strdup(text);
	if (!dup)
		return -ENOMEM;
	free(v->s);
	v->s = dup;
	v->u = tmp.u;
	return 0;
}

const char *rti_config_str(const struct rti_config *c, const char *key)
{
	int id = rti_cfg_find(key);

	if (id == O_NODE)
		return c->node;
	return id < 0 ? NULL : c->v[id].s;
}

uint64_t rti_config_uint(const struct rti_config *c, const char *key)
{
	int id = rti_cfg_find(key);

	return id < 0 ? 0 : c->v[id].u;
}

unsigned rti_config_list(const struct rti_config *c, const char *key, const char *const **items)
{
	int id = rti_cfg_find(key);

	if (id < 0 || rti_options[id].type != RTI_OPT_LIST) {
		*items = NULL;
		return 0;
	}
	*items = (const char *const *)c->v[id].list;
	return c->v[id].n;
}
