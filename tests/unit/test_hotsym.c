/* SPDX-License-Identifier: Apache-2.0 */
/* The hot symbol index on SQLite: observations (§7), exact batches, input
 * positions, bounded memory, exports. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hotsym/hotsym_int.h"
#include "rti/canon.h"
#include "rti/hotsym.h"
#include "tap.h"
#include "util/hash.h"

static char dir[256];

static void url_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "sqlite:%s/%s", dir, name);
}

static struct rti_hotsym *open_db(const char *name, const char *node, size_t max_entries)
{
	struct rti_hotsym_opts o;
	char url[512], err[512];
	struct rti_hotsym *h;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.node = node;
	o.max_entries = max_entries;
	url_of(url, sizeof(url), name);
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	if (!h)
		printf("# open %s: %s\n", url, err);
	return h;
}

/* One canonical event under construction. */
struct evb {
	struct rti_event ev;
	struct rti_canon cn;
	struct rti_frame fr[16];
	unsigned n;
};

static void ev_init(struct evb *b, enum rti_probe_type t, const char *fn, const char *image,
		    long long sec)
{
	memset(b, 0, sizeof(*b));
	b->ev.time.set = true;
	b->ev.time.sec = sec;
	b->ev.time.nsec = 5;
	b->ev.node_name = "node-a";
	b->ev.function = fn;
	b->cn.probe = t;
	b->cn.frames = b->fr;
	if (image)
		snprintf(b->cn.image_digest, sizeof(b->cn.image_digest), "sha256:%s", image);
}

static void frame(struct evb *b, enum rti_space sp, const char *code_id, const char *module,
		  const char *sym)
{
	struct rti_frame *f = &b->fr[b->n++];
	char id[64];

	f->space = sp;
	f->code_id = sp == RTI_SPACE_KERNEL ? "kernel" : code_id;
	f->module = module;
	f->symbol = sym;
	snprintf(id, sizeof(id), "%s@%u", sym ? sym : "?", b->n);
	{
		char hex[65];

		rti_sha256_hex(id, strlen(id), hex);
		snprintf(f->frame_id, sizeof(f->frame_id), "sha256:%.32s", hex);
	}
	b->cn.n_frames = b->n;
}

static int feed(struct rti_hotsym *h, struct evb *b)
{
	const struct rti_sink_ops *ops;
	void *ctx;

	rti_hotsym_sink(h, &ops, &ctx);
	return ops->event(ctx, &b->ev, &b->cn, "", 0);
}

struct collect {
	struct rti_buf out;
	unsigned n;
};

static int collect(void *arg, const struct rti_hot_entry *e)
{
	struct collect *c = arg;

	c->n++;
	rti_hot_entry_json(e, &c->out);
	return rti_buf_addch(&c->out, '\n');
}

static char *listing(struct rti_hotsym *h, enum rti_hot_order order, unsigned *n)
{
	struct rti_hot_filter f;
	struct collect c;

	memset(&f, 0, sizeof(f));
	f.order = order;
	memset(&c, 0, sizeof(c));
	rti_buf_init(&c.out, 1 << 26);
	rti_buf_addstr(&c.out, "");
	if (rti_hotsym_scan(h, &f, collect, &c))
		printf("# scan: %s\n", rti_hotsym_errmsg(h));
	if (n)
		*n = c.n;
	return c.out.p;
}

static uint64_t hits_of(struct rti_hotsym *h, const char *scope, const char *sid)
{
	struct rti_hot_filter f;
	struct collect c;
	uint64_t v = 0;
	const char *p;

	memset(&f, 0, sizeof(f));
	f.scope = scope;
	f.symbol_id = sid;
	memset(&c, 0, sizeof(c));
	rti_buf_init(&c.out, 1 << 20);
	rti_buf_addstr(&c.out, "");
	rti_hotsym_scan(h, &f, collect, &c);
	p = c.n == 1 ? strstr(c.out.p, "\"hit_count\":") : NULL;
	if (p)
		v = strtoull(p + 12, NULL, 10);
	rti_buf_release(&c.out);
	return v;
}

