/* SPDX-License-Identifier: Apache-2.0 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/demangle.h"
#include "stack/symtab.h"

#define MAX_SYMS (1u << 26) /* far above any real binary; bounds hostile input */

struct row {
	uint64_t end;
	int32_t parent;  /* nearest earlier row containing this row's start, or -1 */
	uint32_t alias;  /* first alias; aliases of a row are sorted, best first */
	uint32_t nalias;
};

struct alias {
	uint32_t name;
	uint8_t src;
};

struct rti_symtab {
	uint64_t *start; /* separate from rows: the binary search touches only this */
	struct row *rows;
	struct alias *al;
	char **dem;      /* per row: demangled preferred name, filled lazily */
	char *pool;
	size_t nrows, nal, plen;
};

static const char NOT_MANGLED[] = "";

void rti_symtab_builder_init(struct rti_symtab_builder *b)
{
	memset(b, 0, sizeof(*b));
}

void rti_symtab_builder_release(struct rti_symtab_builder *b)
{
	free(b->v);
	free(b->pool);
	memset(b, 0, sizeof(*b));
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / elem)
			return -ENOMEM;
		nc *= 2;
	}
	q = realloc(*p, nc * elem);
	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

int rti_symtab_builder_add(struct rti_symtab_builder *b, uint64_t value, uint64_t size,
			   const char *name, uint8_t bind, uint8_t vis, uint8_t src)
{
	struct rti_symtab_raw *r;
	size_t len;
	const char *at;

	if (!size || !name || !*name || value + size < value)
		return 0;
	if (b->n >= MAX_SYMS)
		return -E2BIG;
	/* "memcpy@GLIBC_2.2.5" in .symtab is the same function as "memcpy" in
	 * .dynsym, whose version lives in .gnu.version: keep the plain name. */
	at = strchr(name, '@');
	len = at && at != name ? (size_t)(at - name) : strlen(name);
	if (b->plen + len + 1 > UINT32_MAX)
		return -E2BIG;
	if (grow((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v)) ||
	    grow((void **)&b->pool, &b->pcap, b->plen + len + 1, 1))
		return -ENOMEM;
	r = &b->v[b->n++];
	r->start = value;
	r->end = value + size;
	r->name = (uint32_t)b->plen;
	r->bind = bind;
	r->vis = vis;
	r->src = src;
	memcpy(b->pool + b->plen, name, len);
	b->pool[b->plen + len] = '\0';
	b->plen += len + 1;
	return 0;
}

static int bind_rank(uint8_t b)
{
	switch (b) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	case STB_LOCAL:
		return 2;
	default:
		return 3;
	}
}

static size_t underscores(const char *s)
{
	size_t n = 0;

	while (s[n] == '_')
		n++;
	return n;
}

/* qsort has no context argument in C11: the pool is passed through here,
 * which makes rti_symtab_build non-reentrant across threads only in the
 * comparator's view; a thread-local keeps it safe. */
static _Thread_local const char *cmp_pool;

