/* SPDX-License-Identifier: Apache-2.0 */
/* Internals of src/reach/: the advisory model shared by the loader
 * (advisory.c, osv.c), the matcher (match.c) and the evaluator (eval.c,
 * report.c). */
#ifndef RTI_REACH_INT_H
#define RTI_REACH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rti/json.h"
#include "rti/reach.h"

#define REACH_MAX_FILE (64u << 20)     /* one advisory file */
#define REACH_MAX_TOKENS (4u << 20)    /* JSON tokens of one file */
#define REACH_MAX_NAME 4096            /* a function, package or id */
#define REACH_MAX_ADVISORIES 1000000
#define REACH_MAX_FUNCTIONS 4000000
#define REACH_MAX_DIR_DEPTH 16
#define REACH_ZIP_MAX_ENTRIES 2000000u             /* entries of one archive */
#define REACH_ZIP_MAX_RATIO 200u                   /* uncompressed:compressed, per entry */
#define REACH_ZIP_RATIO_MIN (1u << 20)             /* entries smaller than this: any ratio */
#define REACH_ZIP_MAX_TOTAL (8ull << 30)           /* uncompressed bytes of one archive */

enum reach_lang { LANG_C = 'c', LANG_GO = 'g', LANG_RUST = 'r' };
enum reach_role { ROLE_UNKNOWN, ROLE_ROOT, ROLE_DERIVED };

struct reach_str_list {
	char **v;
	size_t n, cap;
};

struct reach_adv {
	char *id;
	struct reach_str_list aliases;
	struct reach_str_list packages;  /* purls, Go paths, crates: for notes */
	struct reach_str_list modules;   /* native: file-name globs */
	struct reach_str_list code_ids;  /* native: exact code ids */
	struct reach_str_list sources;   /* FILE of every record merged here */
	uint64_t functions;              /* function entries, this platform */
	bool has_function_data;          /* named functions (any platform) */
	uint32_t *rsets;                 /* Go: SEMVER range sets (r->rsets) */
	size_t nrsets;
};

/* One OSV affected[] entry's ranges for one package: SEMVER for Go
 * modules ('G': build information and findings), crates.io and npm ('S':
 * findings); ECOSYSTEM for Debian and Ubuntu packages ('D': findings, dpkg
 * ordering). */
struct reach_rset {
	char *module;                    /* "stdlib", a module path, a crate, a package */
	char scheme;                     /* 'G', 'S' or 'D' */
	struct reach_str_list kinds;     /* "introduced", "fixed", "last_affected" */
	struct reach_str_list versions;  /* parallel to kinds (not deduplicated) */
};

/* One function of an advisory, as a match key. */
struct reach_fn {
	char *key;      /* lang tag + normalized name ("g:net/http.conn.serve") */
	char *given;    /* the name as the advisory gives it */
	char *pkg_key;  /* coverage key of its package ("gp:net/http", "rc:smallvec"), or NULL */
	uint32_t adv;
	char *plat;     /* .all_platforms: "goos\x1fgoos\x1egoarch..." or NULL (any) */
	uint8_t lang;
	uint8_t role;
	bool package_wide;
};

struct rti_reach {
	struct rti_reach_opts o;
	char goarch[16];
	struct reach_adv *adv;
	size_t nadv, capadv;
	struct reach_fn *fn;
	size_t nfn, capfn;
	uint32_t *hidx;  /* open addressing on adv[].id: index + 1, 0 = empty */
	size_t hcap;
	bool sorted;
	struct reach_rset *rsets;
	size_t nrsets, caprsets;
	struct reach_finding *findings;
	size_t nfindings, capfindings;
	bool has_findings;
	struct rti_reach_counts counts;
	struct rti_json_decoder *dec;
	char *plat;  /* .all_platforms: the constraint of the functions being read */
};

/* a JSON document being read, for the loaders */
struct reach_doc {
	struct rti_reach *r;
	const char *file;
	const char *js;
	const struct rti_json_token *t;
	int n;
};

