/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rotating event file, writer side (include/rti/rotate.h): buffering,
 * the live file, rotation between lines. Compression and pruning run on
 * the background thread of rotate_files.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sinks/rotate_int.h"
#include "util/clock.h"
#include "util/io.h"
#include "util/opts.h"

static uint64_t mono_ms(struct rti_rotate *r)
{
	if (r->clock_ms)
		return r->clock_ms(r->clock_ctx);
	return rti_now_ns() / 1000000u;
}

static uint64_t wall_ms(struct rti_rotate *r)
{
	if (r->clock_ms)
		return r->clock_ms(r->clock_ctx);
	return rti_wall_ns() / 1000000u;
}

/* The caller's options over the defaults; -EINVAL when out of range. */
static int take_opts(struct rti_rotate_opts *dst, const struct rti_rotate_opts *o)
{
	memset(dst, 0, sizeof(*dst));
	if (!RTI_OPTS_VALID(o, perm))
		return -EINVAL;
	RTI_OPTS_COPY(dst, o);
	if (!dst->perm)
		dst->perm = 0600;
	if (dst->perm & ~07777u)
		return -EINVAL;
	return 0;
}

/* Opens (or creates) the live file for appending, mode exactly perm. */
static int open_live(struct rti_rotate *r)
{
	struct stat st;
	uint64_t cut;
	int err;

	r->fd = openat(r->dirfd, r->file, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, r->cur.perm);
	if (r->fd < 0)
		return -errno;
	if (fchmod(r->fd, r->cur.perm) || fstat(r->fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EINVAL;
		goto fail;
	}
	/* after a crash, a partial last line (SIGKILL in the middle of a
	 * write) is cut off, or the next line would glue onto it */
	err = rti_output_repair(r->fd, &cut);
	if (err)
		goto fail;
	atomic_fetch_add_explicit(&r->repaired, cut, memory_order_relaxed);
	r->disk = (uint64_t)st.st_size - cut;
	r->started_ms = mono_ms(r);
	return 0;
fail:
	close(r->fd);
	r->fd = -1;
	return err;
}

/* Appends p to the live file; a short write is cut back off, so the file
 * always ends with a whole line. */
static int put(struct rti_rotate *r, const char *p, size_t n)
{
	int err = rti_write_all(r->fd, p, n);

	if (err) {
		rot_error(r);
		if (ftruncate(r->fd, (off_t)r->disk))
			rot_error(r);
		return err;
	}
	r->disk += n;
	atomic_fetch_add_explicit(&r->bytes, n, memory_order_relaxed);
	return 0;
}

static int flush_buf(struct rti_rotate *r)
{
	int err;

	if (!r->len)
		return 0;
	if (r->fd < 0) {
		err = open_live(r);
		if (err) {
			rot_error(r);
			return err;
		}
	}
	err = put(r, r->buf, r->len);
	if (!err)
		r->len = 0;
	return err;
}

/*
 * The live file, whole lines only and fsync'ed, becomes the next rotated
 * name; a new live file is started. A failed rename keeps writing the same
 * file (counted); a failed reopen is retried at the next write.
 */
static int rotate(struct rti_rotate *r)
{
	char name[NAME_MAX + 1];
	char stamp[ROT_STAMP_LEN + 1];
	uint64_t ms = wall_ms(r);
	int err = flush_buf(r);

	if (err)
		return err;
	if (fsync(r->fd)) {
		rot_error(r);
		return -errno;
	}
	if (ms <= r->last_name_ms)
		ms = r->last_name_ms + 1; /* names sort by time, and are unique */
	rot_stamp(ms, stamp);
	if ((size_t)snprintf(name, sizeof(name), "%s-%s%s", r->base, stamp, r->ext) >=
	    sizeof(name))
		return -ENAMETOOLONG;
	if (renameat(r->dirfd, r->file, r->dirfd, name)) {
		rot_error(r);
		return -errno;
	}
	r->last_name_ms = ms;
	if (fsync(r->dirfd))
		rot_error(r);
	close(r->fd);
	r->disk = 0;
	atomic_fetch_add_explicit(&r->rotations, 1, memory_order_relaxed);
	rot_kick(r);
	err = open_live(r);
	if (err)
		rot_error(r);
	return 0;
}

static void apply_reconf(struct rti_rotate *r)
{
	pthread_mutex_lock(&r->mu);
	r->cur = r->next;
	atomic_store(&r->reconf, false);
	pthread_mutex_unlock(&r->mu);
	if (r->fd >= 0 && fchmod(r->fd, r->cur.perm))
		rot_error(r);
}

/* Rotates first when the next n bytes would pass max_size or the
 * interval is over; never a file without a line. */
static void maybe_rotate(struct rti_rotate *r, size_t n)
{
	uint64_t size = r->disk + r->len;
	bool due = false;

	if (r->cur.max_size && size && size + n > r->cur.max_size)
		due = true;
	if (r->cur.interval_ms && mono_ms(r) - r->started_ms >= r->cur.interval_ms) {
		if (size)
			due = true;
		else
			r->started_ms = mono_ms(r);
	}
	if (due && r->fd >= 0 && mono_ms(r) >= r->retry_ms && rotate(r))
		r->retry_ms = mono_ms(r) + 1000; /* the line goes to the current file */
}

int rti_rotate_write(struct rti_rotate *r, const char *line, size_t len)
{
	int err;

	if (atomic_load_explicit(&r->reconf, memory_order_acquire))
		apply_reconf(r);
	maybe_rotate(r, len);
	if (r->len + len > sizeof(r->buf)) {
		err = flush_buf(r);
		if (err)
			return err; /* what is buffered waits for the next write */
	}
	if (len > sizeof(r->buf)) {
		if (r->fd < 0 && (err = open_live(r)) != 0) {
			rot_error(r);
			return err;
		}
		err = put(r, line, len);
		if (err)
			return err;
	} else {
		memcpy(r->buf + r->len, line, len);
		r->len += len;
	}
	atomic_fetch_add_explicit(&r->lines, 1, memory_order_relaxed);
	return 0;
}

int rti_rotate_flush(struct rti_rotate *r)
{
	if (atomic_load_explicit(&r->reconf, memory_order_acquire))
		apply_reconf(r);
	maybe_rotate(r, 0);
	return flush_buf(r);
}

int rti_rotate_reconfigure(struct rti_rotate *r, const struct rti_rotate_opts *o)
{
	struct rti_rotate_opts n;
	int err = take_opts(&n, o);

	if (err)
		return err;
	if (n.path && strcmp(n.path, r->path))
		return -EINVAL;
	n.path = r->path;
	n.clock_ms = r->clock_ms;
	n.clock_ctx = r->clock_ctx;
	pthread_mutex_lock(&r->mu);
	r->next = n;
	r->w_backups = n.max_backups;
	r->w_compress = n.compress;
	r->w_perm = n.perm;
	atomic_store_explicit(&r->reconf, true, memory_order_release);
	r->pending = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

void rti_rotate_get_stats(struct rti_rotate *r, struct rti_rotate_stats *st)
{
	st->bytes = atomic_load_explicit(&r->bytes, memory_order_relaxed);
	st->lines = atomic_load_explicit(&r->lines, memory_order_relaxed);
	st->rotations = atomic_load_explicit(&r->rotations, memory_order_relaxed);
	st->errors = atomic_load_explicit(&r->errors, memory_order_relaxed);
	st->repaired_bytes = atomic_load_explicit(&r->repaired, memory_order_relaxed);
}

void rti_rotate_settle(struct rti_rotate *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->pending || r->busy)
		pthread_cond_wait(&r->idle, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

static void rotate_free(struct rti_rotate *r)
{
	if (r->worker_started) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->wake);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->worker, NULL);
	}
	if (r->fd >= 0)
		close(r->fd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->wake);
	pthread_cond_destroy(&r->idle);
	free(r->path);
	free(r->file);
	free(r->base);
	free(r->ext);
	free(r);
}

