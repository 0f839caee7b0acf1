/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Is <proc root>/<pid> the traced process? (docs/stacks.md, "Finding the
 * file".) Pids are reused: /proc/<pid>/stat gives the fork time (boot time
 * + start ticks), the event the exec time of the traced process; a process
 * that reused the pid was forked after the traced one exec'd. Answers are
 * kept for ttl_ms in a table of 4-way sets.
 */
#ifndef RTI_STACK_PROC_LIVENESS_H
#define RTI_STACK_PROC_LIVENESS_H

#include <stdbool.h>
#include <stdint.h>

struct rti_proc_slot;

struct rti_proc_liveness {
	struct rti_proc_slot *slots;
	const char *proc_root; /* borrowed */
	unsigned ttl_ms;
	int64_t btime_ns; /* boot time; 0: unknown */
	bool btime_tried;
	bool our_pids; /* proc_root shows our pid namespace: kill(pid, 0) probes */
	long hz;
};

/* 0 or -ENOMEM. */
int rti_proc_liveness_init(struct rti_proc_liveness *pl, const char *proc_root,
			   unsigned ttl_ms);
void rti_proc_liveness_release(struct rti_proc_liveness *pl);

/*
 * Whether pid is the process that started at start_ns (ns since the epoch;
 * 0: unknown, existence is enough; RTI_SYM_START_UNKNOWABLE: never), as
 * of now_ms (a coarse clock).
 */
bool rti_proc_liveness_is_traced(struct rti_proc_liveness *pl, uint32_t pid, int64_t start_ns,
				 uint64_t now_ms);

#endif
