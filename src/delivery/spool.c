/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The spool (spool.h): opening and recovery, the writer's appends, space
 * (drop_oldest or block), fsync, counters. The batch source is in
 * spool_read.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "delivery/spool_int.h"
#include "util/clock.h"
#include "util/opts.h"

#define RETRY_DIR_MS 1000
/* after a failed append the spool counts as writable again (readiness)
 * once its file system has this much room, or an append succeeds */
#define ROOM_BYTES (1u << 20)

static uint64_t wall_ms(void)
{
	return rti_wall_ns() / 1000000u;
}

/* ---- opening ---- */

static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* A torn last record of the newest segment (a crash mid-append) is cut off. */
static void cut_torn_tail(struct rti_spool *s, struct rti_seg *g)
{
	char name[32];
	uint8_t hdr[RTI_SPOOL_HDR];
	uint64_t off = 0;
	int fd;

	rti_spool_seg_name(g->seq, name);
	fd = openat(s->subfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	while (off < g->size) {
		uint32_t len;

		if (off + RTI_SPOOL_HDR > g->size ||
		    pread(fd, hdr, sizeof(hdr), (off_t)off) != (ssize_t)sizeof(hdr))
			break;
		len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
		      (uint32_t)hdr[3] << 24;
		if (!len || len > RTI_SPOOL_MAX_RECORD)
			goto out; /* not a tear: corruption, for the reader to quarantine */
		if (off + RTI_SPOOL_HDR + len > g->size)
			break;
		off += RTI_SPOOL_HDR + len;
	}
	if (off < g->size && !ftruncate(fd, (off_t)off)) {
		rti_spool_logf(s, 1, "spool torn last record cut off (a crash during an append)",
			       "segment", "%s at byte %" PRIu64, name, off);
		atomic_fetch_add(&s->torn_records, 1);
		s->bytes -= g->size - off;
		g->size = off;
	}
out:
	close(fd);
}

/* Scans DIR/NAME: the segments, gaps counted, the newest one's tear cut,
 * the ledger read. A spool with nothing usable starts empty. */
static int recover(struct rti_spool *s)
{
	DIR *d;
	struct dirent *e;
	int dfd = dup(s->subfd);

	if (dfd < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		uint64_t seq;
		struct stat st;

		if (rti_spool_seg_name_parse(e->d_name, &seq) ||
		    fstatat(s->subfd, e->d_name, &st, 0) || !S_ISREG(st.st_mode))
			continue;
		if (rti_spool_seg_push(s, seq, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec * 1000u)) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	for (size_t i = 1; i < s->nseg; i++) { /* readdir order is no order */
		struct rti_seg g = s->segs[i];
		size_t j = i;

		for (; j > 0 && s->segs[j - 1].seq > g.seq; j--)
			s->segs[j] = s->segs[j - 1];
		s->segs[j] = g;
	}
	if (s->nseg)
		cut_torn_tail(s, &s->segs[s->nseg - 1]);
	s->next_seq = s->nseg ? s->segs[s->nseg - 1].seq + 1 : 1;
	rti_spool_load_ledger(s);
	s->acked_seq = s->led.acked_seq;
	s->acked_off = s->led.acked_off;
	if (!s->nseg || s->acked_seq > s->segs[s->nseg - 1].seq) {
		/* past every segment: the next one starts there */
		if (s->acked_off) {
			s->acked_seq++;
			s->acked_off = 0;
		}
		if (s->next_seq < s->acked_seq)
			s->next_seq = s->acked_seq;
	}
	/* acknowledged whole before a crash between the ledger and the unlink */
	while (s->nseg && s->segs[0].seq < s->acked_seq) {
		char name[32];

		rti_spool_seg_name(s->segs[0].seq, name);
		unlinkat(s->subfd, name, 0);
		rti_spool_seg_remove(s, 0);
	}
	if (s->led.inflight) {
		s->have_if = true;
		s->if_loaded = false;
		s->if_seq = s->led.if_seq;
		s->if_start = s->led.if_start;
		s->if_end = s->led.if_end;
		s->if_records = s->led.if_records;
		s->if_created = s->led.if_created_ms;
		memcpy(s->if_id, s->led.if_id, sizeof(s->if_id));
	}
	return 0;
}

/* Makes the directories and reads what is there. Under mu (or before
 * any thread runs). */
static int open_dirs(struct rti_spool *s)
{
	char p[4200];
	int rc = mkdir_p(s->sub);

	if (!rc) {
		snprintf(p, sizeof(p), "%s/dead", s->root);
		rc = mkdir_p(p);
	}
	if (!rc) {
		snprintf(p, sizeof(p), "%s/corrupt", s->root);
		rc = mkdir_p(p);
	}
	if (rc)
		return rc;
	s->subfd = open(s->sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->subfd < 0)
		return -errno;
	rc = recover(s);
	if (rc) {
		close(s->subfd);
		s->subfd = -1;
	}
	return rc;
}

struct rti_spool *rti_spool_open(const struct rti_spool_opts *o, char *err, size_t errlen)
{
	struct rti_spool *s;
	int rc;

	if (!RTI_OPTS_VALID(o, batch_timeout_ms) || !o->dir || !*o->dir || !o->name ||
	    strlen(o->name) >= sizeof(s->name) || !o->max_bytes) {
		snprintf(err, errlen, "spool bad options");
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->root = strdup(o->dir)) || asprintf(&s->sub, "%s/%s", o->dir, o->name) < 0) {
		if (s)
			free(s->root);
		free(s);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", o->name);
	s->log = RTI_OPTS_GET(o, log, NULL);
	s->log_ctx = RTI_OPTS_GET(o, log_ctx, NULL);
	s->every_batch = o->fsync_every_batch;
	s->block = o->block_when_full;
	s->max_bytes = o->max_bytes;
	/* segments are the unit of drop_oldest: 1/16 of the spool, 4 KiB to 64 MiB */
	s->seg_max = o->max_bytes / 16;
	s->seg_max = s->seg_max < 4096 ? 4096 : s->seg_max > (64u << 20) ? (64u << 20) : s->seg_max;
	s->batch_max = o->batch_max_bytes ? o->batch_max_bytes : 1u << 20;
	s->timeout_ms = o->batch_timeout_ms;
	s->wfd = -1;
	s->subfd = -1;
	s->lfd = -1;
	pthread_mutex_init(&s->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&s->space, &ca);
		pthread_condattr_destroy(&ca);
	}
	rc = open_dirs(s);
	if (rc == -ENOMEM) {
		rti_spool_close(s);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (rc) {
		rti_spool_logf(s, 2, "spool directory not usable: events are dropped until it is", "dir",
			       "%s: %s", s->sub, strerror(-rc));
		s->retry_ms = rti_coarse_ms() + RETRY_DIR_MS;
	}
	atomic_store(&s->writable, rc == 0);
	s->synced_seq = s->next_seq;
	return s;
}

void rti_spool_close(struct rti_spool *s)
{
	if (!s)
		return;
	if (s->wfd >= 0) {
		if (!s->every_batch)
			fdatasync(s->wfd);
		close(s->wfd);
	}
	if (s->lfd >= 0) {
		if (!s->every_batch)
			fdatasync(s->lfd);
		close(s->lfd);
	}
	if (s->subfd >= 0)
		close(s->subfd);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->space);
	free(s->segs);
	free(s->body);
	free(s->scratch);
	free(s->root);
	free(s->sub);
	free(s);
}

/* ---- the writer ---- */

/* Under mu: the oldest segment goes, its unacknowledged records counted. */
static void drop_oldest(struct rti_spool *s)
{
	struct rti_seg g = s->segs[0];
	char name[32];
	uint64_t lost = 0;

	if (g.seq > s->acked_seq)
		lost = rti_spool_count_records(s, g.seq, 0);
	else if (g.seq == s->acked_seq)
		lost = rti_spool_count_records(s, g.seq, s->acked_off);
	rti_spool_seg_name(g.seq, name);
	unlinkat(s->subfd, name, 0);
	atomic_store(&s->dir_dirty, true);
	rti_spool_seg_remove(s, 0);
	atomic_fetch_add(&s->dropped_spool_full, lost);
	if (s->inflight_live && s->inflight_seq == g.seq)
		s->inflight_dropped = true;
	if (s->acked_seq <= g.seq) {
		s->acked_seq = s->nseg ? s->segs[0].seq : s->next_seq;
		s->acked_off = 0;
		s->pos_moved = true;
	}
	rti_spool_logf(s, 1, "spool full: oldest segment dropped", "records", "%" PRIu64, lost);
}

/* Under mu: room for need more bytes. false: the record is dropped. */
static bool make_room(struct rti_spool *s, uint64_t need)
{
	while (s->bytes + need > s->max_bytes) {
		bool only_active = s->nseg == 0 || (s->nseg == 1 && s->wfd >= 0);

		if (s->block && !atomic_load(&s->unblock)) {
			struct timespec ts;

			atomic_store(&s->blocked, true);
			rti_deadline_after(&ts, 100);
			pthread_cond_timedwait(&s->space, &s->mu, &ts);
			continue;
		}
		if (only_active)
			return false;
		drop_oldest(s);
	}
	atomic_store(&s->blocked, false);
	return true;
}

/* Under mu: a new active segment. */
static int roll(struct rti_spool *s)
{
	char name[32];
	int fd;

	if (s->wfd >= 0) {
		close(s->wfd); /* synced by rti_spool_sync (interval) or before its batch */
		s->wfd = -1;
	}
	rti_spool_seg_name(s->next_seq, name);
	fd = openat(s->subfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (rti_spool_seg_push(s, s->next_seq, 0, wall_ms())) {
		close(fd);
		unlinkat(s->subfd, name, 0);
		return -ENOMEM;
	}
	s->wfd = fd;
	s->wseq = s->next_seq++;
	s->force_roll = false;
	atomic_store(&s->dir_dirty, true);
	return 0;
}

static void count_failure(struct rti_spool *s, int e)
{
	atomic_store(&s->last_fail_ms, rti_coarse_ms() | 1);
	if (e == ENOSPC || e == EDQUOT || e == EFBIG) {
		atomic_fetch_add(&s->dropped_disk_full, 1);
		rti_spool_logf(s, 2, "spool disk full: event dropped", "error", "%s", strerror(e));
	} else {
		atomic_fetch_add(&s->dropped_error, 1);
		rti_spool_logf(s, 2, "spool write failed: event dropped", "error", "%s", strerror(e));
	}
	atomic_store(&s->writable, false);
}

/* Under mu: the directory again after a failure to open it. */
static int retry_dirs(struct rti_spool *s)
{
	uint64_t now = rti_coarse_ms();
	int rc;

	if (now < s->retry_ms)
		return -EAGAIN;
	s->retry_ms = now + RETRY_DIR_MS;
	rc = open_dirs(s);
	if (!rc) {
		rti_spool_logf(s, 0, "spool directory usable again", "dir", "%s", s->sub);
		s->synced_seq = s->next_seq;
	}
	return rc;
}

static int append_locked(struct rti_spool *s, const void *line, size_t len)
{
	uint8_t hdr[RTI_SPOOL_HDR];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)line, len } };
	uint64_t need = RTI_SPOOL_HDR + len;
	struct rti_seg *g;
	ssize_t w;
	int rc;

	if (s->subfd < 0 && (rc = retry_dirs(s))) {
		atomic_store(&s->last_fail_ms, rti_coarse_ms() | 1);
		atomic_fetch_add(&s->dropped_error, 1);
		atomic_store(&s->writable, false);
		return rc;
	}
	if (!make_room(s, need)) {
		atomic_fetch_add(&s->dropped_spool_full, 1);
		return -ENOSPC;
	}
	if (s->wfd < 0 || s->force_roll ||
	    (s->segs[s->nseg - 1].size && s->segs[s->nseg - 1].size + need > s->seg_max)) {
		rc = roll(s);
		if (rc) {
			count_failure(s, -rc);
			return rc;
		}
	}
	g = &s->segs[s->nseg - 1];
	rti_spool_hdr_put(hdr, line, (uint32_t)len);
	w = pwritev(s->wfd, iov, 2, (off_t)g->size);
	if (w != (ssize_t)need) {
		int e = w < 0 ? errno : ENOSPC;

		/* no half record stays behind; a full segment file (EFBIG: a file
		 * size limit) is sealed so the next append starts a new one */
		if (ftruncate(s->wfd, (off_t)g->size) || g->size)
			s->force_roll = true;
		count_failure(s, e);
		return -e;
	}
	g->size += need;
	s->bytes += need;
	s->unsynced += need;
	atomic_fetch_add_explicit(&s->appended, 1, memory_order_relaxed);
	if (!atomic_load_explicit(&s->writable, memory_order_relaxed)) {
		atomic_store(&s->writable, true);
		rti_spool_logf(s, 0, "spool writable again", "dir", "%s", s->sub);
	}
	return 0;
}

