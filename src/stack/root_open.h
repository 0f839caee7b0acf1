/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files of a traced process, opened as that process sees them: inside its
 * root (<proc root>/<pid>/root) with openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS, so absolute symlinks and ".." stay inside the
 * container; and read with pread (never mmap: a file truncated under us
 * must not SIGBUS).
 */
#ifndef RTI_STACK_ROOT_OPEN_H
#define RTI_STACK_ROOT_OPEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Absolute, without empty, "." or ".." components: a module path must not
 * walk out of the process root it is resolved in. */
bool rti_root_path_ok(const char *path);

/* Opens path inside root as if root were "/". root NULL: the host. Never
 * blocks on a FIFO. The fd, or -1 with *err = errno. */
int rti_root_open(const char *root, const char *path, int *err);

/* Reads up to n bytes at off, retrying short reads and EINTR: fewer only
 * at the end of the file. -1 with errno on error. */
ssize_t rti_pread_full(int fd, void *buf, size_t n, off_t off);

#endif
