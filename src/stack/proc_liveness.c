/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rti/symbolize.h"
#include "stack/memo.h"
#include "stack/proc_liveness.h"

#define PID_SLACK_NS 2000000000LL /* /proc start times have 1 s / 1 tick grain */
#define PROC_SLOTS 8192           /* ~200 KB: a busy node runs thousands of processes */
#define PROC_WAYS 4

/* (pid, start) -> whether that process is the live one, until expires_ms */
struct rti_proc_slot {
	uint64_t expires_ms;
	int64_t start_ns;
	uint32_t pid;
	bool live, valid;
};

/* Whether the procfs at proc_root shows our own pid namespace: its "self"
 * names our pid. Then kill(pid, 0) answers "no such process" without a
 * path lookup under /proc (most probes are of processes long gone). */
static bool proc_is_ours(const char *proc_root)
{
	char path[4096], link[32];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/self", proc_root) >= (int)sizeof(path))
		return false;
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strtol(link, NULL, 10) == (long)getpid();
}

int rti_proc_liveness_init(struct rti_proc_liveness *pl, const char *proc_root,
			   unsigned ttl_ms)
{
	memset(pl, 0, sizeof(*pl));
	pl->proc_root = proc_root;
	pl->ttl_ms = ttl_ms;
	pl->slots = calloc(PROC_SLOTS, sizeof(*pl->slots));
	pl->our_pids = proc_is_ours(proc_root);
	return pl->slots ? 0 : -ENOMEM;
}

void rti_proc_liveness_release(struct rti_proc_liveness *pl)
{
	free(pl->slots);
	pl->slots = NULL;
}

static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void load_btime(struct rti_proc_liveness *pl)
{
	char path[4096], buf[8192];
	const char *p;

	pl->btime_tried = true;
	pl->hz = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "%s/stat", pl->proc_root);
	if (read_small(path, buf, sizeof(buf)) < 0 || pl->hz <= 0)
		return;
	p = strstr(buf, "\nbtime ");
	if (p)
		pl->btime_ns = strtoll(p + 7, NULL, 10) * 1000000000LL;
}

/*
 * Whether <proc root>/<pid> is the process of the event: it exists and
 * started no later than the event says (a reused pid belongs to a process
 * forked after the traced one exec'd). Without a start time, existence.
 */
static bool proc_matches(struct rti_proc_liveness *pl, uint32_t pid, int64_t start_ns)
{
	char path[4096], buf[1024];
	const char *p;
	unsigned long long ticks;
	int64_t started;

	if (start_ns == RTI_SYM_START_UNKNOWABLE)
		return false;
	if (pl->our_pids && pid > 0 && pid <= INT_MAX && kill((pid_t)pid, 0) && errno == ESRCH)
		return false; /* no such task: no <proc>/<pid> either */
	snprintf(path, sizeof(path), "%s/%u/stat", pl->proc_root, pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	if (!start_ns)
		return true;
	if (!pl->btime_tried)
		load_btime(pl);
	if (!pl->btime_ns)
		return true; /* cannot check: trust the live pid */
	p = strrchr(buf, ')');
	if (!p)
		return false;
	/* after "comm)": state is field 3, starttime field 22 */
	for (int f = 2; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	ticks = strtoull(p + 1, NULL, 10);
	started = pl->btime_ns + (int64_t)(ticks * (1000000000ULL / (unsigned long)pl->hz));
	return started <= start_ns + PID_SLACK_NS;
}

/* 4-way sets: with thousands of processes a direct-mapped table loses
 * about a third of them to collisions, one /proc read each time */
bool rti_proc_liveness_is_traced(struct rti_proc_liveness *pl, uint32_t pid, int64_t start_ns,
				 uint64_t now_ms)
{
	size_t set_index = rti_memo_mix64(pid, (uint64_t)start_ns) & (PROC_SLOTS / PROC_WAYS - 1);
	struct rti_proc_slot *set = &pl->slots[set_index * PROC_WAYS];
	struct rti_proc_slot *p = &set[0];

	for (int w = 0; w < PROC_WAYS; w++) {
		if (set[w].valid && set[w].pid == pid && set[w].start_ns == start_ns) {
			/* a process gone (or its pid reused) never comes back:
			 * with a start time, only a live answer expires */
			if ((!set[w].live && start_ns) || now_ms < set[w].expires_ms)
				return set[w].live;
			p = &set[w]; /* expired: probe again in place */
			goto probe;
		}
	}
	/* a free way, else the one that expires first */
	for (int w = 0; w < PROC_WAYS; w++) {
		if (!set[w].valid) {
			p = &set[w];
			break;
		}
		if (set[w].expires_ms < p->expires_ms)
			p = &set[w];
	}
probe:
	p->valid = true;
	p->pid = pid;
	p->start_ns = start_ns;
	p->expires_ms = now_ms + pl->ttl_ms;
	p->live = proc_matches(pl, pid, start_ns);
	return p->live;
}
