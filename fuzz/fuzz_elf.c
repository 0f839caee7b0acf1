/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the ELF reader and the symbol table built from it
 * (src/stack/elf.c, symtab.c) on arbitrary bytes: build id, segments,
 * .symtab/.dynsym, .gnu_debuglink, then lookups through the segments.
 * Corrupt files must give errors, never crashes or leaks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stack/elf.h"
#include "stack/symtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char id[RTI_BUILD_ID_MAX];
	struct rti_elf_seg segs[RTI_ELF_MAX_SEGS];
	struct rti_symtab_builder b;
	struct rti_symtab *t;
	struct rti_elf *e;
	char err[160], link[256];
	uint32_t crc;
	unsigned tables;
	unsigned char *img;
	int n;

	/* libelf may convert the image in place: give it a copy */
	img = malloc(size ? size : 1);
	if (!img)
		return 0;
	memcpy(img, data, size);
	e = rti_elf_open_mem(img, size, err, sizeof(err));
	if (!e) {
		free(img);
		return 0;
	}
	rti_elf_build_id(e, id);
	n = rti_elf_segments(e, segs, RTI_ELF_MAX_SEGS);
	rti_elf_debuglink(e, link, sizeof(link), &crc);
	rti_symtab_builder_init(&b);
	rti_elf_symbols(e, &b, RTI_SRC_SYMTAB, &tables);
	t = rti_symtab_build(&b);
	if (t) {
		for (int i = 0; i < n; i++) {
			for (uint64_t k = 0; k < 4; k++) {
				uint64_t addr;
				uint64_t off = segs[i].off + (segs[i].filesz / 4) * k;

				if (!rti_elf_off2addr(segs, (unsigned)n, off, &addr)) {
					long r = rti_symtab_find(t, addr);

					if (r >= 0) {
						rti_symtab_name(t, r);
						rti_symtab_is_alias(t, r, "main");
					}
				}
			}
		}
		rti_symtab_free(t);
	}
	rti_elf_close(e);
	free(img);
	return 0;
}
