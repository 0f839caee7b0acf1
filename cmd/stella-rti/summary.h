/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_SUMMARY_H
#define RTI_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rti/pipeline.h"

struct rti_summary {
	uint64_t lines, bytes;
	uint64_t framing_errors;
	uint64_t rotations, truncations;
	uint64_t inputs_failed;
};

void rti_summary_print(FILE *f, const char *cmd, const struct rti_summary *s,
		       const struct rti_stats *st, bool interrupted);

#endif
