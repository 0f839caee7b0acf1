/* SPDX-License-Identifier: Apache-2.0 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stack/demangle.h"
#include "stack/symtab.h"

#define MAX_SYMS (1u << 26) /* far above any real binary; bounds hostile input */

/* Compact: the cache holds many tables and every byte per symbol counts. */
struct row {
	uint32_t size;   /* functions are < 4 GiB: end = start + size */
	int32_t parent;  /* nearest earlier row containing this row's start, or -1 */
	uint32_t alias;  /* first alias; aliases run to the next row's first */
};

struct rti_symtab {
	uint64_t *start; /* separate from rows: the binary search touches only this */
	struct row *rows; /* nrows + 1: the last one ends the alias runs */
	uint32_t *al_name; /* aliases of a row are sorted, best first */
	uint8_t *al_src;
	const char **dem; /* per row: demangled preferred name, NULL until first use */
	char *pool;      /* raw names */
	struct dchunk *dchunks; /* demangled names: never moved, callers keep pointers */
	size_t nrows, nal, plen, dbytes;
};

struct dchunk {
	struct dchunk *next;
	size_t used, cap;
	char data[];
};

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

	if (!size || size > UINT32_MAX || !name || !*name || value + size < value)
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

/* GLOBAL before WEAK; LOCAL and others are not exported. */
static int bind_rank(uint8_t b)
{
	switch (b) {
	case STB_GLOBAL:
	case STB_GNU_UNIQUE:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

static bool exported(uint8_t bind, uint8_t vis)
{
	return bind_rank(bind) < 2 && vis != STV_HIDDEN && vis != STV_INTERNAL;
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

/*
 * Total order: range, then the preferred name first, then source. The
 * public name of a function is exported (glibc exports getpid as a weak
 * alias of __getpid), has the fewest leading underscores (malloc, not
 * __libc_malloc), is global rather than weak, then the shortest, then
 * byte order decides.
 */
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
	ra = !exported(a->bind, a->vis);
	rb = !exported(b->bind, b->vis);
	if (ra != rb)
		return ra - rb;
	ua = underscores(na);
	ub = underscores(nb);
	if (ua != ub)
		return ua < ub ? -1 : 1;
	ra = bind_rank(a->bind);
	rb = bind_rank(b->bind);
	if (ra != rb)
		return ra - rb;
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
	size_t n1 = b->n ? b->n : 1, psize = 0;
	int32_t *stack = NULL;
	size_t sp = 0;

	if (!t)
		goto nomem;
	if (b->n) {
		cmp_pool = b->pool;
		qsort(b->v, b->n, sizeof(*b->v), raw_cmp);
		cmp_pool = NULL;
	}
	t->start = malloc(sizeof(*t->start) * n1);
	t->rows = malloc(sizeof(*t->rows) * (n1 + 1));
	t->al_name = malloc(sizeof(*t->al_name) * n1);
	t->al_src = malloc(n1);
	stack = malloc(sizeof(*stack) * n1);
	if (!t->start || !t->rows || !t->al_name || !t->al_src || !stack)
		goto nomem;
	for (size_t i = 0; i < b->n; i++) {
		const struct rti_symtab_raw *r = &b->v[i];
		struct row *cur;

		if (t->nrows && t->start[t->nrows - 1] == r->start &&
		    t->start[t->nrows - 1] + t->rows[t->nrows - 1].size == r->end) {
			/* an alias; the same name from another table is a duplicate */
			if (!strcmp(b->pool + t->al_name[t->nal - 1], b->pool + r->name))
				continue;
			t->al_name[t->nal] = r->name;
			t->al_src[t->nal++] = r->src;
			continue;
		}
		t->start[t->nrows] = r->start;
		cur = &t->rows[t->nrows];
		cur->size = (uint32_t)(r->end - r->start);
		cur->alias = (uint32_t)t->nal;
		t->al_name[t->nal] = r->name;
		t->al_src[t->nal++] = r->src;
		/* rows that end at or before this start can contain no later start */
		while (sp && t->start[stack[sp - 1]] + t->rows[stack[sp - 1]].size <= r->start)
			sp--;
		cur->parent = sp ? stack[sp - 1] : -1;
		stack[sp++] = (int32_t)t->nrows;
		t->nrows++;
	}
	free(stack);
	stack = NULL;
	t->rows[t->nrows].alias = (uint32_t)t->nal;
	/* keep only the names still referenced: .dynsym and a debug file
	 * name most functions twice */
	for (size_t i = 0; i < t->nal; i++)
		psize += strlen(b->pool + t->al_name[i]) + 1;
	t->pool = malloc(psize ? psize : 1);
	t->dem = calloc(t->nrows ? t->nrows : 1, sizeof(*t->dem));
	if (!t->pool || !t->dem)
		goto nomem;
	for (size_t i = 0; i < t->nal; i++) {
		size_t l = strlen(b->pool + t->al_name[i]) + 1;

		memcpy(t->pool + t->plen, b->pool + t->al_name[i], l);
		t->al_name[i] = (uint32_t)t->plen;
		t->plen += l;
	}
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
	free(t->start);
	free(t->rows);
	free(t->al_name);
	free(t->al_src);
	free(t->dem);
	free(t->pool);
	while (t->dchunks) {
		struct dchunk *c = t->dchunks;

		t->dchunks = c->next;
		free(c);
	}
	free(t);
}

size_t rti_symtab_rows(const struct rti_symtab *t)
{
	return t->nrows;
}

size_t rti_symtab_bytes(const struct rti_symtab *t)
{
	return sizeof(*t) + t->nrows * (sizeof(*t->start) + sizeof(*t->rows) + sizeof(*t->dem)) +
	       t->nal * (sizeof(*t->al_name) + 1) + t->plen + t->dbytes;
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
	while (i >= 0 && addr - t->start[i] >= t->rows[i].size)
		i = t->rows[i].parent;
	return i;
}

uint64_t rti_symtab_start(const struct rti_symtab *t, long row)
{
	return t->start[row];
}

const char *rti_symtab_raw(const struct rti_symtab *t, long row)
{
	return t->pool + t->al_name[t->rows[row].alias];
}

/* A stable copy of a demangled name (chunks are never reallocated). */
static const char *keep_name(struct rti_symtab *t, const char *d)
{
	size_t l = strlen(d) + 1;
	struct dchunk *c = t->dchunks;
	char *p;

	if (!c || c->cap - c->used < l) {
		size_t cap = l > 4096 ? l : 4096;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = t->dchunks;
		c->used = 0;
		c->cap = cap;
		t->dchunks = c;
		t->dbytes += sizeof(*c) + cap;
	}
	p = c->data + c->used;
	memcpy(p, d, l);
	c->used += l;
	return p;
}

const char *rti_symtab_name(struct rti_symtab *t, long row)
{
	if (!t->dem[row]) {
		const char *raw = rti_symtab_raw(t, row);
		char *d = rti_demangle(raw);
		const char *k = d ? keep_name(t, d) : NULL;

		free(d);
		t->dem[row] = k ? k : raw;
	}
	return t->dem[row];
}

enum rti_sym_src rti_symtab_src(const struct rti_symtab *t, long row)
{
	return (enum rti_sym_src)t->al_src[t->rows[row].alias];
}

bool rti_symtab_is_alias(const struct rti_symtab *t, long row, const char *raw)
{
	for (uint32_t i = t->rows[row].alias; i < t->rows[row + 1].alias; i++)
		if (!strcmp(t->pool + t->al_name[i], raw))
			return true;
	return false;
}