static void test_families(void)
{
	extern int rti_hotsym__families_sorted(void);
	static const char *const cases[][2] = {
		{ "tcp_connect", "network" },        { "__sys_connect", "network" },
		{ "__x64_sys_connect", "network" },  { "vfs_read", "file_io" },
		{ "ksys_read", "file_io" },          { "security_file_permission", "file_io" },
		{ "file_open", "file_io" },          { "bpf_lsm_file_open", "file_io" },
		{ "commit_creds", "credentials" },   { "__x64_sys_setresuid", "credentials" },
		{ "do_init_module", "kernel_module" }, { "__do_sys_finit_module", "kernel_module" },
		{ "__x64_sys_execve", "process" },   { "__arm64_sys_mmap", "memory" },
		{ "do_syscall_64", NULL },           { "__x64_sys_no_such_call", NULL },
		{ "", NULL },
	};

	ok(rti_hotsym__families_sorted(), "family tables are sorted (bsearch)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = rti_hotsym_syscall_family(cases[i][0]);

		ok(got == cases[i][1] || (got && cases[i][1] && !strcmp(got, cases[i][1])),
		   "family of '%s' is %s (got %s)", cases[i][0], cases[i][1] ? cases[i][1] : "none",
		   got ? got : "none");
	}
}

static const char IMG[] = "46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c";

static void test_observations(void)
{
	struct rti_hotsym *h = open_db("obs.db", "n1", 0);
	const struct rti_hotsym_stats *st;
	struct evb b;
	char *all;

	ok(h != NULL, "open sqlite index");
	if (!h)
		return;
	/* kprobe on tcp_connect: the target is also frame 0, and recursion */
	ev_init(&b, RTI_PROBE_KPROBE, "tcp_connect", IMG, 1795000000);
	frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "tcp_connect");
	frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "__sys_connect");
	frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "tcp_connect");
	frame(&b, RTI_SPACE_USER, "gnu-build-id:aa", "/usr/lib/libc.so.6", "connect");
	frame(&b, RTI_SPACE_USER, "gnu-build-id:aa", "/usr/lib/libc.so.6", NULL);
	frame(&b, RTI_SPACE_USER, NULL, NULL, "withheld");
	frame(&b, RTI_SPACE_USER, "gnu-build-id:bb", NULL, "main");
	ok(feed(h, &b) == 0, "kprobe event counted");
	/* uprobe: the target is code_id!symbol; a host scope */
	ev_init(&b, RTI_PROBE_UPROBE, "SSL_write", NULL, 1795000001);
	b.cn.probe_code_id = "path:/usr/lib/libssl.so.3";
	b.cn.probe_module = "/usr/lib/libssl.so.3";
	ok(feed(h, &b) == 0, "uprobe event counted");
	/* a tracepoint is not a function: frames only */
	ev_init(&b, RTI_PROBE_TRACEPOINT, NULL, IMG, 1795000002);
	b.ev.function = "sys_enter_openat";
	frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "__sys_connect");
	ok(feed(h, &b) == 0, "tracepoint event counted");
	/* process_exec: no frames, nothing */
	ev_init(&b, RTI_PROBE_PROCESS_EXEC, NULL, IMG, 1795000003);
	ok(feed(h, &b) == 0, "exec event");
	st = rti_hotsym_stats(h);
	ok(st->observations == 6, "6 observations (got %llu)", (unsigned long long)st->observations);
	ok(st->skipped_no_code_id == 1, "a user symbol without code_id is skipped");
	ok(st->path_observations == 2, "2 call paths");
	ok(rti_hotsym_flush(h) == 0, "flush");
	all = listing(h, RTI_HOT_BY_KEY, NULL);
	is_str(all,
	       "{\"code_id\":\"path:/usr/lib/libssl.so.3\",\"first_seen\":\"2026-11-18T11:06:41.000000005Z\","
	       "\"hit_count\":1,\"last_seen\":\"2026-11-18T11:06:41.000000005Z\","
	       "\"module\":\"/usr/lib/libssl.so.3\",\"probe_types\":[\"uprobe\"],"
	       "\"scope\":\"host:node-a\",\"symbol\":\"SSL_write\","
	       "\"symbol_id\":\"path:/usr/lib/libssl.so.3!SSL_write\"}\n"
	       "{\"code_id\":\"gnu-build-id:aa\",\"first_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"hit_count\":1,\"last_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"module\":\"/usr/lib/libc.so.6\",\"probe_types\":[\"kprobe\"],"
	       "\"scope\":\"image:sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c\","
	       "\"symbol\":\"connect\",\"symbol_id\":\"gnu-build-id:aa!connect\"}\n"
	       "{\"code_id\":\"gnu-build-id:bb\",\"first_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"hit_count\":1,\"last_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"probe_types\":[\"kprobe\"],"
	       "\"scope\":\"image:sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c\","
	       "\"symbol\":\"main\",\"symbol_id\":\"gnu-build-id:bb!main\"}\n"
	       "{\"code_id\":\"kernel\",\"first_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"hit_count\":2,\"last_seen\":\"2026-11-18T11:06:42.000000005Z\","
	       "\"module\":\"[kernel]\",\"probe_types\":[\"kprobe\",\"tracepoint\"],"
	       "\"scope\":\"image:sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c\","
	       "\"symbol\":\"__sys_connect\",\"symbol_id\":\"kernel!__sys_connect\"}\n"
	       "{\"code_id\":\"kernel\",\"first_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"hit_count\":1,\"last_seen\":\"2026-11-18T11:06:40.000000005Z\","
	       "\"module\":\"[kernel]\",\"probe_types\":[\"kprobe\"],"
	       "\"scope\":\"image:sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c\","
	       "\"symbol\":\"tcp_connect\",\"symbol_id\":\"kernel!tcp_connect\"}\n",
	       "§7 listing: once per event, probe targets, scopes, sorted by key");
	free(all);
	ok(hits_of(h, NULL, "kernel!tcp_connect") == 1, "hot query by symbol_id");
	ok(hits_of(h, "host:node-a", "path:/usr/lib/libssl.so.3!SSL_write") == 1,
	   "query by scope and a symbol_id with ':' and '/'");
	ok(hits_of(h, NULL, "nobang") == 0, "a symbol_id without '!' matches nothing");
	rti_hotsym_close(h);
}

