/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The background side of the rotating event file: rotated names, gzip
 * compression and pruning (include/rti/rotate.h).
 *
 * Each pass lists the directory instead of keeping a queue: what a pass
 * has to do is what the directory shows (plain rotated files to compress,
 * more rotated files than max_backups, a .gz.tmp left by a crash), so the
 * first pass after an open repairs whatever an earlier run left behind,
 * and nothing grows in memory when rotations outpace compression.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "sinks/rotate_int.h"
#include "util/timefmt.h"

void rot_stamp(uint64_t ms, char out[ROT_STAMP_LEN + 1])
{
	struct rti_time t;
	char s[RTI_TIME_STRLEN];

	rti_time_from_ns((int64_t)(ms * 1000000u), &t);
	rti_time_format(&t, s); /* 2026-12-07T10:00:00.123456789Z */
	memcpy(out, s, ROT_STAMP_LEN);
	out[13] = '-';
	out[16] = '-';
	out[ROT_STAMP_LEN] = '\0';
}

/* ms of a stamp, or -1 when s is not one */
static int parse_stamp(const char *s, uint64_t *ms)
{
	static const char shape[] = "dddd-dd-ddTdd-dd-dd.ddd";
	char t[ROT_STAMP_LEN + 2];
	struct rti_time tm;
	const char *why;
	int64_t ns;

	for (size_t i = 0; i < ROT_STAMP_LEN; i++) {
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return -1;
	}
	memcpy(t, s, ROT_STAMP_LEN);
	t[13] = ':';
	t[16] = ':';
	t[ROT_STAMP_LEN] = 'Z';
	t[ROT_STAMP_LEN + 1] = '\0';
	if (rti_time_parse(t, ROT_STAMP_LEN + 1, &tm, &why) || rti_time_to_ns(&tm, &ns) ||
	    ns < 0)
		return -1;
	*ms = (uint64_t)ns / 1000000u;
	return 0;
}

int rot_parse_name(const char *base, const char *ext, const char *name, uint64_t *ms,
		   enum rot_kind *kind)
{
	size_t bl = strlen(base);
	size_t el = strlen(ext);
	const char *p = name;

	if (strncmp(p, base, bl) || p[bl] != '-')
		return 0;
	p += bl + 1;
	if (strnlen(p, ROT_STAMP_LEN) < ROT_STAMP_LEN || parse_stamp(p, ms))
		return 0;
	p += ROT_STAMP_LEN;
	if (strncmp(p, ext, el))
		return 0;
	p += el;
	if (!strcmp(p, ""))
		*kind = ROT_PLAIN;
	else if (!strcmp(p, ".gz"))
		*kind = ROT_GZ;
	else if (!strcmp(p, ".gz.tmp"))
		*kind = ROT_TMP;
	else
		return 0;
	return 1;
}

void rot_error(struct rti_rotate *r)
{
	atomic_fetch_add_explicit(&r->errors, 1, memory_order_relaxed);
}

struct rot_entry {
	uint64_t ms;
	enum rot_kind kind;
	char *name;
};

struct rot_list {
	struct rot_entry *v;
	size_t n, cap;
};

