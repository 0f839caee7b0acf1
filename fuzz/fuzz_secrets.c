/* libFuzzer: the secret detector on arbitrary bytes. Spans must lie inside
 * the input, be sorted and not overlap; the count is exact. */
#include <stdint.h>
#include <stdlib.h>

#include "privacy/secrets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rti_secret_span sp[64];
	size_t n = rti_secret_scan((const char *)data, size, sp, 64);
	size_t stored = n < 64 ? n : 64;

	for (size_t i = 0; i < stored; i++) {
		if (sp[i].off > size || sp[i].len > size - sp[i].off || sp[i].len == 0)
			abort();
		if (i && sp[i].off < sp[i - 1].off + sp[i - 1].len)
			abort();
		if (!rti_secret_kind_name(sp[i].kind))
			abort();
	}
	if (rti_secret_scan((const char *)data, size, NULL, 0) != n)
		abort();
	rti_secret_key_name((const char *)data, size);
	return 0;
}
