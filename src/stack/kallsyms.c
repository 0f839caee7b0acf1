/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack/kallsyms.h"
#include "util/hash.h"

#define KALLSYMS_MAX_BYTES (512u << 20)

struct ksym {
	uint64_t addr;
	uint32_t name, module; /* offsets in pool */
	char type;
};

struct rti_kallsyms {
	struct ksym *v;
	size_t n;
	char *pool;
};

/* Text symbols only resolve; uppercase ones are global. */
static int type_rank(char t)
{
	switch (t) {
	case 'T':
		return 0;
	case 'W':
		return 1;
	case 't':
		return 2;
	case 'w':
		return 3;
	default:
		return 4; /* not text */
	}
}

static _Thread_local const char *ks_pool;

static int ksym_cmp(const void *pa, const void *pb)
{
	const struct ksym *a = pa, *b = pb;
	const char *na = ks_pool + a->name, *nb = ks_pool + b->name;
	size_t ua = strspn(na, "_"), ub = strspn(nb, "_"), la, lb;
	int c;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	/* as for ELF aliases: text, global, fewest underscores, strong */
	c = (type_rank(a->type) > 3) - (type_rank(b->type) > 3);
	if (c)
		return c;
	c = (type_rank(a->type) > 1) - (type_rank(b->type) > 1);
	if (c)
		return c;
	if (ua != ub)
		return ua < ub ? -1 : 1;
	c = type_rank(a->type) - type_rank(b->type);
	if (c)
		return c;
	la = strlen(na);
	lb = strlen(nb);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(na, nb);
	if (c)
		return c;
	return strcmp(ks_pool + a->module, ks_pool + b->module);
}

static const char KERNEL[] = "[kernel]";

struct rti_kallsyms *rti_kallsyms_parse(const char *text, size_t len, char *err,
					size_t errlen)
{
	struct rti_kallsyms *k = calloc(1, sizeof(*k));
	size_t lines = 1, plen = sizeof(KERNEL), nonzero = 0;
	char *pool;

	if (!k)
		goto nomem;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	/* the pool holds every name plus "[module]" strings: at most len * 2 */
	if (len > KALLSYMS_MAX_BYTES) {
		if (err && errlen)
			snprintf(err, errlen, "kallsyms larger than %u bytes", KALLSYMS_MAX_BYTES);
		rti_kallsyms_free(k);
		errno = EFBIG;
		return NULL;
	}
	k->v = malloc(sizeof(*k->v) * lines);
	k->pool = pool = malloc(2 * len + sizeof(KERNEL) + 1);
	if (!k->v || !pool)
		goto nomem;
	memcpy(pool, KERNEL, sizeof(KERNEL));
	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		const char *p = s, *name, *mod = NULL;
		size_t nlen, mlen = 0;
		uint64_t a = 0;
		int d, digits = 0;
		char type;

		s = e + 1;
		while (p < e && (d = rti_hexval(*p)) >= 0 && digits < 17) {
			a = a << 4 | (uint64_t)d;
			p++;
			digits++;
		}
		/* odd lines are skipped: the format varies a little across kernels */
		if (!digits || digits > 16 || e - p < 3 || p[0] != ' ' || p[2] != ' ')
			continue;
		type = p[1];
		name = p + 3;
		nlen = (size_t)(e - name);
		{
			const char *sp = memchr(name, '\t', nlen);

			if (!sp)
				sp = memchr(name, ' ', nlen);
			if (sp) {
				mod = sp + 1;
				while (mod < e && (*mod == ' ' || *mod == '\t'))
					mod++;
				mlen = (size_t)(e - mod);
				nlen = (size_t)(sp - name);
			}
		}
		if (!nlen || memchr(name, '\0', nlen) || (mod && memchr(mod, '\0', mlen)))
			continue;
		nonzero += a != 0;
		k->v[k->n].addr = a;
		k->v[k->n].type = type;
		k->v[k->n].name = (uint32_t)plen;
		memcpy(pool + plen, name, nlen);
		pool[plen + nlen] = '\0';
		plen += nlen + 1;
		if (mlen >= 2 && mod[0] == '[' && mod[mlen - 1] == ']') {
			k->v[k->n].module = (uint32_t)plen;
			memcpy(pool + plen, mod, mlen);
			pool[plen + mlen] = '\0';
			plen += mlen + 1;
		} else {
			k->v[k->n].module = 0;
		}
		k->n++;
	}
	if (!nonzero) {
		if (err && errlen)
			snprintf(err, errlen, "no symbol addresses (hidden by kptr_restrict?)");
		rti_kallsyms_free(k);
		errno = ENODATA;
		return NULL;
	}
	ks_pool = pool;
	qsort(k->v, k->n, sizeof(*k->v), ksym_cmp);
	ks_pool = NULL;
	{
		/* keep the preferred symbol of each address */
		size_t w = 0;

		for (size_t i = 0; i < k->n; i++)
			if (!w || k->v[w - 1].addr != k->v[i].addr)
				k->v[w++] = k->v[i];
		k->n = w;
	}
	return k;
nomem:
	rti_kallsyms_free(k);
	errno = ENOMEM;
	return NULL;
}

struct rti_kallsyms *rti_kallsyms_load(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct rti_kallsyms *k;
	int e;

	if (fd < 0) {
		e = errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (len + 65536 > cap) {
			char *nb;

			if (cap > KALLSYMS_MAX_BYTES) {
				close(fd);
				free(buf);
				if (err && errlen)
					snprintf(err, errlen, "%s: too large", path);
				errno = EFBIG;
				return NULL;
			}
			cap = cap ? cap * 2 : 1u << 20;
			nb = realloc(buf, cap);
			if (!nb) {
				close(fd);
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			if (err && errlen)
				snprintf(err, errlen, "%s: %s", path, strerror(e));
			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	close(fd);
	k = rti_kallsyms_parse(buf ? buf : "", len, err, errlen);
	e = errno;
	free(buf);
	errno = e;
	return k;
}

void rti_kallsyms_free(struct rti_kallsyms *k)
{
	if (!k)
		return;
	free(k->v);
	free(k->pool);
	free(k);
}

size_t rti_kallsyms_count(const struct rti_kallsyms *k)
{
	return k->n;
}

int rti_kallsyms_lookup(const struct rti_kallsyms *k, uint64_t addr, const char **sym,
			uint64_t *off, const char **module)
{
	size_t lo = 0, hi = k->n;
	const struct ksym *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	s = &k->v[lo - 1];
	if (type_rank(s->type) > 3)
		return -ENOENT;
	*sym = k->pool + s->name;
	*off = addr - s->addr;
	*module = k->pool + s->module;
	return 0;
}
