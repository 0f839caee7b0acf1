/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/memo.h"
#include "stack/module_memo.h"

int rti_module_memo_init(struct rti_module_memo *mm, unsigned slots, unsigned ttl_ms)
{
	size_t n = rti_memo_slots(slots, 2048);

	memset(mm, 0, sizeof(*mm));
	mm->ttl_ms = ttl_ms;
	mm->slots = calloc(n, sizeof(*mm->slots));
	mm->mask = n - 1;
	return mm->slots ? 0 : -ENOMEM;
}

void rti_module_memo_release(struct rti_module_memo *mm)
{
	for (size_t i = 0; mm->slots && i <= mm->mask; i++)
		free(mm->slots[i].path);
	free(mm->slots);
	mm->slots = NULL;
}

void rti_module_slot_fill(struct rti_module_slot *m, uint64_t h, uint32_t pid,
			  int64_t start_ns, const char *path, size_t plen, uint64_t epoch,
			  uint64_t expires_ms, struct rti_obj *o, uint8_t why)
{
	m->valid = rti_memo_set_path(&m->path, &m->pcap, &m->plen, path, plen);
	m->h = h;
	m->pid = pid;
	m->start_ns = start_ns;
	m->epoch = epoch;
	m->expires_ms = expires_ms;
	m->obj = o;
	m->why = why;
}

struct rti_module_slot *rti_module_memo_get(struct rti_module_memo *mm, uint32_t pid,
					    int64_t start_ns, const char *path, size_t plen,
					    uint64_t h, uint64_t epoch, uint64_t now_ms)
{
	struct rti_module_slot *m = &mm->slots[h & mm->mask];

	if (m->h == h && rti_module_slot_holds(m, pid, start_ns, path, plen, epoch, now_ms)) {
		mm->st.hits++;
		return m;
	}
	mm->st.misses++;
	return NULL;
}

void rti_module_memo_put(struct rti_module_memo *mm, uint32_t pid, int64_t start_ns,
			 const char *path, size_t plen, uint64_t h, uint64_t epoch,
			 uint64_t now_ms, struct rti_obj *o, enum rti_unresolved why)
{
	struct rti_module_slot *m = &mm->slots[h & mm->mask];

	if (plen >= RTI_MEMO_PATH_MAX)
		return;
	if (!m->valid)
		mm->st.entries++;
	else if (!(m->h == h && m->pid == pid && m->start_ns == start_ns && m->plen == plen &&
		   !memcmp(m->path, path, plen)))
		mm->st.evictions++;
	rti_module_slot_fill(m, h, pid, start_ns, path, plen, epoch, now_ms + mm->ttl_ms, o,
			     (uint8_t)why);
}

struct rti_module_slot *rti_module_memo_slot_of(struct rti_module_memo *mm, uint64_t h,
						uint32_t pid, int64_t start_ns)
{
	struct rti_module_slot *m = &mm->slots[h & mm->mask];

	return m->valid && m->h == h && m->pid == pid && m->start_ns == start_ns ? m : NULL;
}

void rti_module_memo_forget(struct rti_module_memo *mm, uint64_t h)
{
	struct rti_module_slot *m = &mm->slots[h & mm->mask];

	if (m->valid && m->h == h)
		m->valid = false;
}
