/* SPDX-License-Identifier: Apache-2.0 */
/* `validate --print` and the reference table of docs/agent.md. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "agent/config_int.h"

void rti_cfg_format_u(enum rti_opt_type t, uint64_t u, char *buf, size_t len)
{
	switch (t) {
	case RTI_OPT_BOOL:
		snprintf(buf, len, "%s", u ? "true" : "false");
		return;
	case RTI_OPT_MODE:
		snprintf(buf, len, "%04llo", (unsigned long long)u);
		return;
	case RTI_OPT_SIZE:
		if (u && !(u % (1u << 30)))
			snprintf(buf, len, "%lluGiB", (unsigned long long)(u >> 30));
		else if (u && !(u % (1u << 20)))
			snprintf(buf, len, "%lluMiB", (unsigned long long)(u >> 20));
		else if (u && !(u % (1u << 10)))
			snprintf(buf, len, "%lluKiB", (unsigned long long)(u >> 10));
		else
			snprintf(buf, len, "%llu", (unsigned long long)u);
		return;
	case RTI_OPT_DURATION:
		if (u && !(u % 3600000))
			snprintf(buf, len, "%lluh", (unsigned long long)(u / 3600000));
		else if (u && !(u % 60000))
			snprintf(buf, len, "%llum", (unsigned long long)(u / 60000));
		else if (!(u % 1000))
			snprintf(buf, len, "%llus", (unsigned long long)(u / 1000));
		else
			snprintf(buf, len, "%llums", (unsigned long long)u);
		return;
	default:
		snprintf(buf, len, "%llu", (unsigned long long)u);
	}
}

/* A YAML double-quoted string. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_list(FILE *f, char *const *v, unsigned n)
{
	fputc('[', f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		put_quoted(f, v[i]);
	}
	fputc(']', f);
}

static void put_filters(FILE *f, const struct rti_cval *v)
{
	static const char *const fields[4] = { "event_types", "namespaces", "pod_regex",
					       "binary_regex" };

	fputc('[', f);
	for (unsigned i = 0; i < v->nfilt; i++) {
		const struct rti_cfilter *cf = &v->filt[i];
		bool first = true;

		fputs(i ? ", {" : "{", f);
		for (int k = 0; k < 4; k++) {
			if (!cf->n[k])
				continue;
			fprintf(f, "%s%s: ", first ? "" : ", ", fields[k]);
			put_list(f, cf->v[k], cf->n[k]);
			first = false;
		}
		fputc('}', f);
	}
	fputc(']', f);
}

void rti_config_print_value(FILE *f, const struct rti_config *c, enum rti_opt_id id, bool reveal)
{
	const struct rti_option *o = &rti_options[id];
	const struct rti_cval *v = &c->v[id];
	char buf[64];

	if (o->flags & RTI_OPT_SECRET && v->s && !reveal) {
		fputs("\"<redacted>\"", f);
		return;
	}
	switch (o->type) {
	case RTI_OPT_LIST:
		put_list(f, v->list, v->n);
		return;
	case RTI_OPT_FILTERS:
		put_filters(f, v);
		return;
	case RTI_OPT_STR:
	case RTI_OPT_ENUM:
		if (id == O_NODE)
			put_quoted(f, c->node);
		else if (v->s)
			put_quoted(f, v->s);
		else
			fputs("null", f);
		return;
	default:
		rti_cfg_format_u(o->type, v->u, buf, sizeof(buf));
		fputs(o->type == RTI_OPT_MODE ? "\"" : "", f);
		fputs(buf, f);
		fputs(o->type == RTI_OPT_MODE ? "\"" : "", f);
	}
}

/* The length of the section part of key (up to its last '.'). */
static size_t section_len(const char *key)
{
	const char *dot = strrchr(key, '.');

	return dot ? (size_t)(dot - key) : 0;
}

/* The n-th section component of key: its start and length. false: none. */
static bool component(const char *key, size_t sl, unsigned n, size_t *at, size_t *len)
{
	size_t i = 0;

	for (unsigned k = 0; k < n; k++) {
		const char *dot = memchr(key + i, '.', sl > i ? sl - i : 0);

		if (!dot)
			return false;
		i = (size_t)(dot - key) + 1;
	}
	if (i >= sl && !(i == 0 && sl))
		return false;
	{
		const char *dot = memchr(key + i, '.', sl - i);

		*at = i;
		*len = dot ? (size_t)(dot - key) - i : sl - i;
	}
	return true;
}

/* Section headers of key that the previous key did not open (nested:
 * delivery.spool.dir is printed under "delivery:" and "  spool:"). */
static void open_sections(FILE *f, const char *prev, const char *key)
{
	size_t pl = section_len(prev), kl = section_len(key), ka, kn, pa, pn;
	unsigned n = 0;

	while (component(key, kl, n, &ka, &kn) && component(prev, pl, n, &pa, &pn) && kn == pn &&
	       !memcmp(key + ka, prev + pa, kn))
		n++;
	for (; component(key, kl, n, &ka, &kn); n++)
		fprintf(f, "%*s%.*s:\n", (int)(2 * n), "", (int)kn, key + ka);
}

