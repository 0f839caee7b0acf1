/* The record framer: JSON Lines, pretty-printed values, broken records that
 * must not swallow the good ones after them, caps, gzip input. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "ingest/records.h"
#include "tap.h"

static void put(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	fwrite(data, 1, n, f);
	fclose(f);
}

/* Reads all of path; returns a compact transcript "OK@1 BAD@2:reason ...". */
static const char *transcript(const char *path, size_t max_record)
{
	static char out[4096];
	struct rti_records_opts o = { max_record, 0, false, NULL, false, NULL, NULL };
	struct rti_records *r = rti_records_open(path, &o);
	struct rti_record rec;
	size_t len = 0;
	int st;

	out[0] = '\0';
	if (!r)
		return "open failed";
	while ((st = rti_records_next(r, &rec)) != RTI_REC_EOF && len < sizeof(out) - 200) {
		if (st == RTI_REC_OK)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sOK@%llu:%.*s",
						len ? " " : "", (unsigned long long)rec.line,
						(int)(rec.n > 20 ? 20 : rec.n), rec.p);
		else if (st == RTI_REC_BAD)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%sBAD@%llu:%s",
						len ? " " : "", (unsigned long long)rec.line, rec.why);
		else {
			len += (size_t)snprintf(out + len, sizeof(out) - len, " ERR");
			break;
		}
	}
	rti_records_close(r);
	return out;
}


/* Every record and diagnostic, in full, with the 64-byte fast path on or
 * off: the two framers must agree byte for byte. */
static char *full_transcript(const char *path, bool scalar_only, size_t *len)
{
	struct rti_records_opts o = { 0, 0, false, NULL, scalar_only, NULL, NULL };
	struct rti_records *r = rti_records_open(path, &o);
	struct rti_record rec;
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	size_t n = 0;
	int st;

	while (r && out && (st = rti_records_next(r, &rec)) != RTI_REC_EOF && st != RTI_REC_ERROR) {
		size_t need = rec.n + 200;

		if (n + need > cap) {
			char *nb = realloc(out, cap * 2 + need);

			if (!nb)
				break;
			out = nb;
			cap = cap * 2 + need;
		}
		n += (size_t)snprintf(out + n, cap - n, "%d@%llu+%zu:", st,
				      (unsigned long long)rec.line, rec.err_off);
		if (st == RTI_REC_OK) {
			memcpy(out + n, rec.p, rec.n);
			n += rec.n;
		} else {
			n += (size_t)snprintf(out + n, cap - n, "%s", rec.why);
		}
		out[n++] = '\n';
	}
	rti_records_close(r);
	*len = n;
	return out;
}

/* Random lines built from the pieces that decide framing: quotes, escapes,
 * brackets inside and outside strings, newlines, deep nesting, junk. */
static void random_lines(const char *path, unsigned seed, int lines)
{
	static const char *const piece[] = {
		"{", "}", "[", "]", "\"", "\\\\", "\\\"", "\"a\":", "\"{[\"", "\"]}\"", ",", "1",
		" ", "\n", "\"x\\\\\"", "null", "\"k\":{\"v\":[1,2,{\"w\":\"}\"}]}",
	};
	FILE *f = fopen(path, "wb");

	for (int l = 0; l < lines; l++) {
		int k = rand_r(&seed) % 6;

		fputc(k == 0 ? ' ' : '{', f);
		if (k == 1) /* deep */
			for (int d = rand_r(&seed) % 80; d > 0; d--)
				fputc('[', f);
		for (int p = rand_r(&seed) % 40; p > 0; p--) {
			/* long plain runs so that records span 64-byte blocks */
			if (rand_r(&seed) % 4 == 0)
				fputs("\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", f);
			else
				fputs(piece[rand_r(&seed) % (sizeof(piece) / sizeof(piece[0]))], f);
			if (rand_r(&seed) % 9 == 0)
				continue;
		}
		if (k >= 2)
			fputs("\"k\":\"v\"}", f);
		fputc('\n', f);
	}
	fclose(f);
}

