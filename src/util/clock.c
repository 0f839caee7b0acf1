/* SPDX-License-Identifier: Apache-2.0 */
#include "util/clock.h"

static uint64_t read_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t rti_now_ns(void)
{
	return read_ns(CLOCK_MONOTONIC);
}

uint64_t rti_wall_ns(void)
{
	return read_ns(CLOCK_REALTIME);
}

uint64_t rti_coarse_ms(void)
{
	return read_ns(CLOCK_MONOTONIC_COARSE) / 1000000u;
}

void rti_deadline_after(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
