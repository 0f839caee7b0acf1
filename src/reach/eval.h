/* SPDX-License-Identifier: Apache-2.0 */
/* The evaluation state shared by eval.c (the index scan) and report.c. */
#ifndef RTI_REACH_EVAL_H
#define RTI_REACH_EVAL_H

#include "rti/event.h"
#include "rti/time.h"
#include "reach/reach_int.h"

#define REACH_KEY_MAX (3 * REACH_MAX_NAME)

enum reach_rule { RULE_EXACT, RULE_NORMALIZED, RULE_PACKAGE_WIDE };

struct reach_hit {
	uint32_t scope, adv;
	const struct reach_fn *fn;
	enum reach_rule rule;
	uint64_t hits;
	struct rti_time first, last;
	uint32_t ptypes;
	char *symbol_id, *symbol, *code_id, *module;
};

struct reach_cover {
	uint32_t scope, adv;
};

struct reach_eval {
	struct rti_reach *r;
	struct rti_hotsym *h;
	const struct rti_reach_eval_opts *o;
	char **scopes;
	size_t nscopes, capscopes;
	struct reach_hit *hits;
	size_t nhits, caphits;
	struct reach_cover *cov;
	size_t ncov, capcov;
	struct reach_fn **bypkg; /* functions with a package key, by it */
	size_t npkg;
	uint32_t *advorder;      /* advisories in byte order of their ids */
	char *last_module;
	char **bi_code, **bi_info; /* Go build information by code id (sorted) */
	size_t nbi, capbi;
	struct reach_cover *goscope; /* (scope, bi index): Go binaries seen per scope */
	size_t ngo, capgo;
	struct rti_time start, end; /* the span of the entries read */
};

/* paths.c: index of code_id's build information, or -1 */
long reach_bi_find(const struct reach_eval *ev, const char *code_id);

/* report.c */
int reach_report(struct reach_eval *ev, int fd);

#endif
