/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container registry (docs/stacks.md, "Containers"): which host pids
 * belong to which container, learned from every event, so that a frame of
 * a container process that is gone can be resolved through the root of a
 * live process of the same container (a sibling), and a module opened for
 * a container can be found again by (container instance, path).
 *
 * A container is its id (the runtime prefix "containerd://" cut, at most
 * 64 bytes). An *instance* of it has a serial, never reused: a new serial
 * when the image digest or the mount namespace of the container changes
 * (a new container with the same id must not inherit cached modules).
 * Each container keeps its 8 most recently seen processes (pid, start).
 *
 * Bounded: 4-way sets of containers, the least recently seen evicted
 * (counted). Learning is O(1) and reads nothing from /proc.
 */
#ifndef RTI_STACK_CONTAINERS_H
#define RTI_STACK_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/symbolize.h"

#define RTI_CTR_ID_MAX 64
#define RTI_CTR_MEMBERS 8

struct rti_ctr_member {
	int64_t start_ns;
	uint32_t pid;
	bool valid;
};

struct rti_ctr {
	uint64_t serial;   /* the instance; 0: free slot */
	uint64_t image_h;  /* hash of the image digest; 0: not known */
	uint64_t mntns;    /* inode of its mount namespace; 0: not known yet */
	uint64_t seen;     /* registry clock of the last event */
	struct rti_ctr_member m[RTI_CTR_MEMBERS]; /* most recent at m[next - 1] */
	unsigned next;
	uint8_t idlen;
	char id[RTI_CTR_ID_MAX + 1];
};

struct rti_containers {
	struct rti_ctr *slots;
	size_t mask; /* sets - 1 */
	uint64_t clock, next_serial;
	uint64_t members_replaced; /* a container's oldest process forgotten */
	struct rti_cache_stats st; /* entries, evictions; hits/misses of lookups */
};

/* About slots containers (0: 1024). 0 or -ENOMEM. */
int rti_containers_init(struct rti_containers *c, unsigned slots);
void rti_containers_release(struct rti_containers *c);

/* The registry's form of a container id: the runtime prefix ("docker://",
 * "containerd://", ...) cut. Its length in *n (0: not a container). */
const char *rti_container_id_norm(const char *id, size_t *n);

/* Learns that (pid, start_ns) is in container id[n] (normalized) with the
 * image digest image (NULL: unknown). */
void rti_containers_learn(struct rti_containers *c, const char *id, size_t n,
			  const char *image, uint32_t pid, int64_t start_ns);
/* The container, or NULL. */
struct rti_ctr *rti_containers_find(struct rti_containers *c, const char *id, size_t n);
/* A new instance of x (same id, another mount namespace). */
void rti_containers_renew(struct rti_containers *c, struct rti_ctr *x);

#endif
