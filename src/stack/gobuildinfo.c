/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go build information (include/rti/gobuildinfo.h): the .go.buildinfo
 * section (magic "\xff Go buildinf:", pointer size, flags; with flag 2 the
 * Go >= 1.18 layout: two uvarint-prefixed strings at offset 32, the Go
 * version and the module information, whose "path", "mod", "dep" and "=>"
 * lines are Go's debug/buildinfo format), read with libelf, kept per code
 * id in a bounded table.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/buf.h"
#include "rti/gobuildinfo.h"

#define SECTION_MAX (1u << 20)
#define TABLE_MAX 4096

static const char magic[14] = "\xff Go buildinf:";

static int uvarint(const unsigned char *p, size_t n, size_t *at, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; *at < n && shift < 64; shift += 7) {
		unsigned char c = p[(*at)++];

		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* field k (0-based) of a tab-separated line */
static const char *field(const char *line, size_t n, int k, size_t *len)
{
	const char *p = line, *end = line + n;

	for (; k > 0; k--) {
		const char *tab = memchr(p, '\t', (size_t)(end - p));

		if (!tab)
			return NULL;
		p = tab + 1;
	}
	*len = (size_t)((const char *)(memchr(p, '\t', (size_t)(end - p)) ?: end) - p);
	return p;
}

static int modinfo(struct rti_buf *b, const char *m, size_t n)
{
	size_t last_ver = 0, last_len = 0; /* the previous mod/dep version, in b */
	int err = 0;

	if (n >= 33 && m[n - 17] == '\n') {
		m += 16;
		n -= 32;
	}
	while (n && !err) {
		const char *nl = memchr(m, '\n', n);
		size_t len = nl ? (size_t)(nl - m) : n, pl = 0, vl = 0;
		const char *path = field(m, len, 1, &pl), *ver = field(m, len, 2, &vl);

		if (path && ver && (!strncmp(m, "mod\t", 4) || !strncmp(m, "dep\t", 4))) {
			err = rti_buf_addstr(b, "mod\t");
			if (!err)
				err = rti_buf_add(b, path, pl);
			if (!err)
				err = rti_buf_addch(b, '\t');
			last_ver = b->len;
			last_len = vl;
			if (!err)
				err = rti_buf_add(b, ver, vl);
			if (!err)
				err = rti_buf_addch(b, '\n');
		} else if (ver && !strncmp(m, "=>\t", 3) && last_len) {
			/* a replacement: its version stands for the module's */
			char tail[1];

			tail[0] = '\n';
			b->len = last_ver;
			err = rti_buf_add(b, ver, vl);
			if (!err)
				err = rti_buf_add(b, tail, 1);
			last_len = 0;
		}
		m += len + (nl ? 1 : 0);
		n -= len + (nl ? 1 : 0);
	}
	return err;
}

long rti_go_buildinfo_parse(const void *sec, size_t n, char *out, size_t outlen)
{
	const unsigned char *p = sec;
	struct rti_buf b = RTI_BUF_INIT(outlen ? outlen - 1 : 0);
	uint64_t vl = 0, ml = 0;
	size_t at = 32;
	long rc = -ENOENT;

	if (n < 32 || memcmp(p, magic, sizeof(magic)) || !(p[15] & 2) || !outlen)
		return -ENOENT; /* or the pre-1.18 layout of pointers: not read */
	if (uvarint(p, n, &at, &vl) || vl > n - at || vl < 3 || memcmp(p + at, "go", 2))
		return -ENOENT;
	if (rti_buf_addstr(&b, "go\t") || rti_buf_add(&b, p + at, (size_t)vl) ||
	    rti_buf_addch(&b, '\n'))
		goto out_nobufs;
	at += (size_t)vl;
	if (!uvarint(p, n, &at, &ml) && ml <= n - at &&
	    modinfo(&b, (const char *)p + at, (size_t)ml))
		goto out_nobufs;
	if (memchr(b.p, '\0', b.len))
		goto out; /* an embedded NUL: not text */
	memcpy(out, b.p, b.len + 1);
	rc = (long)b.len;
	goto out;
out_nobufs:
	rc = -ENOBUFS;
out:
	rti_buf_release(&b);
	return rc;
}

long rti_go_buildinfo_read(int fd, char *out, size_t outlen)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	long rc = -ENOENT;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOENT;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e)
		return -ENOENT;
	if (elf_kind(e) == ELF_K_ELF && !elf_getshdrstrndx(e, &shstrndx)) {
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			const char *name;
			Elf_Data *d;

			if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
				continue;
			name = elf_strptr(e, shstrndx, sh.sh_name);
			if (!name || strcmp(name, ".go.buildinfo"))
				continue;
			if (sh.sh_size > SECTION_MAX)
				break;
			d = elf_rawdata(scn, NULL);
			if (d && d->d_buf)
				rc = rti_go_buildinfo_parse(d->d_buf, d->d_size, out, outlen);
			break;
		}
	}
	elf_end(e);
	return rc;
}

/* ---- per code id ---- */

static struct {
	char *code_id, *text;
} table[TABLE_MAX];
static size_t ntable;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long find(const char *code_id)
{
	for (size_t i = 0; i < ntable; i++)
		if (!strcmp(table[i].code_id, code_id))
			return (long)i;
	return -1;
}

void rti_go_buildinfo_note(const char *code_id, int fd)
{
	char *text;
	long n;

	pthread_mutex_lock(&lock);
	n = find(code_id) >= 0 || ntable == TABLE_MAX ? -1 : 0;
	pthread_mutex_unlock(&lock);
	if (n < 0)
		return;
	text = malloc(RTI_GO_BUILDINFO_MAX);
	if (!text)
		return;
	n = rti_go_buildinfo_read(fd, text, RTI_GO_BUILDINFO_MAX);
	pthread_mutex_lock(&lock);
	if (n > 0 && find(code_id) < 0 && ntable < TABLE_MAX) {
		table[ntable].code_id = strdup(code_id);
		table[ntable].text = strndup(text, (size_t)n);
		if (table[ntable].code_id && table[ntable].text)
			ntable++;
		else {
			free(table[ntable].code_id);
			free(table[ntable].text);
		}
	}
	pthread_mutex_unlock(&lock);
	free(text);
}

long rti_go_buildinfo_lookup(const char *code_id, char *out, size_t outlen)
{
	long i, n = -ENOENT;

	pthread_mutex_lock(&lock);
	i = ntable ? find(code_id) : -1;
	if (i >= 0) {
		size_t len = strlen(table[i].text);

		n = len < outlen ? (long)len : -ENOBUFS;
		if (n >= 0)
			memcpy(out, table[i].text, len + 1);
	}
	pthread_mutex_unlock(&lock);
	return n;
}