static int lose_acks; /* "commit:after" failures still to inject */

static int hook(const char *point)
{
	if (!strcmp(point, "commit:after") && lose_acks) {
		lose_acks--;
		return 1;
	}
	return 0;
}

static void test_exact_batches(void)
{
	struct rti_hotsym *h = open_db("exact.db", "n1", 0);
	struct evb b;
	uint64_t off = 0;
	int err;

	if (!h)
		return;
	rti_hotsym__test_hook = hook;
	ev_init(&b, RTI_PROBE_KPROBE, "vfs_read", IMG, 1795000000);
	feed(h, &b);
	rti_hotsym_note_input(h, "file:/x", 100);
	lose_acks = 1;
	err = rti_hotsym_flush(h);
	ok(err == -EIO, "a lost acknowledgement fails the flush (%d)", err);
	ok(rti_hotsym_stats(h)->flush_errors == 1, "counted in flush_errors");
	feed(h, &b); /* arrives while the batch waits for its retry */
	ok(rti_hotsym_flush(h) == 0, "the retry succeeds");
	ok(rti_hotsym_stats(h)->batches_duplicate == 1, "and finds its batch committed already");
	ok(hits_of(h, NULL, "kernel!vfs_read") == 2, "2 hits, not 3: never counted twice");
	ok(rti_hotsym_input_position(h, "file:/x", &off) == 0 && off == 100,
	   "input position committed with the batch");
	ok(rti_hotsym_input_position(h, "file:/y", &off) == -ENOENT, "unknown source: ENOENT");
	rti_hotsym_close(h);

	/* the sequence lives in the store: a restarted writer goes on */
	h = open_db("exact.db", "n1", 0);
	feed(h, &b);
	rti_hotsym_note_input(h, "file:/x", 250);
	ok(rti_hotsym_flush(h) == 0 && rti_hotsym_stats(h)->batches_duplicate == 0,
	   "a restarted writer's batch is new");
	ok(rti_hotsym_input_position(h, "file:/x", &off) == 0 && off == 250, "position moves on");
	rti_hotsym_close(h);
	h = open_db("exact.db", "n2", 0);
	ok(rti_hotsym_input_position(h, "file:/x", &off) == -ENOENT, "positions are per node");
	ok(hits_of(h, NULL, "kernel!vfs_read") == 3, "3 hits");
	rti_hotsym_close(h);
	{
		sqlite3 *db;
		sqlite3_stmt *st;
		char path[512];
		long long n = -1, mx = -1;

		snprintf(path, sizeof(path), "%s/exact.db", dir);
		sqlite3_open(path, &db);
		sqlite3_prepare_v2(db, "SELECT count(*), max(seq) FROM hot_batches WHERE node='n1'",
				   -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW) {
			n = sqlite3_column_int64(st, 0);
			mx = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
		/* 1: committed, acknowledgement lost, retried; 2: what came
		 * meanwhile, flushed on close; 3: the restarted writer */
		ok(n == 3 && mx == 3, "batches n1/1..3 recorded (%lld, max %lld)", n, mx);
	}

	/* the store stays down: memory is bounded, the caller chooses */
	h = open_db("down.db", "n1", 1024);
	lose_acks = 1000000;
	{
		int failed_at = -1;

		for (int i = 0; i < 3000 && failed_at < 0; i++) {
			char sym[32];

			snprintf(sym, sizeof(sym), "f%d", i);
			ev_init(&b, RTI_PROBE_KPROBE, sym, IMG, 1795000000 + i);
			if (feed(h, &b))
				failed_at = i;
		}
		ok(failed_at > 1000 && failed_at < 3000,
		   "file input: event() fails once both tables are full (at %d)", failed_at);
	}
	lose_acks = 0;
	rti_hotsym_close(h);
	rti_hotsym__test_hook = NULL;
}

static void test_drop_when_full(void)
{
	struct rti_hotsym_opts o;
	struct rti_hotsym *h;
	char url[512], err[512];
	struct evb b;
	int fails = 0;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.max_entries = 1024;
	o.drop_when_full = true;
	url_of(url, sizeof(url), "drop.db");
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	if (!h)
		return;
	rti_hotsym__test_hook = hook;
	lose_acks = 1000000;
	for (int i = 0; i < 3000; i++) {
		char sym[32];

		snprintf(sym, sizeof(sym), "f%d", i);
		ev_init(&b, RTI_PROBE_KPROBE, sym, IMG, 1795000000 + i);
		fails += feed(h, &b) != 0;
	}
	ok(fails == 0, "live input: events never fail");
	ok(rti_hotsym_stats(h)->dropped > 0, "what did not fit is counted as dropped (%llu)",
	   (unsigned long long)rti_hotsym_stats(h)->dropped);
	ok(rti_hotsym_stats(h)->entries <= 2048, "memory stays within two tables");
	lose_acks = 0;
	rti_hotsym__test_hook = NULL;
	rti_hotsym_close(h);
}

static void test_early_flush(void)
{
	struct rti_hotsym *h = open_db("early.db", "n1", 1024);
	struct evb b;
	unsigned n = 0;
	char *all;

	if (!h)
		return;
	for (int i = 0; i < 3000; i++) {
		char sym[32];

		snprintf(sym, sizeof(sym), "f%04d", i);
		ev_init(&b, RTI_PROBE_KPROBE, sym, IMG, 1795000000 + i);
		frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "do_syscall_64");
		feed(h, &b);
	}
	ok(rti_hotsym_stats(h)->flushes_early >= 2, "a full table flushes early (%llu)",
	   (unsigned long long)rti_hotsym_stats(h)->flushes_early);
	ok(rti_hotsym_flush(h) == 0, "final flush");
	all = listing(h, RTI_HOT_BY_HITS, &n);
	ok(n == 3001, "3000 symbols and do_syscall_64 (%u)", n);
	ok(hits_of(h, NULL, "kernel!do_syscall_64") == 3000, "do_syscall_64 counted 3000 times");
	free(all);
	rti_hotsym_close(h);
}

