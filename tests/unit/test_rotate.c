/* The rotating event file (include/rti/rotate.h): size and interval
 * rotation, names, backups, gzip, permissions, reopen, crash repair,
 * reconfiguration, errors. Time is driven through the clock hook. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "rti/rotate.h"
#include "tap.h"

static uint64_t now_ms;
static char dir[256];

static uint64_t test_clock(void *ctx)
{
	(void)ctx;
	return now_ms;
}

/* 2026-12-07T10:00:00.000Z */
#define T0 1796637600000ull

static struct rti_rotate *open_with(const char *name, uint64_t max_size, unsigned backups,
				    bool compress, uint64_t interval)
{
	char path[512];
	struct rti_rotate_opts o = RTI_OPTS_INIT(rti_rotate_opts, .path = path,
						 .max_size = max_size, .max_backups = backups,
						 .compress = compress, .interval_ms = interval,
						 .perm = 0640, .clock_ms = test_clock);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return rti_rotate_open(&o);
}

static void fresh_dir(const char *tag)
{
	char cmd[600];

	snprintf(dir, sizeof(dir), "%s/rot-%s", getenv("T") ? getenv("T") : "/tmp", tag);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	if (system(cmd))
		abort();
	now_ms = T0;
}

/* The directory's file names, sorted, space-separated. */
static const char *listing(void)
{
	static char out[4096];
	struct dirent **v;
	int n = scandir(dir, &v, NULL, alphasort);
	size_t len = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (v[i]->d_name[0] != '.' && len < sizeof(out) - 300)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
						len ? " " : "", v[i]->d_name);
		free(v[i]);
	}
	if (n >= 0)
		free(v);
	return out;
}

/* All of a file (gunzipped when it is gzip) as a string. */
static const char *content(const char *name)
{
	static char out[1 << 16];
	char path[512];
	gzFile g;
	int n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	g = gzopen(path, "rb");
	if (!g)
		return "(missing)";
	n = gzread(g, out, sizeof(out) - 1);
	gzclose(g);
	out[n < 0 ? 0 : n] = '\0';
	return out;
}

static unsigned mode_of(const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) ? 0 : st.st_mode & 07777;
}

static void put_file(const char *name, const char *data)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	fputs(data, f);
	fclose(f);
}

static int wr(struct rti_rotate *r, const char *s)
{
	return rti_rotate_write(r, s, strlen(s));
}

