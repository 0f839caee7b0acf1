/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the /proc text formats of the stack stage on
 * arbitrary bytes: /proc/<pid>/maps (src/stack/maps.c) and kallsyms
 * snapshots (src/stack/kallsyms.c). The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stack/kallsyms.h"
#include "stack/maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (!size)
		return 0;
	if (data[0] & 1) {
		struct rti_kallsyms *k = rti_kallsyms_parse((const char *)data + 1, size - 1, err,
							    sizeof(err));
		if (k) {
			const char *sym, *mod;
			uint64_t off;

			for (uint64_t a = 0; a < 8; a++)
				rti_kallsyms_lookup(k, a * 0x2000000000000000ULL + a, &sym, &off, &mod);
			rti_kallsyms_free(k);
		}
	} else {
		struct rti_maps m;
		char *line;

		if (!rti_maps_parse((const char *)data + 1, size - 1, &m, err, sizeof(err))) {
			for (size_t i = 0; i < m.n; i++) {
				rti_maps_find(&m, m.v[i].start);
				rti_maps_find(&m, m.v[i].end);
			}
			rti_maps_release(&m);
		}
		/* one line, parsed in place without a trailing NUL beyond line[len] */
		line = malloc(size);
		if (line) {
			struct rti_map one;

			memcpy(line, data + 1, size - 1);
			rti_maps_parse_line(line, size - 1, &one, err, sizeof(err));
			free(line);
		}
	}
	return 0;
}
