/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_IO_H
#define RTI_IO_H
#include <stddef.h>
/* Writes all n bytes (retrying short writes and EINTR). 0 or -errno. */
int rti_write_all(int fd, const void *p, size_t n);
#endif
