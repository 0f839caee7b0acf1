/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hotsym-bench: the hot symbol index's two costs.
 *
 *   aggregation  canonical events (built in memory, no JSON) through the
 *                sink's event(): observations derived (§7), counted once
 *                per event, stack digests for unique call paths
 *   flush        one batch of N distinct symbols committed to a store:
 *                first as new rows (inserts), then again (updates)
 *
 *   hotsym-bench [--events N] [--rows N] [--sqlite PATH] [--pg URL]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rti/canon.h"
#include "rti/hotsym.h"

#define FRAMES 16     /* 8 kernel + 8 user frames per stack */
#define STACKS 4096   /* distinct stacks */
#define SYMBOLS 5000  /* symbol pool */
#define IMAGES 8

static double clock_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of this thread: the machine is shared, wall time is noisy. */
static double cpu_s(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("strdup");
		exit(1);
	}
	return d;
}

struct world {
	char *syms[SYMBOLS];
	char *modules[4], *code_ids[4];
	struct rti_frame stacks[STACKS][FRAMES];
	char digests[IMAGES][80];
};

static void build(struct world *w)
{
	static const char *const mods[4] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libssl.so.3",
		"/usr/lib/x86_64-linux-gnu/libz.so.1", "/app/bin/server",
	};
	char buf[128];

	for (int i = 0; i < SYMBOLS; i++) {
		snprintf(buf, sizeof(buf), "function_%04d_%s", i, i % 3 ? "impl" : "entry");
		w->syms[i] = xstrdup(buf);
	}
	for (int i = 0; i < 4; i++) {
		w->modules[i] = xstrdup(mods[i]);
		snprintf(buf, sizeof(buf), "gnu-build-id:%040llx", (unsigned long long)rnd());
		w->code_ids[i] = xstrdup(buf);
	}
	for (int s = 0; s < STACKS; s++) {
		for (int f = 0; f < FRAMES; f++) {
			struct rti_frame *fr = &w->stacks[s][f];
			int m = (int)(rnd() % 4);

			memset(fr, 0, sizeof(*fr));
			fr->space = f < FRAMES / 2 ? RTI_SPACE_KERNEL : RTI_SPACE_USER;
			fr->module = fr->space == RTI_SPACE_KERNEL ? "[kernel]" : w->modules[m];
			fr->code_id = fr->space == RTI_SPACE_KERNEL ? "kernel" : w->code_ids[m];
			fr->symbol = w->syms[rnd() % SYMBOLS];
			fr->offset = rnd() % 4096;
			snprintf(fr->frame_id, sizeof(fr->frame_id), "sha256:%016llx%016llx",
				 (unsigned long long)rnd(), (unsigned long long)rnd());
			fr->resolved_by = "agent";
		}
	}
	for (int i = 0; i < IMAGES; i++)
		snprintf(w->digests[i], sizeof(w->digests[i]), "sha256:%016llx%016llx%016llx%016llx",
			 (unsigned long long)rnd(), (unsigned long long)rnd(),
			 (unsigned long long)rnd(), (unsigned long long)rnd());
}

static struct rti_hotsym *open_h(const char *url, const struct rti_hotsym_opts *o)
{
	char err[768];
	struct rti_hotsym *h = rti_hotsym_open(url, o, err, sizeof(err));

	if (!h) {
		fprintf(stderr, "hotsym-bench: %s\n", err);
		exit(1);
	}
	return h;
}

static double aggregation(struct world *w, const char *url, uint64_t events)
{
	struct rti_hotsym_opts o;
	const struct rti_sink_ops *ops;
	struct rti_hotsym *h;
	struct rti_event ev;
	struct rti_canon cn;
	void *ctx;
	double t0, c0, dt, dc;
	uint64_t obs;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.node = "bench";
	o.flush_every = UINT64_MAX; /* measure counting, not committing */
	o.flush_interval_s = 3600;
	h = open_h(url, &o);
	rti_hotsym_sink(h, &ops, &ctx);
	memset(&ev, 0, sizeof(ev));
	memset(&cn, 0, sizeof(cn));
	ev.node_name = "node-a";
	ev.time.set = true;
	ev.time.sec = 1795000000;
	ev.function = "tcp_connect";
	cn.probe = RTI_PROBE_KPROBE;
	cn.n_frames = FRAMES;
	t0 = now_s();
	c0 = cpu_s();
	for (uint64_t i = 0; i < events; i++) {
		cn.frames = w->stacks[i % STACKS];
		memcpy(cn.image_digest, w->digests[i % IMAGES], sizeof(cn.image_digest));
		ev.time.nsec = (uint32_t)(i % 1000000000u);
		if (ops->event(ctx, &ev, &cn, NULL, 0)) {
			fprintf(stderr, "hotsym-bench: event: %s\n", rti_hotsym_errmsg(h));
			exit(1);
		}
	}
	dc = cpu_s() - c0;
	dt = now_s() - t0;
	obs = rti_hotsym_stats(h)->observations;
	printf("aggregation: %" PRIu64 " events, %" PRIu64 " observations (%u frames/event, "
	       "%" PRIu64 " distinct entries): %.2f M observations/s of CPU time "
	       "(%.2f M/s wall, %.0f ns/event)\n",
	       events, obs, FRAMES + 1, rti_hotsym_stats(h)->entries, (double)obs / dc / 1e6,
	       (double)obs / dt / 1e6, dc * 1e9 / (double)events);
	rti_hotsym_close(h); /* commits: not measured */
	return (double)obs / dc / 1e6;
}