static void test_errors(void)
{
	struct rti_hotsym_opts o;
	char url[512], err[512];
	struct rti_hotsym *h;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	h = rti_hotsym_open("mysql://x/y", &o, err, sizeof(err));
	ok(!h && errno == EINVAL && strstr(err, "unsupported URL"), "bad scheme: %s", err);
	h = rti_hotsym_open("sqlite:", &o, err, sizeof(err));
	ok(!h && errno == EINVAL, "sqlite: without a path: %s", err);
	h = rti_hotsym_open("postgres://u:secret@127.0.0.1:1/db?connect_timeout=2", &o, err,
			    sizeof(err));
	ok(!h && !strstr(err, "secret"), "no password in messages: %s", err);
	o.read_only = true;
	url_of(url, sizeof(url), "missing.db");
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	ok(!h && errno == ENOENT, "read-only, no such index: %s", err);
	o.read_only = false;
	{
		sqlite3 *db;
		char path[512];

		snprintf(path, sizeof(path), "%s/newer.db", dir);
		sqlite3_open(path, &db);
		sqlite3_exec(db, "CREATE TABLE hot_meta (key TEXT PRIMARY KEY, value INTEGER);"
				 "INSERT INTO hot_meta VALUES ('schema_version', 99);",
			     NULL, NULL, NULL);
		sqlite3_close(db);
	}
	url_of(url, sizeof(url), "newer.db");
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	ok(!h && errno == EPROTO, "a newer schema is refused: %s", err);
	{
		int fd;
		char path[512];

		snprintf(path, sizeof(path), "%s/notdb.db", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (write(fd, "this is not a database, not at all, really not\n", 47) < 0)
				perror("write");
			close(fd);
		}
	}
	url_of(url, sizeof(url), "notdb.db");
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	ok(!h && errno == EIO, "not a database: %s", err);
}

