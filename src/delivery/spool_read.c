/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The spool as a batch source (source.h), on the sender thread: batches
 * cut from the acknowledged position at batch_max_bytes or batch_timeout,
 * within one segment; the batch in flight saved in the ledger before it is
 * offered and re-read byte for byte after a restart; finished segments
 * removed; corrupt ones quarantined (the good records before the damage
 * are delivered first); vanished ones counted as missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delivery/spool_int.h"
#include "util/clock.h"
#include "util/hash.h"

#define AGAIN 2 /* next(): the position moved, look again */
#define DEAD_RESP_MAX 4096

static void wake_writer(struct rti_spool *s)
{
	pthread_cond_broadcast(&s->space);
}

/* Under mu: the position moves to the start of segment seq. */
static void move_to(struct rti_spool *s, uint64_t seq)
{
	s->acked_seq = seq;
	s->acked_off = 0;
}

/* A segment that cannot be read any more (corrupt, missing): out of the
 * list; the acknowledged position moves past it when it was there. */
static void forget_segment(struct rti_spool *s, uint64_t seq)
{
	pthread_mutex_lock(&s->mu);
	{
		size_t i = rti_spool_seg_find(s, seq);

		if (i < s->nseg && s->segs[i].seq == seq)
			rti_spool_seg_remove(s, i);
	}
	if (s->acked_seq == seq)
		move_to(s, seq + 1);
	wake_writer(s);
	pthread_mutex_unlock(&s->mu);
	rti_spool_save_ledger(s);
}

/* A segment read to its end and acknowledged: the ledger first, then the
 * file (a crash between leaves a segment the next start removes). */
static void finish_segment(struct rti_spool *s, uint64_t seq)
{
	char name[32];

	forget_segment(s, seq);
	rti_spool_seg_name(seq, name);
	unlinkat(s->subfd, name, 0);
	atomic_store(&s->dir_dirty, true);
}


/* A segment that cannot be read on: to corrupt/, counted, the position past it. */
static void quarantine_segment(struct rti_spool *s, uint64_t seq, uint64_t at, const char *why)
{
	char name[32];

	rti_spool_seg_name(seq, name);
	rti_spool_logf(s, 2, "spool corrupt segment quarantined: its records from there are lost",
		       "segment", "%s/%s: byte %" PRIu64 ": %s", s->sub, name, at, why);
	atomic_fetch_add(&s->corrupt_segments, 1);
	forget_segment(s, seq);
	rti_spool_quarantine(s, name);
}

static int grow(uint8_t **p, size_t *cap, size_t need)
{
	uint8_t *g;

	if (need <= *cap)
		return 0;
	g = realloc(*p, need);
	if (!g)
		return -ENOMEM;
	*p = g;
	*cap = need;
	return 0;
}

static int pread_all(int fd, uint8_t *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		got += (size_t)r;
	}
	return 0;
}

struct walk {
	size_t used;         /* bytes of scratch consumed by the records taken */
	uint64_t records;
	enum rti_rec_status stop; /* why it stopped (OK: the limit or the chunk's end) */
};

/* Records of scratch[0..n) into body, at most max bytes (one record at least). */
static void walk_records(struct rti_spool *s, size_t n, uint64_t max, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	s->body_len = 0;
	while (w->used < n) {
		uint32_t len;
		enum rti_rec_status st = rti_spool_rec_check(s->scratch + w->used, n - w->used, &len);

		if (st != RTI_REC_OK) {
			w->stop = st;
			return;
		}
		if (w->records && s->body_len + len > max)
			return;
		memcpy(s->body + s->body_len, s->scratch + w->used + RTI_SPOOL_HDR, len);
		s->body_len += len;
		w->used += RTI_SPOOL_HDR + len;
		w->records++;
	}
}

