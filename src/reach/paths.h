/* SPDX-License-Identifier: Apache-2.0 */
/* Rows of the report and their exemplar call paths (report.c, paths.c). */
#ifndef RTI_REACH_PATHS_H
#define RTI_REACH_PATHS_H

#include "reach/eval.h"

#define REACH_MAX_ROW_PATHS 3

enum reach_status { ST_OBSERVED, ST_NOT_OBSERVED, ST_NO_FN };

struct reach_row_path {
	char *digest;
	char *frames; /* the exemplar, innermost first (rti_hot_path) */
	uint64_t hits;
};

struct reach_row {
	uint32_t scope, adv;
	size_t lo, hi; /* hits */
	enum reach_status st;
	bool covered;
	uint64_t hits;
	struct rti_time first, last;
	uint32_t ptypes;
	struct reach_row_path paths[REACH_MAX_ROW_PATHS];
	unsigned npaths;
	enum reach_vstatus vst; /* from Go build information or findings, else V_UNKNOWN */
	uint8_t vsrc;           /* REACH_VSRC_*: what vst was decided from */
	char ver[64];
};

enum { REACH_VSRC_NONE, REACH_VSRC_GO, REACH_VSRC_FINDINGS };

/* Splits an exemplar line into space, code_id, offset, module, symbol. */
size_t reach_frame_fields(const char *line, size_t n, const char *f[5], size_t len[5]);
/* Calls fn for each line of an exemplar, innermost first. */
#define REACH_EACH_LINE(frames, s, n)                                                   \
	for (const char *s = (frames), *s##_nl; *s && ((s##_nl = strchr(s, '\n')), 1);    \
	     s = s##_nl ? s##_nl + 1 : s + strlen(s))                                       \
		for (size_t n = s##_nl ? (size_t)(s##_nl - s) : strlen(s), s##_once = 1;     \
		     s##_once; s##_once = 0)
extern const char *const reach_status_name[];
extern const char *const reach_rule_name[];
/* RFC 3339 with nine digits; the epoch when unset. */
void reach_time_str(const struct rti_time *t, char out[RTI_TIME_STRLEN]);
/* What a row's status rests on, in a sentence (OpenVEX, CycloneDX). */
void reach_row_notes(struct reach_eval *ev, const struct reach_row *rw, struct rti_buf *b);
/* cdx.c */
int reach_report_cdx(struct reach_eval *ev, const struct reach_row *rows, size_t n,
		     struct rti_buf *out);

int reach_attach_paths(struct reach_eval *ev, struct reach_row *rows, size_t nrows);
void reach_rows_free(struct reach_row *rows, size_t n);

#endif