static void list_free(struct rot_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int list_add(struct rot_list *l, uint64_t ms, enum rot_kind kind, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct rot_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name)
		return -ENOMEM;
	l->v[l->n].ms = ms;
	l->v[l->n].kind = kind;
	l->n++;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct rot_entry *x = a;
	const struct rot_entry *y = b;

	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* The rotated files of the directory, oldest first (plain before .gz). */
static int list_rotated(struct rti_rotate *r, struct rot_list *l)
{
	int fd = openat(r->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int err = 0;

	memset(l, 0, sizeof(*l));
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while (!err && (de = readdir(d))) {
		uint64_t ms;
		enum rot_kind kind;

		if (rot_parse_name(r->base, r->ext, de->d_name, &ms, &kind))
			err = list_add(l, ms, kind, de->d_name);
	}
	closedir(d);
	if (err) {
		list_free(l);
		return err;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	return 0;
}

uint64_t rot_newest(struct rti_rotate *r)
{
	struct rot_list l;
	uint64_t ms = 0;

	if (list_rotated(r, &l))
		return 0;
	if (l.n)
		ms = l.v[l.n - 1].ms;
	list_free(&l);
	return ms;
}

static void remove_file(struct rti_rotate *r, const char *name)
{
	if (unlinkat(r->dirfd, name, 0) && errno != ENOENT)
		rot_error(r);
}

/* gzip name into name.gz.tmp, fsync, rename to name.gz, remove name. */
static int compress_one(struct rti_rotate *r, const char *name, unsigned perm)
{
	char tmp[NAME_MAX + 1], gz[NAME_MAX + 1];
	int in, out, err = 0;
	gzFile g;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.gz.tmp", name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	snprintf(gz, sizeof(gz), "%s.gz", name);
	in = openat(r->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = openat(r->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, perm);
	if (out < 0 || fchmod(out, perm)) {
		err = -errno;
		goto done;
	}
	g = gzdopen(dup(out), "wb6");
	if (!g) {
		err = -ENOMEM;
		goto done;
	}
	for (;;) {
		char buf[64 * 1024];
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		if (gzwrite(g, buf, (unsigned)n) != (int)n) {
			err = -EIO;
			break;
		}
	}
	if (gzclose(g) != Z_OK && !err)
		err = -EIO;
	if (!err && fsync(out))
		err = -errno;
	if (!err && renameat(r->dirfd, tmp, r->dirfd, gz))
		err = -errno;
	if (!err && fsync(r->dirfd))
		err = -errno;
done:
	if (out >= 0)
		close(out);
	close(in);
	if (err)
		unlinkat(r->dirfd, tmp, 0);
	else
		remove_file(r, name);
	return err;
}

/* One pass over the directory with the options of the time. */
static void pass(struct rti_rotate *r, unsigned backups, bool compress, unsigned perm)
{
	struct rot_list l;
	size_t keys = 0, drop, n = 0, i;

	if (list_rotated(r, &l)) {
		rot_error(r);
		return;
	}
	/* only this thread makes .gz.tmp files: any there now is left over */
	for (i = 0; i < l.n; i++) {
		if (l.v[i].kind == ROT_TMP) {
			remove_file(r, l.v[i].name);
			free(l.v[i].name);
			continue;
		}
		if (!n || l.v[i].ms != l.v[n - 1].ms)
			keys++;
		l.v[n++] = l.v[i];
	}
	l.n = n;
	/* one rotation is one time: its plain file, its .gz, or both */
	drop = backups && keys > backups ? keys - backups : 0;
	for (i = 0; i < l.n; i++) {
		struct rot_entry *e = &l.v[i];
		bool last_of_key = i + 1 == l.n || l.v[i + 1].ms != e->ms;

		if (drop) {
			remove_file(r, e->name);
			if (last_of_key)
				drop--;
		} else if (e->kind == ROT_PLAIN && !last_of_key) {
			remove_file(r, e->name); /* its .gz is complete: a crash after the rename */
		} else if (e->kind == ROT_PLAIN && compress && compress_one(r, e->name, perm)) {
			rot_error(r);
		}
	}
	list_free(&l);
}

void rot_kick(struct rti_rotate *r)
{
	pthread_mutex_lock(&r->mu);
	r->pending = true;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->mu);
}

void *rot_worker(void *arg)
{
	struct rti_rotate *r = arg;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		unsigned backups, perm;
		bool compress;

		while (!r->pending && !r->stop)
			pthread_cond_wait(&r->wake, &r->mu);
		if (!r->pending)
			break;
		r->pending = false;
		r->busy = true;
		backups = r->w_backups;
		compress = r->w_compress;
		perm = r->w_perm;
		pthread_mutex_unlock(&r->mu);
		pass(r, backups, compress, perm);
		pthread_mutex_lock(&r->mu);
		r->busy = false;
		pthread_cond_broadcast(&r->idle);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}