static void test_size(void)
{
	struct rti_rotate *r;
	struct rti_rotate_stats st;
	char line[64];
	char big[260];
	int bad = 0;

	fresh_dir("size");
	r = open_with("events.ndjson", 100, 0, false, 0);
	ok(r != NULL, "open");
	for (int i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n", i);
		bad |= wr(r, line); /* 33 bytes: three lines fit in 100 */
	}
	memset(big, 'b', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	bad |= rti_rotate_write(r, big, sizeof(big));
	bad |= wr(r, "{\"after\":1}\n");
	ok(!bad, "every write succeeds");
	rti_rotate_get_stats(r, &st);
	ok(st.rotations == 3 && st.lines == 8, "3 rotations, 8 lines (%llu, %llu)",
	   (unsigned long long)st.rotations, (unsigned long long)st.lines);
	ok(rti_rotate_close(r) == 0, "close");
	is_str(listing(),
	       "events-2026-12-07T10-00-00.000.ndjson events-2026-12-07T10-00-00.001.ndjson "
	       "events-2026-12-07T10-00-00.002.ndjson events.ndjson",
	       "rotated names sort by time, unique within one ms");
	is_str(content("events-2026-12-07T10-00-00.000.ndjson"),
	       "{\"n\":0,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n{\"n\":1,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n"
	       "{\"n\":2,\"pad\":\"xxxxxxxxxxxxxxxx\"}\n",
	       "first file: the lines that fit in max_size");
	ok(strlen(content("events-2026-12-07T10-00-00.002.ndjson")) == sizeof(big),
	   "a line larger than max_size goes alone into a file");
	is_str(content("events.ndjson"), "{\"after\":1}\n", "the live file holds the rest");
}

static void test_interval(void)
{
	struct rti_rotate *r;
	struct rti_rotate_stats st;

	fresh_dir("interval");
	r = open_with("events.ndjson", 0, 0, false, 1000);
	wr(r, "{\"a\":1}\n");
	now_ms += 500;
	wr(r, "{\"a\":2}\n");
	rti_rotate_flush(r);
	is_str(listing(), "events.ndjson", "no rotation before the interval");
	now_ms += 500;
	wr(r, "{\"a\":3}\n");
	is_str(listing(), "events-2026-12-07T10-00-01.000.ndjson events.ndjson",
	       "the interval is over: rotated before the next line, named by its time");
	now_ms += 1500;
	rti_rotate_flush(r);
	is_str(listing(),
	       "events-2026-12-07T10-00-01.000.ndjson events-2026-12-07T10-00-02.500.ndjson "
	       "events.ndjson",
	       "flush rotates when the interval is over");
	now_ms += 5000;
	rti_rotate_flush(r);
	rti_rotate_get_stats(r, &st);
	ok(st.rotations == 2, "an empty live file is never rotated");
	rti_rotate_close(r);
	is_str(content("events-2026-12-07T10-00-01.000.ndjson"), "{\"a\":1}\n{\"a\":2}\n",
	       "first period's lines");
	is_str(content("events-2026-12-07T10-00-02.500.ndjson"), "{\"a\":3}\n",
	       "second period's line");
}

static void test_backups_gzip_perms(void)
{
	struct rti_rotate *r;
	const char *l;
	mode_t old = umask(077);

	fresh_dir("gzip");
	r = open_with("events.ndjson", 20, 2, true, 0);
	for (int i = 0; i < 6; i++) {
		char line[32];

		snprintf(line, sizeof(line), "{\"line\":%d,\"x\":1}\n", i); /* 18 bytes */
		wr(r, line);
		now_ms += 1000;
	}
	rti_rotate_settle(r);
	l = listing();
	is_str(l,
	       "events-2026-12-07T10-00-04.000.ndjson.gz events-2026-12-07T10-00-05.000.ndjson.gz "
	       "events.ndjson",
	       "5 rotations, the 2 newest kept, gzipped");
	is_str(content("events-2026-12-07T10-00-04.000.ndjson.gz"), "{\"line\":3,\"x\":1}\n",
	       "gunzipped content equals what was written");
	ok(mode_of("events.ndjson") == 0640, "live file mode is perm under umask 077 (%o)",
	   mode_of("events.ndjson"));
	ok(mode_of("events-2026-12-07T10-00-05.000.ndjson.gz") == 0640,
	   "compressed file mode is perm (%o)", mode_of("events-2026-12-07T10-00-05.000.ndjson.gz"));
	rti_rotate_close(r);
	umask(0);
	fresh_dir("perm0");
	r = open_with("events", 10, 0, false, 0);
	wr(r, "{\"a\":1}\n");
	wr(r, "{\"a\":2}\n");
	rti_rotate_close(r);
	is_str(listing(), "events events-2026-12-07T10-00-00.000",
	       "a name without extension: <base>-<time>");
	ok(mode_of("events") == 0640 && mode_of("events-2026-12-07T10-00-00.000") == 0640,
	   "modes are perm under umask 0 too");
	umask(old);
}

static void test_reopen_repair(void)
{
	struct rti_rotate *r;
	struct rti_rotate_stats st;
	char *big = malloc(10000);

	fresh_dir("reopen");
	put_file("events.ndjson", "{\"old\":1}\n{\"old\":2}\n{\"partial");
	put_file("events-2026-12-07T10-00-09.000.ndjson", "{\"rotated\":1}\n");
	r = open_with("events.ndjson", 35, 0, false, 0);
	ok(r != NULL, "reopen an existing live file");
	rti_rotate_get_stats(r, &st);
	ok(st.repaired_bytes == 9, "a partial last line (9 bytes) is cut off (%llu)",
	   (unsigned long long)st.repaired_bytes);
	wr(r, "{\"new\":1}\n");
	rti_rotate_flush(r);
	is_str(content("events.ndjson"), "{\"old\":1}\n{\"old\":2}\n{\"new\":1}\n",
	       "appended after the last whole line");
	wr(r, "{\"new\":2}\n");
	rti_rotate_close(r);
	is_str(listing(),
	       "events-2026-12-07T10-00-09.000.ndjson events-2026-12-07T10-00-09.001.ndjson "
	       "events.ndjson",
	       "a later name than any in the directory, even when the clock is earlier");
	/* a partial line longer than the repair's read buffer, and no newline at all */
	memset(big, 'p', 10000);
	big[9999] = '\0';
	big[3] = '\n';
	put_file("events.ndjson", big);
	r = open_with("events.ndjson", 0, 0, false, 0);
	rti_rotate_get_stats(r, &st);
	ok(st.repaired_bytes == 9995, "a 9995-byte partial line is cut off");
	rti_rotate_close(r);
	is_str(content("events.ndjson"), "ppp\n", "the whole line before it stays");
	put_file("events.ndjson", "xyz");
	r = open_with("events.ndjson", 0, 0, false, 0);
	rti_rotate_close(r);
	is_str(content("events.ndjson"), "", "a file of one partial line becomes empty");
	free(big);
}

static void test_crash_leftovers(void)
{
	struct rti_rotate *r;

	fresh_dir("crash");
	put_file("ev.ndjson", "");
	put_file("ev-2026-12-07T09-00-00.000.ndjson", "{\"a\":1}\n");
	put_file("ev-2026-12-07T09-00-00.000.ndjson.gz.tmp", "garbage");
	put_file("ev-2026-12-07T09-00-01.000.ndjson", "{\"b\":1}\n");
	put_file("ev-2026-12-07T09-00-01.000.ndjson.gz", "");
	put_file("ev-notastamp.ndjson", "keep");
	put_file("other-2026-12-07T09-00-01.000.ndjson", "keep");
	r = open_with("ev.ndjson", 0, 0, true, 0);
	rti_rotate_settle(r);
	is_str(listing(),
	       "ev-2026-12-07T09-00-00.000.ndjson.gz ev-2026-12-07T09-00-01.000.ndjson.gz "
	       "ev-notastamp.ndjson ev.ndjson other-2026-12-07T09-00-01.000.ndjson",
	       "open: a partial .gz.tmp is removed and compressed again, a plain file "
	       "beside its .gz is removed, other files are left alone");
	is_str(content("ev-2026-12-07T09-00-00.000.ndjson.gz"), "{\"a\":1}\n",
	       "no line lost in the interrupted compression");
	rti_rotate_close(r);
}

static void test_reconfigure(void)
{
	struct rti_rotate *r;
	struct rti_rotate_opts o = RTI_OPTS_INIT(rti_rotate_opts, .max_size = 15, .compress = true,
						 .perm = 0600);
	char path[512];

	fresh_dir("reconf");
	r = open_with("events.ndjson", 0, 0, false, 0);
	wr(r, "{\"a\":1}\n");
	wr(r, "{\"a\":2}\n");
	ok(rti_rotate_reconfigure(r, &o) == 0, "reconfigure");
	ok(mode_of("events.ndjson") == 0640, "nothing changes before the next line");
	wr(r, "{\"a\":3}\n");
	rti_rotate_settle(r);
	is_str(listing(), "events-2026-12-07T10-00-00.000.ndjson.gz events.ndjson",
	       "the next line rotates by the new max_size; compressed");
	ok(mode_of("events.ndjson") == 0600, "the new perm applies to the live file");
	snprintf(path, sizeof(path), "%s/other.ndjson", dir);
	o.path = path;
	ok(rti_rotate_reconfigure(r, &o) == -EINVAL, "a different path is refused");
	o.path = NULL;
	o.perm = 010000;
	ok(rti_rotate_reconfigure(r, &o) == -EINVAL, "a bad mode is refused");
	rti_rotate_close(r);
	is_str(content("events.ndjson"), "{\"a\":3}\n", "live file after reconfigure");
}

static void test_bad_opts(void)
{
	struct rti_rotate_opts o = RTI_OPTS_INIT(rti_rotate_opts, .path = "-");

	errno = 0;
	ok(!rti_rotate_open(&o) && errno == EINVAL, "path \"-\" is EINVAL");
	ok(!rti_rotate_open(NULL) && errno == EINVAL, "NULL opts is EINVAL");
	o.path = "/nonexistent-dir/events.ndjson";
	ok(!rti_rotate_open(&o) && errno == ENOENT, "a missing directory is ENOENT");
	o.path = "/tmp";
	ok(!rti_rotate_open(&o), "a directory as the live file fails");
	o.sz = offsetof(struct rti_rotate_opts, perm);
	o.path = "/tmp/x.ndjson";
	ok(!rti_rotate_open(&o) && errno == EINVAL, "an opts struct without perm is EINVAL");
}

/* A failed rename and a failed write: counted, no crash, no split line. */
static void test_errors(void)
{
	struct rti_rotate *r;
	struct rti_rotate_stats st;
	struct rlimit old, lim;
	char path[512];
	char line[101];
	int err = 0;

	fresh_dir("errors");
	r = open_with("events.ndjson", 10, 0, false, 0);
	snprintf(path, sizeof(path), "%s/events-2026-12-07T10-00-00.000.ndjson", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/events-2026-12-07T10-00-00.000.ndjson/x", dir);
	mkdir(path, 0700);
	wr(r, "{\"a\":1}\n");
	ok(wr(r, "{\"a\":2}\n") == 0, "a failed rotation keeps writing to the live file");
	rti_rotate_flush(r);
	rti_rotate_get_stats(r, &st);
	ok(st.errors == 1 && st.rotations == 0, "the failed rename is counted");
	is_str(content("events.ndjson"), "{\"a\":1}\n{\"a\":2}\n", "both lines in the live file");
	rti_rotate_close(r);

	fresh_dir("efbig");
	r = open_with("events.ndjson", 0, 0, false, 0);
	memset(line, 'x', sizeof(line));
	line[100] = '\n';
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 100 * 1024 + 50; /* a write past it is cut short, then EFBIG */
	setrlimit(RLIMIT_FSIZE, &lim);
	for (int i = 0; i < 2000 && !err; i++)
		err = rti_rotate_write(r, line, sizeof(line));
	ok(err == -EFBIG, "a write that cannot be done returns -errno (%d)", err);
	rti_rotate_get_stats(r, &st);
	ok(st.errors >= 1, "and is counted");
	setrlimit(RLIMIT_FSIZE, &old);
	ok(rti_rotate_close(r) == 0, "once the file can grow again, the buffered lines are written");
	{
		char p2[512];
		struct stat sb;

		snprintf(p2, sizeof(p2), "%s/events.ndjson", dir);
		stat(p2, &sb);
		ok(sb.st_size % 101 == 0 && (uint64_t)sb.st_size / 101 == st.lines,
		   "whole lines only, every accepted line there (%lld bytes, %llu lines)",
		   (long long)sb.st_size, (unsigned long long)st.lines);
	}
	signal(SIGXFSZ, SIG_DFL);
}

static void test_sink(void)
{
	const struct rti_sink_ops *ops;
	void *ctx;
	struct rti_rotate *r;

	fresh_dir("sink");
	r = open_with("events.ndjson", 0, 0, false, 0);
	ok(rti_rotate_sink(r, &ops, &ctx) == 0 && ops->event && ops->flush && ops->destroy,
	   "the sink");
	ops->event(ctx, NULL, NULL, "{\"s\":1}\n", 8);
	ops->flush(ctx);
	is_str(content("events.ndjson"), "{\"s\":1}\n", "flush writes the buffered line");
	ops->destroy(ctx);
}

/* The background thread blocks every signal: a SIGHUP or SIGTERM meant for
 * the caller's handler never lands on it (the caller's threads here block
 * none of them). */
static void test_worker_signals(void)
{
	struct rti_rotate *r;
	struct dirent *de;
	sigset_t none, old;
	DIR *d;
	int blocking = 0, threads = 0;

	fresh_dir("signals");
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, &old); /* whatever this process inherited */
	r = open_with("events.ndjson", 0, 0, false, 0);
	rti_rotate_settle(r); /* the worker runs (glibc sets its mask when it starts) */
	d = opendir("/proc/self/task");
	while (d && (de = readdir(d))) {
		char path[300], buf[256];
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		threads++;
		while (fgets(buf, sizeof(buf), f)) {
			unsigned long long m;

			/* SIGHUP, SIGINT, SIGTERM: bits 0, 1, 14 */
			if (sscanf(buf, "SigBlk: %llx", &m) == 1 && (m & 0x4003ULL) == 0x4003ULL)
				blocking++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	ok(threads == 2 && blocking == 1,
	   "of the caller's thread and the worker, the worker blocks SIGHUP, SIGINT, SIGTERM "
	   "(%d of %d)", blocking, threads);
	rti_rotate_close(r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
	test_size();
	test_interval();
	test_backups_gzip_perms();
	test_reopen_repair();
	test_crash_leftovers();
	test_reconfigure();
	test_bad_opts();
	test_errors();
	test_sink();
	test_worker_signals();
	return done_testing();
}
