/* Capture files (src/ingest/capture.c, docs/capture-format.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/capture.h"
#include "tap.h"

static char path[4096];

static long fsize(void)
{
	FILE *f = fopen(path, "rb");
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

int main(void)
{
	const char *tmp = getenv("T");
	struct rti_capture_writer *w;
	struct rti_capture_reader *r;
	struct rti_capture_record rec;
	static uint8_t big[200000];
	const char *why;
	unsigned char head[16];
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "%s/test.cap", tmp ? tmp : "/tmp");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	w = rti_capture_create(path);
	ok(w != NULL, "create");
	ok(rti_capture_write(w, RTI_CAP_CONNECTED, 1, "unix:///x", 9) == 0, "marker");
	ok(rti_capture_write(w, RTI_CAP_MESSAGE, 1763460400123456789ull, "\x0a\x00", 2) == 0, "message");
	ok(rti_capture_write(w, RTI_CAP_MESSAGE, 2, big, sizeof(big)) == 0, "large message");
	ok(rti_capture_write(w, RTI_CAP_MESSAGE, 3, "", 0) == 0, "empty message");
	ok(rti_capture_write(w, 77, 4, "future", 6) == 0, "unknown type");
	ok(rti_capture_close(w) == 0, "close");
	ok(fsize() == 16 + 5 * 16 + 9 + 2 + (long)sizeof(big) + 0 + 6, "file size is header + records");

	f = fopen(path, "rb");
	ok(fread(head, 1, 16, f) == 16 && !memcmp(head, "\x89RTICAP\n\x00\x01\x00\x10\0\0\0\0", 16),
	   "header bytes as documented");
	fclose(f);

	r = rti_capture_open(path, 0, &why);
	ok(r != NULL, "open");
	ok(rti_capture_next(r, &rec, &why) == 1 && rec.type == RTI_CAP_CONNECTED && rec.len == 9 &&
	   !memcmp(rec.data, "unix:///x", 9), "marker read back");
	ok(rti_capture_next(r, &rec, &why) == 1 && rec.type == RTI_CAP_MESSAGE &&
	   rec.time_ns == 1763460400123456789ull && rec.len == 2, "message and its time");
	ok(rti_capture_next(r, &rec, &why) == 1 && rec.len == sizeof(big) &&
	   !memcmp(rec.data, big, sizeof(big)), "large message intact");
	ok(rti_capture_next(r, &rec, &why) == 1 && rec.len == 0, "empty message");
	ok(rti_capture_next(r, &rec, &why) == 1 && rec.type == 77, "unknown type passed to the caller");
	ok(rti_capture_next(r, &rec, &why) == 0, "end of file");
	rti_capture_close_reader(r);

	/* a record cap */
	r = rti_capture_open(path, 1000, &why);
	rti_capture_next(r, &rec, &why);
	rti_capture_next(r, &rec, &why);
	k = rti_capture_next(r, &rec, &why);
	ok(k == -EINVAL && why && strstr(why, "size limit"), "record over the cap: error");
	rti_capture_close_reader(r);

	/* cut short, as when the agent is killed mid-write */
	ok(truncate(path, 16 + 16 + 9 + 16 + 1) == 0, "truncate");
	r = rti_capture_open(path, 0, &why);
	ok(rti_capture_next(r, &rec, &why) == 1, "records before the cut");
	k = rti_capture_next(r, &rec, &why);
	ok(k == -EINVAL && why && strstr(why, "truncated record"), "truncated record reported");
	rti_capture_close_reader(r);
	ok(truncate(path, 16 + 16 + 9 + 7) == 0, "truncate in a header");
	r = rti_capture_open(path, 0, &why);
	rti_capture_next(r, &rec, &why);
	ok(rti_capture_next(r, &rec, &why) == -EINVAL && strstr(why, "record header"),
	   "truncated record header reported");
	rti_capture_close_reader(r);

	/* not a capture */
	f = fopen(path, "wb");
	fputs("{\"process_exec\":{}}\n", f);
	fclose(f);
	r = rti_capture_open(path, 0, &why);
	ok(r == NULL && errno == EINVAL && why && strstr(why, "magic"), "JSON is not a capture");
	ok(rti_capture_sniff("\x89RTICAP\n", 8) && !rti_capture_sniff("{", 1), "sniff");
	unlink(path);
	return done_testing();
}
