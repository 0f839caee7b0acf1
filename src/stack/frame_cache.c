/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rti/frame.h"
#include "stack/frame_cache.h"
#include "stack/memo.h"

int rti_frame_cache_init(struct rti_frame_cache *c, unsigned slots)
{
	size_t n = rti_memo_slots(slots, 4096) / RTI_FRAME_WAYS;

	memset(c, 0, sizeof(*c));
	if (!n)
		n = 1;
	c->sets = calloc(n, sizeof(*c->sets));
	c->mask = n - 1;
	return c->sets ? 0 : -ENOMEM;
}

void rti_frame_cache_release(struct rti_frame_cache *c)
{
	free(c->sets);
	c->sets = NULL;
}

static const enum rti_resolved src_resolved[] = {
	[RTI_SRC_DYNSYM] = RTI_RESOLVED_DYNSYM,
	[RTI_SRC_SYMTAB] = RTI_RESOLVED_SYMTAB,
	[RTI_SRC_DEBUG] = RTI_RESOLVED_DEBUGINFO,
};

/* A miss: the symbol table and the frame_id hash. */
static void lookup(const struct rti_obj *o, uint64_t offset, struct rti_frame_answer *f)
{
	uint64_t addr;

	memset(f, 0, sizeof(*f));
	f->row = -1;
	/* a code_id fits the identity buffer: no allocation, no failure */
	if (o->kind != RTI_CODE_ID_PATH)
		rti_frame_id_of(RTI_SPACE_USER, o->code_id, offset, f->frame_id);
	if (o->stub)
		return; /* the reason is the module lookup's */
	if (o->why) {
		f->why = (uint8_t)o->why;
	} else if (rti_elf_off2addr(o->segs, o->nsegs, offset, &addr)) {
		f->why = RTI_UNRES_NOT_MAPPED;
	} else {
		long row = rti_symtab_find(o->syms, addr);

		if (row < 0) {
			f->why = RTI_UNRES_NO_SYMBOL;
		} else {
			f->row = (int32_t)row;
			f->symbol = rti_symtab_name(o->syms, row);
			f->raw = rti_symtab_raw(o->syms, row);
			f->symbol_offset = addr - rti_symtab_start(o->syms, row);
			f->by = (uint8_t)src_resolved[rti_symtab_src(o->syms, row)];
		}
	}
}

const struct rti_frame_answer *rti_frame_cache_find(struct rti_frame_cache *c,
						    struct rti_frame_set *set,
						    const struct rti_obj *o, uint64_t offset)
{
	int w;

	/* way 0 was checked inline */
	for (w = 1; w < RTI_FRAME_WAYS; w++)
		if (set->serial[w] == o->serial && set->offset[w] == offset)
			break;
	if (w < RTI_FRAME_WAYS) {
		c->st.hits++;
	} else {
		c->st.misses++;
		w = RTI_FRAME_WAYS - 1;
		if (set->serial[w])
			c->st.evictions++;
		else
			c->st.entries++;
		lookup(o, offset, &set->a[w]);
		set->serial[w] = o->serial;
		set->offset[w] = offset;
	}
	if (w) {
		/* most recent first: hits mostly stop at way 0 */
		uint64_t ks = set->serial[w], ko = set->offset[w];
		struct rti_frame_answer ka = set->a[w];

		memmove(&set->serial[1], &set->serial[0], sizeof(set->serial[0]) * (size_t)w);
		memmove(&set->offset[1], &set->offset[0], sizeof(set->offset[0]) * (size_t)w);
		memmove(&set->a[1], &set->a[0], sizeof(set->a[0]) * (size_t)w);
		set->serial[0] = ks;
		set->offset[0] = ko;
		set->a[0] = ka;
	}
	return &set->a[0];
}
