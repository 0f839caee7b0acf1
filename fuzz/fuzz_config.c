/* libFuzzer: the agent's configuration loader (YAML tree with positions,
 * the option table, ${VAR}, value parsers, drop-ins) on one file written
 * from the input, then --print of what loaded. An error must be one line
 * "FILE:LINE:COL: key.path: reason" or "FILE: reason". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/rti-fuzz-config.XXXXXX";
	static int made;
	char path[64], err[1024];
	struct rti_config *c;
	FILE *f;

	if (!made) {
		if (!mkdtemp(dir))
			abort();
		setenv("RTI_FUZZ_VAR", "value", 1);
		made = 1;
	}
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	err[0] = '\0';
	c = rti_config_load(path, err, sizeof(err));
	if (!c) {
		if (!err[0] || strchr(err, '\n') || strncmp(err, path, strlen(path)))
			abort(); /* every error names the file, on one line */
		return 0;
	}
	f = fopen("/dev/null", "w");
	if (f) {
		rti_config_print(c, f);
		fclose(f);
	}
	rti_config_free(c);
	return 0;
}
