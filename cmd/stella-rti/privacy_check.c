/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti privacy check [--quiet] FILE...: audits NDJSON (our events,
 * Tetragon's export, anything with one JSON value per line; plain or gzip;
 * "-" is stdin) for values that look secret.
 *
 * Every string value and every member name goes through the secret detector
 * (rti/privacy.h). A string whose member name says secret (password,
 * token, ...; for {"Key": NAME, "Value": V} entries, NAME names V) is a
 * finding too unless it is a placeholder or a reference: it is judged as
 * the value of `secret=VALUE` would be. A line that is not JSON is reported
 * and then scanned as plain text.
 *
 * One line per finding on stdout, `FILE:LINE: FIELD.PATH: KIND (byte N, L
 * bytes)`: never the value, nor a member name that holds a secret (it is
 * shown as [REDACTED] in the path). Exit 0 when there is no finding, 1 when
 * there is one, 2 on a usage error, 3 when an input cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rti/buf.h"
#include "rti/input.h"
#include "rti/json.h"
#include "rti/opts.h"
#include "rti/privacy.h"

#define MAX_DEPTH 128            /* jsmn's cost grows with depth x size */
#define MAX_TOKENS (1u << 24)    /* 16 Mi tokens, 320 MiB of struct rti_json_token */
#define KEY_SHOWN 128            /* bytes of a member name shown in a path */
#define SPAN_BATCH 64
#define EXIT_FINDINGS 1

static const char NAMED_PREFIX[] = "secret=";

struct check {
	const char *file; /* as named on the command line */
	uint64_t line;

	struct rti_json_decoder *dec;
	struct rti_buf path, key, val, syn;
	struct rti_secret_span batch[SPAN_BATCH];
	struct rti_secret_span *spans; /* when there are more */
	size_t nspans;
	bool hit; /* the current line has a finding */

	uint64_t lines, values, findings, kinds[RTI_SECRET__COUNT];
	uint64_t lines_hit, bad, inputs_failed, oom;
};

/* ---------- reporting ---------- */

static void report(struct check *c, enum rti_secret_kind k, const char *path,
		   const char *what, size_t off, size_t len)
{
	printf("%s:%llu: %s: %s (%sbyte %zu, %zu bytes)\n", c->file,
	       (unsigned long long)c->line, path && *path ? path : ".",
	       rti_secret_kind_name(k), what, off, len);
	c->findings++;
	c->kinds[k]++;
	c->hit = true;
}

/* The secret spans of s[0..n): a stored array of them, and how many. */
static size_t scan(struct check *c, const char *s, size_t n, bool code,
		   const struct rti_secret_span **out)
{
	size_t (*detect)(const char *, size_t, struct rti_secret_span *, size_t) =
		code ? rti_secret_scan_code : rti_secret_scan;
	size_t k = detect(s, n, c->batch, SPAN_BATCH);

	*out = c->batch;
	if (k <= SPAN_BATCH)
		return k;
	if (k > c->nspans) {
		struct rti_secret_span *ns = realloc(c->spans, k * sizeof(*ns));

		if (!ns) {
			c->oom++;
			return SPAN_BATCH; /* the first ones at least */
		}
		c->spans = ns;
		c->nspans = k;
	}
	*out = c->spans;
	return detect(s, n, c->spans, k);
}

/* ---------- the walk ---------- */

static bool raw_is(const char *js, const struct rti_json_token *t, const char *w)
{
	size_t n = strlen(w);

	return t->type == RTI_JSON_STRING && (size_t)(t->end - t->start) == n &&
	       !memcmp(js + t->start, w, n);
}

static bool is_name_key(const char *js, const struct rti_json_token *t)
{
	return raw_is(js, t, "Key") || raw_is(js, t, "key") || raw_is(js, t, "Name") ||
	       raw_is(js, t, "name");
}

static bool is_value_key(const char *js, const struct rti_json_token *t)
{
	return raw_is(js, t, "Value") || raw_is(js, t, "value");
}

