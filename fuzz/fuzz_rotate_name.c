/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the rotated-name parser of the rotating event file
 * (src/sinks/rotate_files.c) on arbitrary directory entry names, which
 * anyone with write access to the directory can choose. A parsed time
 * must survive a round trip through the name formatter.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sinks/rotate_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[NAME_MAX + 1];
	char again[NAME_MAX + 1];
	char stamp[ROT_STAMP_LEN + 1];
	enum rot_kind kind, kind2;
	uint64_t ms, ms2;

	if (size > NAME_MAX)
		size = NAME_MAX;
	memcpy(name, data, size);
	name[size] = '\0';
	if (!rot_parse_name("events", ".ndjson", name, &ms, &kind))
		return 0;
	rot_stamp(ms, stamp);
	memcpy(again, "events-", 7);
	memcpy(again + 7, stamp, ROT_STAMP_LEN);
	memcpy(again + 7 + ROT_STAMP_LEN, ".ndjson", sizeof(".ndjson"));
	if (!rot_parse_name("events", ".ndjson", again, &ms2, &kind2) || ms2 != ms ||
	    kind2 != ROT_PLAIN)
		abort();
	return 0;
}
