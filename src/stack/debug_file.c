/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "stack/debug_file.h"
#include "stack/root_open.h"
#include "util/hash.h"

#define READ_CHUNK (1u << 20)

int rti_build_id_path(char *out, size_t cap, const char *debug_dir, const unsigned char *bid,
		      size_t len, const char *suffix)
{
	char hex[2 * RTI_BUILD_ID_MAX + 1];

	if (len < 2)
		return -1;
	rti_hex(bid, len, hex);
	if ((size_t)snprintf(out, cap, "%s/.build-id/%.2s/%s%s", debug_dir, hex, hex + 2,
			     suffix) >= cap)
		return -1;
	return 0;
}

static bool same_build_id(int fd, const unsigned char *bid, size_t len)
{
	unsigned char id[RTI_BUILD_ID_MAX];
	struct rti_elf *e = rti_elf_open(fd, NULL, 0);
	size_t n;

	if (!e)
		return false;
	n = rti_elf_build_id(e, id);
	rti_elf_close(e);
	return n == len && !memcmp(id, bid, len);
}

/* CRC-32 of the whole file, as .gnu_debuglink records it. */
static int crc_file(int fd, uint32_t *crc)
{
	unsigned char *buf = malloc(READ_CHUNK);
	uLong c = crc32(0L, Z_NULL, 0);
	off_t off = 0;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r = rti_pread_full(fd, buf, READ_CHUNK, off);

		if (r < 0) {
			rc = -errno;
			break;
		}
		if (!r)
			break;
		c = crc32(c, buf, (uInt)r);
		off += r;
		if ((size_t)r < READ_CHUNK)
			break;
	}
	free(buf);
	*crc = (uint32_t)c;
	return rc;
}

int rti_debug_file_by_build_id(const char *debug_dir, const unsigned char *bid, size_t len)
{
	char path[4096];
	int fd, err;

	if (rti_build_id_path(path, sizeof(path), debug_dir, bid, len, ".debug"))
		return -1;
	fd = rti_root_open(NULL, path, &err);
	if (fd < 0)
		return -1;
	if (!same_build_id(fd, bid, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

int rti_debug_file_by_link(const char *debug_dir, const char *root, const char *path,
			   const char *name, uint32_t crc, const struct rti_obj *o,
			   const struct stat *orig)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	char cand[3][4096];
	int n = 0;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	if (slash) {
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/%s", (int)dlen, path, name);
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/.debug/%s", (int)dlen, path, name);
	} else {
		snprintf(cand[n++], sizeof(cand[0]), "%s", name);
		snprintf(cand[n++], sizeof(cand[0]), ".debug/%s", name);
	}
	if (path[0] == '/')
		snprintf(cand[n++], sizeof(cand[0]), "%s%.*s/%s", debug_dir, (int)dlen, path,
			 name);
	for (int i = 0; i < n; i++) {
		struct stat st;
		uint32_t c = 0;
		int err;
		int fd = rti_root_open(i < 2 ? root : NULL, cand[i], &err);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    (st.st_dev == orig->st_dev && st.st_ino == orig->st_ino)) {
			close(fd);
			continue;
		}
		if ((o->bid_len && same_build_id(fd, o->bid, o->bid_len)) ||
		    (!crc_file(fd, &c) && c == crc))
			return fd;
		close(fd);
	}
	return -1;
}
