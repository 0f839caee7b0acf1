/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The input object (include/rti/input.h): a list of files read as one
 * stream of records, with the record loop and resume positions in one
 * place (the output's crash repair is rti_output_repair, util/io.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/records.h"
#include "rti/hotsym.h"
#include "rti/input.h"
#include "util/opts.h"

#define FOLLOW_POLL_MS 200
#define SOURCE_ID_MAX 4200 /* "file:" + PATH_MAX + two 20-digit numbers */

enum file_state {
	FILE_READING,
	FILE_ENDING,   /* a read error was returned: FILE_END comes next */
	FILE_ENDED,    /* FILE_END was returned: closed on the next call */
};

struct rti_input {
	struct rti_input_opts o;
	const char *const *paths;
	size_t n, next;

	struct rti_records *r;    /* the current file */
	const char *path;         /* ... as given */
	enum file_state state;
	char sid[SOURCE_ID_MAX];  /* its identity for resuming; "" when none */
	uint64_t rotations;       /* its rotations when sid was made */
	bool count_lines_set;     /* rti_input_count_lines() was called */
	uint64_t count_lines;

	struct rti_input_stats done; /* files closed */
	struct rti_input_stats view; /* done + the current file */
	char msg[SOURCE_ID_MAX + 200];
};

struct rti_input *rti_input_new(const char *const *paths, size_t n,
				const struct rti_input_opts *o)
{
	struct rti_input *in;

	if (o && !RTI_OPTS_VALID(o, ctx)) {
		errno = EINVAL;
		return NULL;
	}
	if (o && o->follow && (n != 1 || !strcmp(paths[0], "-"))) {
		errno = EINVAL;
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->o.sz = sizeof(in->o);
	if (o)
		RTI_OPTS_COPY(&in->o, o);
	in->paths = paths;
	in->n = n;
	return in;
}

/* The identity under which the current file's position is kept. */
static void make_source_id(struct rti_input *in)
{
	uint64_t dev;
	uint64_t ino;
	char *real;

	in->sid[0] = '\0';
	if (rti_records_identity(in->r, &dev, &ino))
		return;
	real = realpath(in->path, NULL);
	snprintf(in->sid, sizeof(in->sid), "file:%s@%llu:%llu", real ? real : in->path,
		 (unsigned long long)dev, (unsigned long long)ino);
	free(real);
}

static void close_file(struct rti_input *in)
{
	const struct rti_records_counters *c = rti_records_counters(in->r);

	in->done.lines += in->count_lines_set ? in->count_lines : c->lines;
	in->done.bytes += c->bytes;
	in->done.rotations += c->rotations;
	in->done.truncations += c->truncations;
	rti_records_close(in->r);
	in->r = NULL;
	in->count_lines_set = false;
}

/* Seeks to the committed position: 0 (reading on), NOTICE or RESUME_FAILED. */
static int resume(struct rti_input *in, struct rti_input_record *rec)
{
	uint64_t pos;
	int err = rti_hotsym_input_position(in->o.resume, in->sid, &pos);

	if (err == -ENOENT || (!err && pos == 0))
		return 0;
	rec->why = in->msg;
	if (err) {
		snprintf(in->msg, sizeof(in->msg), "hot index: reading the position of %s: %s",
			 in->path, rti_hotsym_errmsg(in->o.resume));
		close_file(in);
		return RTI_INPUT_RESUME_FAILED;
	}
	err = rti_records_seek(in->r, pos);
	if (err == -ERANGE) {
		snprintf(in->msg, sizeof(in->msg),
			 "%s: shorter than the committed position %llu: reading from the start",
			 in->path, (unsigned long long)pos);
		return RTI_INPUT_NOTICE;
	}
	if (err) {
		snprintf(in->msg, sizeof(in->msg), "%s: cannot resume at %llu: %s", in->path,
			 (unsigned long long)pos, strerror(-err));
		close_file(in);
		return RTI_INPUT_RESUME_FAILED;
	}
	snprintf(in->msg, sizeof(in->msg),
		 "%s: resuming at byte %llu (committed in the hot index)", in->path,
		 (unsigned long long)pos);
	return RTI_INPUT_NOTICE;
}

/* Opens the next file: 0, or a status to return. */
static int open_next(struct rti_input *in, struct rti_input_record *rec)
{
	struct rti_records_opts ro;

	in->path = in->paths[in->next++];
	rec->file = in->path;
	if (in->o.lines) {
		in->r = rti_records_open_lines(in->path, 0, in->o.stop);
	} else {
		memset(&ro, 0, sizeof(ro));
		ro.max_record = in->o.max_record;
		ro.follow = in->o.follow;
		ro.stop = in->o.stop;
		ro.idle = in->o.idle;
		ro.idle_ctx = in->o.ctx;
		in->r = rti_records_open(in->path, &ro);
	}
	if (!in->r) {
		rec->why = strerror(errno);
		in->done.inputs_failed++;
		return RTI_INPUT_OPEN_FAILED;
	}
	in->state = FILE_READING;
	in->rotations = 0;
	in->sid[0] = '\0';
	if (!in->o.resume)
		return 0;
	make_source_id(in);
	return in->sid[0] ? resume(in, rec) : 0;
}

static void wait_poll(void)
{
	struct timespec ts = { 0, FOLLOW_POLL_MS * 1000000L };

	nanosleep(&ts, NULL); /* EINTR by a signal is fine: the caller checks stop */
}

static bool stopped(const struct rti_input *in)
{
	return in->o.stop && *in->o.stop;
}

static int file_end(struct rti_input *in, struct rti_input_record *rec)
{
	in->state = FILE_ENDED;
	rec->lines_through = rti_records_counters(in->r)->lines;
	return RTI_INPUT_FILE_END;
}

/* One framing result of the current file, as a status. */
static int from_records(struct rti_input *in, int st, const struct rti_record *rr,
			struct rti_input_record *rec)
{
	if (st == RTI_REC_EOF || (st == RTI_REC_ERROR && stopped(in)))
		return file_end(in, rec);
	if (st == RTI_REC_ERROR) {
		in->state = FILE_ENDING;
		rec->line = rr->line;
		rec->why = rr->why;
		return RTI_INPUT_READ_ERROR;
	}
	if (in->o.resume && rti_records_counters(in->r)->rotations != in->rotations) {
		in->rotations = rti_records_counters(in->r)->rotations;
		make_source_id(in); /* a new file: a new identity */
	}
	rec->p = rr->p;
	rec->n = rr->n;
	rec->line = rr->line;
	rec->end = rti_records_position(in->r);
	rec->lines_through = rti_records_counters(in->r)->lines;
	rec->why = rr->why;
	rec->err_off = rr->err_off;
	if (st == RTI_REC_OK)
		return RTI_INPUT_RECORD;
	in->done.framing_errors++;
	rti_input_commit(in); /* a broken record is consumed as it is */
	return RTI_INPUT_BAD;
}

int rti_input_next(struct rti_input *in, struct rti_input_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	for (;;) {
		struct rti_record rr;
		int st;

		if (in->r && in->state == FILE_ENDED)
			close_file(in);
		if (!in->r) {
			if (stopped(in) || in->next == in->n)
				return RTI_INPUT_END;
			st = open_next(in, rec);
			if (st)
				return st;
			continue;
		}
		rec->file = rti_records_name(in->r);
		if (in->state == FILE_ENDING || stopped(in))
			return file_end(in, rec);
		st = rti_records_next(in->r, &rr);
		if (st != RTI_REC_AGAIN)
			return from_records(in, st, &rr, rec);
		if (in->o.again)
			in->o.again(in->o.ctx);
		wait_poll();
	}
}

int rti_input_commit(struct rti_input *in)
{
	if (!in->r || !in->sid[0])
		return 0;
	return rti_hotsym_note_input(in->o.resume, in->sid, rti_records_position(in->r));
}

void rti_input_skip_file(struct rti_input *in)
{
	if (in->r && in->state == FILE_READING)
		in->state = FILE_ENDING;
}

void rti_input_count_lines(struct rti_input *in, uint64_t lines_through)
{
	in->count_lines_set = true;
	in->count_lines = lines_through;
}

const struct rti_input_stats *rti_input_stats(struct rti_input *in)
{
	in->view = in->done;
	if (in->r) {
		const struct rti_records_counters *c = rti_records_counters(in->r);

		in->view.lines += in->count_lines_set ? in->count_lines : c->lines;
		in->view.bytes += c->bytes;
		in->view.rotations += c->rotations;
		in->view.truncations += c->truncations;
	}
	return &in->view;
}

void rti_input_free(struct rti_input *in)
{
	if (!in)
		return;
	if (in->r)
		rti_records_close(in->r);
	free(in);
}
