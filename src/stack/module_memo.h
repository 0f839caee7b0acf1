/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The symbolizer's module memo: (pid, process start, module path) -> the
 * object found for it (or why none was), for ttl_ms: a frame of a known
 * module costs no open+fstat. Direct-mapped, paths on the heap (slots stay
 * small and mostly untouched). An entry holds an object pointer only while
 * its epoch is the modules' epoch (stack/modules.h): evictions of objects
 * make older entries stale. Gone processes share entries of pid 0.
 */
#ifndef RTI_STACK_MODULE_MEMO_H
#define RTI_STACK_MODULE_MEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stack/objcache.h"

struct rti_module_slot {
	uint64_t h, epoch, expires_ms;
	int64_t start_ns;
	struct rti_obj *obj; /* valid while epoch is the modules' epoch */
	char *path;
	uint32_t pid, plen, pcap;
	uint8_t why;         /* enum rti_unresolved, when obj is NULL */
	bool valid;
};

struct rti_module_memo {
	struct rti_module_slot *slots;
	size_t mask;
	unsigned ttl_ms;
	struct rti_cache_stats st;
};

/* slots 0: 2048. 0 or -ENOMEM. */
int rti_module_memo_init(struct rti_module_memo *mm, unsigned slots, unsigned ttl_ms);
void rti_module_memo_release(struct rti_module_memo *mm);

/* Whether slot holds a current answer for (pid, start_ns, path). Inline:
 * it runs for every frame. */
static inline bool rti_module_slot_holds(const struct rti_module_slot *m, uint32_t pid,
					 int64_t start_ns, const char *path, size_t plen,
					 uint64_t epoch, uint64_t now_ms)
{
	return m->valid && m->pid == pid && m->start_ns == start_ns && m->epoch == epoch &&
	       now_ms < m->expires_ms && m->plen == plen && !memcmp(m->path, path, plen);
}
/* Stores an answer in slot (outside the memo too: the symbolizer's last
 * --elf file); the slot stays invalid when its path found no memory. */
void rti_module_slot_fill(struct rti_module_slot *m, uint64_t h, uint32_t pid,
			  int64_t start_ns, const char *path, size_t plen, uint64_t epoch,
			  uint64_t expires_ms, struct rti_obj *o, uint8_t why);

/* h: rti_memo_proc_key(pid, start_ns, path). The slot holding the answer
 * (a hit), or NULL (a miss). */
struct rti_module_slot *rti_module_memo_get(struct rti_module_memo *mm, uint32_t pid,
					    int64_t start_ns, const char *path, size_t plen,
					    uint64_t h, uint64_t epoch, uint64_t now_ms);
void rti_module_memo_put(struct rti_module_memo *mm, uint32_t pid, int64_t start_ns,
			 const char *path, size_t plen, uint64_t h, uint64_t epoch,
			 uint64_t now_ms, struct rti_obj *o, enum rti_unresolved why);
/* The slot of key h when it holds a valid entry of (pid, start_ns), else
 * NULL: the symbolizer's "same module as the last frame". */
struct rti_module_slot *rti_module_memo_slot_of(struct rti_module_memo *mm, uint64_t h,
						uint32_t pid, int64_t start_ns);
/* Drops the entry of key h (a process_loader build id arrived for it). */
void rti_module_memo_forget(struct rti_module_memo *mm, uint64_t h);

#endif
