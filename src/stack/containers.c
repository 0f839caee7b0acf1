/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/containers.h"
#include "stack/memo.h"

#define CTR_WAYS 4

int rti_containers_init(struct rti_containers *c, unsigned slots)
{
	size_t n = rti_memo_slots(slots, 1024);

	if (n < CTR_WAYS)
		n = CTR_WAYS;
	memset(c, 0, sizeof(*c));
	c->slots = calloc(n, sizeof(*c->slots));
	c->mask = n / CTR_WAYS - 1;
	c->next_serial = 1;
	return c->slots ? 0 : -ENOMEM;
}

void rti_containers_release(struct rti_containers *c)
{
	free(c->slots);
	c->slots = NULL;
}

const char *rti_container_id_norm(const char *id, size_t *n)
{
	const char *p;
	size_t len;

	*n = 0;
	if (!id)
		return NULL;
	p = strstr(id, "://");
	if (p)
		id = p + 3;
	len = strlen(id);
	*n = len > RTI_CTR_ID_MAX ? RTI_CTR_ID_MAX : len;
	return id;
}

static struct rti_ctr *set_of(struct rti_containers *c, const char *id, size_t n)
{
	return &c->slots[(rti_memo_hash_bytes(id, n, 0x5bd1e995) & c->mask) * CTR_WAYS];
}

struct rti_ctr *rti_containers_find(struct rti_containers *c, const char *id, size_t n)
{
	struct rti_ctr *set;

	if (!c->slots || !n)
		return NULL;
	set = set_of(c, id, n);
	for (int w = 0; w < CTR_WAYS; w++) {
		if (set[w].serial && set[w].idlen == n && !memcmp(set[w].id, id, n)) {
			c->st.hits++;
			return &set[w];
		}
	}
	c->st.misses++;
	return NULL;
}

/* The slot of id in its set: its own, a free one, else the least recently
 * seen (evicted). */
static struct rti_ctr *slot_for(struct rti_containers *c, const char *id, size_t n)
{
	struct rti_ctr *set = set_of(c, id, n);
	struct rti_ctr *x = NULL;

	for (int w = 0; w < CTR_WAYS; w++)
		if (set[w].serial && set[w].idlen == n && !memcmp(set[w].id, id, n))
			return &set[w];
	for (int w = 0; w < CTR_WAYS; w++) {
		if (!set[w].serial) {
			c->st.entries++;
			x = &set[w];
			break;
		}
		if (!x || set[w].seen < x->seen)
			x = &set[w];
	}
	if (x->serial)
		c->st.evictions++;
	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, n);
	x->idlen = (uint8_t)n;
	x->serial = c->next_serial++;
	return x;
}

void rti_containers_renew(struct rti_containers *c, struct rti_ctr *x)
{
	x->serial = c->next_serial++;
	x->mntns = 0;
}

void rti_containers_learn(struct rti_containers *c, const char *id, size_t n,
			  const char *image, uint32_t pid, int64_t start_ns)
{
	uint64_t ih = image && *image ? rti_memo_hash_bytes(image, strlen(image), 1) | 1 : 0;
	struct rti_ctr *x;
	unsigned i;

	if (!c->slots || !n || !pid)
		return;
	x = slot_for(c, id, n);
	x->seen = ++c->clock;
	if (ih && x->image_h && ih != x->image_h) {
		/* another image under the same id: another container */
		rti_containers_renew(c, x);
		memset(x->m, 0, sizeof(x->m));
		x->next = 0;
	}
	if (ih)
		x->image_h = ih;
	for (i = 0; i < RTI_CTR_MEMBERS; i++) {
		struct rti_ctr_member *m = &x->m[i];

		if (m->valid && m->pid == pid && m->start_ns == start_ns)
			return;
	}
	i = x->next % RTI_CTR_MEMBERS;
	if (x->m[i].valid)
		c->members_replaced++;
	x->m[i].valid = true;
	x->m[i].pid = pid;
	x->m[i].start_ns = start_ns;
	x->next = i + 1;
}
