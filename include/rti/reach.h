/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runtime reachability (spec reachability.md, docs/reachability.md): joins
 * the hot symbol index with advisories that name vulnerable functions and
 * answers per (scope, vulnerability): observed_executing, not_observed or
 * no_function_data. Absence of observation is never reported as
 * not_affected.
 *
 *   struct rti_reach *r = rti_reach_new(&RTI_OPTS_INIT(rti_reach_opts, .diag = fn));
 *   rti_reach_load(r, "advisories/");          (files, directories)
 *   rti_reach_evaluate(r, hot_index, &eval_opts, fd);
 *   rti_reach_free(r);
 */
#ifndef RTI_REACH_H
#define RTI_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/event.h"

struct rti_hotsym;
struct rti_reach;

struct rti_reach_opts {
	size_t sz;          /* sizeof(struct rti_reach_opts) */
	/* Bad input, one message "FILE: json.path: reason" per problem. */
	void (*diag)(void *arg, const char *msg);
	void *diag_arg;
	const char *goos;   /* the observed platform; NULL = "linux" */
	const char *goarch; /* NULL = this machine's (amd64, arm64, ...) */
	/* Keep the functions of every platform with their goos/goarch (os/arch)
	 * constraints instead of leaving out the other platforms' (for
	 * rti_reach_write_vulnfn; do not evaluate with it). */
	bool all_platforms;
};

/* NULL with errno. */
struct rti_reach *rti_reach_new(const struct rti_reach_opts *opts);
void rti_reach_free(struct rti_reach *r);

/*
 * Loads advisories from a file (OSV JSON record, a JSON array of them, a
 * CVE JSON 5 record, stella-vulnfn/v1), a zip archive of them (its *.json
 * entries, in byte order of their names; messages name "ARCHIVE!ENTRY")
 * or a directory (its *.json and *.zip files, recursively, in byte order
 * of their names). 0, or -errno when the path
 * cannot be read; a bad record is reported through diag, counted, and
 * the rest is loaded.
 */
int rti_reach_load(struct rti_reach *r, const char *path);
/*
 * Scanner findings: only (image, vulnerability) pairs they list are then
 * evaluated. Grype JSON, Trivy JSON, a CycloneDX BOM/VEX with
 * vulnerabilities[], or CSV "image_digest,vuln_id,package". A finding
 * matches an advisory by its id or an alias; without an image digest it
 * applies to every scope. 0, or -errno when the file cannot be read.
 */
int rti_reach_load_findings(struct rti_reach *r, const char *path);
int rti_reach_load_findings_mem(struct rti_reach *r, const char *name, const char *s,
				size_t len);
/* The same for one JSON document or zip archive in memory; name is used
 * in messages. */
int rti_reach_load_mem(struct rti_reach *r, const char *name, const char *js, size_t len);

struct rti_reach_counts {
	uint64_t advisories;       /* distinct vulnerability ids loaded */
	uint64_t functions;        /* function entries (after platform filtering) */
	uint64_t other_platform;   /* functions left out: goos/goarch/os/arch */
	uint64_t bad_input;        /* problems reported through diag */
	uint64_t findings;         /* (image, vulnerability) pairs of --findings */
	uint64_t results;          /* (scope, vulnerability) rows of the last evaluation */
	uint64_t observed_executing, not_observed, no_function_data;
	uint64_t version_not_affected; /* rows whose version is outside the ranges */
};
const struct rti_reach_counts *rti_reach_counts(const struct rti_reach *r);

enum rti_reach_format {
	RTI_REACH_TABLE,
	RTI_REACH_JSON,    /* canonical JSON, stella-reach/v1 */
	RTI_REACH_OPENVEX, /* OpenVEX v0.2.0 */
	RTI_REACH_CYCLONEDX, /* CycloneDX 1.6 JSON */
};

struct rti_reach_eval_opts {
	size_t sz;                     /* sizeof(struct rti_reach_eval_opts) */
	enum rti_reach_format format;
	const char *scope;             /* NULL = every scope of the index */
	struct rti_time since, until;  /* .set: the observation window */
	unsigned max_symbols;          /* matched symbols listed per row; 0 = 16 */
};

/*
 * Evaluates every advisory against every scope of the index and writes the
 * report to fd. Deterministic: same index content, same advisories, same
 * options -> same bytes. 0, -errno (index or output error).
 */
int rti_reach_evaluate(struct rti_reach *r, struct rti_hotsym *h,
		       const struct rti_reach_eval_opts *opts, int fd);

/*
 * Writes the loaded advisories as one stella-vulnfn/v1 document (canonical
 * JSON, entries sorted by vuln_id, package, language; with the extension
 * members of docs/reachability.md), which loads back into the same model.
 * Load with .all_platforms. 0, -errno (output error).
 */
int rti_reach_write_vulnfn(struct rti_reach *r, int fd);

/* Name matching (exposed for tests): the key an index symbol is compared
 * with. lang: 'c' (C and C++), 'g' (Go), 'r' (Rust). Writes at most
 * outlen bytes with the NUL; returns the key length, or -1 when the name
 * has no key in that language (or does not fit). */
int rti_reach_symbol_key(char lang, const char *symbol, char *out, size_t outlen);

#endif
