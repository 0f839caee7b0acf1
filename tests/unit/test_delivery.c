/* SPDX-License-Identifier: Apache-2.0 */
/* The delivery spool on real files (restart, torn tail, corrupt segment,
 * drop_oldest counted exactly, bad ledger), its formats, gzip determinism,
 * Retry-After, backoff and the status classes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "delivery/backoff.h"
#include "delivery/http.h"
#include "delivery/spool.h"
#include "delivery/spool_format.h"
#include "tap.h"
#include "util/hash.h"

static char root[256];

static struct rti_spool *open_spool(const char *dir, uint64_t max_bytes, uint64_t batch_max)
{
	struct rti_spool_opts o = RTI_OPTS_INIT(rti_spool_opts, .dir = dir, .name = "events",
						.max_bytes = max_bytes, .batch_max_bytes = batch_max,
						.batch_timeout_ms = 1000);
	char err[256];
	struct rti_spool *s = rti_spool_open(&o, err, sizeof(err));

	if (!s)
		printf("# open: %s\n", err);
	return s;
}

static void line(char *buf, size_t cap, unsigned i, unsigned pad)
{
	int n = snprintf(buf, cap, "{\"event_id\":\"e%06u\",\"pad\":\"", i);

	for (unsigned k = 0; k < pad && (size_t)n + 4 < cap; k++)
		buf[n++] = 'x';
	memcpy(buf + n, "\"}\n", 4);
}

/* Takes every batch there is (draining), acked; the event numbers seen in seen[]. */
static unsigned drain(struct rti_spool *s, unsigned char *seen, unsigned n)
{
	const struct rti_batch_source_ops *ops;
	void *ctx;
	struct rti_batch b;
	unsigned got = 0;

	rti_spool_source(s, &ops, &ctx);
	rti_spool_set_draining(s, true);
	while (ops->next(ctx, &b, 1) == 1) {
		for (const char *p = (const char *)b.body; p < (const char *)b.body + b.len;) {
			const char *nl = memchr(p, '\n', (size_t)((const char *)b.body + b.len - p));
			unsigned id;

			if (sscanf(p, "{\"event_id\":\"e%u\"", &id) == 1 && id < n)
				seen[id]++;
			got++;
			p = nl ? nl + 1 : (const char *)b.body + b.len;
		}
		if (ops->ack(ctx, &b))
			break;
	}
	rti_spool_set_draining(s, false);
	return got;
}

static void test_batches_and_restart(void)
{
	char dir[300], buf[200];
	const struct rti_batch_source_ops *ops;
	void *ctx;
	struct rti_batch b;
	char id[65], want[65];
	unsigned char seen[40] = { 0 };
	struct rti_spool *s;
	size_t len;

	snprintf(dir, sizeof(dir), "%s/a", root);
	s = open_spool(dir, 1 << 20, 1 << 20);
	ok(s != NULL, "a spool opens in a new directory");
	for (unsigned i = 0; i < 10; i++) {
		line(buf, sizeof(buf), i, 10);
		rti_spool_append(s, buf, strlen(buf));
	}
	rti_spool_source(s, &ops, &ctx);
	ok(ops->next(ctx, &b, 1000) == 0, "no batch before batch_timeout");
	ok(ops->next(ctx, &b, 2001) == 1 && b.records == 10, "a batch of 10 after batch_timeout");
	rti_sha256_hex(b.body, b.len, want);
	is_str(b.id, want, "the batch id is the SHA-256 of its bytes");
	memcpy(id, b.id, sizeof(id));
	len = b.len;
	ok(ops->next(ctx, &b, 3000) == 1 && !strcmp(b.id, id) && b.len == len,
	   "offered again, same id and length, until acknowledged");
	rti_spool_close(s);
	s = open_spool(dir, 1 << 20, 1 << 20);
	rti_spool_source(s, &ops, &ctx);
	ok(ops->next(ctx, &b, 1) == 1 && !strcmp(b.id, id) && b.len == len && b.records == 10,
	   "after a restart: the batch in flight again, byte for byte");
	ok(ops->ack(ctx, &b) == 0, "ack");
	ok(ops->next(ctx, &b, 99999) == 0, "nothing left after the ack");
	for (unsigned i = 10; i < 20; i++) {
		line(buf, sizeof(buf), i, 10);
		rti_spool_append(s, buf, strlen(buf));
	}
	rti_spool_close(s);
	s = open_spool(dir, 1 << 20, 1 << 20);
	ok(drain(s, seen, 40) == 10 && seen[10] && seen[19] && !seen[0],
	   "after a restart only what was not acknowledged is sent");
	rti_spool_close(s);
}

