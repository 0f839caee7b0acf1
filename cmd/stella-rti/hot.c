/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti hot: reads the hot symbol index (docs/hot-index.md).
 *
 *   hot top    the hottest symbols (table or §7 JSON)
 *   hot query  one symbol_id in every scope
 *   hot export Signals runtime facts, execution evidence, the trace blob
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/opts.h"
#include "rti/io.h"
#include "cli.h"
#include "rti/canon.h"
#include "rti/hotsym.h"
#include "rti/time.h"

#define MAX_TABLE_ROWS 1000000

static void hot_usage(FILE *f)
{
	fputs("usage: stella-rti hot <command> --hot-index URL [options]\n"
	      "\n"
	      "commands:\n"
	      "  top [--scope S] [--limit N] [--format table|json] [--since T] [--until T]\n"
	      "          the hottest symbols (default 20; --limit 0 lists all)\n"
	      "  query SYMBOL_ID [--scope S] [--format table|json]\n"
	      "          one symbol in every scope; exit 1 when it was never observed\n"
	      "  export --format signals-ndjson|execution-evidence|trace-blob|folded\n"
	      "         [--scope S] [--since T] [--until T] [-o OUT]\n"
	      "         [--environment ID] [--hot-symbols N]\n"
	      "          Signals runtime facts, executionEvidence@v1 statements (one per\n"
	      "          image), the canonical trace blob of one scope, or the exemplar\n"
	      "          call paths as folded stacks for flame graphs\n"
	      "\n"
	      "options:\n"
	      "      --hot-index URL    sqlite:PATH or postgres://... (required)\n"
	      "      --scope S          image:sha256:<hex> or host:<node>\n"
	      "      --since T, --until T  RFC 3339 times: entries seen within [T1, T2]\n"
	      "  -o, --output OUT       write to OUT (default: stdout)\n"
	      "      --quiet            no notes on stderr\n",
	      f);
}

enum {
	OPT_URL = 0x200, OPT_SCOPE, OPT_LIMIT, OPT_FORMAT, OPT_SINCE, OPT_UNTIL,
	OPT_ENV, OPT_HOTN, OPT_QUIET_, OPT_HELP_ = 'h', OPT_OUT = 'o',
};

struct hot_args {
	const char *url;
	const char *format;
	const char *output;
	const char *environment;
	struct rti_hot_filter f;
	unsigned hot_symbols;
	bool quiet;
	bool limit_set;
};

static int parse_time(const char *opt, const char *s, struct rti_time *t)
{
	const char *why = NULL;

	if (rti_time_parse(s, strlen(s), t, &why)) {
		fprintf(stderr, "stella-rti hot: %s '%s': %s (expected RFC 3339, e.g. "
				"2026-11-20T10:00:00Z)\n",
			opt, s, why ? why : "bad time");
		return -1;
	}
	t->set = true;
	return 0;
}

static int parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || x > max) {
		fprintf(stderr, "stella-rti hot: %s: expected a number 0..%llu\n", opt,
			(unsigned long long)max);
		return -1;
	}
	*v = x;
	return 0;
}

