/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process_loader build ids (docs/stacks.md): (pid, process start, path) ->
 * the build id of the file the process mapped, direct-mapped and bounded.
 * They name code whose file cannot be read, and tell a file replaced on
 * disk from the one the process mapped.
 */
#ifndef RTI_STACK_LOADER_IDS_H
#define RTI_STACK_LOADER_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/symbolize.h"
#include "stack/elf.h"

struct rti_loader_id {
	uint64_t h;
	int64_t start_ns;
	char *path;
	uint32_t pid, plen, pcap;
	uint8_t bid_len;
	bool valid;
	unsigned char bid[RTI_BUILD_ID_MAX];
};

struct rti_loader_ids {
	struct rti_loader_id *slots;
	size_t mask;
	uint64_t stored;           /* build ids stored */
	struct rti_cache_stats st; /* entries, evictions; hits and misses are the caller's */
};

/* slots 0: 2048. 0 or -ENOMEM. */
int rti_loader_ids_init(struct rti_loader_ids *l, unsigned slots);
void rti_loader_ids_release(struct rti_loader_ids *l);

/* h: rti_memo_proc_key(pid, start_ns, path). The build id, or NULL. */
const struct rti_loader_id *rti_loader_ids_find(const struct rti_loader_ids *l, uint32_t pid,
						int64_t start_ns, const char *path, size_t plen,
						uint64_t h);
/* Stores the build id id[len] (len <= RTI_BUILD_ID_MAX, path shorter than
 * RTI_MEMO_PATH_MAX). 0 or -ENOMEM. */
int rti_loader_ids_add(struct rti_loader_ids *l, uint32_t pid, int64_t start_ns,
		       const char *path, size_t plen, uint64_t h, const unsigned char *id,
		       size_t len);

#endif
