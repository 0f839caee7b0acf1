/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Module files as code objects (docs/stacks.md, "Finding the file" and
 * "code_id"): an open module file becomes a cached rti_obj with its
 * identity (GNU build id, else the SHA-256 of the file), its PT_LOAD
 * segments and its function symbols (.symtab, .dynsym and a separate debug
 * file). Code known only by a process_loader build id becomes the
 * executable under the build-id directory, else a stub: the identity
 * without symbols.
 *
 * Objects live in the bounded cache (stack/objcache.h); epoch counts the
 * insertions that evicted objects, so memos holding object pointers know
 * when to drop them.
 */
#ifndef RTI_STACK_MODULES_H
#define RTI_STACK_MODULES_H

#include <stdint.h>

#include "stack/objcache.h"

struct rti_modules {
	struct rti_objcache *objs;
	struct rti_symtab_builder sb; /* reused: one file is parsed at a time */
	const char *debug_dir;        /* borrowed */
	uint64_t epoch;               /* bumped when objects are evicted */
	uint64_t elf_errors;          /* corrupt ELF files */
	uint64_t debug_files;         /* separate debug files loaded */
	uint64_t files_hashed;        /* file-sha256 computed */
};

/* With the cache bounds (max_files objects, max_bytes of tables). 0 or -ENOMEM. */
int rti_modules_init(struct rti_modules *m, const char *debug_dir, unsigned max_files,
		     size_t max_bytes);
void rti_modules_release(struct rti_modules *m);

/* The object of the regular file on fd (root/path: where it was opened,
 * for its debug link), from the cache or parsed. NULL with *why set
 * (not a regular file). */
struct rti_obj *rti_module_from_fd(struct rti_modules *m, int fd, const char *root,
				   const char *path, enum rti_unresolved *why);

/* The object of code known only by its build id. NULL when out of memory. */
struct rti_obj *rti_module_by_build_id(struct rti_modules *m, const unsigned char *bid,
				       size_t len);

#endif