/* 0, or an exit code. */
static int parse(int argc, char **argv, struct hot_args *a)
{
	static const struct option longopts[] = {
		{ "hot-index", required_argument, NULL, OPT_URL },
		{ "scope", required_argument, NULL, OPT_SCOPE },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "environment", required_argument, NULL, OPT_ENV },
		{ "hot-symbols", required_argument, NULL, OPT_HOTN },
		{ "output", required_argument, NULL, OPT_OUT },
		{ "quiet", no_argument, NULL, OPT_QUIET_ },
		{ "help", no_argument, NULL, OPT_HELP_ },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->f.limit = 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		uint64_t v;

		switch (c) {
		case OPT_URL:
			a->url = optarg;
			break;
		case OPT_SCOPE:
			a->f.scope = optarg;
			break;
		case OPT_LIMIT:
			if (parse_u64("--limit", optarg, UINT32_MAX, &v))
				return EXIT_USAGE;
			a->f.limit = v;
			a->limit_set = true;
			break;
		case OPT_FORMAT:
			a->format = optarg;
			break;
		case OPT_SINCE:
			if (parse_time("--since", optarg, &a->f.since))
				return EXIT_USAGE;
			break;
		case OPT_UNTIL:
			if (parse_time("--until", optarg, &a->f.until))
				return EXIT_USAGE;
			break;
		case OPT_ENV:
			a->environment = optarg;
			break;
		case OPT_HOTN:
			if (parse_u64("--hot-symbols", optarg, 1000, &v))
				return EXIT_USAGE;
			a->hot_symbols = (unsigned)v;
			break;
		case OPT_OUT:
			a->output = optarg;
			break;
		case OPT_QUIET_:
			a->quiet = true;
			break;
		case OPT_HELP_:
			hot_usage(stdout);
			return -1;
		default:
			hot_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!a->url) {
		fprintf(stderr, "stella-rti hot: --hot-index URL is required "
				"(sqlite:PATH or postgres://...)\n");
		return EXIT_USAGE;
	}
	return 0;
}

static struct rti_hotsym *open_index(const struct hot_args *a)
{
	struct rti_hotsym_opts o = RTI_OPTS_INIT(rti_hotsym_opts, .read_only = true);
	struct rti_hotsym *h;
	char err[768];

	h = rti_hotsym_open(a->url, &o, err, sizeof(err));
	if (!h) {
		int e = errno;

		fprintf(stderr, "stella-rti: %s\n", err);
		errno = e;
	}
	return h;
}

static int open_out(const char *path)
{
	int fd;

	if (!path || !strcmp(path, "-"))
		return 1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fprintf(stderr, "stella-rti: %s: %s\n", path, strerror(errno));
	return fd;
}

/* ---- top / query listings ---- */

struct row {
	char *scope, *symbol_id, *ptypes;
	uint64_t hits;
};

struct listing {
	bool json;
	struct rti_buf out;
	size_t count;
	struct row *rows; /* table */
	size_t nrows, cap;
	int err;
};

static int list_json(struct listing *l, const struct rti_hot_entry *e)
{
	int err = rti_buf_addch(&l->out, l->count ? ',' : '[');

	if (!err)
		err = rti_hot_entry_json(e, &l->out);
	if (!err && l->out.len > (1u << 20)) {
		err = rti_write_all(1, l->out.p, l->out.len);
		rti_buf_reset(&l->out);
	}
	return err;
}

static char *ptype_list(uint32_t bits)
{
	struct rti_buf b = RTI_BUF_INIT(512);
	int err = 0;

	/* same order as the JSON: sorted names */
	const char *names[RTI_PROBE__COUNT];
	unsigned n = rti_hot_probe_type_names(bits, names);

	for (unsigned i = 0; i < n && !err; i++) {
		if (i)
			err = rti_buf_addch(&b, ',');
		if (!err)
			err = rti_buf_addstr(&b, names[i]);
	}
	if (err || !b.p) {
		rti_buf_release(&b);
		return strdup("-");
	}
	return b.p;
}

/* The table shows an image digest shortened like container tools do. */
static char *short_scope(const char *scope)
{
	char buf[64];

	if (!strncmp(scope, "image:sha256:", 13) && strlen(scope) > 13 + 12) {
		snprintf(buf, sizeof(buf), "image:sha256:%.12s", scope + 13);
		return strdup(buf);
	}
	return strdup(scope);
}

