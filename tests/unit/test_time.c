/* RFC 3339 parsing and the canonical 9-digit UTC form. */
#include <errno.h>
#include <string.h>

#include "tap.h"
#include "util/timefmt.h"

static const char *roundtrip(const char *in)
{
	static char out[RTI_TIME_STRLEN];
	struct rti_time t = { 0, 0, false };
	const char *why;

	if (rti_time_parse(in, strlen(in), &t, &why))
		return NULL;
	rti_time_format(&t, out);
	return out;
}

int main(void)
{
	is_str(roundtrip("2023-10-06T21:52:41Z"), "2023-10-06T21:52:41.000000000Z", "no fraction");
	is_str(roundtrip("2023-10-06T22:03:57.700327580Z"), "2023-10-06T22:03:57.700327580Z", "9 digits");
	is_str(roundtrip("2026-11-20T10:05:00.5Z"), "2026-11-20T10:05:00.500000000Z", "1 digit");
	is_str(roundtrip("2026-11-20T10:05:00.123Z"), "2026-11-20T10:05:00.123000000Z", "3 digits");
	is_str(roundtrip("2026-11-20T01:00:00+02:00"), "2026-11-19T23:00:00.000000000Z", "offset to UTC");
	is_str(roundtrip("1970-01-01T00:00:00Z"), "1970-01-01T00:00:00.000000000Z", "epoch");
	is_str(roundtrip("2024-02-29T23:59:59.999999999Z"), "2024-02-29T23:59:59.999999999Z", "leap day");
	is_str(roundtrip("1969-12-31T23:59:59Z"), "1969-12-31T23:59:59.000000000Z", "before epoch");
	ok(roundtrip("2023-02-29T00:00:00Z") == NULL, "no Feb 29 in 2023");
	ok(roundtrip("bad-time") == NULL, "garbage rejected");
	ok(roundtrip("2026-11-20T10:00:00") == NULL, "missing zone rejected");
	ok(roundtrip("2026-11-20T10:00:00.Z") == NULL, "empty fraction rejected");
	ok(roundtrip("2026-11-20T10:00:00.1234567891Z") == NULL, "sub-ns precision rejected");
	ok(roundtrip("2026-13-20T10:00:00Z") == NULL, "month 13 rejected");
	ok(roundtrip("2026-11-20T10:00:00Zjunk") == NULL, "trailing junk rejected");
		{
		struct rti_time t = { 0, 0, false };
		const char *why;
		int64_t ns = 0;

		rti_time_parse("2262-04-11T23:47:16.854775807Z", 30, &t, &why);
		ok(rti_time_to_ns(&t, &ns) == -ERANGE, "2262-04-11T23:47:16Z: beyond int64 ns is refused");
		rti_time_parse("2026-11-20T10:00:00.5Z", 22, &t, &why);
		ok(rti_time_to_ns(&t, &ns) == 0 && ns == 1795168800500000000LL, "2026: exact ns");
		rti_time_parse("9999-12-31T23:59:59Z", 20, &t, &why);
		ok(rti_time_to_ns(&t, &ns) == -ERANGE, "year 9999: out of range, no overflow");
		rti_time_parse("0000-01-01T00:00:00Z", 20, &t, &why);
		ok(rti_time_to_ns(&t, &ns) == -ERANGE, "year 0000: out of range, no overflow");
	}
	return done_testing();
}
