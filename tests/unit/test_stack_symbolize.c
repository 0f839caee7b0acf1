/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbolizer's caches change speed, never output: the same frames of
 * two system libraries, interleaved, through a symbolizer with default
 * caches and one whose caches hold a single file, module and frame set
 * (every other lookup evicts). Every field must agree, and the counters
 * must show the evictions. Plus option and error handling.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/symbolize.h"
#include "tap.h"

#define N 600

static int same(const struct rti_sym_result *a, const struct rti_sym_result *b)
{
#define STR_EQ(x, y) ((!(x) && !(y)) || ((x) && (y) && !strcmp((x), (y))))
	return a->kind == b->kind && STR_EQ(a->code_id, b->code_id) &&
	       STR_EQ(a->symbol, b->symbol) && STR_EQ(a->raw_symbol, b->raw_symbol) &&
	       a->symbol_offset == b->symbol_offset && a->by == b->by && a->why == b->why &&
	       !strcmp(a->frame_id, b->frame_id);
#undef STR_EQ
}

int main(void)
{
	static const char *const libs[] = {
		"/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/usr/lib/x86_64-linux-gnu/libz.so.1",
	};
	struct rti_symbolizer_opts big, tiny;
	struct rti_symbolizer *a, *b;
	struct rti_sym_result ra, rb;
	struct rti_sym_query q;
	uint64_t x = 0x2545f4914f6cdd1dULL;
	int diff = 0, resolved = 0;
	const struct rti_symbolize_stats *st;

	if (access(libs[0], R_OK) || access(libs[1], R_OK)) {
		ok(1, "# SKIP system libraries missing");
		return done_testing();
	}
	memset(&big, 0, sizeof(big));
	big.sz = sizeof(big);
	big.kallsyms = "none";
	tiny = big;
	tiny.max_files = 1;
	tiny.module_slots = 1;
	tiny.frame_slots = 1;
	tiny.loader_slots = 1;
	a = rti_symbolizer_new(&big);
	b = rti_symbolizer_new(&tiny);
	ok(a && b, "symbolizers");
	if (!a || !b)
		return done_testing();
	memset(&q, 0, sizeof(q));
	for (int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		q.module = libs[i & 1];
		q.offset = 0x1000 + x % 0x150000; /* some beyond libz's segments */
		q.pid = (uint32_t)(i % 3); /* 0: host path; others: no such process here */
		q.pid = q.pid ? 999999000u + q.pid : 0;
		rti_symbolize_user(a, &q, &ra);
		rti_symbolize_user(b, &q, &rb);
		if (!same(&ra, &rb)) {
			if (diff++ < 5)
				printf("# differ at %s+0x%llx: %s / %s\n", q.module,
				       (unsigned long long)q.offset, ra.symbol ? ra.symbol : "-",
				       rb.symbol ? rb.symbol : "-");
		}
		resolved += ra.symbol != NULL;
	}
	ok(diff == 0, "tiny caches, same answers (%d of %d differ)", diff, N);
	ok(resolved > N / 3, "most frames resolved (%d of %d)", resolved, N);
	st = rti_symbolizer_stats(b);
	ok(st->files.evictions > 50 && st->files.entries <= 1, "tiny: files evicted (%llu), at most one kept",
	   (unsigned long long)st->files.evictions);
	ok(st->frames.evictions > 50, "tiny: frames evicted (%llu)", (unsigned long long)st->frames.evictions);
	ok(st->modules.evictions > 50, "tiny: modules evicted (%llu)", (unsigned long long)st->modules.evictions);
	st = rti_symbolizer_stats(a);
	ok(st->files.misses >= 2 && st->files.evictions == 0, "default: no evictions (%llu files parsed)",
	   (unsigned long long)st->files.misses);
	ok(st->frames.hits + st->frames.misses > 0 && st->modules.hits > N / 2,
	   "default: module memo hits (%llu)", (unsigned long long)st->modules.hits);
	ok(st->pid_gone > 0 && st->found_host > 0, "pids that do not exist: host path (%llu)",
	   (unsigned long long)st->pid_gone);

	/* the same results through rti_symbolize_elf */
	q.pid = 0;
	q.module = libs[0];
	q.offset = 0x4ba4f;
	rti_symbolize_user(a, &q, &ra);
	rti_symbolize_elf(b, libs[0], 0x4ba4f, &rb);
	ok(same(&ra, &rb) && ra.symbol && ra.code_id, "symbolize_elf == symbolize_user (%s)",
	   ra.symbol ? ra.symbol : "-");

	/* loader build ids: bad arguments, and a join */
	ok(rti_symbolizer_add_build_id(a, 1, 0, NULL, (const unsigned char *)"x", 1) == -EINVAL &&
		   rti_symbolizer_add_build_id(a, 1, 0, "/x", NULL, 0) == -EINVAL,
	   "add_build_id: bad arguments");
	ok(!rti_symbolizer_add_build_id(a, 424242, 7, "/nonexistent/lib.so",
					(const unsigned char *)"\x01\x02\x03\x04", 4), "add_build_id");
	q.module = "/nonexistent/lib.so";
	q.pid = 424242;
	q.start_ns = 7;
	q.offset = 0x10;
	rti_symbolize_user(a, &q, &ra);
	is_str(ra.code_id, "gnu-build-id:01020304", "loader build id joined by process and path");
	ok(ra.why == RTI_UNRES_NOT_FOUND && !ra.symbol && ra.frame_id[0], "no file: identity only");
	q.start_ns = 8;
	rti_symbolize_user(a, &q, &ra);
	ok(!ra.code_id && ra.why == RTI_UNRES_NOT_FOUND, "another process: no join");
	st = rti_symbolizer_stats(a);
	ok(st->loader_ids == 1 && st->loader.entries == 1 && st->loader.hits == 1 &&
		   st->loader.misses == 1 && st->loader_used == 1,
	   "loader counters (stored %llu, hits %llu, misses %llu)",
	   (unsigned long long)st->loader_ids, (unsigned long long)st->loader.hits,
	   (unsigned long long)st->loader.misses);

	/* odd queries */
	q.pid = 0;
	q.module = "relative/path.so";
	rti_symbolize_user(a, &q, &ra);
	ok(ra.why == RTI_UNRES_BAD_PATH, "relative path: %s", rti_unresolved_name(ra.why));
	q.module = "/usr/lib/../lib/x86_64-linux-gnu/libc.so.6";
	rti_symbolize_user(a, &q, &ra);
	ok(ra.why == RTI_UNRES_BAD_PATH, "'..' in a path: %s", rti_unresolved_name(ra.why));
	q.module = "/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)";
	rti_symbolize_user(a, &q, &ra);
	ok(ra.why == RTI_UNRES_DELETED, "deleted: %s", rti_unresolved_name(ra.why));
	q.module = "[vdso]";
	rti_symbolize_user(a, &q, &ra);
	ok(ra.why == RTI_UNRES_PSEUDO, "pseudo: %s", rti_unresolved_name(ra.why));
	q.module = NULL;
	rti_symbolize_user(a, &q, &ra);
	ok(ra.why == RTI_UNRES_ANONYMOUS, "anonymous: %s", rti_unresolved_name(ra.why));
	rti_symbolize_kernel(a, 0xffffffff81000000ULL, &ra);
	ok(ra.why == RTI_UNRES_NO_KALLSYMS && !ra.symbol, "kallsyms off: %s", rti_unresolved_name(ra.why));
	ok(!strcmp(rti_resolved_name(RTI_RESOLVED_DEBUGINFO), "debuginfo") &&
		   !rti_unresolved_name(RTI_UNRES_NONE) &&
		   !strcmp(rti_code_id_kind_name(RTI_CODE_ID_FILE_SHA256), "file-sha256"),
	   "names");
	rti_symbolizer_free(a);
	rti_symbolizer_free(b);

	{
		struct rti_symbolizer_opts bad;
		struct rti_symbolizer *c;

		memset(&bad, 0, sizeof(bad));
		c = rti_symbolizer_new(&bad);
		ok(!c && errno == EINVAL, "options without sz: EINVAL");
		bad.sz = sizeof(bad);
		bad.disabled = true;
		c = rti_symbolizer_new(&bad);
		ok(c && !rti_symbolizer_enabled(c), "disabled");
		q.module = libs[0];
		q.offset = 0x4ba4f;
		if (c)
			rti_symbolize_user(c, &q, &ra);
		ok(c && ra.why == RTI_UNRES_SYMBOLIZATION_OFF && !ra.code_id, "disabled: no file access");
		rti_symbolizer_free(c);
		c = rti_symbolizer_new(NULL);
		ok(c && rti_symbolizer_enabled(c), "NULL options: defaults");
		rti_symbolizer_free(c);
		/* an older caller's struct: up to kallsyms, the rest our defaults */
		bad = RTI_OPTS_INIT(rti_symbolizer_opts, .kallsyms = "none", .max_files = 1);
		bad.sz = offsetof(struct rti_symbolizer_opts, max_files);
		c = rti_symbolizer_new(&bad);
		ok(c != NULL, "older, shorter options struct accepted");
		if (c) {
			q.pid = 0;
			q.module = libs[0];
			rti_symbolize_user(c, &q, &ra);
			q.module = libs[1];
			rti_symbolize_user(c, &q, &ra);
			st = rti_symbolizer_stats(c);
			ok(st->files.entries == 2 && !st->files.evictions,
			   "fields beyond its sz not read (max_files default, %llu files kept)",
			   (unsigned long long)st->files.entries);
		}
		rti_symbolizer_free(c);
		bad.sz = offsetof(struct rti_symbolizer_opts, kallsyms);
		c = rti_symbolizer_new(&bad);
		ok(!c && errno == EINVAL, "options struct shorter than the required fields: EINVAL");
	}
	return done_testing();
}
