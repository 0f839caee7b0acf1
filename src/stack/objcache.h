/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bounded cache of code objects: each file is parsed once and found
 * again by its identity on disk (device, inode, size, mtime) or by its
 * build id and size, so the same library seen through different container
 * roots is parsed once. The size is part of the build id key: a stripped
 * and an unstripped copy share a build id but not their symbols, and the
 * answer for a file must never depend on which copy was seen first. LRU
 * eviction by count and by memory, with hit/miss/eviction counters.
 *
 * A module opened for a container is also found by (container instance,
 * path) (stack/containers.h): after the container's processes are gone,
 * its frames still resolve. These keys are counted in the object's bytes,
 * at most RTI_OBJ_MAX_CKEYS per object (the oldest replaced), and go with
 * the object when it is evicted.
 *
 * An object is identified by serial, never reused: memos elsewhere keep
 * (serial, ...) keys and stay correct after the object is evicted.
 */
#ifndef RTI_STACK_OBJCACHE_H
#define RTI_STACK_OBJCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/symbolize.h"
#include "stack/elf.h"
#include "stack/symtab.h"

#define RTI_OBJ_MAX_KEYS 8
#define RTI_OBJ_MAX_CKEYS 64
/* "gnu-build-id:" + 128 hex, or "file-sha256:" + 64 hex */
#define RTI_CODE_ID_MAX (13 + 2 * RTI_BUILD_ID_MAX + 1)

struct rti_fkey {
	uint64_t dev, ino, size;
	int64_t mtime_sec;
	int64_t mtime_nsec;
};

struct rti_obj_key;
struct rti_obj_ckey;

struct rti_obj {
	uint64_t serial;
	enum rti_code_id_kind kind; /* PATH: no identity beyond the path */
	char code_id[RTI_CODE_ID_MAX];
	unsigned char bid[RTI_BUILD_ID_MAX];
	size_t bid_len;
	uint64_t size;              /* of the file; 0 for a stub */
	bool stub;                  /* a build id only, no file behind it */
	enum rti_unresolved why;    /* for every offset: not_elf, bad_elf, stripped */
	struct rti_elf_seg *segs;
	unsigned nsegs;
	struct rti_symtab *syms;    /* NULL when why != 0 or stub */
	size_t bytes;
	/* cache links */
	struct rti_obj *prev, *next;    /* LRU, head = most recent */
	struct rti_obj *bid_next;       /* build id chain */
	struct rti_obj_key *keys[RTI_OBJ_MAX_KEYS];
	unsigned nkeys;
	struct rti_obj_ckey *ckeys;     /* (container, path) keys, newest first */
	unsigned nckeys;
};

struct rti_objcache;

struct rti_objcache *rti_objcache_new(unsigned max_objs, size_t max_bytes);
void rti_objcache_free(struct rti_objcache *c);

/* A new object (serial assigned, not yet cached). */
struct rti_obj *rti_obj_new(struct rti_objcache *c);
void rti_obj_free(struct rti_obj *o);

/* Lookups count hits and misses and make the object most recent. */
struct rti_obj *rti_objcache_by_key(struct rti_objcache *c, const struct rti_fkey *k);
/* The object with this build id and file size (size 0: the stub). */
struct rti_obj *rti_objcache_by_build_id(struct rti_objcache *c, const unsigned char *bid,
					 size_t len, uint64_t size);
/* Takes ownership; registers o under k (may be NULL) and its build id and
 * size; then evicts down to the bounds (never o itself). Returns the
 * number of objects evicted: pointers to them held elsewhere are stale. */
unsigned rti_objcache_insert(struct rti_objcache *c, struct rti_obj *o,
			     const struct rti_fkey *k);
/* Another identity on disk for a cached object (a copy in a container). */
void rti_objcache_add_key(struct rti_objcache *c, struct rti_obj *o,
			  const struct rti_fkey *k);
const struct rti_cache_stats *rti_objcache_stats(const struct rti_objcache *c);

/* The object opened for container instance serial at path, or NULL. */
struct rti_obj *rti_objcache_by_container(struct rti_objcache *c, uint64_t serial,
					  const char *path, size_t plen);
/* Registers cached object o under (serial, path), replacing what that key
 * named before. */
void rti_objcache_add_container(struct rti_objcache *c, struct rti_obj *o, uint64_t serial,
				const char *path, size_t plen);
/* hits, misses, entries, evictions of the (container, path) keys */
const struct rti_cache_stats *rti_objcache_container_stats(const struct rti_objcache *c);

#endif
