/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions we never call (curl's and Git's list): unbounded writes and
 * hidden static state. Every translation unit of the library, the CLI, the
 * tests, benchmarks and fuzz targets is compiled with `-include
 * src/util/banned.h` (Makefile), so using one is a compile error, not a
 * review comment.
 *
 * The system headers that declare them come first, so their own
 * declarations are seen before the names are poisoned.
 */
#ifndef RTI_UTIL_BANNED_H
#define RTI_UTIL_BANNED_H

#include <stdio.h>
#include <string.h>

/*
 * Instead of sprintf/vsprintf: snprintf/vsnprintf; of strcpy, strcat,
 * strncpy, strncat: rti_buf (include/rti/buf.h) or memcpy with a length;
 * of gets: fgets; of strtok: strtok_r. A poisoned name is an error wherever
 * it appears after this point ("attempt to use poisoned").
 */
#pragma GCC poison sprintf vsprintf strcpy strcat strncpy strncat gets strtok

#endif
