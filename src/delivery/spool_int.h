/* SPDX-License-Identifier: Apache-2.0 */
/* The spool's internals, shared by spool.c (open, append, sync) and
 * spool_read.c (the batch source). */
#ifndef RTI_DELIVERY_SPOOL_INT_H
#define RTI_DELIVERY_SPOOL_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "delivery/spool.h"
#include "delivery/spool_format.h"

struct rti_seg {
	uint64_t seq, size;
	uint64_t first_ms;  /* wall ms of its first record (after a restart: its mtime) */
};

#define SPOOL_CTR(X) X(appended) X(dropped_spool_full) X(dropped_disk_full) \
	X(dropped_too_large) X(dropped_error) X(corrupt_segments) X(missing_segments) \
	X(torn_records) X(ledger_resets) X(acked_records) X(dead_batches) X(dead_records)

struct rti_spool {
	char *root, *sub;          /* DIR, DIR/NAME */
	char name[32];
	int subfd;                 /* DIR/NAME (-1: not usable yet) */
	rti_dlog_fn log;
	void *log_ctx;
	bool every_batch, block;
	uint64_t max_bytes, seg_max;

	pthread_mutex_t mu;
	pthread_cond_t space;
	/* under mu */
	struct rti_seg *segs;      /* by seq; the last one is the active one when wfd >= 0 */
	size_t nseg, capseg;
	int wfd;
	uint64_t wseq, next_seq, bytes;
	uint64_t acked_seq, acked_off;  /* the reader's position (the writer moves it on a drop) */
	bool pos_moved;            /* the writer moved it: the reader saves the ledger */
	bool inflight_live;        /* the reader has a batch out ... */
	uint64_t inflight_seq;     /* ... in this segment */
	bool inflight_dropped;     /* ... whose segment the writer dropped */
	bool force_roll;           /* the reader found the active segment corrupt */
	uint64_t retry_ms;         /* when a broken spool retries its directory */
	uint64_t unsynced;         /* bytes appended since the last sync */
	uint64_t synced_seq;       /* segments before it were synced and sealed */
	uint64_t batch_max, timeout_ms;

	atomic_bool writable, blocked, draining, dir_dirty;
	atomic_bool unblock;       /* set from a signal handler: no lock */
	atomic_uint_fast64_t last_fail_ms; /* monotonic ms of the last failed append (0: none) */
#define X(n) atomic_uint_fast64_t n;
	SPOOL_CTR(X)
#undef X

	/* the reader (the sender thread only) */
	struct rti_ledger led;     /* as last saved */
	int lfd;                   /* the ledger file, written in place (-1: none yet) */
	unsigned lslot;            /* the slot of led */
	atomic_bool ledger_dirty;  /* written since the last sync */
	bool have_if, if_loaded;   /* a batch in flight; its bytes are in body */
	uint64_t if_seq, if_start, if_end, if_records, if_created;
	char if_id[65];
	uint8_t *body, *scratch;
	size_t body_cap, scratch_cap, body_len;
	uint64_t pending_since;    /* monotonic ms since data waits (0: none) */
};

void rti_spool_logf(struct rti_spool *s, int level, const char *msg, const char *k,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* "DIR/NAME/<20 digits>.seg" relative name of seq into buf[32] */
void rti_spool_seg_name(uint64_t seq, char buf[32]);
/* Records in [off, size) of a segment (by its headers). */
uint64_t rti_spool_count_records(struct rti_spool *s, uint64_t seq, uint64_t off);
/* Under mu: the index of the first segment with seq >= want (nseg: none). */
size_t rti_spool_seg_find(const struct rti_spool *s, uint64_t want);
/* Under mu (or before the threads): appends a segment to the list. 0 or -ENOMEM. */
int rti_spool_seg_push(struct rti_spool *s, uint64_t seq, uint64_t size, uint64_t first_ms);
/* Under mu: removes segs[i] from the list (the file is the caller's). */
void rti_spool_seg_remove(struct rti_spool *s, size_t i);
/* spool_store.c. The ledger: s->led saved in the other slot (a ledger
 * file made when there is none). 0 or -errno (logged). */
int rti_spool_save_ledger(struct rti_spool *s);
/* At open: the ledger read into s->led (an unreadable one quarantined,
 * a missing one made). */
void rti_spool_load_ledger(struct rti_spool *s);
/* Moves a file of the spool to DIR/corrupt/ (named by the sink and time). */
void rti_spool_quarantine(struct rti_spool *s, const char *file);


#endif
