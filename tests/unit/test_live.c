/* The live object without a peer: options, stop before start, an
 * unreachable target (stats, log lines, record file), backoff bounds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/live.h"
#include "tap.h"

#define MAX_LINES 64

static char lines[MAX_LINES][1024];
static enum rti_live_log_level levels[MAX_LINES];
static int nlines;

static void on_log(void *ctx, enum rti_live_log_level level, const char *msg)
{
	(void)ctx;
	if (nlines >= MAX_LINES)
		return;
	levels[nlines] = level;
	snprintf(lines[nlines], sizeof(lines[0]), "%s", msg);
	nlines++;
}

static int idle_calls;

static void on_idle(void *ctx)
{
	(void)ctx;
	idle_calls++;
}

static int count_prefix(const char *prefix)
{
	int n = 0;

	for (int i = 0; i < nlines; i++)
		n += !strncmp(lines[i], prefix, strlen(prefix));
	return n;
}

/* rti_live_new refuses o with errno e. */
static bool refused(const struct rti_live_opts *o, struct rti_pipeline *p, int e)
{
	errno = 0;
	return !rti_live_new(o, p) && errno == e;
}

static void test_opts(struct rti_pipeline *p)
{
	struct rti_live_opts o = RTI_OPTS_INIT(rti_live_opts, .target = "unix:///nonexistent.sock");
	static const char *bogus[] = { "bogus" };
	struct rti_grpc_filter f = { .event_types = bogus, .n_event_types = 1 };
	struct rti_live *l;

	ok(refused(NULL, p, EINVAL), "NULL opts: EINVAL");
	ok(refused(&o, NULL, EINVAL), "no pipeline: EINVAL");
	o.sz = sizeof(size_t);
	ok(refused(&o, p, EINVAL), "opts older than the first version: EINVAL");
	o.sz = sizeof(o);
	o.overflow = (enum rti_live_overflow)7;
	ok(refused(&o, p, EINVAL), "unknown overflow mode: EINVAL");
	o.overflow = RTI_LIVE_OVERFLOW_BLOCK;
	o.target = "unix://relative.sock";
	ok(refused(&o, p, EINVAL), "bad target: EINVAL");
	o.target = "unix:///nonexistent.sock";
	o.allow = &f;
	ok(refused(&o, p, EINVAL), "unknown event type in a filter: EINVAL");
	o.allow = NULL;
	o.record = "/nonexistent/dir/x.cap";
	ok(refused(&o, p, ENOENT), "record file that cannot be created: its errno");
	o.record = NULL;
	l = rti_live_new(&o, p);
	ok(l != NULL, "valid opts");
	ok(rti_live_step(l, 0) == -EINVAL, "step before start: -EINVAL");
	rti_live_free(l);
	rti_live_free(NULL);
	ok(1, "free without start, free(NULL)");
}

static void test_stop_before_start(struct rti_pipeline *p)
{
	struct rti_live_opts o = RTI_OPTS_INIT(rti_live_opts, .target = "unix:///nonexistent.sock",
					       .log = on_log);
	struct rti_live_stats st;
	struct rti_live *l = rti_live_new(&o, p);

	nlines = 0;
	rti_live_stop(l);
	ok(rti_live_start(l) == 0, "start after stop");
	ok(rti_live_start(l) == -EALREADY, "second start: -EALREADY");
	ok(rti_live_run(l) == 0, "stopped before start: the run ends at once, 0");
	ok(rti_live_step(l, 0) == 0, "step after the end: the result again");
	rti_live_get_stats(l, &st);
	ok(st.calls == 0 && st.connections == 0 && !st.connected, "no call made");
	ok(st.last_status == -1 && st.last_reason[0] == '\0', "no last status");
	ok(nlines == 0, "nothing logged");
	rti_live_free(l);
}

