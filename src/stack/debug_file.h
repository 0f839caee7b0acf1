/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Separate debug files (docs/stacks.md, Symbols) and the build-id paths of
 * the GDB convention: <debug dir>/.build-id/xx/yyyy (the executable) and
 * <debug dir>/.build-id/xx/yyyy.debug (its debug file). A debug file is
 * found by build id, else by .gnu_debuglink in GDB's order; it is
 * accepted when its build id is the file's, else when its CRC-32 is the
 * link's.
 */
#ifndef RTI_STACK_DEBUG_FILE_H
#define RTI_STACK_DEBUG_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "stack/objcache.h"

/* <debug dir>/.build-id/xx/yyyy<suffix> into out. 0, or -1 when the build
 * id is shorter than 2 bytes or the path does not fit. */
int rti_build_id_path(char *out, size_t cap, const char *debug_dir, const unsigned char *bid,
		      size_t len, const char *suffix);

/* The debug file of build id bid, opened, its build id checked; or -1. */
int rti_debug_file_by_build_id(const char *debug_dir, const unsigned char *bid, size_t len);

/*
 * The debug file that o's .gnu_debuglink (name, crc) names, opened: beside
 * path, in .debug/ beside it (both inside root), then under the debug dir
 * (on the host). orig is the file itself, never its own debug file. -1
 * when none matches.
 */
int rti_debug_file_by_link(const char *debug_dir, const char *root, const char *path,
			   const char *name, uint32_t crc, const struct rti_obj *o,
			   const struct stat *orig);

#endif
