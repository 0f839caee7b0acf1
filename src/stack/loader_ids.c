/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/loader_ids.h"
#include "stack/memo.h"

int rti_loader_ids_init(struct rti_loader_ids *l, unsigned slots)
{
	size_t n = rti_memo_slots(slots, 2048);

	memset(l, 0, sizeof(*l));
	l->slots = calloc(n, sizeof(*l->slots));
	l->mask = n - 1;
	return l->slots ? 0 : -ENOMEM;
}

void rti_loader_ids_release(struct rti_loader_ids *l)
{
	for (size_t i = 0; l->slots && i <= l->mask; i++)
		free(l->slots[i].path);
	free(l->slots);
	l->slots = NULL;
}

static bool holds(const struct rti_loader_id *x, uint32_t pid, int64_t start_ns,
		  const char *path, size_t plen, uint64_t h)
{
	return x->h == h && x->pid == pid && x->start_ns == start_ns && x->plen == plen &&
	       !memcmp(x->path, path, plen);
}

const struct rti_loader_id *rti_loader_ids_find(const struct rti_loader_ids *l, uint32_t pid,
						int64_t start_ns, const char *path, size_t plen,
						uint64_t h)
{
	const struct rti_loader_id *x;

	if (!l->slots || plen >= RTI_MEMO_PATH_MAX)
		return NULL;
	x = &l->slots[h & l->mask];
	return x->valid && holds(x, pid, start_ns, path, plen, h) ? x : NULL;
}

int rti_loader_ids_add(struct rti_loader_ids *l, uint32_t pid, int64_t start_ns,
		       const char *path, size_t plen, uint64_t h, const unsigned char *id,
		       size_t len)
{
	struct rti_loader_id *x = &l->slots[h & l->mask];

	if (x->valid && !holds(x, pid, start_ns, path, plen, h))
		l->st.evictions++;
	else if (!x->valid)
		l->st.entries++;
	if (!rti_memo_set_path(&x->path, &x->pcap, &x->plen, path, plen)) {
		x->valid = false;
		return -ENOMEM;
	}
	x->valid = true;
	x->h = h;
	x->pid = pid;
	x->start_ns = start_ns;
	x->bid_len = (uint8_t)len;
	memcpy(x->bid, id, len);
	l->stored++;
	return 0;
}
