/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ELF reader (libelf from elfutils): the GNU build id, the PT_LOAD
 * segments that map file offsets to virtual addresses, function symbols
 * of .symtab and .dynsym, and the .gnu_debuglink of a file. Sections are
 * read with pread on demand (ELF_C_READ), never mmap'd, so a file that is
 * truncated while we read it gives an error instead of SIGBUS. Corrupt
 * files give an error message, never a crash (fuzz/fuzz_elf.c).
 */
#ifndef RTI_STACK_ELF_H
#define RTI_STACK_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stack/symtab.h"

#define RTI_BUILD_ID_MAX 64
#define RTI_ELF_MAX_SEGS 64

struct rti_elf_seg {
	uint64_t off, filesz, vaddr;
	bool exec;
};

struct rti_elf;

/* The file on fd (kept open by the caller until rti_elf_close), or NULL
 * with errno ENOEXEC (not ELF) or EINVAL (corrupt); err gets a message. */
struct rti_elf *rti_elf_open(int fd, char *err, size_t errlen);
/* An ELF image in memory (fuzzing, tests); libelf may convert it in place,
 * so it must be writable and outlive the handle. */
struct rti_elf *rti_elf_open_mem(void *mem, size_t n, char *err, size_t errlen);
void rti_elf_close(struct rti_elf *e);
const char *rti_elf_error(const struct rti_elf *e);

/* Build id length (0 when none), copied into id. */
size_t rti_elf_build_id(struct rti_elf *e, unsigned char id[RTI_BUILD_ID_MAX]);
/* PT_LOAD segments with file bytes, or -EINVAL. */
int rti_elf_segments(struct rti_elf *e, struct rti_elf_seg *segs, unsigned max);
/*
 * Adds the function symbols (STT_FUNC, STT_GNU_IFUNC, defined) of .symtab
 * and .dynsym to b; .symtab names get source `symtab_src` (RTI_SRC_SYMTAB,
 * or RTI_SRC_DEBUG for a debug file). *tables gets bit 0 for a .symtab
 * and bit 1 for a .dynsym with at least one function. 0 or -errno.
 */
int rti_elf_symbols(struct rti_elf *e, struct rti_symtab_builder *b, uint8_t symtab_src,
		    unsigned *tables);
/* 1 and the file name and CRC of .gnu_debuglink, 0 when absent. */
int rti_elf_debuglink(struct rti_elf *e, char *name, size_t cap, uint32_t *crc);

/* File offset -> virtual address through the segments (executable ones
 * first, where page-aligned segments overlap). 0 or -ENOENT. */
int rti_elf_off2addr(const struct rti_elf_seg *segs, unsigned n, uint64_t off,
		     uint64_t *addr);

#endif