/* Reads [off, end) of seq into scratch (end is at most limit). */
static int read_chunk(struct rti_spool *s, int fd, uint64_t off, uint64_t limit, uint64_t max,
		      size_t *n)
{
	uint64_t want = limit - off < max + RTI_SPOOL_HDR ? limit - off : max + RTI_SPOOL_HDR;
	uint8_t hdr[RTI_SPOOL_HDR];

	/* one record longer than a batch is a batch of its own */
	if (want >= RTI_SPOOL_HDR && !pread_all(fd, hdr, sizeof(hdr), off)) {
		uint64_t l = (uint64_t)hdr[0] | (uint64_t)hdr[1] << 8 | (uint64_t)hdr[2] << 16 |
			     (uint64_t)hdr[3] << 24;

		if (l <= RTI_SPOOL_MAX_RECORD && RTI_SPOOL_HDR + l > want && off + RTI_SPOOL_HDR + l <= limit)
			want = RTI_SPOOL_HDR + l;
	}
	if (grow(&s->scratch, &s->scratch_cap, (size_t)want) ||
	    grow(&s->body, &s->body_cap, (size_t)want))
		return -ENOMEM;
	*n = (size_t)want;
	return pread_all(fd, s->scratch, (size_t)want, off);
}

static void fill(struct rti_spool *s, struct rti_batch *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->id, s->if_id, sizeof(s->if_id));
	b->body = s->body;
	b->len = s->body_len;
	b->records = s->if_records;
	b->created_ms = s->if_created;
	pthread_mutex_lock(&s->mu);
	s->inflight_live = true;
	s->inflight_seq = s->if_seq;
	pthread_mutex_unlock(&s->mu);
}

static int open_seg(struct rti_spool *s, uint64_t seq)
{
	char name[32];

	rti_spool_seg_name(seq, name);
	return openat(s->subfd, name, O_RDONLY | O_CLOEXEC);
}

/* The segment seq vanished under us (removed by hand): counted, skipped. */
static void segment_missing(struct rti_spool *s, uint64_t seq)
{
	char name[32];

	rti_spool_seg_name(seq, name);
	rti_spool_logf(s, 2, "spool segment missing: skipped", "segment", "%s/%s", s->sub, name);
	atomic_fetch_add(&s->missing_segments, 1);
	forget_segment(s, seq);
}

/* The batch in flight of the ledger, re-read after a restart: 1 when its
 * bytes are the same (same id), else 0 (it is cut anew). */
static int reload_inflight(struct rti_spool *s)
{
	uint64_t len = s->if_end - s->if_start;
	struct walk w;
	char id[65];
	size_t n = (size_t)len;
	int fd = open_seg(s, s->if_seq);
	int rc = fd < 0 ? -errno : 0;

	if (!rc && (grow(&s->scratch, &s->scratch_cap, n) || grow(&s->body, &s->body_cap, n)))
		rc = -ENOMEM;
	if (!rc)
		rc = pread_all(fd, s->scratch, n, s->if_start);
	if (fd >= 0)
		close(fd);
	if (!rc) {
		walk_records(s, n, UINT64_MAX, &w);
		rti_sha256_hex(s->body, s->body_len, id);
		if (w.used == n && w.records == s->if_records && !strcmp(id, s->if_id)) {
			s->if_loaded = true;
			return 1;
		}
	}
	rti_spool_logf(s, 1, "spool the batch in flight before the restart cannot be re-read: cut anew",
		       "batch", "%s", s->if_id);
	s->have_if = false;
	rti_spool_save_ledger(s);
	return 0;
}

