/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The input of the commands that read files (convert, replay, privacy
 * check): a list of Tetragon JSON exports (or any NDJSON in lines mode),
 * each a file, "-" for stdin, plain or gzip (told by its magic), read one
 * after the other as one stream of records.
 *
 * rti_input_next() runs the one record loop: it frames records
 * (src/ingest/records.h), waits in follow mode, moves to the next file at
 * the end of one, and reports what happened as a status, so each command
 * only decides what a record, a broken record or a failed file means to it.
 *
 * With a hot index (opts.resume) it owns the resume positions: each file is
 * known by its identity ("file:<real path>@<dev>:<inode>"); a file with a
 * committed position is read from there, and rti_input_commit() notes the
 * position past the current record (a rotated file, a new inode, starts
 * from its beginning). docs/json-input.md says how the commands use it.
 */
#ifndef RTI_PUBLIC_INPUT_H
#define RTI_PUBLIC_INPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/io.h"

struct rti_input;
struct rti_hotsym;

struct rti_input_opts {
	size_t sz;              /* sizeof(struct rti_input_opts) */
	size_t max_record;      /* bytes; 0 = 8 MiB (lines mode: no cap) */
	bool follow;            /* one growing file, like tail -F: waits at its end */
	/* Each line is a record, as is: no JSON framing, no broken records.
	 * Pipes are read through zlib too (gzip on stdin). */
	bool lines;
	/* Reading stops as soon as *stop is non-zero (a signal handler's flag):
	 * rti_input_next() ends the current file and returns RTI_INPUT_END. */
	volatile sig_atomic_t *stop;
	/* Resume positions: read from and noted into this hot index. */
	struct rti_hotsym *resume;
	/* A pipe has nothing to read and the reader is about to wait: a
	 * consumer that batches records pushes them out. */
	void (*idle)(void *ctx);
	/* Follow mode: no new record yet; called before each wait (200 ms),
	 * so that the consumer makes its output visible. */
	void (*again)(void *ctx);
	void *ctx;              /* for idle and again */
};

enum rti_input_status {
	RTI_INPUT_END = 0,         /* every input read, or *stop set */
	RTI_INPUT_RECORD = 1,      /* rec holds a record */
	RTI_INPUT_BAD = 2,         /* broken framing: rec->why at rec->err_off (counted) */
	RTI_INPUT_FILE_END = 3,    /* rec->file is finished; the next call opens the next */
	RTI_INPUT_NOTICE = 4,      /* rec->why says something worth telling (resuming) */
	RTI_INPUT_OPEN_FAILED = -1,   /* rec->file cannot be opened: rec->why (counted) */
	RTI_INPUT_READ_ERROR = -2,    /* reading rec->file failed: rec->why; a FILE_END follows */
	RTI_INPUT_RESUME_FAILED = -3, /* rec->why (whole message); the file is skipped */
};

/* Valid until the next call. */
struct rti_input_record {
	const char *p;          /* the record's bytes (BAD: the broken part) */
	size_t n;
	const char *file;       /* input name as given; "-" is "<stdin>" but in lines mode */
	uint64_t line;          /* 1-based line where it starts */
	uint64_t end;           /* byte offset just past it in its file */
	uint64_t lines_through; /* lines of this file read so far */
	const char *why;        /* BAD, NOTICE and the failures */
	size_t err_off;         /* BAD: offset of the problem in the record */
};

struct rti_input_stats {
	uint64_t lines;          /* newline-terminated lines consumed */
	uint64_t bytes;          /* bytes read (uncompressed) */
	uint64_t rotations;      /* follow: a new file under the name */
	uint64_t truncations;    /* follow: the file shrank */
	uint64_t framing_errors; /* RTI_INPUT_BAD returned */
	uint64_t inputs_failed;  /* RTI_INPUT_OPEN_FAILED returned */
};

/*
 * Reads paths[0..n) in order; the array and its strings must outlive the
 * input. opts may be NULL. NULL with errno (EINVAL: follow with more than
 * one file or with stdin).
 */
struct rti_input *rti_input_new(const char *const *paths, size_t n,
				const struct rti_input_opts *opts);
/* One of enum rti_input_status; rec is filled for each. */
int rti_input_next(struct rti_input *in, struct rti_input_record *rec);
/* The current record is done with (its output written): with a resume
 * index, note the position past it. Broken records are noted by
 * rti_input_next() itself. 0 or -errno. */
int rti_input_commit(struct rti_input *in);
/* Ends the current file early: the next call returns its FILE_END. */
void rti_input_skip_file(struct rti_input *in);
/* A consumer that read ahead of a failure (two threads) counts the current
 * file's lines only up to lines_through, as one thread would have. */
void rti_input_count_lines(struct rti_input *in, uint64_t lines_through);
/* Counters over the files read so far, the current one included. */
const struct rti_input_stats *rti_input_stats(struct rti_input *in);
void rti_input_free(struct rti_input *in);

/* The crash repair of an output a restarted run appends to,
 * rti_output_repair(), is in rti/io.h. */

#endif