static int seg_path(const char *dir, unsigned nth, char *out, size_t cap)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), k = 0, found = -1;

	for (int i = 0; i < n; i++) {
		uint64_t seq;

		if (!rti_spool_seg_name_parse(names[i]->d_name, &seq) && k++ == (int)nth && found < 0) {
			snprintf(out, cap, "%s/%s", dir, names[i]->d_name);
			found = 0;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

static void test_torn_tail(void)
{
	char dir[300], buf[200], sub[320], seg[600];
	unsigned char seen[10] = { 0 };
	struct rti_spool_stats st;
	struct rti_spool *s;
	int fd;

	snprintf(dir, sizeof(dir), "%s/torn", root);
	s = open_spool(dir, 1 << 20, 1 << 20);
	for (unsigned i = 0; i < 5; i++) {
		line(buf, sizeof(buf), i, 10);
		rti_spool_append(s, buf, strlen(buf));
	}
	rti_spool_close(s);
	snprintf(sub, sizeof(sub), "%s/events", dir);
	seg_path(sub, 0, seg, sizeof(seg));
	fd = open(seg, O_WRONLY | O_APPEND);
	ok(fd >= 0 && write(fd, "\x40\0\0\0\1\2\3\4{\"half", 13) == 13, "a torn record appended");
	close(fd);
	s = open_spool(dir, 1 << 20, 1 << 20);
	rti_spool_get_stats(s, &st);
	ok(st.torn_records == 1, "the torn record is cut off and counted");
	ok(drain(s, seen, 10) == 5 && seen[0] && seen[4], "the whole records are delivered");
	rti_spool_close(s);
}

static void test_corrupt_segment(void)
{
	char dir[300], buf[1200], sub[320], seg[600];
	unsigned char seen[200] = { 0 };
	struct rti_spool_stats st;
	struct rti_spool *s;
	unsigned total = 60, lost = 0, got;
	int fd;

	snprintf(dir, sizeof(dir), "%s/corrupt", root);
	snprintf(sub, sizeof(sub), "%s/events", dir);
	s = open_spool(dir, 64 << 10, 1 << 20); /* 4 KiB segments */
	for (unsigned i = 0; i < total; i++) {
		line(buf, sizeof(buf), i, 400);
		rti_spool_append(s, buf, strlen(buf));
	}
	rti_spool_close(s);
	ok(seg_path(sub, 1, seg, sizeof(seg)) == 0, "several segments");
	{ /* records of the second segment: all lost when its first CRC is wrong */
		struct stat sb;

		stat(seg, &sb);
		lost = (unsigned)(sb.st_size / (RTI_SPOOL_HDR + strlen(buf)));
	}
	fd = open(seg, O_RDWR);
	ok(fd >= 0 && pwrite(fd, "Z", 1, 20) == 1, "a byte of the second segment's first record flipped");
	close(fd);
	s = open_spool(dir, 64 << 10, 1 << 20);
	got = drain(s, seen, 200);
	rti_spool_get_stats(s, &st);
	ok(st.corrupt_segments == 1, "one segment quarantined");
	ok(got == total - lost, "every other record delivered (%u of %u, %u lost)", got, total, lost);
	snprintf(buf, sizeof(buf), "%s/corrupt", dir);
	{
		DIR *d = opendir(buf);
		int n = 0;

		for (struct dirent *e; d && (e = readdir(d));)
			n += e->d_name[0] != '.';
		if (d)
			closedir(d);
		ok(n == 1, "the segment is in corrupt/");
	}
	rti_spool_close(s);
}

static void test_drop_oldest(void)
{
	char dir[300], buf[1200];
	unsigned char seen[400] = { 0 };
	struct rti_spool_stats st;
	struct rti_spool *s;
	unsigned total = 300, got, first = 0;

	snprintf(dir, sizeof(dir), "%s/full", root);
	s = open_spool(dir, 64 << 10, 8 << 10);
	for (unsigned i = 0; i < total; i++) {
		line(buf, sizeof(buf), i, 1000);
		rti_spool_append(s, buf, strlen(buf));
	}
	rti_spool_get_stats(s, &st);
	ok(st.bytes <= 64 << 10, "the spool stays within max_bytes (%llu)", (unsigned long long)st.bytes);
	got = drain(s, seen, 400);
	ok(st.dropped_spool_full > 0 && st.dropped_spool_full + got == total,
	   "dropped (%llu) + delivered (%u) = written (%u): counted exactly",
	   (unsigned long long)st.dropped_spool_full, got, total);
	while (first < total && !seen[first])
		first++;
	ok(first == st.dropped_spool_full, "the oldest ones were dropped");
	rti_spool_close(s);
}

static void test_bad_ledger(void)
{
	char dir[300], buf[200], p[400];
	unsigned char seen[10] = { 0 };
	struct rti_spool_stats st;
	struct rti_spool *s;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/ledger", root);
	s = open_spool(dir, 1 << 20, 1 << 20);
	for (unsigned i = 0; i < 5; i++) {
		line(buf, sizeof(buf), i, 10);
		rti_spool_append(s, buf, strlen(buf));
	}
	drain(s, seen, 10);
	rti_spool_close(s);
	snprintf(p, sizeof(p), "%s/events/ledger", dir);
	f = fopen(p, "w");
	fputs("garbage\n", f);
	fclose(f);
	memset(seen, 0, sizeof(seen));
	s = open_spool(dir, 1 << 20, 1 << 20);
	ok(s != NULL, "a garbage ledger does not stop the spool");
	rti_spool_get_stats(s, &st);
	ok(st.ledger_resets == 1, "it is quarantined and counted");
	ok(drain(s, seen, 10) == 5, "what is still spooled is sent again (receivers dedupe)");
	rti_spool_close(s);
}

static void test_formats(void)
{
	struct rti_ledger l, m;
	char file[RTI_LEDGER_SIZE], why[400];
	unsigned slot = 9;
	uint64_t seq;
	static const char *const bad[] = {
		"", "stella-rti spool ledger 2\nacked 1 0\ngen 1\ncrc 00000000\n",
		"stella-rti spool ledger 1\nacked 1\ngen 1\ncrc 00000000\n",
		"stella-rti spool ledger 1\nacked 1 0\ninflight 1 5 4 1 1 " /* end < start */
		"0000000000000000000000000000000000000000000000000000000000000000\ngen 1\ncrc 00000000\n",
		"stella-rti spool ledger 1\nacked 99999999999999999999999 0\ngen 1\ncrc 00000000\n",
		"stella-rti spool ledger 1\nacked 1 0\ngen 1\ncrc 00000000\n", /* wrong crc */
		"stella-rti spool ledger 1\nacked 1 0\n",
	};

	memset(&l, 0, sizeof(l));
	l.acked_seq = 7;
	l.acked_off = 120;
	l.inflight = true;
	l.if_seq = 7;
	l.if_start = 120;
	l.if_end = 4000;
	l.if_records = 3;
	l.if_created_ms = 1700000000000ull;
	memset(l.if_id, 'a', 64);
	l.if_id[64] = '\0';
	l.gen = 5;
	rti_ledger_format(&l, file);
	ok(!rti_ledger_parse(file, RTI_LEDGER_SLOT, &m, why, sizeof(why)) && !memcmp(&l, &m, sizeof(l)),
	   "ledger: format and parse agree");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(rti_ledger_parse(bad[i], strlen(bad[i]), &m, why, sizeof(why)) == -EINVAL,
		   "ledger: refused (%s)", why);
	l.gen = 6;
	l.inflight = false;
	rti_ledger_format(&l, file + RTI_LEDGER_SLOT);
	ok(!rti_ledger_file_parse(file, sizeof(file), &m, &slot, why, sizeof(why)) && slot == 1 &&
	   m.gen == 6 && !m.inflight, "ledger file: the slot with the higher gen");
	file[RTI_LEDGER_SLOT + 30] ^= 1; /* a torn write of slot 1 */
	ok(!rti_ledger_file_parse(file, sizeof(file), &m, &slot, why, sizeof(why)) && slot == 0 &&
	   m.gen == 5 && m.inflight, "ledger file: a torn slot falls back to the other one");
	file[20] ^= 1;
	ok(rti_ledger_file_parse(file, sizeof(file), &m, &slot, why, sizeof(why)) == -EINVAL,
	   "ledger file: both slots bad is an error (%s)", why);
	ok(!rti_spool_seg_name_parse("00000000000000000042.seg", &seq) && seq == 42, "segment name");
	ok(rti_spool_seg_name_parse("0000000000000000042.seg", &seq) < 0, "segment name: 19 digits refused");
}

static void test_gzip(void)
{
	static const char in[] = "{\"a\":1}\n{\"a\":2}\n";
	uint8_t *a = NULL, *b = NULL, out[64];
	size_t an = 0, bn = 0;
	uLongf on = sizeof(out);
	z_stream z;

	ok(!rti_gzip(in, sizeof(in) - 1, &a, &an) && !rti_gzip(in, sizeof(in) - 1, &b, &bn) &&
	   an == bn && !memcmp(a, b, an), "gzip: the same batch gives the same bytes");
	ok(an > 10 && a[0] == 0x1f && a[1] == 0x8b && !a[4] && !a[5] && !a[6] && !a[7] && a[9] == 255,
	   "gzip: mtime 0, OS byte 255");
	memset(&z, 0, sizeof(z));
	inflateInit2(&z, 31);
	z.next_in = a;
	z.avail_in = (uInt)an;
	z.next_out = out;
	z.avail_out = (uInt)on;
	ok(inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == sizeof(in) - 1 &&
	   !memcmp(out, in, sizeof(in) - 1), "gzip: gunzips to the batch");
	inflateEnd(&z);
	free(a);
	free(b);
}

static void test_http_rules(void)
{
	struct rti_backoff bo;
	time_t now = 1700000000;
	bool in_range = true;

	ok(rti_retry_after_parse("120", now) == 120000, "Retry-After: seconds");
	ok(rti_retry_after_parse(" 3\r\n", now) == 3000, "Retry-After: seconds with spaces and CRLF");
	ok(rti_retry_after_parse("Tue, 14 Nov 2023 22:13:40 GMT", now) == 20000,
	   "Retry-After: an HTTP-date");
	ok(rti_retry_after_parse("soon", now) == -1, "Retry-After: garbage ignored");
	ok(rti_http_classify(200) == RTI_HTTP_ACK && rti_http_classify(204) == RTI_HTTP_ACK, "2xx ack");
	ok(rti_http_classify(408) == RTI_HTTP_RETRY && rti_http_classify(429) == RTI_HTTP_RETRY &&
	   rti_http_classify(500) == RTI_HTTP_RETRY && rti_http_classify(503) == RTI_HTTP_RETRY &&
	   rti_http_classify(0) == RTI_HTTP_RETRY, "408, 429, 5xx, transport errors retry");
	ok(rti_http_classify(400) == RTI_HTTP_DEAD && rti_http_classify(401) == RTI_HTTP_DEAD &&
	   rti_http_classify(413) == RTI_HTTP_DEAD && rti_http_classify(301) == RTI_HTTP_DEAD,
	   "other codes: dead letter");
	rti_backoff_init(&bo, 100, 1000, 42);
	for (unsigned i = 0; i < 200; i++) {
		uint64_t cap = i < 4 ? 100u << i : 1000, d = rti_backoff_next(&bo, -1);

		in_range &= d <= cap;
	}
	ok(in_range, "backoff: full jitter within min(max, initial * 2^n)");
	ok(rti_backoff_next(&bo, 5000) >= 5000, "backoff: never before Retry-After");
	ok(rti_backoff_next(&bo, 999999999) == RTI_RETRY_AFTER_MAX_MS, "backoff: Retry-After capped at 1 h");
}

int main(void)
{
	const char *tmp = getenv("T");

	snprintf(root, sizeof(root), "%s/rti-delivery.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		printf("not ok 1 - mkdtemp\n1..1\n");
		return 1;
	}
	test_batches_and_restart();
	test_torn_tail();
	test_corrupt_segment();
	test_drop_oldest();
	test_bad_ledger();
	test_formats();
	test_gzip();
	test_http_rules();
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			printf("# cleanup failed\n");
	}
	return done_testing();
}