int rti_rotate_close(struct rti_rotate *r)
{
	int err;

	if (!r)
		return 0;
	err = flush_buf(r);
	if (r->fd >= 0 && fsync(r->fd) && !err) {
		rot_error(r);
		err = -errno;
	}
	rotate_free(r);
	return err;
}

/* path -> directory, file, base and ext */
static int split_path(struct rti_rotate *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *file = slash ? slash + 1 : path;
	const char *dot = strrchr(file, '.');
	char *dir;

	if (!*file || !strcmp(file, ".") || !strcmp(file, ".."))
		return -EINVAL;
	if (strlen(file) + 1 + ROT_STAMP_LEN + strlen(".gz.tmp") > NAME_MAX)
		return -ENAMETOOLONG; /* no room for the rotated names */
	if (!dot || dot == file)
		dot = file + strlen(file);
	r->path = strdup(path);
	r->file = strdup(file);
	r->base = strndup(file, (size_t)(dot - file));
	r->ext = strdup(dot);
	dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!r->path || !r->file || !r->base || !r->ext || !dir) {
		free(dir);
		return -ENOMEM;
	}
	r->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return r->dirfd < 0 ? -errno : 0;
}

static int rotate_init(struct rti_rotate *r, const struct rti_rotate_opts *o)
{
	sigset_t block, old;
	int err = take_opts(&r->cur, o);

	if (err)
		return err;
	if (!r->cur.path || !*r->cur.path || !strcmp(r->cur.path, "-"))
		return -EINVAL;
	err = split_path(r, r->cur.path);
	if (err)
		return err;
	r->cur.path = r->path;
	r->clock_ms = r->cur.clock_ms;
	r->clock_ctx = r->cur.clock_ctx;
	r->w_backups = r->cur.max_backups;
	r->w_compress = r->cur.compress;
	r->w_perm = r->cur.perm;
	err = open_live(r);
	if (err)
		return err;
	r->last_name_ms = rot_newest(r);
	/* the first pass repairs what an earlier run left (.gz.tmp, plain
	 * rotated files not yet compressed, too many backups) */
	r->pending = true;
	/* process signals go to the caller's threads, never to the worker */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	err = -pthread_create(&r->worker, NULL, rot_worker, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	r->worker_started = !err;
	return err;
}

struct rti_rotate *rti_rotate_open(const struct rti_rotate_opts *o)
{
	struct rti_rotate *r = calloc(1, sizeof(*r));
	int err;

	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->fd = -1;
	r->dirfd = -1;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->wake, NULL);
	pthread_cond_init(&r->idle, NULL);
	err = rotate_init(r, o);
	if (err) {
		rotate_free(r);
		errno = -err;
		return NULL;
	}
	return r;
}

static int sink_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		      const char *line, size_t len)
{
	(void)ev;
	(void)cn;
	return rti_rotate_write(ctx, line, len);
}

static int sink_flush(void *ctx)
{
	return rti_rotate_flush(ctx);
}

static void sink_destroy(void *ctx)
{
	rti_rotate_close(ctx);
}

static const struct rti_sink_ops rotate_ops = {
	.name = "rotate",
	.event = sink_event,
	.flush = sink_flush,
	.destroy = sink_destroy,
};

int rti_rotate_sink(struct rti_rotate *r, const struct rti_sink_ops **ops, void **ctx)
{
	if (!r)
		return -EINVAL;
	*ops = &rotate_ops;
	*ctx = r;
	return 0;
}