/* advisory.c */
void reach_diag(struct rti_reach *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int reach_list_add(struct reach_str_list *l, const char *s);
void reach_list_free(struct reach_str_list *l);
struct reach_adv *reach_adv_get(struct rti_reach *r, const char *id, const char *file);
int reach_fn_add(struct rti_reach *r, struct reach_adv *a, char lang, const char *pkg,
		 const char *name, int role);
int reach_pkg_only(struct rti_reach *r, struct reach_adv *a, char lang, const char *pkg);

/* json helpers (advisory.c) */
int reach_jskip(const struct reach_doc *d, int i);
/* (a member whose value is null counts as absent: -1) */
int reach_jget(const struct reach_doc *d, int obj, const char *key);
char *reach_jstr(const struct reach_doc *d, int i);
bool reach_jis(const struct reach_doc *d, int i, enum rti_json_type type);
int reach_string_list(const struct reach_doc *d, int arr, const char *path,
		      struct reach_str_list *out);

/* json.c: growth of an array */
int reach_grow(void **p, size_t *cap, size_t n, size_t elem);
/* json.c: a whole file into b (capped): 0, 1 too large (reported), -errno */
struct rti_buf;
int reach_read_file(struct rti_reach *r, const char *path, struct rti_buf *b);

/* findings.c: (image digest or "", vulnerability id) pairs */
struct reach_finding {
	char *digest;  /* "sha256:<hex>", "" = every scope */
	char *vuln;
	char *pkg;     /* the package the scanner found, or NULL */
	char *src;     /* its source package (Debian), or NULL */
	char *version; /* its installed version, or NULL */
};
bool reach_finding_wanted(const struct rti_reach *r, const char *scope, const struct reach_adv *a);
void reach_findings_free(struct rti_reach *r);

/* version.c */
int reach_rset_add(struct rti_reach *r, struct reach_adv *a, const struct reach_doc *d,
		   int ranges, const char *module, const char *path, char scheme);
void reach_rsets_free(struct rti_reach *r);
enum reach_vstatus { V_UNKNOWN, V_NOT_AFFECTED, V_AFFECTED };
/* The advisory against one binary's build information; *ver: the version
 * that decided (a pointer into a static buffer of the caller, 64 bytes). */
enum reach_vstatus reach_version_eval(const struct rti_reach *r, const struct reach_adv *a,
				      const char *info, char ver[64]);
int reach_semver_cmp(const char *a, const char *b);
/* dpkg --compare-versions ordering: <0, 0, >0 */
int reach_dpkg_cmp(const char *a, const char *b);
/* The advisory against the versions --findings gives for (scope, advisory);
 * *ver as above. */
enum reach_vstatus reach_version_findings(const struct rti_reach *r, const struct reach_adv *a,
					  const char *scope, char ver[64]);

/* load.c: one JSON document (never an archive) */
int reach_load_json_mem(struct rti_reach *r, const char *name, const char *js, size_t len);
/* zip.c: archives of advisories ("ARCHIVE!ENTRY" in messages) */
bool reach_is_zip(const void *p, size_t len);
typedef int (*reach_doc_fn)(struct rti_reach *r, const char *name, const char *js, size_t len);
int reach_zip_load_mem(struct rti_reach *r, const char *archive, const void *p, size_t len,
		       reach_doc_fn each);
int reach_zip_load_path(struct rti_reach *r, const char *archive, reach_doc_fn each);

/* osv.c: one record (OSV, CVE JSON 5, stella-vulnfn/v1) at token i */
int reach_load_record(const struct reach_doc *d, int i, const char *path);

/* match.c */
bool reach_glob_basename(const char *glob, const char *path);
bool reach_platform_ok(struct rti_reach *r, const struct reach_doc *d, int obj,
		       const char *os_key, const char *arch_key, const char *path);
int reach_fn_cmp_key(const void *a, const void *b);
void reach_plat_clear(struct rti_reach *r);

#endif
