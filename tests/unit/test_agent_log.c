/* The agent's log (src/agent/log.h): logfmt and JSON lines, levels, and the
 * rate limit: a repeated message (Tetragon down for an hour) writes at most
 * RTI_LOG_BURST lines per window, then one line with the suppressed count. */
#include <stdlib.h>
#include <string.h>

#include "agent/log.h"
#include "tap.h"

static uint64_t fake_ms;
static uint64_t fake_now(void) { return fake_ms; }

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int main(void)
{
	struct rti_logger lg;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	rti_logger_init(&lg, f);
	lg.now_ms = fake_now;
	fake_ms = 1000000;
	rti_log(&lg, RTI_LOG_INFO, "connected to unix:///x", "component", "tetragon", (const char *)NULL);
	fflush(f);
	ok(strstr(buf, " level=info msg=\"connected to unix:///x\" component=tetragon\n") != NULL,
	   "logfmt: level, quoted msg, bare value");
	ok(!strncmp(buf, "time=", 5), "logfmt: time first");
	rti_log(&lg, RTI_LOG_DEBUG, "hidden", (const char *)NULL);
	fflush(f);
	ok(!strstr(buf, "hidden"), "below the level: not written");

	/* an hour of reconnect failures, one every 100 ms */
	for (int i = 0; i < 36000; i++) {
		char msg[128];

		snprintf(msg, sizeof(msg), "cannot connect: attempt %d failed", i);
		rti_log(&lg, RTI_LOG_WARN, msg, (const char *)NULL);
		fake_ms += 100;
		if (i % 50 == 0)
			rti_log_tick(&lg);
	}
	fflush(f);
	ok(count_lines(buf) <= 1 + 60 * (RTI_LOG_BURST + 1), "an hour of failures: at most %d lines per minute (%zu lines)",
	   RTI_LOG_BURST + 1, count_lines(buf));
	ok(strstr(buf, "suppressed=") != NULL, "suppressed repeats are counted");
	{
		/* the counts add up: written + suppressed = 36000, once the last
		 * window closed and its suppressed repeats were reported */
		unsigned long long sum = 0, lines = 0;

		fake_ms += RTI_LOG_WINDOW_MS;
		rti_log_tick(&lg);
		fflush(f);
		for (char *p = buf; (p = strstr(p, "cannot connect")); p++) {
			char *nl = strchr(p, '\n');
			char *s = strstr(p, "suppressed=");

			if (!strstr(p, "(repeats suppressed)") || strstr(p, "(repeats suppressed)") > nl)
				lines++;
			if (s && s < nl)
				sum += strtoull(s + 11, NULL, 10);
		}
		ok(sum + lines == 36000, "written %llu + suppressed %llu = 36000", lines, sum);
	}

	/* JSON */
	rti_logger_set(&lg, RTI_LOG_INFO, true);
	rti_log(&lg, RTI_LOG_ERROR, "reload failed", "error", "a.yaml:1:2: x: \"bad\"", (const char *)NULL);
	fflush(f);
	ok(strstr(buf, ",\"level\":\"error\",\"msg\":\"reload failed\",\"error\":\"a.yaml:1:2: x: \\\"bad\\\"\"}\n") != NULL,
	   "json: escaped values, one object per line");
	rti_logger_release(&lg);
	fclose(f);
	free(buf);
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