static void test_unreachable_once(struct rti_pipeline *p, const char *cap)
{
	struct rti_live_opts o = RTI_OPTS_INIT(rti_live_opts, .target = "unix:///nonexistent.sock",
					       .once = true, .record = cap, .log = on_log,
					       .idle = on_idle);
	struct rti_live_stats st;
	struct rti_live *l = rti_live_new(&o, p);
	char magic[8] = { 0 };
	FILE *f;

	nlines = 0;
	idle_calls = 0;
	ok(l && rti_live_start(l) == 0, "started");
	ok(rti_live_run(l) == -ECONNABORTED, "once, call failed: -ECONNABORTED");
	rti_live_get_stats(l, &st);
	ok(st.calls == 1 && st.connections == 0 && st.gaps == 0, "one attempt, no connection");
	ok(!st.connected && !rti_live_connected(l), "not connected");
	ok(st.last_status == RTI_GRPC_UNAVAILABLE, "last status UNAVAILABLE");
	ok(!strncmp(st.last_reason, "UNAVAILABLE: ", 13), "last reason: %s", st.last_reason);
	ok(st.disconnected_ns == st.disconnected_before_first_ns, "all of the time before the first connection");
	ok(st.messages == 0 && st.processed == 0 && st.queue_dropped == 0, "no messages");
	ok(st.queue_capacity == 4u << 20, "default queue capacity");
	ok(st.keepalive_ms == 300000, "default keepalive");
	ok(nlines == 1 && levels[0] == RTI_LIVE_LOG_WARN &&
	   !strncmp(lines[0], "cannot connect: UNAVAILABLE: ", 29), "logged: %s", lines[0]);
	ok(count_prefix("reconnecting") == 0, "once: no reconnect");
	ok(idle_calls > 0, "idle callback called");
	ok(rti_pipeline_stats(p)->records == 0, "pipeline: no records");
	rti_live_free(l);
	f = fopen(cap, "rb");
	ok(f && fread(magic, 1, 8, f) == 8 && !memcmp(magic, "\x89RTICAP\n", 8),
	   "record file: a capture header");
	if (f)
		fclose(f);
}

/* The logged delays ("reconnecting in 0.012 s") lie within the bounds. */
static void check_delays(const char *name, double lo, double hi)
{
	int n = 0, in = 0;

	for (int i = 0; i < nlines; i++) {
		double d;

		if (sscanf(lines[i], "reconnecting in %lf s", &d) != 1)
			continue;
		n++;
		in += d >= lo && d <= hi;
	}
	ok(n >= 3 && in == n, "%s: %d delays, %d within [%.3f, %.3f]", name, n, in, lo, hi);
}

static void run_until_attempts(struct rti_live *l, uint64_t attempts)
{
	struct rti_live_stats st;

	rti_live_start(l);
	do {
		rti_live_step(l, 10);
		rti_live_get_stats(l, &st);
	} while (st.calls < attempts);
	rti_live_stop(l);
	ok(rti_live_run(l) == 0, "stopped while reconnecting: 0");
	rti_live_get_stats(l, &st);
	ok(st.calls >= attempts && st.connections == 0, "%llu attempts",
	   (unsigned long long)st.calls);
}

static void test_backoff(struct rti_pipeline *p)
{
	struct rti_live_opts o = RTI_OPTS_INIT(rti_live_opts, .target = "unix:///nonexistent.sock",
					       .backoff_initial_ms = 10, .backoff_max_ms = 20,
					       .log = on_log);
	struct rti_live *l = rti_live_new(&o, p);

	nlines = 0;
	run_until_attempts(l, 5);
	/* 10, 20, 20, ... ms with +-20% jitter */
	check_delays("initial 10 ms, max 20 ms", 0.008, 0.024);
	rti_live_free(l);

	o.backoff_initial_ms = 30;
	o.backoff_max_ms = 5;
	l = rti_live_new(&o, p);
	nlines = 0;
	run_until_attempts(l, 4);
	check_delays("max below initial: raised to it", 0.024, 0.036);
	rti_live_free(l);
}

static void test_free_running(struct rti_pipeline *p)
{
	struct rti_live_opts o = RTI_OPTS_INIT(rti_live_opts, .target = "unix:///nonexistent.sock",
					       .backoff_initial_ms = 60000, .log = on_log);
	struct rti_live *l = rti_live_new(&o, p);

	rti_live_start(l);
	rti_live_step(l, 50);
	rti_live_free(l);
	ok(1, "free while the reader sleeps in its backoff");
}

int main(void)
{
	struct rti_pipeline *p = rti_pipeline_new(NULL);
	char cap[] = "/tmp/rti-test-live-XXXXXX";
	int fd = mkstemp(cap);

	ok(p && fd >= 0, "pipeline, temp file");
	if (fd >= 0)
		close(fd);
	test_opts(p);
	test_stop_before_start(p);
	test_unreachable_once(p, cap);
	test_backoff(p);
	test_free_running(p);
	unlink(cap);
	rti_pipeline_free(p);
	return done_testing();
}
