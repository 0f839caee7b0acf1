/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stack/root_open.h"

bool rti_root_path_ok(const char *p)
{
	if (*p != '/')
		return false;
	while (*p) {
		const char *e;
		size_t n;

		if (*p != '/')
			return false;
		p++;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

int rti_root_open(const char *root, const char *path, int *err)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd, rfd;

	if (!root) {
		fd = open(path, flags);
		*err = fd < 0 ? errno : 0;
		return fd;
	}
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		*err = errno;
		return -1;
	}
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	}
	if (fd < 0 && errno == ENOSYS) {
		/* kernels before 5.6: the path was checked by rti_root_path_ok() */
		char full[8192];

		if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full)) {
			close(rfd);
			*err = ENAMETOOLONG;
			return -1;
		}
		fd = open(full, flags);
	}
	*err = fd < 0 ? errno : 0;
	close(rfd);
	return fd;
}

ssize_t rti_pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}
