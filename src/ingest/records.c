/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/records.h"
#include "util/swar.h"

#define READ_CHUNK (256 * 1024)

enum scan_rc { SCAN_NEED = 0, SCAN_OK = 1, SCAN_BAD = 2 };

struct rti_records {
	char *name;
	gzFile gz;      /* gzip files (not pipes: see rti_records_fdopen) */
	int fd;         /* plain files, pipes, follow mode */
	bool own_fd;
	bool follow;
	bool stream;    /* a pipe or terminal: plain read(), no gzip */
	volatile sig_atomic_t *stop;
	dev_t dev;
	ino_t ino;
	off_t off;      /* follow: bytes consumed from the current file */
	int64_t base;   /* input offset of buf[0] in the current file */

	char *buf;
	size_t len, cap, max_cap;
	size_t start;   /* first byte of the current record (or scan origin) */
	size_t scan;    /* next byte to scan */

	/* framer state */
	bool in_value, in_str, skip, at_line_start;
	unsigned depth, max_depth;
	size_t max_record;
	uint64_t line, rec_line;
	bool eof;
	bool scalar_only;
	bool lines;     /* a record per line: no framing */
	bool pipe_gzip;
	const char *err_why; /* refill's reason when errno does not say it */
	void (*idle)(void *ctx);
	void *idle_ctx;

	struct rti_records_counters c;
};

static struct rti_records *alloc_common(const char *name,
					const struct rti_records_opts *o)
{
	struct rti_records *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->name = strdup(name);
	r->max_record = o && o->max_record ? o->max_record : (8u << 20);
	r->max_depth = o && o->max_depth ? o->max_depth : 64;
	r->follow = o && o->follow;
	r->scalar_only = o && o->scalar_only;
	r->idle = o ? o->idle : NULL;
	r->idle_ctx = o ? o->idle_ctx : NULL;
	r->stop = o ? o->stop : NULL;
	r->max_cap = r->max_record + READ_CHUNK + 1;
	r->cap = READ_CHUNK * 2 < r->max_cap ? READ_CHUNK * 2 : r->max_cap;
	r->buf = malloc(r->cap);
	r->line = 1;
	r->at_line_start = true;
	r->fd = -1;
	if (!r->name || !r->buf) {
		free(r->name);
		free(r->buf);
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

static struct rti_records *fdopen_as(struct rti_records *r, int fd)
{
	int dfd;

	if (r->follow) {
		struct stat st;

		r->fd = fd;
		if (fstat(fd, &st) == 0) {
			r->dev = st.st_dev;
			r->ino = st.st_ino;
		}
		return r;
	}
	{
		struct stat st;

		/* zlib's gzread() blocks until its whole request is filled, so
		 * pipes and terminals are read with plain read() to keep live
		 * streams (tetra getevents | stella-rti convert) flowing. */
		if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode) && !r->pipe_gzip) {
			r->fd = fd;
			r->stream = true;
			return r;
		}
	}
	{
		/* a plain file is read() straight into the buffer: through
		 * zlib it would be copied once more */
		unsigned char magic[2];
		off_t at = lseek(fd, 0, SEEK_CUR);
		ssize_t m = at >= 0 ? pread(fd, magic, sizeof(magic), at) : -1;

		if (m >= 0 && !(m == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
			r->fd = fd;
			return r;
		}
	}
	dfd = dup(fd);
	r->gz = dfd >= 0 ? gzdopen(dfd, "rb") : NULL;
	if (!r->gz) {
		if (dfd >= 0)
			close(dfd);
		rti_records_close(r);
		errno = errno ? errno : ENOMEM;
		return NULL;
	}
	gzbuffer(r->gz, READ_CHUNK);
	return r;
}

struct rti_records *rti_records_fdopen(int fd, const char *name,
				       const struct rti_records_opts *o)
{
	struct rti_records *r = alloc_common(name, o);

	return r ? fdopen_as(r, fd) : NULL;
}

/* Opens path ("-": stdin) into r, which it frees on failure. */
static struct rti_records *open_as(struct rti_records *r, const char *path)
{
	int fd;

	if (!r)
		return NULL;
	if (!strcmp(path, "-"))
		return fdopen_as(r, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		rti_records_close(r);
		errno = e;
		return NULL;
	}
	r = fdopen_as(r, fd);
	if (!r) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	if (!r->gz)
		r->own_fd = true;
	else
		close(fd); /* gz holds a dup */
	return r;
}

struct rti_records *rti_records_open(const char *path,
				     const struct rti_records_opts *o)
{
	return open_as(alloc_common(strcmp(path, "-") ? path : "<stdin>", o), path);
}

struct rti_records *rti_records_open_lines(const char *path, size_t max_line,
					   volatile sig_atomic_t *stop)
{
	struct rti_records_opts o;
	struct rti_records *r;

	memset(&o, 0, sizeof(o));
	o.max_record = max_line ? max_line : SIZE_MAX / 4;
	o.stop = stop;
	r = alloc_common(path, &o); /* named as given: "-" for stdin */
	if (r) {
		r->lines = true;
		r->pipe_gzip = true;
	}
	return open_as(r, path);
}

void rti_records_close(struct rti_records *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->name);
	free(r->buf);
	free(r);
}

