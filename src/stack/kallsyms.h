/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A kallsyms snapshot ("ffffffff81000000 T _stext [module]" lines) for
 * kernel frames that carry only an address. An address belongs to the
 * nearest symbol at or below it (kallsyms has no sizes), and resolves only
 * when that symbol is a text symbol (t, T, w, W), as in Tetragon. Aliases
 * at one address: the preferred name as for ELF symbols (text, global
 * (T, W) first, fewest leading underscores, T before W, shortest, byte
 * order). All-zero addresses
 * (kptr_restrict) make the snapshot unusable.
 */
#ifndef RTI_STACK_KALLSYMS_H
#define RTI_STACK_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct rti_kallsyms;

/* NULL with errno (ENOENT, EACCES, ENODATA: no usable address) and err. */
struct rti_kallsyms *rti_kallsyms_load(const char *path, char *err, size_t errlen);
struct rti_kallsyms *rti_kallsyms_parse(const char *text, size_t len, char *err,
					size_t errlen);
void rti_kallsyms_free(struct rti_kallsyms *k);
size_t rti_kallsyms_count(const struct rti_kallsyms *k);

/* 0 with the symbol, the offset from it and its module ("[kernel]" or
 * "[name]"), or -ENOENT. Strings live as long as k. */
int rti_kallsyms_lookup(const struct rti_kallsyms *k, uint64_t addr, const char **sym,
			uint64_t *off, const char **module);

#endif