int rti_config_print(const struct rti_config *c, FILE *f)
{
	const char *prev = "";

	fputs("# effective configuration from", f);
	for (unsigned i = 0; i < c->nfiles; i++)
		fprintf(f, " %s", c->files[i].file);
	fputc('\n', f);
	for (int id = 0; id < O__COUNT; id++) {
		const char *key = rti_options[id].key;
		size_t sl = section_len(key);
		unsigned depth = 0;

		if (rti_options[id].flags & RTI_OPT_NOTYET)
			continue;
		open_sections(f, prev, key);
		for (size_t i = 0; i < sl; i++)
			depth += key[i] == '.';
		if (sl)
			depth++;
		fprintf(f, "%*s%s: ", (int)(2 * depth), "", sl ? key + sl + 1 : key);
		rti_config_print_value(f, c, (enum rti_opt_id)id, false);
		fputc('\n', f);
		prev = key;
	}
	return ferror(f) ? -EIO : 0;
}

static const char *type_name(enum rti_opt_type t)
{
	static const char *const n[] = { "string", "bool", "integer", "size", "duration",
					 "mode", "enum", "list", "filters" };

	return n[t];
}

/* Markdown: | text | with | escaped |. */
static void put_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else
			fputc(*s, f);
	}
}

int rti_config_reference(FILE *f)
{
	fputs("| key | run flag | type | default | reload | meaning |\n"
	      "|---|---|---|---|---|---|\n", f);
	for (int id = 0; id < O__COUNT; id++) {
		const struct rti_option *o = &rti_options[id];

		fprintf(f, "| `%s` | ", o->key);
		if (o->flag)
			fprintf(f, "`--%s`", o->flag);
		fprintf(f, " | %s", type_name(o->type));
		if (o->type == RTI_OPT_ENUM) {
			fputs(" (", f);
			put_cell(f, o->choices);
			fputs(")", f);
		}
		fputs(" | ", f);
		if (o->def)
			fprintf(f, "`%s`", o->def);
		fprintf(f, " | %s | ", o->flags & RTI_OPT_RESTART ? "restart" : "yes");
		put_cell(f, o->help);
		fputs(" |\n", f);
	}
	return ferror(f) ? -EIO : 0;
}

static const char *arg_word(const struct rti_option *o)
{
	static const char *const names[][2] = {
		{ "tetragon", "TARGET" }, { "privacy", "NAME|FILE" }, { "privacy-key", "FILE" },
		{ "proc-root", "DIR" }, { "host-root", "DIR" }, { "debug-dir", "DIR" },
		{ "kallsyms", "FILE" }, { "output", "FILE" }, { "hot-index", "URL" },
		{ "record", "FILE" }, { "node", "NAME" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(o->flag, names[i][0]))
			return names[i][1];
	switch (o->type) {
	case RTI_OPT_BOOL: return NULL;
	case RTI_OPT_UINT: return "N";
	case RTI_OPT_SIZE: return "SIZE";
	case RTI_OPT_DURATION: return "DURATION";
	case RTI_OPT_ENUM: return o->choices;
	case RTI_OPT_LIST: return "PATH";
	default: return "VALUE";
	}
}

/* "      --flag ARG" padded to 25 columns, then the help wrapped at 78. */
static void help_line(FILE *f, const char *flag, const char *arg, const char *help,
		      const char *def, const char *key)
{
	char head[128], text[600];
	int col;

	snprintf(head, sizeof(head), "      --%s%s%s", flag, arg ? " " : "", arg ? arg : "");
	if (!def)
		snprintf(text, sizeof(text), "%s (key %s: false)", help, key);
	else if (*def && strcmp(def, "[]") && strcmp(def, "false"))
		snprintf(text, sizeof(text), "%s (default %s; key %s)", help, def, key);
	else
		snprintf(text, sizeof(text), "%s (key %s)", help, key);
	fputs(head, f);
	col = (int)strlen(head);
	if (col >= 25) {
		fputc('\n', f);
		col = 0;
	}
	fprintf(f, "%*s", 25 - col, "");
	col = 25;
	for (const char *w = text; *w;) {
		size_t n = strcspn(w, " ");

		if (col + 1 + (int)n > 78 && col > 25) {
			fprintf(f, "\n%25s", "");
			col = 25;
		} else if (col > 25) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)n, w);
		col += (int)n;
		w += n;
		w += strspn(w, " ");
	}
	fputc('\n', f);
}

int rti_config_flag_help(FILE *f)
{
	for (int id = 0; id < O__COUNT; id++) {
		const struct rti_option *o = &rti_options[id];

		if (o->flag)
			help_line(f, o->flag, arg_word(o), o->help,
				  o->flags & RTI_OPT_INVERT ? NULL : o->def ? o->def : "", o->key);
	}
	for (int i = 0; i < RTI_FILTER_FLAGS; i++)
		help_line(f, rti_filter_flags[i].flag, "LIST", rti_filter_flags[i].help, "",
			  rti_filter_flags[i].key);
	return ferror(f) ? -EIO : 0;
}