const struct rti_records_counters *rti_records_counters(const struct rti_records *r)
{
	return &r->c;
}

const char *rti_records_name(const struct rti_records *r)
{
	return r->name;
}

static void reset_value(struct rti_records *r)
{
	r->in_value = false;
	r->in_str = false;
	r->depth = 0;
}

static int bad_at(struct rti_records *r, struct rti_record *rec, size_t from,
		  size_t to, const char *why)
{
	rec->p = r->buf + from;
	rec->n = to - from;
	rec->line = r->in_value ? r->rec_line : r->line;
	rec->why = why;
	rec->err_off = to > from ? to - from : 0;
	return SCAN_BAD;
}

#if defined(__SSE2__)
#include <emmintrin.h>

struct blk64 {
	__m128i v[4];
};

static inline uint64_t blk_eq(const struct blk64 *k, char c)
{
	__m128i x = _mm_set1_epi8(c);
	uint64_t m = 0;

	for (int i = 0; i < 4; i++)
		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(k->v[i], x)) << (16 * i);
	return m;
}

/* bytes b with (b | 0x20) == c: '{' and '[' for 0x7b, '}' and ']' for 0x7d */
static inline uint64_t blk_eq_fold(const struct blk64 *k, char c)
{
	__m128i x = _mm_set1_epi8(c);
	__m128i f = _mm_set1_epi8(0x20);
	uint64_t m = 0;

	for (int i = 0; i < 4; i++)
		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(
			     _mm_cmpeq_epi8(_mm_or_si128(k->v[i], f), x))
		     << (16 * i);
	return m;
}

/* bit i set when an odd number of bits 0..i of x are set */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

/*
 * The common case, 64 bytes at a time: a record on one line.
 * Returns the end (one past the closing bracket) of the value that opens at
 * b[s], or 0 to leave the record to the byte loop: a newline or a backslash
 * outside a string before the end, nesting deeper than max_depth, or the
 * buffer ends first.
 * On the bytes it accepts, the byte loop would toggle strings at the same
 * quotes and count the same depth, so both find the same end.
 */