/* Total order: range, then alias preference, then source (best first). */
static int raw_cmp(const void *pa, const void *pb)
{
	const struct rti_symtab_raw *a = pa, *b = pb;
	const char *na = cmp_pool + a->name, *nb = cmp_pool + b->name;
	int ra, rb, c;
	size_t ua, ub, la, lb;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end > b->end ? -1 : 1; /* outer range first */
	ra = bind_rank(a->bind);
	rb = bind_rank(b->bind);
	if (ra != rb)
		return ra - rb;
	ra = a->vis == STV_HIDDEN || a->vis == STV_INTERNAL;
	rb = b->vis == STV_HIDDEN || b->vis == STV_INTERNAL;
	if (ra != rb)
		return ra - rb;
	ua = underscores(na);
	ub = underscores(nb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	la = strlen(na);
	lb = strlen(nb);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(na, nb);
	if (c)
		return c;
	if (a->src != b->src)
		return a->src > b->src ? -1 : 1;
	return 0;
}

struct rti_symtab *rti_symtab_build(struct rti_symtab_builder *b)
{
	struct rti_symtab *t = calloc(1, sizeof(*t));
	int32_t *stack = NULL;
	size_t sp = 0;

	if (!t)
		goto nomem;
	if (b->n) {
		cmp_pool = b->pool;
		qsort(b->v, b->n, sizeof(*b->v), raw_cmp);
		cmp_pool = NULL;
	}
	t->start = malloc(sizeof(*t->start) * (b->n ? b->n : 1));
	t->rows = malloc(sizeof(*t->rows) * (b->n ? b->n : 1));
	t->al = malloc(sizeof(*t->al) * (b->n ? b->n : 1));
	stack = malloc(sizeof(*stack) * (b->n ? b->n : 1));
	if (!t->start || !t->rows || !t->al || !stack)
		goto nomem;
	for (size_t i = 0; i < b->n; i++) {
		const struct rti_symtab_raw *r = &b->v[i];
		struct row *cur = t->nrows ? &t->rows[t->nrows - 1] : NULL;

		if (cur && t->start[t->nrows - 1] == r->start && cur->end == r->end) {
			/* an alias; the same name from another table is a duplicate */
			const struct alias *last = &t->al[t->nal - 1];

			if (!strcmp(b->pool + last->name, b->pool + r->name))
				continue;
			t->al[t->nal].name = r->name;
			t->al[t->nal].src = r->src;
			t->nal++;
			cur->nalias++;
			continue;
		}
		t->start[t->nrows] = r->start;
		cur = &t->rows[t->nrows];
		cur->end = r->end;
		cur->alias = (uint32_t)t->nal;
		cur->nalias = 1;
		t->al[t->nal].name = r->name;
		t->al[t->nal].src = r->src;
		t->nal++;
		/* rows that end at or before this start can contain no later start */
		while (sp && t->rows[stack[sp - 1]].end <= r->start)
			sp--;
		cur->parent = sp ? stack[sp - 1] : -1;
		stack[sp++] = (int32_t)t->nrows;
		t->nrows++;
	}
	free(stack);
	t->dem = calloc(t->nrows ? t->nrows : 1, sizeof(*t->dem));
	if (!t->dem) {
		stack = NULL;
		goto nomem;
	}
	t->pool = b->pool;
	t->plen = b->plen;
	b->pool = NULL;
	rti_symtab_builder_release(b);
	return t;
nomem:
	free(stack);
	rti_symtab_free(t);
	rti_symtab_builder_release(b);
	errno = ENOMEM;
	return NULL;
}

void rti_symtab_free(struct rti_symtab *t)
{
	if (!t)
		return;
	if (t->dem)
		for (size_t i = 0; i < t->nrows; i++)
			if (t->dem[i] != NOT_MANGLED)
				free(t->dem[i]);
	free(t->dem);
	free(t->start);
	free(t->rows);
	free(t->al);
	free(t->pool);
	free(t);
}

size_t rti_symtab_rows(const struct rti_symtab *t)
{
	return t->nrows;
}

size_t rti_symtab_bytes(const struct rti_symtab *t)
{
	return sizeof(*t) + t->nrows * (sizeof(*t->start) + sizeof(*t->rows) + sizeof(*t->dem)) +
	       t->nal * sizeof(*t->al) + t->plen;
}

long rti_symtab_find(const struct rti_symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->nrows;
	long i;

	/* last row with start <= addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->start[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	i = (long)lo - 1;
	while (i >= 0 && addr >= t->rows[i].end)
		i = t->rows[i].parent;
	return i;
}

uint64_t rti_symtab_start(const struct rti_symtab *t, long row)
{
	return t->start[row];
}

const char *rti_symtab_raw(const struct rti_symtab *t, long row)
{
	return t->pool + t->al[t->rows[row].alias].name;
}

const char *rti_symtab_name(struct rti_symtab *t, long row)
{
	const char *raw = rti_symtab_raw(t, row);

	if (!t->dem[row]) {
		char *d = rti_demangle(raw);

		t->dem[row] = d ? d : (char *)NOT_MANGLED;
	}
	return t->dem[row] != NOT_MANGLED ? t->dem[row] : raw;
}

enum rti_sym_src rti_symtab_src(const struct rti_symtab *t, long row)
{
	return (enum rti_sym_src)t->al[t->rows[row].alias].src;
}

bool rti_symtab_is_alias(const struct rti_symtab *t, long row, const char *raw)
{
	const struct row *r = &t->rows[row];

	for (uint32_t i = 0; i < r->nalias; i++)
		if (!strcmp(t->pool + t->al[r->alias + i].name, raw))
			return true;
	return false;
}
