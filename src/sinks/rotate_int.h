/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the rotating event file (include/rti/rotate.h): rotate.c is the
 * writer side (buffer, live file, rename), rotate_files.c the background
 * side (rotated names, compression, pruning).
 */
#ifndef RTI_SINKS_ROTATE_INT_H
#define RTI_SINKS_ROTATE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/rotate.h"

#define ROT_BUF (64 * 1024)
#define ROT_STAMP_LEN 23 /* "2026-12-07T10-00-00.000" */

struct rti_rotate {
	/* fixed at open */
	char *path;           /* as given */
	char *file;           /* its last component */
	char *base, *ext;     /* file = base ext, ext "" or ".xyz" */
	int dirfd;            /* the directory of the live file */
	uint64_t (*clock_ms)(void *ctx);
	void *clock_ctx;

	/* the writing thread's */
	struct rti_rotate_opts cur;
	int fd;               /* the live file, -1 after a failed reopen */
	uint64_t disk;        /* its size on disk */
	uint64_t started_ms;  /* when it was started (monotonic, or the hook) */
	uint64_t last_name_ms; /* time of the newest rotated name */
	uint64_t retry_ms;    /* after a failed rotation, the next try */
	size_t len;           /* bytes in buf */
	char buf[ROT_BUF];

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t wake;  /* the worker has something to do */
	pthread_cond_t idle;  /* the worker finished a pass */
	struct rti_rotate_opts next; /* a reconfiguration to apply */
	atomic_bool reconf;
	bool pending;         /* a pass was asked for */
	bool busy;            /* a pass is running */
	bool stop;
	unsigned w_backups;   /* the worker's view of the options */
	bool w_compress;
	unsigned w_perm;
	pthread_t worker;
	bool worker_started;

	atomic_uint_fast64_t bytes, lines, rotations, errors, repaired;
};

/* "2026-12-07T10-00-00.000" of ms since the epoch (ROT_STAMP_LEN + NUL). */
void rot_stamp(uint64_t ms, char out[ROT_STAMP_LEN + 1]);

enum rot_kind { ROT_PLAIN, ROT_GZ, ROT_TMP };

/*
 * Is name a rotated file of base/ext ("<base>-<stamp><ext>", then "",
 * ".gz" or ".gz.tmp")? 1 with *ms and *kind set, else 0.
 */
int rot_parse_name(const char *base, const char *ext, const char *name, uint64_t *ms,
		   enum rot_kind *kind);

/* The newest time among the rotated names in the directory (0: none). */
uint64_t rot_newest(struct rti_rotate *r);

/* The background thread: compression and pruning passes. */
void *rot_worker(void *arg);
/* Asks for a pass (any thread). */
void rot_kick(struct rti_rotate *r);

/* Counts an error. */
void rot_error(struct rti_rotate *r);

#endif