int main(void)
{
	static const char jsonl[] = "{\"a\":1}\n{\"b\":2}\n\n   \n{\"c\":3}";
	static const char pretty[] = "{\n  \"a\": {\n    \"x\": [1, 2]\n  }\n}\n  {\n \"b\": 2\n }\n";
	char *big;
	clock_t t0;

	put("a.jsonl", jsonl, sizeof(jsonl) - 1);
	is_str(transcript("a.jsonl", 0), "OK@1:{\"a\":1} OK@2:{\"b\":2} OK@5:{\"c\":3}",
	       "JSON Lines, blank lines, last line without newline");

	put("p.json", pretty, sizeof(pretty) - 1);
	is_str(transcript("p.json", 0), "OK@1:{\n  \"a\": {\n    \"x\":  OK@6:{\n \"b\": 2\n }",
	       "pretty-printed values");

	put("s.jsonl", "{\"a\":\"unterminated\n{\"b\":2}\n", 27);
	is_str(transcript("s.jsonl", 0),
	       "BAD@1:unterminated string (line ends inside a string) OK@2:{\"b\":2}",
	       "newline inside a string ends the broken record only");

	put("t.jsonl", "{\"a\":{\"x\":1,\n{\"b\":2}\n", 21);
	is_str(transcript("t.jsonl", 0), "BAD@1:truncated JSON value OK@2:{\"b\":2}",
	       "a new record at column 0 ends a truncated one");

	put("j.jsonl", "xyz\n[1]\n\"s\"\n{\"b\":2}\n", 20);
	is_str(transcript("j.jsonl", 0),
	       "BAD@1:expected a JSON object OK@2:[1] BAD@3:expected a JSON object OK@4:{\"b\":2}",
	       "junk between values");

	put("e.jsonl", "{\"a\":\"q\\\"}{\\\\\",\"b\":\"\\\\\"}\n{\"c\":1}\n", 32);
	is_str(transcript("e.jsonl", 0), "OK@1:{\"a\":\"q\\\"}{\\\\\",\"b\":\" OK@2:{\"c\":1}",
	       "escaped quotes and backslashes");

	put("crlf.jsonl", "{\"a\":1}\r\n{\"b\":2}\r\n", 18);
	is_str(transcript("crlf.jsonl", 0), "OK@1:{\"a\":1} OK@2:{\"b\":2}", "CRLF line ends");

	put("eof.jsonl", "{\"a\":1}\n{\"b\":", 13);
	is_str(transcript("eof.jsonl", 0), "OK@1:{\"a\":1} BAD@2:truncated JSON value at end of input",
	       "truncated last record");

	/* 1 MB of '[' : rejected at depth 65, in linear time */
	big = malloc(2u << 20);
	memset(big, '[', 1u << 20);
	memcpy(big + (1u << 20), "\n{\"ok\":1}\n", 10);
	put("deep.jsonl", big, (1u << 20) + 10);
	t0 = clock();
	is_str(transcript("deep.jsonl", 0), "BAD@1:nesting too deep OK@2:{\"ok\":1}",
	       "deep nesting capped");
	ok((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0, "deep nesting costs linear time");

	/* a 100 KB line with a 16 KiB cap */
	big[0] = '{';
	big[1] = '"';
	memset(big + 2, 'A', 100000);
	memcpy(big + 100002, "\":1}\n{\"ok\":2}\n", 14);
	put("long.jsonl", big, 100016);
	is_str(transcript("long.jsonl", 16384),
	       "BAD@1:record longer than the maximum record size OK@2:{\"ok\":2}",
	       "record size cap, next record kept");
	is_str(transcript("long.jsonl", 0), "OK@1:{\"AAAAAAAAAAAAAAAAAA OK@2:{\"ok\":2}",
	       "long line accepted under the default cap");

	{
		gzFile gz = gzopen("z.jsonl.gz", "wb");

		gzwrite(gz, jsonl, sizeof(jsonl) - 1);
		gzclose(gz);
		is_str(transcript("z.jsonl.gz", 0), "OK@1:{\"a\":1} OK@2:{\"b\":2} OK@5:{\"c\":3}",
		       "gzip-compressed rotated file");
	}
	ok(rti_records_open("does-not-exist", NULL) == NULL, "missing file fails to open");
	free(big);
	{
		int differ = 0;

		for (unsigned seed = 1; seed <= 300; seed++) {
			size_t la;
			size_t lb;
			char *a;
			char *b;

			random_lines("rand.jsonl", seed, 60);
			a = full_transcript("rand.jsonl", false, &la);
			b = full_transcript("rand.jsonl", true, &lb);
			if (!a || !b || la != lb || memcmp(a, b, la))
				differ++;
			free(a);
			free(b);
		}
		ok(differ == 0, "64-byte fast path and byte loop frame 300 random files alike");
	}
	return done_testing();
}
