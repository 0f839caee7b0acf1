/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>

#include "util/timefmt.h"

/* Howard Hinnant's civil calendar algorithms. */
long long rti_days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe;
	unsigned doy;
	unsigned doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

void rti_civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era;
	unsigned doe;
	unsigned yoe;
	unsigned doy;
	unsigned mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = (long long)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y += *m <= 2;
}

static int digits(const char *s, size_t n, size_t at, size_t cnt, unsigned *v)
{
	unsigned x = 0;

	if (at + cnt > n)
		return -1;
	for (size_t i = 0; i < cnt; i++) {
		char c = s[at + i];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (unsigned)(c - '0');
	}
	*v = x;
	return 0;
}

static int is_leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rti_time_parse(const char *s, size_t n, struct rti_time *t, const char **why)
{
	static const unsigned mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, se;
	unsigned long ns = 0;
	size_t i = 19;
	long long secs;
	long off = 0;

	*why = "not an RFC 3339 timestamp";
	if (digits(s, n, 0, 4, &y) || n < 19 || s[4] != '-' ||
	    digits(s, n, 5, 2, &mo) || s[7] != '-' || digits(s, n, 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s, n, 11, 2, &h) || s[13] != ':' || digits(s, n, 14, 2, &mi) ||
	    s[16] != ':' || digits(s, n, 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && is_leap(y)) || h > 23 || mi > 59 ||
	    se > 60) {
		*why = "timestamp field out of range";
		return -1;
	}
	if (se == 60)
		se = 59; /* leap second: clamp, as Go's time package does */
	if (i < n && s[i] == '.') {
		size_t nd = 0;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd < 9)
				ns = ns * 10 + (unsigned long)(s[i] - '0');
			else if (s[i] != '0') {
				*why = "timestamp has more than nanosecond precision";
				return -1;
			}
			nd++;
			i++;
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			ns *= 10;
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		unsigned oh, om;

		if (digits(s, n, i + 1, 2, &oh) || i + 3 >= n || s[i + 3] != ':' ||
		    digits(s, n, i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (long)(oh * 3600 + om * 60);
		if (s[i] == '-')
			off = -off;
		i += 6;
	} else {
		*why = "timestamp without time zone";
		return -1;
	}
	if (i != n)
		return -1;
	secs = rti_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
	t->sec = secs - off;
	t->nsec = (uint32_t)ns;
	t->set = true;
	return 0;
}

static void put_num(char *o, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

size_t rti_time_format(const struct rti_time *t, char *out)
{
	long long days = t->sec >= 0 ? t->sec / 86400 : -((-t->sec + 86399) / 86400);
	long long rem = t->sec - days * 86400;
	long long y;
	unsigned m, d;

	rti_civil_from_days(days, &y, &m, &d);
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	put_num(out, (unsigned long long)y, 4);
	out[4] = '-';
	put_num(out + 5, m, 2);
	out[7] = '-';
	put_num(out + 8, d, 2);
	out[10] = 'T';
	put_num(out + 11, (unsigned long long)(rem / 3600), 2);
	out[13] = ':';
	put_num(out + 14, (unsigned long long)(rem / 60 % 60), 2);
	out[16] = ':';
	put_num(out + 17, (unsigned long long)(rem % 60), 2);
	out[19] = '.';
	put_num(out + 20, t->nsec, 9);
	out[29] = 'Z';
	out[30] = '\0';
	return 30;
}

int rti_time_cmp(const struct rti_time *a, const struct rti_time *b)
{
	if (a->sec != b->sec)
		return a->sec < b->sec ? -1 : 1;
	if (a->nsec != b->nsec)
		return a->nsec < b->nsec ? -1 : 1;
	return 0;
}

int rti_time_to_ns(const struct rti_time *t, int64_t *ns)
{
	const int64_t lim = INT64_MAX / 1000000000LL - 1;

	if (t->sec > lim || t->sec < -lim)
		return -ERANGE;
	*ns = t->sec * 1000000000LL + (int64_t)t->nsec;
	return 0;
}

int64_t rti_time_ns_saturated(const struct rti_time *t)
{
	int64_t ns;

	if (rti_time_to_ns(t, &ns))
		return t->sec < 0 ? INT64_MIN : INT64_MAX;
	return ns;
}

void rti_time_from_ns(int64_t ns, struct rti_time *t)
{
	t->sec = ns / 1000000000LL;
	t->nsec = (uint32_t)(ns % 1000000000LL);
	if (ns < 0 && t->nsec) {
		t->sec--;
		t->nsec = (uint32_t)(ns % 1000000000LL + 1000000000LL);
	}
	t->set = true;
}
