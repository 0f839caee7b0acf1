/* JSON string bodies: escapes, surrogates, validation (jsmn checks none). */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "tetragon/jstr.h"

static const char *dec(const char *in, const char **why)
{
	static char out[256];
	size_t off;
	long n = rti_jstr_decode(in, strlen(in), out, why, &off);

	return n < 0 ? NULL : out;
}

int main(void)
{
	const char *why = NULL;

	is_str(dec("plain", &why), "plain", "plain string");
	is_str(dec("a\\\"b\\\\c\\/d", &why), "a\"b\\c/d", "simple escapes");
	is_str(dec("\\b\\f\\n\\r\\t", &why), "\b\f\n\r\t", "control escapes");
	is_str(dec("\\u00e9\\u20AC", &why), "\xc3\xa9\xe2\x82\xac", "\\u escapes to UTF-8");
	is_str(dec("\\ud83d\\ude00", &why), "\xf0\x9f\x98\x80", "surrogate pair");
	is_str(dec("\xc3\xa9", &why), "\xc3\xa9", "raw UTF-8 kept");
	ok(dec("\\ud800x", &why) == NULL && strstr(why, "surrogate"), "lone high surrogate rejected");
	ok(dec("\\udc00", &why) == NULL && strstr(why, "surrogate"), "lone low surrogate rejected");
	ok(dec("\\ud800\\u0041", &why) == NULL, "high surrogate + non-low rejected");
	ok(dec("a\x01", &why) == NULL && strstr(why, "control"), "raw control char rejected");
	ok(dec("\xff\xfe", &why) == NULL && strstr(why, "UTF-8"), "invalid UTF-8 rejected");
	ok(dec("\xed\xa0\x80", &why) == NULL, "UTF-8 encoded surrogate rejected");
	ok(dec("\xc0\x80", &why) == NULL, "overlong NUL rejected");
	ok(dec("\\u0000", &why) == NULL && strstr(why, "NUL"), "NUL rejected");
	ok(dec("\\x", &why) == NULL, "bad escape rejected");
	ok(dec("\\u12", &why) == NULL, "short \\u rejected");
	ok(rti_utf8_valid("\xf4\x8f\xbf\xbf", 4), "U+10FFFF valid");
	ok(!rti_utf8_valid("\xf4\x90\x80\x80", 4), "above U+10FFFF invalid");
	return done_testing();
}
