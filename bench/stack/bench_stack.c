/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stack-bench: the costs of symbol resolution (bench/stack/run.sh).
 *
 *   cached     rti_symbolize_user() on frames already seen: the per-frame
 *              cost of convert with a warm cache (module memo + frame memo);
 *              1024 distinct frames, inside the default memo (4096 entries)
 *   miss       the same with a new offset every time: binary search in the
 *              symbol table, frame_id hash (SHA-256), no memo hit
 *   table      rti_symtab_find() alone, the binary search
 *   cold       loading a file from nothing (a new symbolizer each time):
 *              open, ELF parse, symbols, debug file, sort; median
 *
 *   stack-bench [--file PATH] [--lookups N] [--cold N] [--debug-dir DIR]
 *
 * Prints "key value" lines.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rti/symbolize.h"
#include "stack/elf.h"
#include "stack/symtab.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "lookups", required_argument, NULL, 'n' },
		{ "cold", required_argument, NULL, 'c' },
		{ "debug-dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	const char *debug_dir = NULL;
	long lookups = 20000000, cold = 21;
	struct rti_symbolizer_opts so;
	struct rti_symbolizer *s;
	struct rti_sym_result r;
	struct rti_sym_query q;
	struct rti_elf_seg segs[RTI_ELF_MAX_SEGS];
	uint64_t *offs;
	size_t noffs = 1024, resolved = 0; /* a power of two */
	double t0, t1, *colds;
	int opt, nseg;

	while ((opt = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (opt) {
		case 'f':
			file = optarg;
			break;
		case 'n':
			lookups = atol(optarg);
			break;
		case 'c':
			cold = atol(optarg);
			break;
		case 'd':
			debug_dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: stack-bench [--file PATH] [--lookups N] [--cold N] [--debug-dir DIR]\n");
			return 2;
		}
	}
	if (lookups < 1 || cold < 1)
		return 2;

	/* offsets: random ones in the executable segments of the file */
	{
		FILE *fp = fopen(file, "rb");
		struct rti_elf *e;

		if (!fp) {
			perror(file);
			return 1;
		}
		e = rti_elf_open(fileno(fp), NULL, 0);
		nseg = e ? rti_elf_segments(e, segs, RTI_ELF_MAX_SEGS) : -1;
		rti_elf_close(e);
		fclose(fp);
		if (nseg <= 0) {
			fprintf(stderr, "%s: no segments\n", file);
			return 1;
		}
	}
	offs = malloc(sizeof(*offs) * noffs);
	if (!offs)
		return 1;
	for (size_t i = 0; i < noffs;) {
		const struct rti_elf_seg *g = &segs[rnd() % (unsigned)nseg];

		if (g->exec)
			offs[i++] = g->off + rnd() % g->filesz;
	}

	memset(&so, 0, sizeof(so));
	so.sz = sizeof(so);
	so.debug_dir = debug_dir;
	so.kallsyms = "none";

	/* cold: a fresh symbolizer, one frame */
	colds = malloc(sizeof(*colds) * (size_t)cold);
	if (!colds)
		return 1;
	for (long i = 0; i < cold; i++) {
		s = rti_symbolizer_new(&so);
		t0 = now();
		rti_symbolize_elf(s, file, offs[0], &r);
		t1 = now();
		colds[i] = t1 - t0;
		if (i == 0)
			printf("cold_source %s\n", r.symbol ? rti_resolved_name(r.by) : "none");
		rti_symbolizer_free(s);
	}
	qsort(colds, (size_t)cold, sizeof(*colds), cmp_double);
	printf("cold_load_ms_median %.3f\n", colds[cold / 2] * 1e3);
	printf("cold_load_ms_min %.3f\n", colds[0] * 1e3);

	/* cached: the per-frame path of convert, warm */
	s = rti_symbolizer_new(&so);
	if (!s)
		return 1;
	memset(&q, 0, sizeof(q));
	q.module = file;
	for (size_t i = 0; i < noffs; i++) {
		q.offset = offs[i];
		rti_symbolize_user(s, &q, &r);
		resolved += r.symbol != NULL;
	}
	printf("offsets %zu resolved %zu\n", noffs, resolved);
	t0 = now();
	for (long i = 0; i < lookups; i++) {
		q.offset = offs[(size_t)i & (noffs - 1)];
		rti_symbolize_user(s, &q, &r);
	}
	t1 = now();
	printf("cached_lookups_per_s %.0f\n", (double)lookups / (t1 - t0));
	printf("cached_ns_per_lookup %.1f\n", (t1 - t0) * 1e9 / (double)lookups);

	/* miss: new offsets (binary search + frame_id) */
	{
		long n = lookups / 20;
		const struct rti_elf_seg *g = NULL;

		for (int i = 0; i < nseg; i++)
			if (segs[i].exec)
				g = &segs[i];
		t0 = now();
		for (long i = 0; i < n; i++) {
			q.offset = g->off + ((uint64_t)i * 7919) % g->filesz;
			rti_symbolize_user(s, &q, &r);
		}
		t1 = now();
		printf("miss_lookups_per_s %.0f\n", (double)n / (t1 - t0));
	}
	{
		const struct rti_symbolize_stats *st = rti_symbolizer_stats(s);

		printf("cache_files hits %llu misses %llu\n", (unsigned long long)st->files.hits,
		       (unsigned long long)st->files.misses);
		printf("cache_frames hits %llu misses %llu evictions %llu\n",
		       (unsigned long long)st->frames.hits, (unsigned long long)st->frames.misses,
		       (unsigned long long)st->frames.evictions);
	}
	rti_symbolizer_free(s);

	/* table: the binary search alone */
	{
		FILE *fp = fopen(file, "rb");
		struct rti_elf *e = fp ? rti_elf_open(fileno(fp), NULL, 0) : NULL;
		struct rti_symtab_builder b;
		struct rti_symtab *t;
		unsigned tables;
		volatile long sink = 0;
		uint64_t addr;

		rti_symtab_builder_init(&b);
		if (e)
			rti_elf_symbols(e, &b, RTI_SRC_SYMTAB, &tables);
		rti_elf_close(e);
		if (fp)
			fclose(fp);
		t = rti_symtab_build(&b);
		if (t) {
			t0 = now();
			for (long i = 0; i < lookups; i++) {
				rti_elf_off2addr(segs, (unsigned)nseg, offs[(size_t)i & (noffs - 1)], &addr);
				sink += rti_symtab_find(t, addr);
			}
			t1 = now();
			printf("table_lookups_per_s %.0f (%zu rows)\n", (double)lookups / (t1 - t0),
			       rti_symtab_rows(t));
			rti_symtab_free(t);
		}
		(void)sink;
	}
	free(offs);
	free(colds);
	return 0;
}
