/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <limits.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/elf.h"

struct rti_elf {
	Elf *elf;
	GElf_Ehdr eh;
	char err[160];
};

static void set_err(char *err, size_t n, const char *what)
{
	const char *m = elf_errmsg(-1);

	if (err && n)
		snprintf(err, n, "%s: %s", what, m ? m : "corrupt file");
}

static int init_libelf(void)
{
	/* elf_version is idempotent and cheap; libelf needs it once */
	return elf_version(EV_CURRENT) == EV_NONE ? -1 : 0;
}

static struct rti_elf *wrap(Elf *elf, char *err, size_t errlen)
{
	struct rti_elf *e;

	if (!elf) {
		set_err(err, errlen, "cannot read ELF");
		errno = EINVAL;
		return NULL;
	}
	if (elf_kind(elf) != ELF_K_ELF) {
		elf_end(elf);
		if (err && errlen)
			snprintf(err, errlen, "not an ELF file");
		errno = ENOEXEC;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		elf_end(elf);
		errno = ENOMEM;
		return NULL;
	}
	e->elf = elf;
	if (!gelf_getehdr(elf, &e->eh)) {
		set_err(err, errlen, "bad ELF header");
		rti_elf_close(e);
		errno = EINVAL;
		return NULL;
	}
	return e;
}

struct rti_elf *rti_elf_open(int fd, char *err, size_t errlen)
{
	if (init_libelf()) {
		errno = ENOSYS;
		return NULL;
	}
	return wrap(elf_begin(fd, ELF_C_READ, NULL), err, errlen);
}

struct rti_elf *rti_elf_open_mem(void *mem, size_t n, char *err, size_t errlen)
{
	if (init_libelf()) {
		errno = ENOSYS;
		return NULL;
	}
	return wrap(elf_memory(mem, n), err, errlen);
}

void rti_elf_close(struct rti_elf *e)
{
	if (!e)
		return;
	elf_end(e->elf);
	free(e);
}

const char *rti_elf_error(const struct rti_elf *e)
{
	return e->err[0] ? e->err : "no error";
}

static size_t note_build_id(Elf_Data *d, unsigned char id[RTI_BUILD_ID_MAX])
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	if (!d || !d->d_buf)
		return 0;
	while (off < d->d_size && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    name_off + 4 <= d->d_size &&
		    !memcmp((const char *)d->d_buf + name_off, "GNU", 4) && nh.n_descsz > 0 &&
		    nh.n_descsz <= RTI_BUILD_ID_MAX && desc_off + nh.n_descsz <= d->d_size) {
			memcpy(id, (const char *)d->d_buf + desc_off, nh.n_descsz);
			return nh.n_descsz;
		}
		if (next <= off)
			break;
		off = next;
	}
	return 0;
}

size_t rti_elf_build_id(struct rti_elf *e, unsigned char id[RTI_BUILD_ID_MAX])
{
	size_t nph = 0;
	Elf_Scn *scn = NULL;
	size_t n;

	/* program headers first: they survive `strip --strip-section-headers` */
	if (!elf_getphdrnum(e->elf, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(e->elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
			    !ph.p_filesz)
				continue;
			n = note_build_id(elf_getdata_rawchunk(e->elf, (int64_t)ph.p_offset,
							       ph.p_filesz,
							       ph.p_align == 8 ? ELF_T_NHDR8
									       : ELF_T_NHDR),
					  id);
			if (n)
				return n;
		}
	}
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		n = note_build_id(elf_getdata(scn, NULL), id);
		if (n)
			return n;
	}
	return 0;
}

