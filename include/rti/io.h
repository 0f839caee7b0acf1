/* SPDX-License-Identifier: Apache-2.0 */
/* Small I/O helpers the commands share with the library. */
#ifndef RTI_PUBLIC_IO_H
#define RTI_PUBLIC_IO_H

#include <stddef.h>
#include <stdint.h>

/* Writes all n bytes (retrying short writes and EINTR). 0 or -errno. */
int rti_write_all(int fd, const void *p, size_t n);

/*
 * Crash repair of an output that a restarted run appends to: SIGKILL can
 * cut a large write() short and leave a partial last line, which would glue
 * onto the next one. Cuts it off (regular files only) and says how many
 * bytes went in *dropped (0: the output ended with a whole line).
 * 0 or -errno.
 */
int rti_output_repair(int fd, uint64_t *dropped);

#endif
