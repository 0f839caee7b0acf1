/* The input object: files read one after the other (plain and gzip), a
 * broken record reported with its file and line and counted, a file that
 * cannot be opened, lines mode, resume positions through a hot index, and
 * the repair of an output's partial last line. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "rti/hotsym.h"
#include "rti/input.h"
#include "rti/opts.h"
#include "tap.h"

static void put(const char *path, const char *data)
{
	FILE *f = fopen(path, "wb");

	fputs(data, f);
	fclose(f);
}

static void put_gz(const char *path, const char *data)
{
	gzFile g = gzopen(path, "wb");

	gzputs(g, data);
	gzclose(g);
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

/* Every status as "R:FILE:LINE:TEXT", "B:FILE:LINE:WHY", "E:FILE", "O:FILE",
 * "N:WHY", joined by spaces. */
static const char *transcript(struct rti_input *in)
{
	static char out[4096];
	struct rti_input_record rec;
	size_t len = 0;
	int st;

	out[0] = '\0';
	while ((st = rti_input_next(in, &rec)) != RTI_INPUT_END && len < sizeof(out) - 300) {
		const char *sep = len ? " " : "";

		if (st == RTI_INPUT_RECORD)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sR:%s:%llu:%.*s", sep,
						rec.file, (unsigned long long)rec.line, (int)rec.n,
						rec.p);
		else if (st == RTI_INPUT_BAD)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sB:%s:%llu:%s", sep,
						rec.file, (unsigned long long)rec.line, rec.why);
		else if (st == RTI_INPUT_FILE_END)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sE:%s", sep, rec.file);
		else if (st == RTI_INPUT_OPEN_FAILED)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sO:%s", sep, rec.file);
		else if (st == RTI_INPUT_NOTICE)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sN:%s", sep, rec.why);
		else
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sX:%d", sep, st);
	}
	return out;
}

static void test_files(void)
{
	const char *paths[] = { "a.jsonl", "missing.jsonl", "b.jsonl.gz" };
	struct rti_input *in;
	const struct rti_input_stats *s;

	put("a.jsonl", "{\"a\":1}\nnot json\n{\"b\":2}\n");
	put_gz("b.jsonl.gz", "{\"c\":3}\n{\"d\":\n4}\n");
	in = rti_input_new(paths, 3, NULL);
	ok(in != NULL, "input over three files");
	is_str(transcript(in),
	       "R:a.jsonl:1:{\"a\":1} B:a.jsonl:2:expected a JSON object R:a.jsonl:3:{\"b\":2} "
	       "E:a.jsonl O:missing.jsonl R:b.jsonl.gz:1:{\"c\":3} R:b.jsonl.gz:2:{\"d\":\n4} "
	       "E:b.jsonl.gz",
	       "plain and gzip in order; a broken record with file:line; a missing file");
	s = rti_input_stats(in);
	ok(s->framing_errors == 1, "the broken record is counted (%llu)",
	   (unsigned long long)s->framing_errors);
	ok(s->inputs_failed == 1, "the missing file is counted");
	ok(s->lines == 6, "lines of both files (%llu)", (unsigned long long)s->lines);
	ok(s->bytes == 26 + 16, "uncompressed bytes (%llu)", (unsigned long long)s->bytes);
	rti_input_free(in);
}

static void test_lines(void)
{
	const char *paths[] = { "l.txt", "l.gz" };
	struct rti_input_opts o = RTI_OPTS_INIT(rti_input_opts, .lines = true);
	struct rti_input *in;

	put("l.txt", "one {\n\n{\"x\":\r\nlast");
	put_gz("l.gz", "zipped\n");
	in = rti_input_new(paths, 2, &o);
	is_str(transcript(in), "R:l.txt:1:one { R:l.txt:2: R:l.txt:3:{\"x\":\r R:l.txt:4:last "
	       "E:l.txt R:l.gz:1:zipped E:l.gz",
	       "lines mode: every line as is, the last one without its newline, gzip too");
	rti_input_free(in);
}

static void test_resume(void)
{
	const char *paths[] = { "r.jsonl" };
	struct rti_hotsym_opts ho = RTI_OPTS_INIT(rti_hotsym_opts, .node = "test");
	struct rti_input_opts o = RTI_OPTS_INIT(rti_input_opts);
	struct rti_input_record rec;
	struct rti_input *in;
	struct rti_hotsym *hot;
	char err[512];
	uint64_t end = 0;

	put("r.jsonl", "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
	hot = rti_hotsym_open("sqlite:r.db", &ho, err, sizeof(err));
	ok(hot != NULL, "hot index opened (%s)", hot ? "" : err);
	if (!hot)
		return;
	o.resume = hot;
	in = rti_input_new(paths, 1, &o);
	for (int i = 0; i < 2; i++) {
		ok(rti_input_next(in, &rec) == RTI_INPUT_RECORD, "record %d", i + 1);
		ok(rti_input_commit(in) == 0, "position of record %d noted", i + 1);
		end = rec.end;
	}
	ok(end == 15, "the second record ends at byte 15, before its newline (%llu)",
	   (unsigned long long)end);
	rti_input_free(in);
	ok(rti_hotsym_flush(hot) == 0, "position committed");
	in = rti_input_new(paths, 1, &o);
	/* line numbers count from the resume point: its newline ends line 1 */
	is_str(transcript(in),
	       "N:r.jsonl: resuming at byte 15 (committed in the hot index) "
	       "R:r.jsonl:2:{\"c\":3} E:r.jsonl",
	       "a new input resumes after the committed record");
	rti_input_free(in);
	put("r.jsonl", "{\"a\":1}\n");
	in = rti_input_new(paths, 1, &o);
	ok(strstr(transcript(in), "r.jsonl:1:{\"a\":1}") != NULL,
	   "a new file (new inode): read from its start");
	rti_input_free(in);
	rti_hotsym_close(hot);
}

static void test_repair(void)
{
	uint64_t dropped = 99;
	int fd;

	put("o1.ndjson", "{\"a\":1}\n{\"b\":2}\n{\"c\":");
	fd = open("o1.ndjson", O_RDWR);
	ok(rti_output_repair(fd, &dropped) == 0 && dropped == 5, "partial last line dropped (%llu)",
	   (unsigned long long)dropped);
	close(fd);
	is_str(slurp("o1.ndjson"), "{\"a\":1}\n{\"b\":2}\n", "whole lines kept");
	put("o2.ndjson", "{\"a\":1}\n");
	fd = open("o2.ndjson", O_RDWR);
	ok(rti_output_repair(fd, &dropped) == 0 && dropped == 0, "a whole last line stays");
	close(fd);
	put("o3.ndjson", "{\"a\"");
	fd = open("o3.ndjson", O_RDWR);
	ok(rti_output_repair(fd, &dropped) == 0 && dropped == 4 && !*slurp("o3.ndjson"),
	   "no newline at all: everything goes");
	close(fd);
}

int main(void)
{
	char dir[] = "/tmp/rti-test-input.XXXXXX";

	if (!mkdtemp(dir) || chdir(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_files();
	test_lines();
	test_resume();
	test_repair();
	if (chdir("/") == 0) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
		if (system(cmd) != 0)
			printf("# cannot remove %s\n", dir);
	}
	return done_testing();
}
