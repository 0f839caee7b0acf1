/* SPDX-License-Identifier: Apache-2.0 */
/* Minimal TAP output for unit tests: tests/run.sh counts the lines. */
#ifndef RTI_TAP_H
#define RTI_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                         \
	do {                                                                  \
		int ok_c_ = !!(cond);                                          \
		tap_n++;                                                      \
		if (!ok_c_)                                                   \
			tap_failed++;                                         \
		printf("%sok %d - ", ok_c_ ? "" : "not ", tap_n);             \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		if (!ok_c_)                                                   \
			printf("#   at %s:%d\n", __FILE__, __LINE__);           \
	} while (0)

#define is_str(got, want, name)                                               \
	do {                                                                  \
		const char *g_ = (got), *w_ = (want);                          \
		int e_ = g_ && w_ && strcmp(g_, w_) == 0;                      \
		ok(e_, "%s", name);                                           \
		if (!e_)                                                      \
			printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                           \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
