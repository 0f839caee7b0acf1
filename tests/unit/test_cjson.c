/* The canonical JSON writer on its own: RFC 8785 escaping, key order,
 * nesting checks, invalid UTF-8 replacement. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rti/cjson.h"
#include "tap.h"

static char *esc(const char *s, size_t n)
{
	static struct rti_buf b = RTI_BUF_INIT(1 << 20);

	rti_buf_reset(&b);
	if (rti_cjson_put_string(&b, s, n))
		return NULL;
	return b.p;
}

int main(void)
{
	struct rti_buf b = RTI_BUF_INIT(1 << 20);
	struct rti_cjw w;

	is_str(esc("abc", 3), "\"abc\"", "plain ASCII");
	is_str(esc("a\"b\\c", 5), "\"a\\\"b\\\\c\"", "quote and backslash escaped");
	is_str(esc("\b\t\n\f\r", 5), "\"\\b\\t\\n\\f\\r\"", "short escapes");
	is_str(esc("\x01\x1f", 2), "\"\\u0001\\u001f\"", "other C0 controls as lowercase \\u00xx");
	is_str(esc("\x7f", 1), "\"\x7f\"", "DEL is literal");
	is_str(esc("/", 1), "\"/\"", "solidus not escaped");
	is_str(esc("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
	       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "non-ASCII stays UTF-8");
	is_str(esc("a\xffz", 3), "\"a\xef\xbf\xbdz\"", "invalid byte becomes U+FFFD");
	is_str(esc("\xed\xa0\x80", 3), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
	       "encoded surrogate is invalid UTF-8");
	is_str(esc("\xc0\xaf", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"", "overlong rejected");
	is_str(esc("\xe2\x82", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"", "truncated sequence");
	is_str(esc("a\0b", 3), "\"a\\u0000b\"", "NUL escaped");

	ok(rti_cjson_keycmp("a", 1, "b", 1) < 0, "a < b");
	ok(rti_cjson_keycmp("ab", 2, "a", 1) > 0, "prefix sorts first");
	/* U+FF61 vs U+1F600: code point order says FF61 < 1F600, UTF-16 order
	 * (RFC 8785) says 1F600 (high surrogate D83D) < FF61 */
	ok(rti_cjson_keycmp("\xf0\x9f\x98\x80", 4, "\xef\xbd\xa1", 3) < 0,
	   "keys sort by UTF-16 code units");

	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "a");
	rti_cjw_u64(&w, 18446744073709551615ULL);
	rti_cjw_key(&w, "b");
	rti_cjw_arr_open(&w);
	rti_cjw_i64(&w, -9223372036854775807LL - 1);
	rti_cjw_hex(&w, 0);
	rti_cjw_hex(&w, 0x1b2c0);
	rti_cjw_bool(&w, true);
	rti_cjw_arr_close(&w);
	rti_cjw_key(&w, "c");
	rti_cjw_obj_open(&w);
	rti_cjw_obj_close(&w);
	rti_cjw_obj_close(&w);
	ok(w.err == 0 && w.depth == 0, "well-formed document");
	is_str(b.p, "{\"a\":18446744073709551615,\"b\":[-9223372036854775808,\"0x0\",\"0x1b2c0\",true],\"c\":{}}",
	       "numbers, hex strings, nesting");

	rti_buf_reset(&b);
	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "b");
	rti_cjw_u64(&w, 1);
	rti_cjw_key(&w, "a");
	ok(w.err == -EDOM, "out-of-order key is refused");

	rti_buf_reset(&b);
	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "a");
	rti_cjw_key(&w, "b");
	ok(w.err == -EINVAL, "key without value is refused");

	rti_buf_reset(&b);
	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_u64(&w, 1);
	ok(w.err == -EINVAL, "value without key in object is refused");

	rti_buf_reset(&b);
	rti_cjw_init(&w, &b);
	rti_cjw_obj_open(&w);
	rti_cjw_arr_close(&w);
	ok(w.err == -EINVAL, "mismatched close is refused");

	{
		struct rti_buf small = RTI_BUF_INIT(8);

		rti_cjw_init(&w, &small);
		rti_cjw_cstr(&w, "0123456789");
		ok(w.err == -ENOBUFS, "buffer cap is enforced (toobig)");
		ok(small.len == 0, "failed append leaves the buffer unchanged");
		rti_buf_release(&small);
	}
	rti_buf_release(&b);
	return done_testing();
}