/* Fills name with the same events, in a given order and batch size. */
static void fill(const char *name, const char *node, int reverse, int flush_every)
{
	struct rti_hotsym *h = open_db(name, node, 0);
	static const char *const k[] = { "tcp_connect", "vfs_read", "commit_creds", "do_init_module" };
	struct evb b;

	for (int j = 0; j < 400; j++) {
		int i = reverse ? 399 - j : j;

		ev_init(&b, RTI_PROBE_KPROBE, k[i % 4], i % 3 ? IMG : NULL, 1795000000 + i);
		frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", k[i % 4]);
		frame(&b, RTI_SPACE_KERNEL, NULL, "[kernel]", "do_syscall_64");
		frame(&b, RTI_SPACE_USER, "gnu-build-id:0011", "/usr/lib/libx.so", i % 5 ? "f" : "g");
		feed(h, &b);
		if (flush_every && j % flush_every == 0)
			rti_hotsym_flush(h);
	}
	rti_hotsym_close(h);
}

static char *export(const char *name, enum rti_hot_export fmt, const char *scope)
{
	struct rti_hotsym_opts o;
	struct rti_hot_export_opts eo;
	struct rti_hotsym *h;
	char url[512], err[512], path[600];
	char *buf = calloc(1, 1 << 20);
	int fd;
	ssize_t n;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.read_only = true;
	url_of(url, sizeof(url), name);
	h = rti_hotsym_open(url, &o, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/export.out", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(&eo, 0, sizeof(eo));
	eo.sz = sizeof(eo);
	eo.format = fmt;
	eo.scope = scope;
	if (!h || rti_hotsym_export(h, &eo, fd))
		printf("# export failed: %s\n", h ? rti_hotsym_errmsg(h) : err);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, (1 << 20) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	rti_hotsym_close(h);
	return buf;
}

static void test_exports(void)
{
	static const enum rti_hot_export fmts[] = { RTI_HOT_EXPORT_SIGNALS, RTI_HOT_EXPORT_EVIDENCE };
	char scope[128];
	char *blob, *ev, *p;
	char hex[65];

	fill("e1.db", "a", 0, 0);
	fill("e2.db", "b", 1, 7);
	for (size_t i = 0; i < 2; i++) {
		char *x = export("e1.db", fmts[i], NULL), *y = export("e2.db", fmts[i], NULL);

		ok(x[0] && !strcmp(x, y), "export %zu: same bytes whatever the order and batches", i);
		free(x);
		free(y);
	}
	snprintf(scope, sizeof(scope), "image:sha256:%s", IMG);
	blob = export("e1.db", RTI_HOT_EXPORT_TRACE_BLOB, scope);
	ev = export("e1.db", RTI_HOT_EXPORT_EVIDENCE, NULL);
	rti_sha256_hex(blob, strlen(blob), hex);
	p = strstr(ev, "\"trace_digest\":\"sha256:");
	ok(p && !strncmp(p + 23, hex, 64), "trace_digest is the SHA-256 of the trace blob");
	ok(strstr(ev, "\"syscall_families_observed\":[\"credentials\",\"file_io\",\"kernel_module\","
		      "\"network\"]") != NULL,
	   "syscall families from kernel symbols");
	ok(strstr(ev, "\"hot_symbol_count\":7,") && strstr(ev, "\"unique_call_paths\":8}"),
	   "hot_symbol_count and unique_call_paths");
	ok(strstr(ev, "\"subject\":[{\"digest\":{\"sha256\":\"46f2291e") != NULL,
	   "subject digest is the image digest");
	ok(!strstr(ev, "host:"), "no statement for a host scope");
	printf("# %.300s\n", ev);
	free(blob);
	free(ev);
}

/* Exemplars offered once (src/hotsym/exemplar_seen.c): a handle opened on
 * a warm index builds no exemplar for the paths the store holds, nor for
 * those beyond a full scope's cut; the store's set is the same as when
 * every path is offered each time. */
static void path_event(struct evb *b, int k)
{
	char sym[32];
	static char syms[64][32];

	ev_init(b, RTI_PROBE_KPROBE, "tcp_connect", IMG, 1700000000 + k);
	snprintf(sym, sizeof(sym), "fn_%d", k);
	memcpy(syms[k % 64], sym, sizeof(sym));
	frame(b, RTI_SPACE_KERNEL, NULL, "[kernel]", "tcp_connect");
	frame(b, RTI_SPACE_KERNEL, NULL, "[kernel]", syms[k % 64]);
}

static char *exemplar_rows(const char *name)
{
	char path[512], cmd[700];
	FILE *f;
	static char out[1 << 16];
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' \"SELECT stack_digest, length(frames) FROM hot_exemplars"
		 " ORDER BY 1\" 2>/dev/null", path);
	f = popen(cmd, "r");
	n = f ? fread(out, 1, sizeof(out) - 1, f) : 0;
	out[n] = '\0';
	if (f)
		pclose(f);
	return out;
}

