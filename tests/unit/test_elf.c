/* SPDX-License-Identifier: Apache-2.0 */
/* The ELF reader on this test program, then on truncated and corrupted
 * copies of it: clear errors, never a crash (the ASan pass checks). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stack/elf.h"
#include "stack/symtab.h"
#include "tap.h"
#include "util/hash.h"

/* Everything the symbolizer does with a file; 0 when it all worked. */
static int exercise(struct rti_elf *e, size_t *nsyms)
{
	unsigned char id[RTI_BUILD_ID_MAX];
	struct rti_elf_seg segs[RTI_ELF_MAX_SEGS];
	struct rti_symtab_builder b;
	struct rti_symtab *t;
	char link[256];
	uint32_t crc;
	unsigned tables = 0;
	int n, rc = 0;

	rti_elf_build_id(e, id);
	n = rti_elf_segments(e, segs, RTI_ELF_MAX_SEGS);
	if (n < 0)
		rc = -1;
	rti_symtab_builder_init(&b);
	if (rti_elf_symbols(e, &b, RTI_SRC_SYMTAB, &tables))
		rc = -1;
	rti_elf_debuglink(e, link, sizeof(link), &crc);
	t = rti_symtab_build(&b);
	if (t) {
		for (int i = 0; i < n; i++) {
			uint64_t a;

			if (!rti_elf_off2addr(segs, (unsigned)n, segs[i].off + segs[i].filesz / 2, &a)) {
				long r = rti_symtab_find(t, a);

				if (r >= 0)
					rti_symtab_name(t, r);
			}
		}
		if (nsyms)
			*nsyms = rti_symtab_rows(t);
		rti_symtab_free(t);
	}
	return rc;
}

static int readelf_build_id(const char *path, char *hex, size_t cap)
{
	char cmd[4200], line[512];
	FILE *p;
	int found = 0;

	snprintf(cmd, sizeof(cmd), "readelf -n '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, "Build ID: ");

		if (s && !found) {
			snprintf(hex, cap, "%s", s + 10);
			hex[strcspn(hex, "\n")] = '\0';
			found = 1;
		}
	}
	pclose(p);
	return found;
}

int main(void)
{
	char self[4096], err[256], want[200], got[200];
	unsigned char id[RTI_BUILD_ID_MAX], *img, *work;
	struct rti_elf *e;
	struct stat st;
	size_t n, nsyms = 0;
	ssize_t len;
	int fd;
	uint64_t rnd = 0x243f6a8885a308d3ULL;

	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	fd = open(self, O_RDONLY);
	ok(fd >= 0 && !fstat(fd, &st), "open self");
	e = rti_elf_open(fd, err, sizeof(err));
	ok(e != NULL, "self is ELF");
	n = e ? rti_elf_build_id(e, id) : 0;
	rti_hex(id, n, got);
	ok(readelf_build_id(self, want, sizeof(want)) && !strcmp(got, want),
	   "build id as readelf says (%s)", got);
	ok(e && !exercise(e, &nsyms) && nsyms > 10, "symbols of self (%zu)", nsyms);
	rti_elf_close(e);

	img = malloc((size_t)st.st_size);
	work = malloc((size_t)st.st_size);
	ok(img && work && pread(fd, img, (size_t)st.st_size, 0) == st.st_size, "read self");
	close(fd);

	e = rti_elf_open_mem((void *)"hello, world", 12, err, sizeof(err));
	ok(!e && errno == ENOEXEC, "not ELF: %s", err);
	e = rti_elf_open_mem(work, 0, err, sizeof(err));
	ok(!e, "empty image");
	{
		/* truncated at many lengths, header first: each is refused or read */
		int crashes = 0, opened = 0, steps = 0;

		for (size_t cut = 0; cut < (size_t)st.st_size; cut += cut < 4096 ? 61 : (size_t)st.st_size / 97) {
			memcpy(work, img, cut);
			e = rti_elf_open_mem(work, cut, err, sizeof(err));
			steps++;
			if (e) {
				opened++;
				exercise(e, NULL);
				rti_elf_close(e);
			} else if (!err[0]) {
				crashes++;
			}
		}
		ok(crashes == 0, "truncated images: %d tries, %d opened, every refusal explained", steps, opened);
	}
	{
		/* random bytes in the headers and tables */
		int tries = 300, opened = 0;

		for (int i = 0; i < tries; i++) {
			memcpy(work, img, (size_t)st.st_size);
			for (int k = 0; k < 8; k++) {
				size_t pos;

				rnd ^= rnd << 13;
				rnd ^= rnd >> 7;
				rnd ^= rnd << 17;
				/* half in the first 4 KiB (ELF and program headers) */
				pos = (k & 1) ? (size_t)(rnd % 4096) : (size_t)(rnd % (uint64_t)st.st_size);
				work[pos] = (unsigned char)(rnd >> 32);
			}
			e = rti_elf_open_mem(work, (size_t)st.st_size, err, sizeof(err));
			if (e) {
				opened++;
				exercise(e, NULL);
				rti_elf_close(e);
			}
		}
		ok(1, "corrupted images: %d tries, %d opened, no crash", tries, opened);
	}
	{
		/* a section header table pointing far beyond the file */
		memcpy(work, img, (size_t)st.st_size);
		memset(work + 0x28, 0x7f, 8); /* e_shoff (64-bit) */
		e = rti_elf_open_mem(work, (size_t)st.st_size, err, sizeof(err));
		ok(!e || (exercise(e, NULL), 1), "bogus e_shoff: %s", e ? "read" : err);
		rti_elf_close(e);
	}
	{
		struct rti_elf_seg segs[2] = {
			{ 0x0, 0x1000, 0x0, false },
			{ 0x1000, 0x2000, 0x401000, true },
		};
		uint64_t a = 0;

		ok(!rti_elf_off2addr(segs, 2, 0x1234, &a) && a == 0x401234, "offset -> address");
		ok(rti_elf_off2addr(segs, 2, 0x3000, &a) == -ENOENT, "offset beyond the segments");
	}
	free(img);
	free(work);
	return done_testing();
}
