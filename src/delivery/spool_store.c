/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The spool's files, below both of its threads' code (spool.c, the
 * writer; spool_read.c, the reader): segment names and the segment list,
 * record counts, quarantine, the ledger (two slots written in place), logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "delivery/spool_int.h"
#include "util/clock.h"

#define MAX_SEGMENTS (1u << 20)

void rti_spool_logf(struct rti_spool *s, int level, const char *msg, const char *k,
		    const char *fmt, ...)
{
	char v[512];
	va_list ap;

	if (!s->log)
		return;
	v[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(v, sizeof(v), fmt, ap);
		va_end(ap);
	}
	s->log(s->log_ctx, level, msg, k, k ? v : NULL);
}

void rti_spool_seg_name(uint64_t seq, char buf[32])
{
	snprintf(buf, 32, "%020" PRIu64 ".seg", seq);
}

static uint64_t wall_ms(void)
{
	return rti_wall_ns() / 1000000u;
}

size_t rti_spool_seg_find(const struct rti_spool *s, uint64_t want)
{
	size_t lo = 0, hi = s->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->segs[mid].seq < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void rti_spool_seg_remove(struct rti_spool *s, size_t i)
{
	s->bytes -= s->segs[i].size;
	memmove(&s->segs[i], &s->segs[i + 1], (s->nseg - i - 1) * sizeof(s->segs[0]));
	s->nseg--;
}

int rti_spool_seg_push(struct rti_spool *s, uint64_t seq, uint64_t size, uint64_t first_ms)
{
	if (s->nseg == s->capseg) {
		size_t cap = s->capseg ? s->capseg * 2 : 16;
		struct rti_seg *g;

		if (cap > MAX_SEGMENTS || !(g = realloc(s->segs, cap * sizeof(*g))))
			return -ENOMEM;
		s->segs = g;
		s->capseg = cap;
	}
	s->segs[s->nseg++] = (struct rti_seg){ seq, size, first_ms };
	s->bytes += size;
	return 0;
}

void rti_spool_quarantine(struct rti_spool *s, const char *file)
{
	char dst[4200], src[4200];

	snprintf(src, sizeof(src), "%s/%s", s->sub, file);
	snprintf(dst, sizeof(dst), "%s/corrupt/%s-%" PRIu64 "-%s", s->root, s->name, wall_ms(), file);
	if (rename(src, dst) && errno != ENOENT) {
		rti_spool_logf(s, 2, "spool cannot quarantine: removed", "file", "%s: %s", src,
			       strerror(errno));
		unlink(src);
	}
	atomic_store(&s->dir_dirty, true);
}

uint64_t rti_spool_count_records(struct rti_spool *s, uint64_t seq, uint64_t off)
{
	char name[32];
	uint8_t hdr[RTI_SPOOL_HDR];
	uint64_t n = 0;
	struct stat st;
	int fd;

	rti_spool_seg_name(seq, name);
	fd = s->subfd >= 0 ? openat(s->subfd, name, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (off + RTI_SPOOL_HDR <= (uint64_t)st.st_size &&
	       pread(fd, hdr, sizeof(hdr), (off_t)off) == (ssize_t)sizeof(hdr)) {
		uint32_t len = (uint32_t)hdr[0] | (uint32_t)hdr[1] << 8 | (uint32_t)hdr[2] << 16 |
			       (uint32_t)hdr[3] << 24;

		if (!len || len > RTI_SPOOL_MAX_RECORD || off + RTI_SPOOL_HDR + len > (uint64_t)st.st_size)
			break;
		off += RTI_SPOOL_HDR + len;
		n++;
	}
	close(fd);
	return n;
}

void rti_spool_load_ledger(struct rti_spool *s)
{
	char buf[RTI_LEDGER_SIZE + 1], why[400];
	ssize_t n = -1;
	int fd = openat(s->subfd, "ledger", O_RDWR | O_CLOEXEC);

	memset(&s->led, 0, sizeof(s->led));
	s->led.acked_seq = s->nseg ? s->segs[0].seq : s->next_seq;
	if (fd < 0 && errno == ENOENT) { /* a new spool: made now, while there is room */
		s->acked_seq = s->led.acked_seq;
		s->acked_off = 0;
		rti_spool_save_ledger(s);
		return;
	}
	if (fd >= 0)
		n = pread(fd, buf, sizeof(buf), 0);
	if (n >= 0 && !rti_ledger_file_parse(buf, (size_t)n, &s->led, &s->lslot, why, sizeof(why))) {
		s->lfd = fd;
		return;
	}
	if (n < 0)
		snprintf(why, sizeof(why), "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	rti_spool_logf(s, 2, "spool unreadable ledger quarantined: unacknowledged batches are sent again",
		       "ledger", "%s/ledger: %s", s->sub, why);
	atomic_fetch_add(&s->ledger_resets, 1);
	rti_spool_quarantine(s, "ledger");
	memset(&s->led, 0, sizeof(s->led));
	s->led.acked_seq = s->nseg ? s->segs[0].seq : s->next_seq;
	s->pos_moved = true;
	s->acked_seq = s->led.acked_seq;
	rti_spool_save_ledger(s);
}

/* A new ledger file: both slots, made aside and renamed in. */
static int create_ledger(struct rti_spool *s, const struct rti_ledger *l)
{
	char buf[RTI_LEDGER_SIZE];
	int fd, rc = 0;

	memset(buf, 0, sizeof(buf));
	rti_ledger_format(l, buf);
	fd = openat(s->subfd, "ledger.tmp", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		rc = errno ? -errno : -ENOSPC;
	else if (fdatasync(fd))
		rc = -errno;
	else if (renameat(s->subfd, "ledger.tmp", s->subfd, "ledger"))
		rc = -errno;
	if (rc) {
		close(fd);
		unlinkat(s->subfd, "ledger.tmp", 0);
		return rc;
	}
	fsync(s->subfd);
	s->lfd = fd;
	s->lslot = 0;
	return 0;
}

int rti_spool_save_ledger(struct rti_spool *s)
{
	struct rti_ledger l;
	char slot[RTI_LEDGER_SLOT];
	int rc = 0;

	memset(&l, 0, sizeof(l));
	pthread_mutex_lock(&s->mu);
	l.acked_seq = s->acked_seq;
	l.acked_off = s->acked_off;
	pthread_mutex_unlock(&s->mu);
	if (s->have_if) {
		l.inflight = true;
		l.if_seq = s->if_seq;
		l.if_start = s->if_start;
		l.if_end = s->if_end;
		l.if_records = s->if_records;
		l.if_created_ms = s->if_created;
		memcpy(l.if_id, s->if_id, sizeof(l.if_id));
	}
	l.gen = s->led.gen + 1;
	if (s->lfd < 0) {
		rc = create_ledger(s, &l);
	} else { /* in place, in the other slot: no new block, a tear spoils one slot */
		unsigned next = s->lslot ^ 1u;

		rti_ledger_format(&l, slot);
		if (pwrite(s->lfd, slot, sizeof(slot), (off_t)next * RTI_LEDGER_SLOT) != (ssize_t)sizeof(slot))
			rc = errno ? -errno : -EIO;
		else if (s->every_batch && fdatasync(s->lfd))
			rc = -errno;
		if (!rc)
			s->lslot = next;
	}
	if (rc) {
		rti_spool_logf(s, 2, "spool cannot write the ledger", "error", "%s/ledger: %s", s->sub,
			       strerror(-rc));
		return rc;
	}
	s->led = l;
	atomic_store(&s->ledger_dirty, !s->every_batch);
	return 0;
}