int rti_elf_segments(struct rti_elf *e, struct rti_elf_seg *segs, unsigned max)
{
	size_t nph = 0;
	unsigned k = 0;

	if (elf_getphdrnum(e->elf, &nph)) {
		set_err(e->err, sizeof(e->err), "program headers");
		return -EINVAL;
	}
	for (size_t i = 0; i < nph && k < max; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e->elf, (int)i, &ph)) {
			set_err(e->err, sizeof(e->err), "program header");
			return -EINVAL;
		}
		if (ph.p_type != PT_LOAD || !ph.p_filesz || ph.p_offset + ph.p_filesz < ph.p_offset)
			continue;
		segs[k].off = ph.p_offset;
		segs[k].filesz = ph.p_filesz;
		segs[k].vaddr = ph.p_vaddr;
		segs[k].exec = (ph.p_flags & PF_X) != 0;
		k++;
	}
	return (int)k;
}

int rti_elf_off2addr(const struct rti_elf_seg *segs, unsigned n, uint64_t off,
		     uint64_t *addr)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n; i++) {
			if (segs[i].exec != (pass == 0))
				continue;
			if (off >= segs[i].off && off - segs[i].off < segs[i].filesz) {
				*addr = off - segs[i].off + segs[i].vaddr;
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int add_table(struct rti_elf *e, Elf_Scn *scn, const GElf_Shdr *sh,
		     struct rti_symtab_builder *b, uint8_t src, bool *any)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t esz = gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	size_t n;
	bool arm = e->eh.e_machine == EM_ARM;

	if (!d || !esz) {
		set_err(e->err, sizeof(e->err), "symbol table");
		return -EINVAL;
	}
	n = d->d_size / esz;
	if (n > INT_MAX)
		n = INT_MAX;
	for (size_t i = 1; i < n; i++) { /* entry 0 is the null symbol */
		GElf_Sym s;
		const char *name;
		int type;
		int err;

		if (!gelf_getsym(d, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || s.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(e->elf, sh->sh_link, s.st_name);
		if (!name)
			continue; /* a bad name offset drops the symbol, not the file */
		if (arm)
			s.st_value &= ~(GElf_Addr)1; /* Thumb bit */
		err = rti_symtab_builder_add(b, s.st_value, s.st_size, name,
					     GELF_ST_BIND(s.st_info),
					     GELF_ST_VISIBILITY(s.st_other), src);
		if (err)
			return err;
		*any = true;
	}
	return 0;
}

int rti_elf_symbols(struct rti_elf *e, struct rti_symtab_builder *b, uint8_t symtab_src,
		    unsigned *tables)
{
	Elf_Scn *scn = NULL;
	int err;

	*tables = 0;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;
		bool any = false;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			err = add_table(e, scn, &sh, b, symtab_src, &any);
			if (any)
				*tables |= 1;
		} else if (sh.sh_type == SHT_DYNSYM) {
			err = add_table(e, scn, &sh, b, RTI_SRC_DYNSYM, &any);
			if (any)
				*tables |= 2;
		} else {
			continue;
		}
		if (err)
			return err;
	}
	return 0;
}

int rti_elf_debuglink(struct rti_elf *e, char *name, size_t cap, uint32_t *crc)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e->elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr sh;
		const char *sn;
		Elf_Data *d;
		size_t len, crc_off;
		const unsigned char *p;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		sn = elf_strptr(e->elf, shstrndx, sh.sh_name);
		if (!sn || strcmp(sn, ".gnu_debuglink"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || !d->d_size)
			return 0;
		p = d->d_buf;
		len = strnlen((const char *)p, d->d_size);
		crc_off = (len + 4) & ~(size_t)3; /* name, NUL, padding to 4 */
		if (!len || len >= cap || crc_off + 4 > d->d_size || memchr(p, '/', len))
			return 0;
		memcpy(name, p, len);
		name[len] = '\0';
		if (e->eh.e_ident[EI_DATA] == ELFDATA2MSB)
			*crc = (uint32_t)p[crc_off] << 24 | (uint32_t)p[crc_off + 1] << 16 |
			       (uint32_t)p[crc_off + 2] << 8 | p[crc_off + 3];
		else
			*crc = (uint32_t)p[crc_off + 3] << 24 | (uint32_t)p[crc_off + 2] << 16 |
			       (uint32_t)p[crc_off + 1] << 8 | p[crc_off];
		return 1;
	}
	return 0;
}