static size_t fast_record(const char *b, size_t n, size_t s, unsigned max_depth)
{
	uint64_t in_str = 0; /* all ones: the previous block ended inside a string */
	uint64_t carry = 0;  /* 1: the previous block ended with an escaping backslash */
	unsigned depth = 0;
	size_t p = s;

	while (p < n) {
		unsigned char tmp[64];
		const unsigned char *src = (const unsigned char *)b + p;
		struct blk64 k;
		uint64_t q, str, todo, bs, esc;

		if (n - p < 64) {
			memcpy(tmp, src, n - p);
			memset(tmp + (n - p), ' ', 64 - (n - p));
			src = tmp;
		}
		for (int i = 0; i < 4; i++)
			k.v[i] = _mm_loadu_si128((const __m128i *)(const void *)(src + 16 * i));
		bs = blk_eq(&k, '\\');
		esc = carry;
		carry = 0;
		if (bs) {
			/* left to right: a backslash that is not itself escaped
			 * escapes the next byte (odd runs escape, even runs do not) */
			uint64_t m = bs & ~esc;

			while (m) {
				unsigned i = (unsigned)__builtin_ctzll(m);

				m &= m - 1;
				if (i == 63) {
					carry = 1;
					break;
				}
				esc |= (uint64_t)1 << (i + 1);
				m &= ~((uint64_t)1 << (i + 1));
			}
		}
		q = blk_eq(&k, '"') & ~esc;
		str = prefix_xor(q) ^ in_str;
		/* outside strings a backslash escapes nothing for the byte loop
		 * (it is bad JSON): leave such a record to it */
		if (bs & ~str)
			return 0;
		todo = ((blk_eq_fold(&k, 0x7b) | blk_eq_fold(&k, 0x7d)) & ~str) | blk_eq(&k, '\n');
		while (todo) {
			unsigned bit = (unsigned)__builtin_ctzll(todo);
			unsigned char c = src[bit];

			todo &= todo - 1;
			if (c == '\n')
				return 0;
			if (c == '{' || c == '[') {
				if (++depth > max_depth)
					return 0;
			} else if (--depth == 0) {
				return p + bit + 1;
			}
		}
		in_str = (uint64_t)0 - (str >> 63);
		p += 64;
	}
	return 0;
}
#endif

/*
 * The framer, one state per function. Each step starts at *ip and either
 * moves *ip on (STEP_ON), needs more input (STEP_WAIT), or ends the scan
 * with a record (SCAN_OK) or a broken one (SCAN_BAD). They are static and
 * called once each, so the compiler inlines them into scan()'s loop.
 */
enum { STEP_ON = -1, STEP_WAIT = -2 };

/* A newline is consumed. */
static inline void count_line(struct rti_records *r)
{
	r->line++;
	r->c.lines++;
	r->at_line_start = true;
}

/* After a broken record: everything up to the end of the line goes. */
static inline int step_skip(struct rti_records *r, size_t *ip)
{
	char *b = r->buf;
	size_t i = *ip;
	char *nl = memchr(b + i, '\n', r->len - i);

	if (!nl) {
		*ip = r->len;
		r->start = r->len;
		return STEP_WAIT;
	}
	*ip = (size_t)(nl - b) + 1;
	count_line(r);
	r->skip = false;
	r->start = *ip;
	return STEP_ON;
}

/* The record is b[start..e): hand it out. */
static inline int record_done(struct rti_records *r, struct rti_record *rec, size_t e)
{
	rec->p = r->buf + r->start;
	rec->n = e - r->start;
	rec->line = r->rec_line;
	rec->why = NULL;
	rec->err_off = 0;
	reset_value(r);
	r->scan = e;
	r->start = e;
	return SCAN_OK;
}

/* A value opens at b[i]. */
static inline int step_open(struct rti_records *r, struct rti_record *rec, size_t *ip)
{
	size_t i = *ip;

	r->in_value = true;
	r->depth = 1;
	r->start = i;
	r->rec_line = r->line;
	r->at_line_start = false;
#if defined(__SSE2__)
	if (!r->scalar_only) {
		size_t e = fast_record(r->buf, r->len, i, r->max_depth);

		if (e && e - i <= r->max_record)
			return record_done(r, rec, e);
	}
#else
	(void)rec;
#endif
	*ip = i + 1;
	return STEP_ON;
}

/* Between values: whitespace, newlines, and the start of the next one. */
static inline int step_between(struct rti_records *r, struct rti_record *rec, size_t *ip)
{
	char *b = r->buf;
	size_t i = *ip;
	unsigned char c = (unsigned char)b[i];
	char *nl;
	size_t end;

	if (c == '\n') {
		count_line(r);
		*ip = i + 1;
		r->start = i + 1;
		return STEP_ON;
	}
	if (c == ' ' || c == '\t' || c == '\r') {
		*ip = i + 1;
		r->start = i + 1;
		return STEP_ON;
	}
	if (c == '{' || c == '[')
		return step_open(r, rec, ip);
	/* anything else between values: report the rest of the line */
	nl = memchr(b + i, '\n', r->len - i);
	end = nl ? (size_t)(nl - b) : r->len;
	if (!nl && !r->eof)
		return STEP_WAIT; /* wait for the whole line */
	bad_at(r, rec, i, end, "expected a JSON object");
	rec->err_off = 0;
	r->skip = true;
	r->scan = i;
	return SCAN_BAD;
}