/* Cuts a new batch at [off, ...) of seq. 1: *b filled; 0: none; AGAIN. */
static int cut_batch(struct rti_spool *s, uint64_t seq, uint64_t off, uint64_t limit, bool sealed,
		     uint64_t max)
{
	struct walk w;
	size_t n = 0;
	int fd = open_seg(s, seq);
	int rc;

	if (fd < 0) {
		segment_missing(s, seq);
		return AGAIN;
	}
	rc = read_chunk(s, fd, off, limit, max, &n);
	if (rc) {
		close(fd);
		if (rc == -ENOMEM)
			return rc;
		quarantine_segment(s, seq, off, strerror(-rc));
		return AGAIN;
	}
	walk_records(s, n, max, &w);
	if (!w.records) {
		close(fd);
		if (!sealed) { /* damage in the active segment: seal it first */
			pthread_mutex_lock(&s->mu);
			s->force_roll = true;
			pthread_mutex_unlock(&s->mu);
			return 0;
		}
		if (w.stop == RTI_REC_SHORT && off + n == limit) {
			rti_spool_logf(s, 1, "spool torn last record skipped", "segment",
				       "%" PRIu64 " byte %" PRIu64, seq, off);
			atomic_fetch_add(&s->torn_records, 1);
			finish_segment(s, seq);
		} else {
			quarantine_segment(s, seq, off, w.stop == RTI_REC_BAD_CRC ? "CRC mismatch"
						       : w.stop == RTI_REC_BAD_LEN ? "impossible length"
										   : "truncated record");
		}
		return AGAIN;
	}
	if (s->every_batch)
		fdatasync(fd);
	close(fd);
	s->have_if = true;
	s->if_loaded = true;
	s->if_seq = seq;
	s->if_start = off;
	s->if_end = off + w.used;
	s->if_records = w.records;
	s->if_created = rti_wall_ns() / 1000000u;
	rti_sha256_hex(s->body, s->body_len, s->if_id);
	/* before the first attempt: a restart re-sends these bytes. When the
	 * ledger cannot be written (a full disk), delivery goes on: a crash
	 * then re-sends from the last saved position (receivers dedupe by
	 * event_id), and acknowledging is what frees the disk. */
	rti_spool_save_ledger(s);
	return 1;
}

/* Where reading stands: the segment at the position (gaps counted). */
static int position(struct rti_spool *s, uint64_t *seq, uint64_t *off, uint64_t *limit,
		    bool *sealed, uint64_t *max)
{
	bool moved, found;
	size_t i;
	uint64_t missing = 0;

	pthread_mutex_lock(&s->mu);
	if (s->inflight_dropped) { /* drop_oldest took it: counted there */
		s->inflight_dropped = false;
		s->inflight_live = false;
		s->have_if = false;
	}
	moved = s->pos_moved;
	s->pos_moved = false;
	i = rti_spool_seg_find(s, s->acked_seq);
	if (i < s->nseg && s->segs[i].seq != s->acked_seq) {
		missing = s->segs[i].seq - s->acked_seq;
		move_to(s, s->segs[i].seq);
		moved = true;
	}
	found = i < s->nseg;
	if (found) {
		*seq = s->acked_seq;
		*off = s->acked_off;
		*limit = s->segs[i].size;
		*sealed = !(s->wfd >= 0 && s->wseq == *seq);
	}
	*max = s->batch_max;
	pthread_mutex_unlock(&s->mu);
	if (missing) {
		rti_spool_logf(s, 2, "spool missing segments skipped", "count", "%" PRIu64, missing);
		atomic_fetch_add(&s->missing_segments, missing);
	}
	if (moved) {
		if (!found || s->if_seq != *seq || s->if_start < *off)
			s->have_if = false;
		rti_spool_save_ledger(s);
	}
	return found ? 1 : 0;
}

static bool ready(struct rti_spool *s, uint64_t avail, bool sealed, uint64_t max, uint64_t now_ms)
{
	uint64_t timeout;

	if (sealed || avail >= max || atomic_load(&s->draining))
		return true;
	if (!s->pending_since)
		s->pending_since = now_ms ? now_ms : 1;
	pthread_mutex_lock(&s->mu);
	timeout = s->timeout_ms;
	pthread_mutex_unlock(&s->mu);
	return now_ms - s->pending_since >= timeout;
}

