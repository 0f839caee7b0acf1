/* SPDX-License-Identifier: Apache-2.0 */
/* Small I/O helpers the commands share with the library. */
#ifndef RTI_PUBLIC_IO_H
#define RTI_PUBLIC_IO_H

#include <stddef.h>

/* Writes all n bytes (retrying short writes and EINTR). 0 or -errno. */
int rti_write_all(int fd, const void *p, size_t n);

#endif