static bool decode(struct rti_buf *b, const char *js, const struct rti_json_token *t)
{
	const char *why;
	size_t at;
	long n;

	rti_buf_reset(b);
	if (rti_buf_grow(b, (size_t)(t->end - t->start)))
		return false;
	n = rti_json_unescape(js + t->start, (size_t)(t->end - t->start), b->p, &why, &at);
	if (n < 0)
		return false; /* validated before the walk: not reached */
	b->len = (size_t)n;
	return true;
}

/*
 * {"Key": NAME, "Value": V} (Tetragon's environment variables; also
 * key/name and value, in either order): true when NAME names a secret.
 */
static bool entry_named(struct check *c, const char *js, const struct rti_json_token *t, int o, int nt)
{
	int a = o + 1, b = o + 3, name;

	if (t[o].size != 2 || b >= nt || (t[a + 1].type != RTI_JSON_STRING && t[a + 1].type != RTI_JSON_PRIMITIVE))
		return false;
	if (is_name_key(js, &t[a]) && is_value_key(js, &t[b]))
		name = a + 1;
	else if (is_value_key(js, &t[a]) && is_name_key(js, &t[b]) && b + 1 < nt)
		name = b + 1;
	else
		return false;
	if (t[name].type != RTI_JSON_STRING || !decode(&c->key, js, &t[name]))
		return false;
	return rti_secret_key_name(c->key.p, c->key.len);
}

/* Appends a member name to the path: control bytes as '?', at most
 * KEY_SHOWN bytes (cut at a character boundary). */