/* Inside a string: to its closing quote, or a newline that breaks it. */
static inline int step_string(struct rti_records *r, struct rti_record *rec, size_t *ip)
{
	char *b = r->buf;
	size_t n = r->len;
	size_t i = *ip;
	/* one pass for both: strings are short, two memchr calls per string
	 * cost more than the string */
	size_t f = i + rti_swar_find2((const unsigned char *)b + i, n - i, '"', '\n');
	size_t k = f;
	size_t bs = 0;

	if (f >= n) {
		*ip = n;
		return STEP_WAIT;
	}
	if (b[f] == '\n') {
		bad_at(r, rec, r->start, f, "unterminated string (line ends inside a string)");
		reset_value(r);
		r->scan = f; /* the newline is consumed as a separator */
		r->start = f;
		return SCAN_BAD;
	}
	while (k > r->start && b[k - 1] == '\\') {
		bs++;
		k--;
	}
	*ip = f + 1;
	if (bs % 2 == 0)
		r->in_str = false;
	return STEP_ON;
}

/* A closing bracket brought the depth to 0 at b[i]. */
static inline int value_closed(struct rti_records *r, struct rti_record *rec, size_t i)
{
	if (i + 1 - r->start > r->max_record) {
		bad_at(r, rec, r->start, i + 1, "record longer than the maximum record size");
		rec->err_off = r->max_record;
		reset_value(r);
		r->scan = i + 1;
		r->start = i + 1;
		return SCAN_BAD;
	}
	return record_done(r, rec, i + 1);
}

/* Inside a value, outside strings: one byte. */
static inline int step_value(struct rti_records *r, struct rti_record *rec, size_t *ip)
{
	size_t i = *ip;
	unsigned char c = (unsigned char)r->buf[i];

	if (r->at_line_start && c == '{') {
		/* a new record begins while the old one is open */
		bad_at(r, rec, r->start, i, "truncated JSON value");
		reset_value(r);
		r->scan = i;
		r->start = i;
		return SCAN_BAD;
	}
	r->at_line_start = false; /* only column 0 counts */
	switch (c) {
	case '"':
		r->in_str = true;
		break;
	case '{':
	case '[':
		if (++r->depth > r->max_depth) {
			bad_at(r, rec, r->start, i, "nesting too deep");
			rec->err_off = i - r->start;
			reset_value(r);
			r->skip = true;
			r->scan = i;
			return SCAN_BAD;
		}
		break;
	case '}':
	case ']':
		if (--r->depth == 0)
			return value_closed(r, rec, i);
		break;
	case '\n':
		count_line(r);
		break;
	default:
		break;
	}
	*ip = i + 1;
	return STEP_ON;
}

/* Lines mode: the next whole line (at the end of the input, the rest). */
static int scan_line(struct rti_records *r, struct rti_record *rec)
{
	char *b = r->buf;
	char *nl = r->scan < r->len ? memchr(b + r->scan, '\n', r->len - r->scan) : NULL;
	size_t end = nl ? (size_t)(nl - b) : r->len;

	if (!nl) {
		r->scan = r->len;
		if (!r->eof || r->start == r->len)
			return SCAN_NEED;
	}
	rec->p = b + r->start;
	rec->n = end - r->start;
	rec->line = r->line;
	rec->why = NULL;
	rec->err_off = 0;
	if (nl) {
		count_line(r);
		end++;
	}
	r->start = end;
	r->scan = end;
	return SCAN_OK;
}

/* The framer: finds the next complete record in buf[scan..len). */
static int scan(struct rti_records *r, struct rti_record *rec)
{
	size_t i = r->scan;

	if (r->lines)
		return scan_line(r, rec);
	while (i < r->len) {
		int st;

		if (r->skip)
			st = step_skip(r, &i);
		else if (!r->in_value)
			st = step_between(r, rec, &i);
		else if (r->in_str)
			st = step_string(r, rec, &i);
		else
			st = step_value(r, rec, &i);
		if (st == STEP_WAIT)
			break;
		if (st != STEP_ON)
			return st;
	}
	r->scan = i;
	if (!r->in_value && !r->skip && r->start < i)
		r->start = i;
	return SCAN_NEED;
}

