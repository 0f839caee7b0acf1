/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A sorted table of function symbols of one code object, for "which
 * function covers this virtual address" (docs/stacks.md, "Choosing a
 * symbol"). Built once per file from .symtab, .dynsym and a debug file,
 * then read-only except for demangled names, which are filled on first use
 * so that loading a large C++ library stays cheap.
 *
 * Rows are address ranges [start, end) with one or more names (aliases
 * such as malloc / __libc_malloc). The covering row of an address is the
 * one with the greatest start, then the smallest end; its name is the
 * public one among the aliases: exported (global or weak binding, default
 * or protected visibility) first, then the fewest leading underscores,
 * global before weak, the shortest, then byte order. Symbols of size 0
 * cover nothing.
 */
#ifndef RTI_STACK_SYMTAB_H
#define RTI_STACK_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a name came from, in increasing order of preference. */
enum rti_sym_src {
	RTI_SRC_DYNSYM = 1,
	RTI_SRC_SYMTAB = 2,
	RTI_SRC_DEBUG = 3, /* .symtab of a separate debug file */
};

struct rti_symtab_raw {
	uint64_t start, end;
	uint32_t name; /* offset in the builder's name pool */
	uint8_t bind, vis, src;
};

/* Collects raw symbols; names are copied (version suffixes "@..." cut). */
struct rti_symtab_builder {
	struct rti_symtab_raw *v;
	size_t n, cap;
	char *pool;
	size_t plen, pcap;
};

void rti_symtab_builder_init(struct rti_symtab_builder *b);
void rti_symtab_builder_release(struct rti_symtab_builder *b);
/* 0, or -ENOMEM / -E2BIG. Symbols of size 0 or without a name are skipped. */
int rti_symtab_builder_add(struct rti_symtab_builder *b, uint64_t value, uint64_t size,
			   const char *name, uint8_t bind, uint8_t vis, uint8_t src);

struct rti_symtab;

/* The table, or NULL with errno. The builder is emptied either way. */
struct rti_symtab *rti_symtab_build(struct rti_symtab_builder *b);
void rti_symtab_free(struct rti_symtab *t);
size_t rti_symtab_rows(const struct rti_symtab *t);
/* Memory held, for the cache bound. */
size_t rti_symtab_bytes(const struct rti_symtab *t);

/* The covering row of addr, or -1. */
long rti_symtab_find(const struct rti_symtab *t, uint64_t addr);
uint64_t rti_symtab_start(const struct rti_symtab *t, long row);
/* The preferred alias: as in the table, and demangled (computed once).
 * The strings stay where they are for the life of the table. */
const char *rti_symtab_raw(const struct rti_symtab *t, long row);
const char *rti_symtab_name(struct rti_symtab *t, long row);
enum rti_sym_src rti_symtab_src(const struct rti_symtab *t, long row);
/* Whether raw is one of the row's names (for comparing Tetragon's). */
bool rti_symtab_is_alias(const struct rti_symtab *t, long row, const char *raw);

#endif