static void test_offered_once(void)
{
	struct rti_hotsym_opts o;
	struct rti_hotsym *h;
	struct evb b;
	char url[512], err[512], first[1 << 16];
	uint64_t kept[3];

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.node = "n1";
	o.max_exemplars = 8; /* 20 paths: the scope fills, the rest is cut */
	url_of(url, sizeof(url), "seen.db");
	for (int round = 0; round < 3; round++) {
		h = rti_hotsym_open(url, &o, err, sizeof(err));
		if (!h) {
			ok(0, "open %s: %s", url, err);
			return;
		}
		/* round 2: fresh paths too, in the other order */
		for (int k = 0; k < 20 + (round == 2 ? 10 : 0); k++) {
			path_event(&b, round == 2 ? 29 - k : k);
			feed(h, &b);
		}
		ok(rti_hotsym_flush(h) == 0, "round %d committed", round);
		kept[round] = rti_hotsym_stats(h)->exemplars;
		rti_hotsym_close(h);
		if (round == 0)
			snprintf(first, sizeof(first), "%s", exemplar_rows("seen.db"));
		else if (round == 1)
			ok(!strcmp(first, exemplar_rows("seen.db")), "warm handle: the same exemplars");
	}
	ok(kept[0] == 20, "fresh index: every new path offered (%llu)",
	   (unsigned long long)kept[0]);
	ok(kept[1] == 0, "warm index: none offered again, held or beyond the cut (%llu)",
	   (unsigned long long)kept[1]);
	ok(kept[2] <= 10, "new paths: only those (%llu of 30)", (unsigned long long)kept[2]);
	{
		/* the same 30 paths offered every time, into a fresh index */
		url_of(url, sizeof(url), "seen2.db");
		h = rti_hotsym_open(url, &o, err, sizeof(err));
		for (int k = 0; h && k < 30; k++) {
			path_event(&b, k);
			feed(h, &b);
		}
		if (h) {
			rti_hotsym_flush(h);
			rti_hotsym_close(h);
		}
		snprintf(first, sizeof(first), "%s", exemplar_rows("seen2.db"));
		ok(*first && !strcmp(first, exemplar_rows("seen.db")),
		   "the kept set: the 8 smallest digests of all, as if all were offered at once");
	}
}

int main(void)
{
	const char *t = getenv("T");

	snprintf(dir, sizeof(dir), "%s", t && *t ? t : "/tmp");
	if (!t || !*t) {
		snprintf(dir, sizeof(dir), "/tmp/test_hotsym.XXXXXX");
		if (!mkdtemp(dir))
			return 1;
	}
	/* a fresh start when T is reused */
	for (const char *const *n = (const char *const[]){ "obs", "exact", "down", "drop", "early",
							   "newer", "notdb", "e1", "e2", "seen", "seen2", NULL };
	     *n; n++) {
		static const char *const sfx[] = { ".db", ".db-wal", ".db-shm" };

		for (int i = 0; i < 3; i++) {
			char path[512];

			snprintf(path, sizeof(path), "%s/%s%s", dir, *n, sfx[i]);
			unlink(path);
		}
	}
	test_families();
	test_observations();
	test_exact_batches();
	test_drop_when_full();
	test_early_flush();
	test_errors();
	test_exports();
	test_offered_once();
	return done_testing();
}
