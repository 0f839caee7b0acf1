/* The word-at-a-time scanners against the obvious byte loops. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/swar.h"

static size_t plain_ref(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
		i++;
	return i;
}

static size_t find2_ref(const unsigned char *s, size_t n, unsigned char a, unsigned char b)
{
	size_t i = 0;

	while (i < n && s[i] != a && s[i] != b)
		i++;
	return i;
}

int main(void)
{
	/* every byte value at every position of a word, after a plain prefix */
	unsigned char buf[64];
	int bad_plain = 0;
	int bad_find = 0;
	unsigned seed = 12345;

	for (int v = 0; v < 256; v++) {
		for (size_t pos = 0; pos < 24; pos++) {
			memset(buf, 'a', sizeof(buf));
			buf[pos] = (unsigned char)v;
			if (rti_swar_plain_run(buf, 24) != plain_ref(buf, 24))
				bad_plain++;
			if (rti_swar_find2(buf, 24, '"', '\n') != find2_ref(buf, 24, '"', '\n'))
				bad_find++;
		}
	}
	ok(bad_plain == 0, "plain run: each byte value at each position");
	ok(bad_find == 0, "find2: each byte value at each position");
	/* random strings, biased towards the bytes that stop a run, where one
	 * word holds several hits and borrows could mislead */
	bad_plain = bad_find = 0;
	for (int r = 0; r < 200000; r++) {
		size_t n = (size_t)(rand_r(&seed) % 40);
		static const unsigned char pick[] = { 'a', 'Z', ' ', '"', '\\', '\n', 0x1f, 0x00,
						      0x7f, 0x80, 0xff, 0x21, 0x01, 0x0a, 0x5c };

		for (size_t i = 0; i < n; i++)
			buf[i] = rand_r(&seed) % 3 ? (unsigned char)('a' + rand_r(&seed) % 26)
						   : pick[rand_r(&seed) % sizeof(pick)];
		if (rti_swar_plain_run(buf, n) != plain_ref(buf, n))
			bad_plain++;
		if (rti_swar_find2(buf, n, '"', '\n') != find2_ref(buf, n, '"', '\n'))
			bad_find++;
		if (rti_swar_find2(buf, n, 0x00, 0xff) != find2_ref(buf, n, 0x00, 0xff))
			bad_find++;
	}
	ok(bad_plain == 0, "plain run: 200k random strings");
	ok(bad_find == 0, "find2: 200k random strings, two byte pairs");
	ok(rti_swar_plain_run((const unsigned char *)"", 0) == 0, "empty string");
	return done_testing();
}