/* Moves the unscanned tail to the front and reads more. >0 bytes read,
 * 0 at EOF, -1 on error. */
static ssize_t refill(struct rti_records *r)
{
	ssize_t got;
	size_t room;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->base += (int64_t)r->start;
		r->len -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->cap - r->len < READ_CHUNK / 2 && r->cap < r->max_cap) {
		size_t nc = r->cap * 2 < r->max_cap ? r->cap * 2 : r->max_cap;
		char *nb = realloc(r->buf, nc);

		if (!nb) {
			r->err_why = r->lines ? "out of memory (line too long)" : NULL;
			return -1;
		}
		r->buf = nb;
		r->cap = nc;
	}
	room = r->cap - r->len - 1;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (room == 0)
		return -2; /* record larger than the cap */
	if (r->gz) {
		int g = gzread(r->gz, r->buf + r->len, (unsigned)room);

		if (g < 0) {
			int zerr;
			const char *m = gzerror(r->gz, &zerr);

			/* zlib's reason, without the "<fd:N>: " gzdopen() names it by */
			if (m && !strncmp(m, "<fd:", 4) && strstr(m, ": "))
				m = strstr(m, ": ") + 2;
			r->err_why = zerr == Z_ERRNO ? NULL : m;
			return -1;
		}
		got = g;
	} else {
		if (r->stream) {
			/* wait in slices: a signal that lands just before a
			 * blocking read() must still stop us */
			struct pollfd pfd = { r->fd, POLLIN, 0 };
			int pr;

			if (r->idle && poll(&pfd, 1, 0) == 0)
				r->idle(r->idle_ctx); /* nothing yet: let the consumer catch up */
			for (;;) {
				if (r->stop && *r->stop) {
					errno = EINTR;
					return -1;
				}
				pr = poll(&pfd, 1, 200);
				if (pr > 0 || (pr < 0 && errno != EINTR))
					break;
			}
		}
		do {
			got = read(r->fd, r->buf + r->len, room);
		} while (got < 0 && errno == EINTR && !(r->stop && *r->stop));
		if (got < 0)
			return -1;
		if (r->stream && r->off == 0 && got >= 2 &&
		    (unsigned char)r->buf[r->len] == 0x1f &&
		    (unsigned char)r->buf[r->len + 1] == 0x8b) {
			errno = EPROTONOSUPPORT;
			return -3;
		}
		r->off += got;
	}
	r->len += (size_t)got;
	r->c.bytes += (uint64_t)got;
	return got;
}

/* Follow mode at EOF: detect rotation (a new inode under the name) and
 * truncation (the file shrank). 1 when reading can go on now. */
static int follow_check(struct rti_records *r)
{
	struct stat st;

	if (stat(r->name, &st) != 0)
		return 0; /* renamed, new file not there yet */
	if (st.st_ino != r->ino || st.st_dev != r->dev) {
		int nfd = open(r->name, O_RDONLY | O_CLOEXEC);

		if (nfd < 0)
			return 0;
		/* the old file was fully drained: read() returned 0 just now */
		if (r->own_fd)
			close(r->fd);
		r->fd = nfd;
		r->own_fd = true;
		r->dev = st.st_dev;
		r->ino = st.st_ino;
		r->off = 0;
		/* the next byte read (at buf[len]) is offset 0 of the new file */
		r->base = -(int64_t)r->len;
		r->line = 1;
		r->c.rotations++;
		return 1;
	}
	if (st.st_size < r->off) {
		if (lseek(r->fd, 0, SEEK_SET) < 0)
			return 0;
		r->off = 0;
		r->len = r->start = r->scan = 0;
		r->base = 0;
		reset_value(r);
		r->skip = false;
		r->line = 1;
		r->c.truncations++;
		return 1;
	}
	return 0;
}

