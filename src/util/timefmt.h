/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_TIMEFMT_H
#define RTI_TIMEFMT_H

#include "rti/time.h" /* public: the commands parse and print times too */

/* The same as rti_time_to_ns, saturated: INT64_MIN or INT64_MAX when out
 * of range (for comparisons and stored first/last-seen times). */
int64_t rti_time_ns_saturated(const struct rti_time *t);
/* The time of ns nanoseconds since the epoch (set, floor division). */
void rti_time_from_ns(int64_t ns, struct rti_time *t);

#endif