int rti_spool_append(struct rti_spool *s, const void *line, size_t len)
{
	int rc;

	if (!len)
		return 0;
	if (len > RTI_SPOOL_MAX_RECORD || len > s->max_bytes / 2) {
		atomic_fetch_add(&s->dropped_too_large, 1);
		rti_spool_logf(s, 1, "spool event larger than the record cap: dropped", "bytes", "%zu",
			       len);
		return -EMSGSIZE;
	}
	pthread_mutex_lock(&s->mu);
	rc = append_locked(s, line, len);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

/* ---- durability ---- */

/* After a failed append, with no event to try: is there room again? */
static void probe_room(struct rti_spool *s)
{
	struct statvfs vs;

	if (atomic_load(&s->writable) || !atomic_load(&s->last_fail_ms))
		return;
	if (!statvfs(s->sub, &vs) && (uint64_t)vs.f_bavail * vs.f_frsize >= ROOM_BYTES) {
		atomic_store(&s->writable, true);
		rti_spool_logf(s, 0, "spool has room again", "dir", "%s", s->sub);
	}
}

void rti_spool_sync(struct rti_spool *s)
{
	uint64_t from, to;
	int fd = -1;

	probe_room(s);
	if (s->every_batch)
		return; /* synced before each batch is offered */

	pthread_mutex_lock(&s->mu);
	from = s->synced_seq;
	to = s->wfd >= 0 ? s->wseq : s->next_seq;
	if (s->wfd >= 0 && s->unsynced)
		fd = dup(s->wfd);
	s->unsynced = 0;
	s->synced_seq = to;
	pthread_mutex_unlock(&s->mu);
	for (uint64_t q = from; q < to && s->subfd >= 0; q++) { /* sealed since the last sync */
		char name[32];
		int sfd;

		rti_spool_seg_name(q, name);
		sfd = openat(s->subfd, name, O_RDONLY | O_CLOEXEC);
		if (sfd >= 0) {
			fdatasync(sfd);
			close(sfd);
		}
	}
	if (fd >= 0) {
		fdatasync(fd);
		close(fd);
	}
	if (atomic_exchange(&s->ledger_dirty, false) && s->lfd >= 0)
		fdatasync(s->lfd);
	if (atomic_exchange(&s->dir_dirty, false) && s->subfd >= 0)
		fsync(s->subfd);
}

void rti_spool_set_batch(struct rti_spool *s, uint64_t max_bytes, uint64_t timeout_ms)
{
	pthread_mutex_lock(&s->mu);
	s->batch_max = max_bytes ? max_bytes : s->batch_max;
	s->timeout_ms = timeout_ms;
	pthread_mutex_unlock(&s->mu);
}

void rti_spool_set_draining(struct rti_spool *s, bool on)
{
	atomic_store(&s->draining, on);
}

void rti_spool_unblock(struct rti_spool *s)
{
	/* async-signal-safe (rti_agent_stop): the waiting writer checks every 100 ms */
	atomic_store(&s->unblock, true);
}

void rti_spool_get_stats(struct rti_spool *s, struct rti_spool_stats *st)
{
	bool usable;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&s->mu);
	usable = s->subfd >= 0;
	st->bytes = s->bytes;
	st->segments = s->nseg;
	for (size_t i = 0; i < s->nseg; i++) {
		const struct rti_seg *g = &s->segs[i];
		bool unacked = g->seq > s->acked_seq || (g->seq == s->acked_seq && g->size > s->acked_off);

		if (unacked && g->size) {
			st->oldest_ms = g->first_ms;
			break;
		}
	}
	pthread_mutex_unlock(&s->mu);
#define X(n) st->n = atomic_load_explicit(&s->n, memory_order_relaxed);
	SPOOL_CTR(X)
#undef X
	st->writable = usable && atomic_load(&s->writable);
	st->blocked = atomic_load(&s->blocked);
}
