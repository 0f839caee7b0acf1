/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Record input: splits Tetragon JSON exports into records (one JSON value
 * each). Works for JSON Lines (the export format) and for pretty-printed
 * or concatenated values (documentation samples), in linear time:
 *
 *   - a structural pre-scan tracks strings and nesting, so the nesting
 *     depth is capped before jsmn sees a record (deep nesting is quadratic
 *     in jsmn), and the record length is capped (no unbounded buffering);
 *   - a raw newline inside a string, or a '{' at the start of a line while
 *     a value is still open, ends a broken record: one bad line never
 *     swallows the good lines after it.
 *
 * Sources: files (plain or gzip, detected by content), stdin ("-"), and
 * follow mode (tail -F): survives rename-then-create rotation and
 * truncation without losing or duplicating a line.
 */
#ifndef RTI_RECORDS_H
#define RTI_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>

struct rti_records;

struct rti_records_opts {
	size_t max_record;   /* bytes; 0 = 8 MiB */
	unsigned max_depth;  /* 0 = 64 */
	bool follow;
	/* Pipes are waited on in slices; reading stops with EINTR as soon as
	 * *stop is non-zero (set by a signal handler). May be NULL. */
	volatile sig_atomic_t *stop;
	/* tests: the byte-at-a-time framer only, without the 64-byte fast
	 * path for one-line records */
	bool scalar_only;
	/* Called when a pipe or terminal has nothing to read and the reader is
	 * about to wait: a consumer that batches records pushes them out. */
	void (*idle)(void *ctx);
	void *idle_ctx;
};

enum rti_rec_status {
	RTI_REC_EOF = 0,   /* input finished */
	RTI_REC_OK = 1,    /* rec holds a record */
	RTI_REC_BAD = 2,   /* rec holds the line and reason of a broken record */
	RTI_REC_AGAIN = 3, /* follow mode: no complete record yet, poll again */
	RTI_REC_ERROR = -1 /* I/O error, rec->why says which */
};

struct rti_record {
	const char *p;    /* record bytes (valid until the next call) */
	size_t n;
	uint64_t line;    /* 1-based line where the record starts (lines mode:
			   * the line's number; ERROR: the line being read) */
	const char *why;  /* RTI_REC_BAD / ERROR: reason */
	size_t err_off;   /* byte offset of the problem within the record */
};

struct rti_records_counters {
	uint64_t lines;       /* newline-terminated lines consumed */
	uint64_t bytes;
	uint64_t rotations;   /* follow: a new file appeared under the name */
	uint64_t truncations; /* follow: the file shrank */
};

/* path "-" is stdin. NULL with errno on failure. */
struct rti_records *rti_records_open(const char *path,
				     const struct rti_records_opts *opts);
/*
 * Line reader: each line is a record, as is (without its newline; the last
 * one also without): no JSON framing, no depth check, lines up to max_line
 * bytes (0: as long as memory allows), for tools that judge each line
 * themselves (privacy check). Pipes are read through zlib as well, so gzip
 * works on stdin; zlib waits for whole chunks there (not for live streams).
 */
struct rti_records *rti_records_open_lines(const char *path, size_t max_line,
					   volatile sig_atomic_t *stop);
/* Reads from an open fd (not closed by rti_records_close). */
struct rti_records *rti_records_fdopen(int fd, const char *name,
				       const struct rti_records_opts *opts);
int rti_records_next(struct rti_records *r, struct rti_record *rec);
const struct rti_records_counters *rti_records_counters(const struct rti_records *r);
const char *rti_records_name(const struct rti_records *r);

/*
 * Resuming: the input offset just past everything returned so far (in the
 * current file; uncompressed bytes for gzip input), and seeking there in a
 * new reader before the first read (-ESPIPE on pipes, -ERANGE when the file
 * is now shorter). Line numbers after a seek count from the seek point.
 */
uint64_t rti_records_position(const struct rti_records *r);
int rti_records_seek(struct rti_records *r, uint64_t offset);
/* Device and inode of the file being read (follow: the current file). */
int rti_records_identity(const struct rti_records *r, uint64_t *dev, uint64_t *ino);
void rti_records_close(struct rti_records *r);

#endif