static int list_row(void *arg, const struct rti_hot_entry *e)
{
	struct listing *l = arg;
	struct row *r;

	if (l->json) {
		int err = list_json(l, e);

		l->count++;
		return err;
	}
	if (l->nrows == MAX_TABLE_ROWS)
		return -E2BIG;
	if (l->nrows == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct row *nr = realloc(l->rows, ncap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		l->rows = nr;
		l->cap = ncap;
	}
	r = &l->rows[l->nrows];
	r->scope = short_scope(e->scope);
	r->symbol_id = strdup(e->symbol_id);
	r->ptypes = ptype_list(e->probe_types);
	r->hits = e->hit_count;
	l->nrows++;
	l->count++;
	if (!r->scope || !r->symbol_id || !r->ptypes)
		return -ENOMEM;
	return 0;
}

static int print_table(struct listing *l)
{
	int ws = (int)strlen("SYMBOL_ID"), wc = (int)strlen("SCOPE");
	int err = 0;

	for (size_t i = 0; i < l->nrows; i++) {
		int n = (int)strlen(l->rows[i].symbol_id);
		int m = (int)strlen(l->rows[i].scope);

		ws = n > ws ? n : ws;
		wc = m > wc ? m : wc;
	}
	if (!l->nrows)
		return 0;
	err = rti_buf_addf(&l->out, "%12s  %-*s  %-*s  %s\n", "HITS", ws, "SYMBOL_ID", wc,
			   "SCOPE", "PROBE_TYPES");
	for (size_t i = 0; i < l->nrows && !err; i++)
		err = rti_buf_addf(&l->out, "%12llu  %-*s  %-*s  %s\n",
				   (unsigned long long)l->rows[i].hits, ws, l->rows[i].symbol_id,
				   wc, l->rows[i].scope, l->rows[i].ptypes);
	return err;
}

static void free_listing(struct listing *l)
{
	for (size_t i = 0; i < l->nrows; i++) {
		free(l->rows[i].scope);
		free(l->rows[i].symbol_id);
		free(l->rows[i].ptypes);
	}
	free(l->rows);
	rti_buf_release(&l->out);
}

static int run_listing(struct hot_args *a, const char *what)
{
	struct rti_hotsym *h;
	struct listing l;
	int rc = EXIT_OK;
	int err;

	if (a->format && strcmp(a->format, "table") && strcmp(a->format, "json")) {
		fprintf(stderr, "stella-rti hot %s: --format: expected table or json\n", what);
		return EXIT_USAGE;
	}
	memset(&l, 0, sizeof(l));
	l.json = a->format && !strcmp(a->format, "json");
	rti_buf_init(&l.out, 64u << 20);
	h = open_index(a);
	if (!h) {
		free_listing(&l);
		return errno == EINVAL ? EXIT_USAGE : EXIT_IO;
	}
	err = rti_hotsym_scan(h, &a->f, list_row, &l);
	if (!err && l.json)
		err = l.count ? rti_buf_addstr(&l.out, "]\n") : rti_buf_addstr(&l.out, "[]\n");
	else if (!err)
		err = print_table(&l);
	if (err) {
		const char *m = rti_hotsym_errmsg(h);

		fprintf(stderr, "stella-rti hot %s: %s\n", what, *m ? m : strerror(-err));
		rc = EXIT_IO;
	} else if (rti_write_all(1, l.out.p, l.out.len)) {
		fprintf(stderr, "stella-rti hot %s: writing output: %s\n", what, strerror(errno));
		rc = EXIT_IO;
	} else if (a->f.symbol_id && !l.count) {
		if (!a->quiet)
			fprintf(stderr, "stella-rti hot query: %s: never observed%s%s\n",
				a->f.symbol_id, a->f.scope ? " in " : "",
				a->f.scope ? a->f.scope : "");
		rc = EXIT_BAD_INPUT;
	}
	free_listing(&l);
	rti_hotsym_close(h);
	return rc;
}

static int hot_top(int argc, char **argv)
{
	struct hot_args a;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc) {
		fprintf(stderr, "stella-rti hot top: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	a.f.order = RTI_HOT_BY_HITS;
	return run_listing(&a, "top");
}

static int hot_query(int argc, char **argv)
{
	struct hot_args a;
	int rc = parse(argc, argv, &a);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (argc - optind != 1) {
		fprintf(stderr, "stella-rti hot query: expected one SYMBOL_ID "
				"(e.g. kernel!tcp_connect)\n");
		return EXIT_USAGE;
	}
	a.f.symbol_id = argv[optind];
	a.f.order = RTI_HOT_BY_HITS;
	if (!a.limit_set)
		a.f.limit = 0;
	return run_listing(&a, "query");
}

static int hot_export(int argc, char **argv)
{
	struct rti_hot_export_opts eo = RTI_OPTS_INIT(rti_hot_export_opts);
	struct rti_hotsym *h;
	struct hot_args a;
	int rc = parse(argc, argv, &a);
	int fd, err;

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (optind != argc) {
		fprintf(stderr, "stella-rti hot export: unexpected argument '%s'\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	if (!a.format) {
		fprintf(stderr, "stella-rti hot export: --format is required "
				"(signals-ndjson, execution-evidence, trace-blob or folded)\n");
		return EXIT_USAGE;
	} else if (!strcmp(a.format, "signals-ndjson")) {
		eo.format = RTI_HOT_EXPORT_SIGNALS;
	} else if (!strcmp(a.format, "execution-evidence")) {
		eo.format = RTI_HOT_EXPORT_EVIDENCE;
	} else if (!strcmp(a.format, "folded")) {
		eo.format = RTI_HOT_EXPORT_FOLDED;
	} else if (!strcmp(a.format, "trace-blob")) {
		eo.format = RTI_HOT_EXPORT_TRACE_BLOB;
		if (!a.f.scope) {
			fprintf(stderr, "stella-rti hot export: trace-blob needs --scope\n");
			return EXIT_USAGE;
		}
	} else {
		fprintf(stderr, "stella-rti hot export: --format '%s': expected signals-ndjson, "
				"execution-evidence, trace-blob or folded\n",
			a.format);
		return EXIT_USAGE;
	}
	if (eo.format == RTI_HOT_EXPORT_EVIDENCE && a.f.scope &&
	    strncmp(a.f.scope, "image:sha256:", 13)) {
		fprintf(stderr, "stella-rti hot export: execution evidence needs an image scope "
				"(image:sha256:<hex>); a host has no artifact digest\n");
		return EXIT_USAGE;
	}
	eo.scope = a.f.scope;
	eo.since = a.f.since;
	eo.until = a.f.until;
	eo.environment = a.environment;
	eo.hot_symbols = a.hot_symbols;
	h = open_index(&a);
	if (!h)
		return errno == EINVAL ? EXIT_USAGE : EXIT_IO;
	fd = open_out(a.output);
	if (fd < 0) {
		rti_hotsym_close(h);
		return EXIT_IO;
	}
	err = rti_hotsym_export(h, &eo, fd);
	if (err) {
		const char *m = rti_hotsym_errmsg(h);

		fprintf(stderr, "stella-rti hot export: %s\n", *m ? m : strerror(-err));
		rc = EXIT_IO;
	} else if (eo.paths_without_exemplar && !a.quiet) {
		fprintf(stderr, "stella-rti hot export: %llu call path(s) without an exemplar "
				"(bounded per scope; docs/hot-index.md)\n",
			(unsigned long long)eo.paths_without_exemplar);
	} else if (eo.skipped_scopes && !a.quiet) {
		fprintf(stderr, "stella-rti hot export: %llu host scope(s) skipped: execution "
				"evidence is per image\n",
			(unsigned long long)eo.skipped_scopes);
	}
	if (fd != 1 && close(fd) && !rc) {
		fprintf(stderr, "stella-rti: %s: %s\n", a.output, strerror(errno));
		rc = EXIT_IO;
	}
	rti_hotsym_close(h);
	return rc;
}

int cmd_hot(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} subs[] = {
		{ "top", hot_top },
		{ "query", hot_query },
		{ "export", hot_export },
	};

	if (argc < 2) {
		hot_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		hot_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "stella-rti hot: unknown command '%s'\n", argv[1]);
	hot_usage(stderr);
	return EXIT_USAGE;
}
