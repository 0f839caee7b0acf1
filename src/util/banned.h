/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functions we never call (curl's and Git's list): unbounded writes and
 * hidden static state. Every translation unit of the library, the CLI, the
 * tests, benchmarks and fuzz targets is compiled with `-include
 * src/util/banned.h` (Makefile), so using one is a compile error that names
 * the replacement, not a review comment.
 *
 * The system headers that declare them come first, so their own
 * declarations are seen before the macros exist.
 */
#ifndef RTI_UTIL_BANNED_H
#define RTI_UTIL_BANNED_H

#include <stdio.h>
#include <string.h>

#define RTI_BANNED(func, instead) rti_banned_##func##_use_##instead

#undef sprintf
#define sprintf(...) RTI_BANNED(sprintf, snprintf)
#undef vsprintf
#define vsprintf(...) RTI_BANNED(vsprintf, vsnprintf)
#undef strcpy
#define strcpy(...) RTI_BANNED(strcpy, rti_buf_or_memcpy)
#undef strcat
#define strcat(...) RTI_BANNED(strcat, rti_buf)
#undef strncpy
#define strncpy(...) RTI_BANNED(strncpy, memcpy_with_length)
#undef strncat
#define strncat(...) RTI_BANNED(strncat, rti_buf)
#undef gets
#define gets(...) RTI_BANNED(gets, fgets)
#undef strtok
#define strtok(...) RTI_BANNED(strtok, strtok_r)

#endif
