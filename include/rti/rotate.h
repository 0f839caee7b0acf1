/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rotating event file (spec agent.md §2 `output.*`, modeled on
 * Tetragon's `--export-file-*` flags and the lumberjack logger behind
 * them; docs/deployment.md "The event file").
 *
 * Canonical lines are appended to the live file (path). Before a line that
 * would take the file past max_size, or once interval_ms has passed since
 * the file was started, the live file is fsync'ed and renamed to
 *
 *   <base>-<UTC time to the ms><ext>        events-2026-12-07T10-00-00.000.ndjson
 *
 * (base and ext split at the last '.' of the file name), and a new live
 * file is started. Rotated names sort by time: a name is never earlier
 * than one already in the directory (two rotations in the same
 * millisecond take the next millisecond). Rotation happens only between
 * lines, so a line is never split; a line larger than max_size goes alone
 * into a file. Empty files are never rotated.
 *
 * A background thread gzips rotated files (compress: <name>.gz.tmp,
 * fsync, renamed to <name>.gz, then the plain file is removed) and
 * removes the oldest rotated files beyond max_backups. A crash at any point
 * loses no line: the plain file stays until its .gz is complete, and the
 * next open removes a partial .gz.tmp and compresses again. The live file
 * of an earlier run is appended to, after cutting off a partial last line
 * that a crash may have left. Every file gets exactly mode perm (fchmod,
 * whatever the umask).
 *
 * Lines are buffered (64 KiB); rti_rotate_flush() writes them out and
 * performs a due interval rotation, so a caller with an interval calls it
 * when idle, and a hot index's before_commit calls it (lines of committed
 * records must be in the file before the commit, include/rti/hotsym.h). One thread writes (the sink, flush); rti_rotate_reconfigure()
 * and rti_rotate_get_stats() may be called from any thread.
 */
#ifndef RTI_ROTATE_H
#define RTI_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/opts.h"
#include "rti/sink.h"

struct rti_rotate;

struct rti_rotate_opts {
	size_t sz;                 /* sizeof(struct rti_rotate_opts) */
	const char *path;          /* the live file; "-" is not allowed here */
	uint64_t max_size;         /* bytes; 0 = no size rotation */
	unsigned max_backups;      /* rotated files kept; 0 = all (as Tetragon) */
	bool compress;             /* gzip rotated files */
	uint64_t interval_ms;      /* 0 = no time rotation */
	unsigned perm;             /* file mode, e.g. 0600; 0 = 0600 */
	/*
	 * Tests: a clock in milliseconds since the epoch, used for rotated
	 * names and intervals instead of the real clocks (wall time for
	 * names, monotonic time for intervals). Read by rti_rotate_open only.
	 */
	uint64_t (*clock_ms)(void *ctx);
	void *clock_ctx;
};

struct rti_rotate_stats {
	uint64_t bytes;     /* written to event files by this handle */
	uint64_t lines;
	uint64_t rotations;
	uint64_t errors;    /* failed writes, syncs, renames, compressions, removals */
	uint64_t repaired_bytes; /* a partial last line cut off at open (crash) */
};

/* Opens (creates or appends to) the live file and starts the background
 * thread. NULL + errno (EINVAL for bad options). */
struct rti_rotate *rti_rotate_open(const struct rti_rotate_opts *o);
/* A pipeline sink (include/rti/sink.h) writing the canonical lines; its
 * destroy closes r (rti_rotate_close). 0 or -errno. */
int rti_rotate_sink(struct rti_rotate *r, const struct rti_sink_ops **ops, void **ctx);
/* Appends one line (its '\n' included): the sink's event(). 0, or -errno
 * when it could not be written (counted; the line stays buffered when the
 * buffer has room, and is written by the next successful write). */
int rti_rotate_write(struct rti_rotate *r, const char *line, size_t len);
/* Writes buffered lines out and rotates when the interval is due. 0 or
 * -errno. */
int rti_rotate_flush(struct rti_rotate *r);
/* Reload: every field but path (which must be NULL or unchanged, else
 * -EINVAL) and the clock; takes effect at the next line, the background
 * thread applies compress and max_backups at its next pass (started
 * now). 0 or -errno. */
int rti_rotate_reconfigure(struct rti_rotate *r, const struct rti_rotate_opts *o);
/* Any thread. */
void rti_rotate_get_stats(struct rti_rotate *r, struct rti_rotate_stats *st);
/* Waits until the background thread has done everything asked so far
 * (compression, pruning): for tests and orderly shutdown. */
void rti_rotate_settle(struct rti_rotate *r);
/* Flushes, fsyncs the live file, finishes background work, frees r.
 * Returns the flush's result. NULL is a no-op. */
int rti_rotate_close(struct rti_rotate *r);

#endif