/* The current record ends with the input: report it as truncated. */
static int truncated_tail(struct rti_records *r, struct rti_record *rec, const char *why)
{
	rec->p = r->buf + r->start;
	rec->n = r->len - r->start;
	rec->line = r->rec_line;
	rec->why = why;
	rec->err_off = rec->n;
	reset_value(r);
	r->start = r->scan = r->len;
	return RTI_REC_BAD;
}

int rti_records_next(struct rti_records *r, struct rti_record *rec)
{
	for (;;) {
		int rc = scan(r, rec);
		ssize_t got;

		if (rc != SCAN_NEED)
			return rc;
		if (r->in_value && r->len - r->start > r->max_record) {
			rec->p = r->buf + r->start;
			rec->n = 0;
			rec->line = r->rec_line;
			rec->why = "record longer than the maximum record size";
			rec->err_off = r->max_record;
			reset_value(r);
			r->skip = true;
			r->start = r->scan;
			return RTI_REC_BAD;
		}
		if (r->eof && !r->follow)
			goto at_eof;
		got = refill(r);
		if (got > 0)
			continue;
		if (got == -2) {
			rec->p = r->buf + r->start;
			rec->n = 0;
			rec->line = r->rec_line;
			rec->why = "record longer than the maximum record size";
			rec->err_off = r->max_record;
			reset_value(r);
			r->skip = true;
			return RTI_REC_BAD;
		}
		if (got == -3) {
			rec->why = "gzip-compressed data on a pipe: decompress it first (zcat) or pass the file name";
			rec->line = r->line;
			return RTI_REC_ERROR;
		}
		if (got < 0) {
			rec->why = r->err_why ? r->err_why : strerror(errno);
			rec->line = r->line;
			return RTI_REC_ERROR;
		}
		/* EOF */
		if (r->follow) {
			size_t pending = r->len - r->start;
			uint64_t rot = r->c.rotations;

			if (follow_check(r)) {
				if (rot != r->c.rotations && (r->in_value || r->skip || pending)) {
					/* the old file ended inside a record */
					r->eof = true;
					rc = scan(r, rec);
					r->eof = false;
					if (rc != SCAN_NEED)
						return rc;
					if (r->in_value) {
						r->skip = false;
						return truncated_tail(r, rec,
							"truncated JSON value at end of rotated file");
					}
					r->skip = false;
					r->start = r->scan = r->len;
				}
				continue;
			}
			return RTI_REC_AGAIN;
		}
		r->eof = true;
at_eof:
		rc = scan(r, rec);
		if (rc != SCAN_NEED)
			return rc;
		if (r->in_value)
			return truncated_tail(r, rec, "truncated JSON value at end of input");
		return RTI_REC_EOF;
	}
}

uint64_t rti_records_position(const struct rti_records *r)
{
	int64_t pos = r->base + (int64_t)r->start;

	return pos > 0 ? (uint64_t)pos : 0;
}

int rti_records_identity(const struct rti_records *r, uint64_t *dev, uint64_t *ino)
{
	struct stat st;

	if (r->follow) {
		*dev = (uint64_t)r->dev;
		*ino = (uint64_t)r->ino;
		return 0;
	}
	if (r->stream || stat(r->name, &st) != 0)
		return -ESPIPE;
	*dev = (uint64_t)st.st_dev;
	*ino = (uint64_t)st.st_ino;
	return 0;
}

int rti_records_seek(struct rti_records *r, uint64_t offset)
{
	if (r->len || r->c.bytes)
		return -EBUSY; /* only before the first read */
	if (r->stream)
		return -ESPIPE;
	if (r->gz) {
		/* offsets are in the uncompressed stream: zlib reads up to it */
		if (gzseek(r->gz, (z_off_t)offset, SEEK_SET) != (z_off_t)offset)
			return -EINVAL;
	} else {
		struct stat st;

		if (fstat(r->fd, &st) != 0)
			return -errno;
		if ((uint64_t)st.st_size < offset)
			return -ERANGE; /* the file shrank: start from the top */
		if (lseek(r->fd, (off_t)offset, SEEK_SET) < 0)
			return -errno;
		r->off = (off_t)offset;
	}
	r->base = (int64_t)offset;
	return 0;
}
