/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"

int rti_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The offset just past the last newline of the file's first end bytes
 * (0: none). 0 or -errno. */
static int last_newline(int fd, off_t end, off_t *after)
{
	char buf[4096];
	off_t pos = end;

	while (pos > 0) {
		size_t n = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
		ssize_t r = pread(fd, buf, n, pos - (off_t)n);

		if (r != (ssize_t)n)
			return -EIO;
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				*after = pos - (off_t)n + (off_t)i;
				return 0;
			}
		}
		pos -= (off_t)n;
	}
	*after = 0;
	return 0;
}

int rti_output_repair(int fd, uint64_t *dropped)
{
	struct stat st;
	off_t keep;
	int err;

	*dropped = 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	err = last_newline(fd, st.st_size, &keep);
	if (err)
		return err;
	if (keep == st.st_size)
		return 0; /* ends with a whole line */
	if (ftruncate(fd, keep))
		return -errno;
	*dropped = (uint64_t)(st.st_size - keep);
	return 0;
}