static int src_next(void *ctx, struct rti_batch *b, uint64_t now_ms)
{
	struct rti_spool *s = ctx;

	if (s->subfd < 0)
		return 0;
	for (int turn = 0; turn < 64; turn++) {
		uint64_t seq = 0, off = 0, limit = 0, max;
		bool sealed = false;
		int rc;

		if (!position(s, &seq, &off, &limit, &sealed, &max))
			return 0;
		if (s->have_if && (s->if_seq != seq || s->if_start < off)) {
			s->have_if = false; /* stale: before the position */
			rti_spool_save_ledger(s);
		}
		if (s->have_if && (s->if_loaded || reload_inflight(s))) {
			fill(s, b);
			return 1;
		}
		if (off >= limit) {
			s->pending_since = 0;
			if (!sealed)
				return 0;
			finish_segment(s, seq);
			continue;
		}
		if (!ready(s, limit - off, sealed, max, now_ms))
			return 0;
		rc = cut_batch(s, seq, off, limit, sealed, max);
		if (rc == AGAIN)
			continue;
		if (rc == 1)
			fill(s, b);
		return rc;
	}
	return 0;
}

/* After ack or dead: the position past the batch. */
static int advance(struct rti_spool *s, const struct rti_batch *b)
{
	if (!s->have_if || strcmp(b->id, s->if_id))
		return -EINVAL;
	pthread_mutex_lock(&s->mu);
	if (s->acked_seq == s->if_seq && s->acked_off <= s->if_start)
		s->acked_off = s->if_end;
	s->inflight_live = false;
	pthread_mutex_unlock(&s->mu);
	s->have_if = false;
	s->pending_since = 1; /* what remains has waited already */
	rti_spool_save_ledger(s); /* a failure is logged; in memory the position moved */
	return 0;
}

static int src_ack(void *ctx, const struct rti_batch *b)
{
	struct rti_spool *s = ctx;
	uint64_t n = s->if_records;
	int rc = advance(s, b);

	if (!rc)
		atomic_fetch_add(&s->acked_records, n);
	return rc;
}

static int write_file(const char *path, const void *a, size_t an, const void *b, size_t bn)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, a, an) != (ssize_t)an || (bn && write(fd, b, bn) != (ssize_t)bn))
		rc = -EIO;
	if (fsync(fd))
		rc = -errno;
	close(fd);
	return rc;
}

static int src_dead(void *ctx, const struct rti_batch *b, long status, const char *resp,
		    size_t resp_len)
{
	struct rti_spool *s = ctx;
	char path[4300], meta[256];
	uint64_t n = s->if_records;
	int ml, rc;

	snprintf(path, sizeof(path), "%s/dead/%s-%" PRIu64 "-%.16s.ndjson", s->root, s->name,
		 b->created_ms, b->id);
	rc = write_file(path, b->body, b->len, NULL, 0);
	if (!rc) {
		ml = snprintf(meta, sizeof(meta), "status %ld\nidempotency-key %s\nrecords %" PRIu64
			      "\nresponse:\n", status, b->id, b->records);
		snprintf(path, sizeof(path), "%s/dead/%s-%" PRIu64 "-%.16s.txt", s->root, s->name,
			 b->created_ms, b->id);
		rc = write_file(path, meta, (size_t)ml, resp,
				resp_len > DEAD_RESP_MAX ? DEAD_RESP_MAX : resp_len);
	}
	if (rc)
		rti_spool_logf(s, 2, "spool cannot keep a dead letter: the batch is dropped", "error",
			       "%s: %s", path, strerror(-rc));
	rc = advance(s, b);
	if (!rc) {
		atomic_fetch_add(&s->dead_batches, 1);
		atomic_fetch_add(&s->dead_records, n);
	}
	return rc;
}

static void src_destroy(void *ctx)
{
	(void)ctx; /* the owner closes the spool */
}

void rti_spool_source(struct rti_spool *s, const struct rti_batch_source_ops **ops, void **ctx)
{
	static const struct rti_batch_source_ops events_ops = {
		.sink = "events",
		.next = src_next,
		.ack = src_ack,
		.dead = src_dead,
		.held = NULL,
		.destroy = src_destroy,
	};

	*ops = &events_ops;
	*ctx = s;
}