/* One batch of `rows` distinct symbols in one scope, 10 per event. */
static double one_flush(const char *url, const char *label, uint64_t rows, int pass)
{
	struct rti_hotsym_opts o;
	const struct rti_sink_ops *ops;
	struct rti_hotsym *h;
	struct rti_frame fr[10];
	char names[10][64];
	struct rti_event ev;
	struct rti_canon cn;
	void *ctx;
	double t0, dt;
	uint64_t n = 0;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.node = "bench";
	o.flush_every = UINT64_MAX;
	o.flush_interval_s = 3600;
	o.max_entries = rows + 1024;
	o.max_paths = rows / 10 + 1024;
	o.max_bytes = 256u << 20;
	h = open_h(url, &o);
	rti_hotsym_sink(h, &ops, &ctx);
	memset(&ev, 0, sizeof(ev));
	memset(&cn, 0, sizeof(cn));
	ev.node_name = "node-a";
	ev.time.set = true;
	ev.time.sec = 1795000000 + pass;
	cn.probe = RTI_PROBE_UPROBE;
	cn.frames = fr;
	cn.n_frames = 10;
	snprintf(cn.image_digest, sizeof(cn.image_digest), "sha256:%064d", 7);
	memset(fr, 0, sizeof(fr));
	for (int i = 0; i < 10; i++) {
		fr[i].space = RTI_SPACE_USER;
		fr[i].module = "/app/bin/server";
		fr[i].code_id = "gnu-build-id:0123456789abcdef0123456789abcdef01234567";
		fr[i].symbol = names[i];
		fr[i].resolved_by = "symtab";
	}
	while (n < rows) {
		for (int i = 0; i < 10; i++) {
			snprintf(names[i], sizeof(names[i]), "ns%" PRIu64 "::Class::method_%" PRIu64,
				 (n + (uint64_t)i) / 100, n + (uint64_t)i);
			snprintf(fr[i].frame_id, sizeof(fr[i].frame_id), "sha256:%032" PRIx64,
				 n + (uint64_t)i);
		}
		if (ops->event(ctx, &ev, &cn, NULL, 0)) {
			fprintf(stderr, "hotsym-bench: event: %s\n", rti_hotsym_errmsg(h));
			exit(1);
		}
		n += 10;
	}
	t0 = now_s();
	if (rti_hotsym_flush(h)) {
		fprintf(stderr, "hotsym-bench: flush: %s\n", rti_hotsym_errmsg(h));
		exit(1);
	}
	dt = now_s() - t0;
	printf("flush %-8s %" PRIu64 " distinct symbols + %" PRIu64 " call paths, %s: %.3f s "
	       "(target <= %s)\n",
	       label, rti_hotsym_stats(h)->rows_flushed, rti_hotsym_stats(h)->paths_flushed,
	       pass ? "existing rows (update)" : "new rows (insert)", dt,
	       strcmp(label, "sqlite") ? "1.5" : "0.5");
	rti_hotsym_close(h);
	return dt;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "rows", required_argument, NULL, 'r' },
		{ "sqlite", required_argument, NULL, 's' },
		{ "pg", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	static struct world w;
	uint64_t events = 2000000, rows = 100000;
	const char *sqlite_path = NULL, *pg = NULL;
	char url[4200];
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'e': events = strtoull(optarg, NULL, 10); break;
		case 'r': rows = strtoull(optarg, NULL, 10); break;
		case 's': sqlite_path = optarg; break;
		case 'p': pg = optarg; break;
		default: return 2;
		}
	}
	if (!sqlite_path) {
		fprintf(stderr, "usage: hotsym-bench --sqlite PATH [--pg URL] [--events N] [--rows N]\n");
		return 2;
	}
	build(&w);
	snprintf(url, sizeof(url), "sqlite:%s.agg", sqlite_path);
	{
		double r[3], t;

		for (int i = 0; i < 3; i++)
			r[i] = aggregation(&w, url, events);
		/* the median of three */
		if (r[0] > r[1]) { t = r[0]; r[0] = r[1]; r[1] = t; }
		if (r[1] > r[2]) { t = r[1]; r[1] = r[2]; r[2] = t; }
		if (r[0] > r[1]) { t = r[0]; r[0] = r[1]; r[1] = t; }
		printf("aggregation median: %.2f M observations/s (target >= 5)\n", r[1]);
	}
	snprintf(url, sizeof(url), "sqlite:%s", sqlite_path);
	one_flush(url, "sqlite", rows, 0);
	one_flush(url, "sqlite", rows, 1);
	if (pg) {
		one_flush(pg, "postgres", rows, 0);
		one_flush(pg, "postgres", rows, 1);
	}
	return 0;
}
