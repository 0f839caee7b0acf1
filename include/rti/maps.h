/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /proc/<pid>/maps: which file, at which file offset, backs a virtual
 * address of a live process. Used by `stella-rti symbolize --pid` and the
 * ASLR test; Tetragon already did this for event frames. Every odd line
 * (garbage, overflowing numbers, missing fields) is an error with a
 * message, never a crash (fuzz/fuzz_maps.c).
 */
#ifndef RTI_MAPS_H
#define RTI_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rti_map {
	uint64_t start, end, offset, inode;
	uint32_t dev_major, dev_minor;
	char perms[5];
	const char *path; /* "" for anonymous mappings; "[vdso]", ... */
	bool deleted;     /* the path ended in " (deleted)", which is cut off */
};

struct rti_maps {
	struct rti_map *v;
	size_t n;
	char *text; /* owns the path strings */
};

/* Parses one line (no trailing newline needed) in place: line is modified,
 * line[len] must be writable (the path gets its NUL there), and m->path
 * points into it. 0, or -EINVAL with a reason in err. */
int rti_maps_parse_line(char *line, size_t len, struct rti_map *m, char *err,
			size_t errlen);
/* All lines of text (copied). A bad line is an error naming its number. */
int rti_maps_parse(const char *text, size_t len, struct rti_maps *out, char *err,
		   size_t errlen);
/* <proc_root>/<pid>/maps. 0 or -errno with err filled. */
int rti_maps_read(const char *proc_root, uint32_t pid, struct rti_maps *out, char *err,
		  size_t errlen);
void rti_maps_release(struct rti_maps *m);
const struct rti_map *rti_maps_find(const struct rti_maps *m, uint64_t addr);

#endif
