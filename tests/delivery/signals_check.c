/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signals-check: drives the signals batch source (src/delivery/
 * signals_source.c) as the sender will, without HTTP: next(), then ack()
 * (or dead(), or nothing), until no batch is left; every batch's body is
 * written to OUTDIR/<id with '/' as '_'>.ndjson and its path to .path, so
 * a test can add up what "Signals" received per symbol.
 *
 *   signals-check --hot-index URL --node N --out DIR [--map FILE]
 *                 [--require] [--max-lines N] [--max-bytes N]
 *                 [--crash]           stop after the first batch, unacked
 *                 [--ack-twice]       acknowledge every batch twice
 *                 [--dead-status S]   refuse (dead) every batch with S
 *                 [--reload FILE]     after the first pass, set_map(FILE)
 *                                     and drain again
 *                 [--stall-in-settle FILE] write FILE, then hang inside the
 *                                     transaction of the first ack
 *                 [--limit N]         at most N batches
 *                 [--lease-ms N]      claim batches for N ms
 * Prints one line per batch ("batch ID records N bytes N") and per ack
 * ("acked ID applied|before"), then the stats.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery/signals_source.h"
#include "hotsym/hotsym_int.h"

static const char *stall_file;

static int hook(const char *point)
{
	if (stall_file && !strcmp(point, "signals:settle")) {
		int fd = open(stall_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0)
			close(fd);
		for (;;)
			pause(); /* killed by the test */
	}
	return 0;
}

static int write_file(const char *dir, const char *id, const char *ext, const void *p, size_t n)
{
	char name[512];
	FILE *f;
	size_t w;
	int len = snprintf(name, sizeof(name), "%s/%s%s", dir, id, ext);

	if (len < 0 || (size_t)len >= sizeof(name))
		return -1;
	for (char *c = name + strlen(dir) + 1; *c; c++)
		if (*c == '/')
			*c = '_';
	f = fopen(name, "wb");
	if (!f)
		return -1;
	w = n ? fwrite(p, 1, n, f) : 0;
	return fclose(f) || w != n ? -1 : 0;
}

struct run {
	const struct rti_batch_source_ops *ops;
	struct rti_signals_source *s;
	const char *out;
	bool crash, ack_twice;
	long dead_status;
	unsigned long limit, done;
};

/* next/settle until no batch is left: 0, 1 crashed on purpose, -1 error */
static int drain(struct run *r, uint64_t now_ms)
{
	struct rti_batch b;
	int rc;

	while (!r->limit || r->done < r->limit) {
		rc = r->ops->next(r->s, &b, now_ms);
		if (rc < 0) {
			fprintf(stderr, "next: %s\n", rti_signals_source_errmsg(r->s));
			return -1;
		}
		if (!rc)
			return 0;
		printf("batch %s records %" PRIu64 " bytes %zu\n", b.id, b.records, b.len);
		if (write_file(r->out, b.id, ".ndjson", b.body, b.len) ||
		    write_file(r->out, b.id, ".path", b.path, strlen(b.path)))
			return -1;
		fflush(stdout);
		r->done++;
		if (r->crash)
			return 1;
		for (int k = 0; k < (r->ack_twice ? 2 : 1); k++) {
			struct rti_signals_source_stats st0, st1;

			rti_signals_source_stats(r->s, &st0);
			rc = r->dead_status ? r->ops->dead(r->s, &b, r->dead_status, "{\"error\":1}", 11)
					    : r->ops->ack(r->s, &b);
			if (rc) {
				fprintf(stderr, "ack: %s\n", rti_signals_source_errmsg(r->s));
				return -1;
			}
			rti_signals_source_stats(r->s, &st1);
			printf("%s %s %s\n", r->dead_status ? "dead" : "acked", b.id,
			       st1.acked + st1.dead > st0.acked + st0.dead ? "applied" : "before");
		}
	}
	return 0;
}

static void print_stats(struct rti_signals_source *s, const struct rti_batch_source_ops *ops)
{
	struct rti_signals_source_stats st;

	rti_signals_source_stats(s, &st);
	printf("stats freezes %" PRIu64 " frozen %" PRIu64 " acked %" PRIu64 " before %" PRIu64
	       " dead %" PRIu64 " held %" PRIu64 " hosts %" PRIu64 " errors %" PRIu64 "\n",
	       st.freezes, st.batches_frozen, st.acked, st.acked_before, st.dead,
	       ops->held(s), st.host_scopes, st.errors);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "hot-index", 1, NULL, 'u' }, { "node", 1, NULL, 'n' }, { "out", 1, NULL, 'o' },
		{ "map", 1, NULL, 'm' }, { "require", 0, NULL, 'r' }, { "max-lines", 1, NULL, 'L' },
		{ "max-bytes", 1, NULL, 'B' }, { "crash", 0, NULL, 'c' },
		{ "ack-twice", 0, NULL, 't' }, { "dead-status", 1, NULL, 'd' },
		{ "reload", 1, NULL, 'R' }, { "stall-in-settle", 1, NULL, 's' },
		{ "limit", 1, NULL, 'l' }, { "lease-ms", 1, NULL, 'e' }, { NULL, 0, NULL, 0 },
	};
	struct rti_signals_source_opts o = RTI_OPTS_INIT(rti_signals_source_opts,
							 .interval_ms = 3600000);
	struct run r = { .ops = rti_signals_source_ops() };
	const char *reload = NULL;
	char err[1024];
	int c, rc;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u': o.hot_index = optarg; break;
		case 'n': o.node = optarg; break;
		case 'o': r.out = optarg; break;
		case 'm': o.callgraph_map = optarg; break;
		case 'r': o.require_callgraph = true; break;
		case 'L': o.max_lines = strtoull(optarg, NULL, 10); break;
		case 'B': o.max_bytes = strtoull(optarg, NULL, 10); break;
		case 'c': r.crash = true; break;
		case 't': r.ack_twice = true; break;
		case 'd': r.dead_status = strtol(optarg, NULL, 10); break;
		case 'R': reload = optarg; break;
		case 's': stall_file = optarg; break;
		case 'l': r.limit = strtoul(optarg, NULL, 10); break;
		case 'e': o.lease_ms = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!o.hot_index || !r.out) {
		fprintf(stderr, "usage: signals-check --hot-index URL --out DIR [options]\n");
		return 2;
	}
	rti_hotsym__test_hook = hook;
	r.s = rti_signals_source_open(&o, err, sizeof(err));
	if (!r.s) {
		fprintf(stderr, "%s\n", err);
		return 3;
	}
	rc = drain(&r, 1000);
	print_stats(r.s, r.ops);
	if (!rc && reload) {
		if (rti_signals_source_set_map(r.s, reload, err, sizeof(err))) {
			printf("reload failed: %s\n", err);
		} else {
			printf("reloaded\n");
			rc = drain(&r, 2000);
			print_stats(r.s, r.ops);
		}
	}
	r.ops->destroy(r.s);
	return rc < 0 ? 1 : 0;
}
