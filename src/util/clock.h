/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clocks, in one place. Monotonic time measures durations and deadlines
 * (never goes back); wall time stamps what is written out.
 */
#ifndef RTI_UTIL_CLOCK_H
#define RTI_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t rti_now_ns(void);
/* CLOCK_REALTIME in nanoseconds since the epoch. */
uint64_t rti_wall_ns(void);
/* CLOCK_MONOTONIC_COARSE in milliseconds: cheap, for cache ages. */
uint64_t rti_coarse_ms(void);
/* An absolute CLOCK_MONOTONIC time ms milliseconds from now, for
 * pthread_cond_timedwait on a condition using that clock. */
void rti_deadline_after(struct timespec *ts, int ms);

#endif
