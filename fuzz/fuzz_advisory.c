/* libFuzzer: the advisory readers of `reach` (OSV, CVE JSON 5,
 * stella-vulnfn/v1, zip archives of them: rti_reach_load_mem reads an
 * archive by its magic), scanner findings (Grype, Trivy, CycloneDX, CSV),
 * the symbol name normalizers (C, C++, Go, Rust) and the Go build
 * information parser (.go.buildinfo), and the stella-vulnfn/v1 writer of
 * convert-advisories. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rti/gobuildinfo.h"
#include "rti/reach.h"

static void diag(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static int devnull(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rti_reach_opts o = { .sz = sizeof(o), .diag = diag };
	struct rti_reach *r = rti_reach_new(&o);
	char *name = malloc(size + 1);
	char key[16384];

	if (r)
		rti_reach_load_mem(r, "fuzz", (const char *)data, size);
	rti_reach_free(r);
	/* convert-advisories: every platform kept, written (to /dev/null) */
	o.all_platforms = true;
	r = rti_reach_new(&o);
	if (r && !rti_reach_load_mem(r, "fuzz", (const char *)data, size))
		rti_reach_write_vulnfn(r, devnull());
	rti_reach_free(r);
	o.all_platforms = false;
	r = rti_reach_new(&o);
	if (r)
		rti_reach_load_findings_mem(r, "fuzz", (const char *)data, size);
	rti_reach_free(r);
	if (!name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	rti_reach_symbol_key('c', name, key, sizeof(key));
	rti_reach_symbol_key('C', name, key, sizeof(key));
	rti_reach_symbol_key('g', name, key, sizeof(key));
	rti_reach_symbol_key('r', name, key, sizeof(key));
	rti_reach_symbol_key('r', name, key, 8);
	/* the .go.buildinfo section parser, on the same bytes */
	rti_go_buildinfo_parse(data, size, key, sizeof(key));
	rti_go_buildinfo_parse(data, size, key, 16);
	free(name);
	return 0;
}
