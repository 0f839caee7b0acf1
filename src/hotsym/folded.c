/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exemplar call paths (spec reachability.md §5): reading them, and the
 * folded-stack export flame-graph tools read (flamegraph.pl, inferno,
 * speedscope): "root;...;leaf COUNT", one line per call path with an
 * exemplar, in byte order of (scope, digest).
 */
#include <errno.h>
#include <string.h>

#include "hotsym/hotsym_int.h"
#include "rti/io.h"
#include "util/opts.h"
#include "util/timefmt.h"

struct path_scan {
	rti_hot_path_fn fn;
	void *arg;
};

static int each_path(void *arg, const char *scope, const char *digest, uint64_t hits,
		     int64_t first_ns, int64_t last_ns, const char *frames)
{
	struct path_scan *ps = arg;
	struct rti_hot_path p;

	p.scope = scope;
	p.digest = digest;
	p.hit_count = hits;
	rti_time_from_ns(first_ns, &p.first_seen);
	rti_time_from_ns(last_ns, &p.last_seen);
	p.frames = frames;
	return ps->fn(ps->arg, &p);
}

int rti_hotsym_scan_paths(struct rti_hotsym *h, const struct rti_hot_filter *f,
			  rti_hot_path_fn fn, void *arg)
{
	struct hs_store *st = hs_store_of(h);
	struct path_scan ps = { fn, arg };

	return st->ops->scan_paths(st, f, each_path, &ps);
}

int rti_hotsym_scan_go_buildinfo(struct rti_hotsym *h, rti_hot_buildinfo_fn fn, void *arg)
{
	struct hs_store *st = hs_store_of(h);

	return st->ops->scan_buildinfo(st, fn, arg);
}

/* A folded frame name: no ';' (the separator) and no newline. */
static int put_name(struct rti_buf *b, const char *s, size_t n)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i++)
		err = rti_buf_addch(b, s[i] == ';' || s[i] == '\n' ? '_' : s[i]);
	return err;
}

/* One exemplar line "space\tcode_id\toffset\tmodule\tsymbol": its name is
 * the symbol, else module+offset, else code_id+offset; kernel "_[k]". */
static int put_frame(struct rti_buf *b, const char *line, size_t n)
{
	const char *f[5];
	size_t len[5];
	const char *p = line, *end = line + n;
	int err;

	for (int i = 0; i < 5; i++) {
		const char *tab = i < 4 ? memchr(p, '\t', (size_t)(end - p)) : NULL;

		f[i] = p;
		len[i] = (size_t)((tab ? tab : end) - p);
		p = tab ? tab + 1 : end;
	}
	if (len[4])
		err = put_name(b, f[4], len[4]);
	else {
		err = len[3] ? put_name(b, f[3], len[3]) : put_name(b, f[1], len[1]);
		if (!err)
			err = rti_buf_addch(b, '+');
		if (!err)
			err = put_name(b, f[2], len[2]);
	}
	if (!err && len[0] == 6 && !memcmp(f[0], "kernel", 6))
		err = rti_buf_addstr(b, "_[k]");
	return err;
}

struct folded {
	struct rti_buf line, out;
	bool with_scope;
	int fd;
	uint64_t without;
};

static int folded_path(void *arg, const struct rti_hot_path *p)
{
	struct folded *fo = arg;
	const char *lines[RTI_MAX_FOLDED_FRAMES];
	size_t n = 0;
	int err = 0;

	if (!p->frames) {
		fo->without++;
		return 0;
	}
	for (const char *s = p->frames; *s && n < RTI_MAX_FOLDED_FRAMES;) {
		const char *nl = strchr(s, '\n');

		lines[n++] = s;
		s = nl ? nl + 1 : s + strlen(s);
	}
	rti_buf_reset(&fo->line);
	if (fo->with_scope)
		err = put_name(&fo->line, p->scope, strlen(p->scope));
	/* root first: the exemplar is innermost first */
	for (size_t i = n; i > 0 && !err; i--) {
		const char *nl = strchr(lines[i - 1], '\n');
		size_t len = nl ? (size_t)(nl - lines[i - 1]) : strlen(lines[i - 1]);

		if (fo->line.len)
			err = rti_buf_addch(&fo->line, ';');
		if (!err)
			err = put_frame(&fo->line, lines[i - 1], len);
	}
	if (!err)
		err = rti_buf_addf(&fo->line, " %llu\n", (unsigned long long)p->hit_count);
	if (!err)
		err = rti_buf_add(&fo->out, fo->line.p, fo->line.len);
	if (!err && fo->out.len > (1u << 20)) {
		err = rti_write_all(fo->fd, fo->out.p, fo->out.len);
		rti_buf_reset(&fo->out);
	}
	return err;
}

int hs_export_folded(struct rti_hotsym *h, struct rti_hot_export_opts *eo, int fd)
{
	struct rti_hot_filter f;
	struct folded fo;
	int err;

	memset(&f, 0, sizeof(f));
	f.scope = eo->scope;
	f.since = eo->since;
	f.until = eo->until;
	memset(&fo, 0, sizeof(fo));
	rti_buf_init(&fo.line, 4u << 20);
	rti_buf_init(&fo.out, 8u << 20);
	fo.with_scope = !eo->scope;
	fo.fd = fd;
	err = rti_hotsym_scan_paths(h, &f, folded_path, &fo);
	if (RTI_OPTS_HAS(eo, paths_without_exemplar))
		eo->paths_without_exemplar = fo.without;
	if (!err && fo.out.len)
		err = rti_write_all(fd, fo.out.p, fo.out.len);
	rti_buf_release(&fo.line);
	rti_buf_release(&fo.out);
	return err;
}