static bool path_add_key(struct rti_buf *p, const char *k, size_t n)
{
	size_t shown = n;

	if (p->len && rti_buf_add(p, ".", 1))
		return false;
	if (shown > KEY_SHOWN) {
		shown = KEY_SHOWN;
		while (shown && ((unsigned char)k[shown] & 0xc0) == 0x80)
			shown--;
	}
	if (rti_buf_grow(p, shown + 3))
		return false;
	for (size_t i = 0; i < shown; i++) {
		unsigned char ch = (unsigned char)k[i];

		p->p[p->len++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	p->p[p->len] = '\0';
	return shown == n || !rti_buf_add(p, "...", 3);
}

/* A member name is shown in paths only when it cannot hide a key the
 * detector missed: no run of 16+ letters and digits (and + /) that has
 * both, nor such a run with - and _ too that has both cases and digits
 * (or is 24+ long).
 * Hiding too much costs little: the value is never shown anyway. */
static bool showable(const char *k, size_t n)
{
	size_t run = 0, tight = 0;
	bool up = false, lo = false, dg = false, tup = false, tlo = false, tdg = false;

	for (size_t i = 0; i <= n; i++) {
		unsigned char ch = i < n ? (unsigned char)k[i] : 0;
		bool u = ch >= 'A' && ch <= 'Z', l = ch >= 'a' && ch <= 'z', d = ch >= '0' && ch <= '9';

		if (u || l || d || ch == '+' || ch == '/') {
			tight++;
			tup |= u;
			tlo |= l;
			tdg |= d;
		} else {
			if (tight >= 16 && (tup || tlo) && tdg)
				return false;
			tight = 0;
			tup = tlo = tdg = false;
		}
		if (u || l || d || ch == '+' || ch == '/' || ch == '-' || ch == '_') {
			run++;
			up |= u;
			lo |= l;
			dg |= d;
		} else {
			if (run >= 16 && up && lo && (dg || run >= 24))
				return false;
			run = 0;
			up = lo = dg = false;
		}
	}
	return true;
}

enum vflags { V_NAMED = 1, V_BUILD_ID = 2, V_SYMBOL = 4 };

/* A member name: its own secrets, the path, and whether it names its value
 * as a secret. Returns the value's flags. */
static unsigned member(struct check *c, const char *js, const struct rti_json_token *t, bool entry)
{
	const struct rti_secret_span *sp;
	unsigned fl = 0;
	size_t k;

	if (!decode(&c->key, js, t)) {
		c->oom++;
		return 0;
	}
	c->values++;
	k = scan(c, c->key.p, c->key.len, false, &sp);
	if (k) {
		if (c->path.len)
			rti_buf_add(&c->path, ".", 1);
		rti_buf_add(&c->path, RTI_SECRET_MASK, sizeof(RTI_SECRET_MASK) - 1);
		for (size_t i = 0; i < k; i++)
			report(c, sp[i].kind, c->path.p, "member name, ", sp[i].off, sp[i].len);
		return V_NAMED;
	}
	if (!showable(c->key.p, c->key.len)) {
		if ((c->path.len && rti_buf_add(&c->path, ".", 1)) ||
		    rti_buf_add(&c->path, RTI_SECRET_MASK, sizeof(RTI_SECRET_MASK) - 1))
			c->oom++;
	} else if (!path_add_key(&c->path, c->key.p, c->key.len)) {
		c->oom++;
	}
	if (rti_secret_key_name(c->key.p, c->key.len) ||
	    (entry && (!strcmp(c->key.p, "Value") || !strcmp(c->key.p, "value"))))
		fl |= V_NAMED;
	/* random by design: build ids (Tetragon's JSON carries them as base64) */
	if (!strcmp(c->key.p, "buildid") || !strcmp(c->key.p, "build_id"))
		fl |= V_BUILD_ID;
	/* code identifiers: judged as the privacy stage judges them */
	if (!strcmp(c->key.p, "symbol") || !strcmp(c->key.p, "function_name"))
		fl |= V_SYMBOL;
	return fl;
}

static void value(struct check *c, const char *js, const struct rti_json_token *t, unsigned fl)
{
	const struct rti_secret_span *sp;
	size_t k, reported = 0;

	if (!decode(&c->val, js, t)) {
		c->oom++;
		return;
	}
	c->values++;
	k = scan(c, c->val.p, c->val.len, (fl & V_SYMBOL) != 0, &sp);
	for (size_t i = 0; i < k; i++) {
		if ((fl & V_BUILD_ID) && sp[i].kind == RTI_SECRET_ENTROPY)
			continue;
		report(c, sp[i].kind, c->path.p, "", sp[i].off, sp[i].len);
		reported++;
	}
	if (reported || !(fl & V_NAMED) || !c->val.len)
		return;
	/* named a secret: a finding unless `secret=VALUE` has none (a
	 * placeholder, a boolean, a $REFERENCE, a path) */
	c->syn.len = 0;
	if (rti_buf_add(&c->syn, NAMED_PREFIX, sizeof(NAMED_PREFIX) - 1) ||
	    rti_buf_add(&c->syn, c->val.p, c->val.len)) {
		c->oom++;
		return;
	}
	if (rti_secret_scan(c->syn.p, c->syn.len, NULL, 0))
		report(c, RTI_SECRET_PAIR, c->path.p, "named secret, ", 0, c->val.len);
}

struct frame {
	enum rti_json_type type;
	int remaining;
	size_t base;       /* path length before the container */
	size_t child_base; /* path length for its children */
	unsigned flags;    /* an array's elements inherit its name's flags */
	bool entry;        /* a {Key, Value} entry */
};

static void walk(struct check *c, const char *js, const struct rti_json_token *t, int nt)
{
	struct frame st[MAX_DEPTH + 2];
	int sp = 0, i = 0;
	unsigned fl = 0;

	c->path.len = 0;
	if (rti_buf_grow(&c->path, 0)) {
		c->oom++;
		return;
	}
	c->path.p[0] = '\0';
	for (;;) {
		struct frame *f;

		if (t[i].type == RTI_JSON_STRING) {
			value(c, js, &t[i], fl);
			i++;
		} else if (t[i].type == RTI_JSON_PRIMITIVE) {
			i++;
		} else {
			f = &st[sp++];
			f->type = t[i].type;
			f->remaining = t[i].size;
			f->base = c->path.len;
			f->flags = fl;
			f->entry = false;
			if (t[i].type == RTI_JSON_ARRAY)
				rti_buf_add(&c->path, "[]", 2);
			else
				f->entry = entry_named(c, js, t, i, nt);
			f->child_base = c->path.len;
			i++;
		}
		/* the next member or element of the innermost open container */
		for (;;) {
			if (!sp)
				return;
			f = &st[sp - 1];
			if (f->remaining)
				break;
			c->path.len = f->base;
			c->path.p[c->path.len] = '\0';
			sp--;
		}
		f->remaining--;
		c->path.len = f->child_base;
		c->path.p[c->path.len] = '\0';
		if (f->type == RTI_JSON_ARRAY) {
			fl = f->flags;
		} else {
			fl = member(c, js, &t[i], f->entry);
			i++;
		}
	}
}

/* ---------- one line ---------- */

/* Parses and validates js; NULL when it is a JSON value, else why not. */
static const char *parse(struct check *c, const char *js, size_t n, int *ntok, size_t *at)
{
	const struct rti_json_check_opts o = RTI_OPTS_INIT(rti_json_check_opts,
		.max_depth = MAX_DEPTH,
		.strings = true);
	struct rti_json_error err;
	int r = rti_json_check(c->dec, js, n, &o, &err);

	if (r >= 0) {
		*ntok = r;
		return NULL;
	}
	*at = err.offset;
	switch (err.problem) {
	case RTI_JSON_TOO_LONG:
		return "line longer than 2 GiB";
	case RTI_JSON_TOO_DEEP:
		return "nesting deeper than 128";
	case RTI_JSON_TOO_MANY_TOKENS:
		return "more than 16777216 JSON tokens";
	case RTI_JSON_EMPTY:
		return "truncated JSON value";
	default:
		return rti_json_strerror(&err);
	}
}

static void check_line(struct check *c, const char *js, size_t n)
{
	const char *why;
	size_t at = 0;
	int nt = 0;

	for (size_t i = 0; i < n; i++) {
		if (js[i] != ' ' && js[i] != '\t' && js[i] != '\r')
			break;
		if (i + 1 == n)
			return; /* blank */
	}
	if (!n)
		return;
	c->hit = false;
	why = parse(c, js, n, &nt, &at);
	if (!why) {
		walk(c, js, rti_json_tokens(c->dec), nt);
	} else {
		const struct rti_secret_span *sp;
		size_t k;

		fprintf(stderr, "%s:%llu: not JSON (byte %zu): %s\n", c->file,
			(unsigned long long)c->line, at, why);
		c->bad++;
		k = scan(c, js, n, false, &sp);
		for (size_t i = 0; i < k; i++)
			report(c, sp[i].kind, "(not JSON)", "", sp[i].off, sp[i].len);
	}
	c->lines_hit += c->hit;
}

/* ---------- input ---------- */

/* Reads every line of every input. 0, or EXIT_INTERRUPTED. */
static int check_inputs(struct check *c, const char *const *paths, size_t n)
{
	const struct rti_input_opts o = RTI_OPTS_INIT(rti_input_opts,
		.lines = true,
		.stop = &rti_cli_stop);
	struct rti_input *in;
	struct rti_input_record rec;
	int st;

	c->dec = rti_json_decoder_new(MAX_TOKENS);
	in = c->dec ? rti_input_new(paths, n, &o) : NULL;
	if (!in) {
		fprintf(stderr, "stella-rti privacy check: %s\n", strerror(errno));
		c->inputs_failed++;
		return 0;
	}
	while ((st = rti_input_next(in, &rec)) != RTI_INPUT_END) {
		if (st == RTI_INPUT_OPEN_FAILED) {
			fprintf(stderr, "stella-rti privacy check: %s: %s\n", rec.file, rec.why);
			c->inputs_failed++;
		} else if (st == RTI_INPUT_READ_ERROR) {
			fprintf(stderr, "stella-rti privacy check: %s:%llu: %s\n", rec.file,
				(unsigned long long)rec.line, rec.why);
			c->inputs_failed++;
		} else if (st == RTI_INPUT_FILE_END) {
			c->line = 0;
		} else if (st == RTI_INPUT_RECORD) {
			c->file = rec.file;
			c->line++;
			c->lines++;
			if (rec.n && rec.p[rec.n - 1] == '\r')
				rec.n--;
			check_line(c, rec.p, rec.n);
		}
	}
	rti_input_free(in);
	return rti_cli_stop ? EXIT_INTERRUPTED : 0;
}

/* ---------- the command ---------- */

static void check_usage(FILE *f)
{
	fputs("usage: stella-rti privacy check [--quiet] FILE...\n"
	      "\n"
	      "Scans NDJSON (one JSON value per line: our events, Tetragon's export;\n"
	      "plain or gzip; - is stdin) for values that look secret: AWS keys, JWTs,\n"
	      "bearer/basic credentials, password=/token: pairs and --password X,\n"
	      "URL passwords, PEM private keys, long high-entropy tokens, and values\n"
	      "whose member name says secret. Prints FILE:LINE: FIELD.PATH: KIND per\n"
	      "finding, never the value. Exit 0: none, 1: findings, 2: usage,\n"
	      "3: an input could not be read.\n"
	      "\n"
	      "      --quiet            no summary on stderr\n",
	      f);
}

static void summary(FILE *f, const struct check *c, bool interrupted)
{
	fprintf(f, "stella-rti privacy check: summary%s\n", interrupted ? " (interrupted)" : "");
	fprintf(f, "  lines read             %llu\n", (unsigned long long)c->lines);
	fprintf(f, "  values checked         %llu\n", (unsigned long long)c->values);
	fprintf(f, "  findings               %llu\n", (unsigned long long)c->findings);
	for (int k = 0; k < RTI_SECRET__COUNT; k++)
		if (c->kinds[k])
			fprintf(f, "    %-20s %llu\n", rti_secret_kind_name((enum rti_secret_kind)k),
				(unsigned long long)c->kinds[k]);
	fprintf(f, "  lines with findings    %llu\n", (unsigned long long)c->lines_hit);
	fprintf(f, "  not JSON               %llu\n", (unsigned long long)c->bad);
	if (c->oom)
		fprintf(f, "  out of memory          %llu (values not checked)\n",
			(unsigned long long)c->oom);
	if (c->inputs_failed)
		fprintf(f, "  inputs failed          %llu\n", (unsigned long long)c->inputs_failed);
}

int cmd_privacy_check(int argc, char **argv)
{
	enum { OPT_QUIET_C = 0x300, OPT_HELP_C = 'h' };
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, OPT_QUIET_C },
		{ "help", no_argument, NULL, OPT_HELP_C },
		{ NULL, 0, NULL, 0 },
	};
	struct check c;
	bool quiet = false;
	int rc = EXIT_OK, o;

	optind = 1;
	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (o) {
		case OPT_QUIET_C:
			quiet = true;
			break;
		case OPT_HELP_C:
			check_usage(stdout);
			return EXIT_OK;
		default:
			check_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fputs("stella-rti privacy check: no input (FILE or - for stdin)\n", stderr);
		check_usage(stderr);
		return EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	/* scratch for one line's strings: as large as the line itself may be */
	rti_buf_init(&c.path, SIZE_MAX / 4);
	rti_buf_init(&c.key, SIZE_MAX / 4);
	rti_buf_init(&c.val, SIZE_MAX / 4);
	rti_buf_init(&c.syn, SIZE_MAX / 4);
	rti_cli_install_signals();
	rc = check_inputs(&c, (const char *const *)argv + optind, (size_t)(argc - optind));
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "stella-rti privacy check: cannot write the findings: %s\n",
			strerror(errno));
		if (!rc)
			rc = EXIT_IO;
	}
	if (!quiet)
		summary(stderr, &c, rc == EXIT_INTERRUPTED);
	if (!rc)
		rc = c.inputs_failed ? EXIT_IO : c.findings ? EXIT_FINDINGS : EXIT_OK;
	rti_json_decoder_free(c.dec);
	rti_buf_release(&c.path);
	rti_buf_release(&c.key);
	rti_buf_release(&c.val);
	rti_buf_release(&c.syn);
	free(c.spans);
	return rc;
}
