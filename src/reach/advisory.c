/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The advisory model: records merged by id, functions as match keys
 * (match.c), the handle.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rti/buf.h"
#include "util/hash.h"
#include "util/opts.h"
#include "reach/reach_int.h"

/* ---- advisories by id ---- */

static uint64_t id_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int hidx_grow(struct rti_reach *r)
{
	size_t ncap = r->hcap ? r->hcap * 2 : 256;
	uint32_t *nh = calloc(ncap, sizeof(*nh));

	if (!nh)
		return -ENOMEM;
	for (size_t i = 0; i < r->nadv; i++) {
		size_t k = id_hash(r->adv[i].id) & (ncap - 1);

		while (nh[k])
			k = (k + 1) & (ncap - 1);
		nh[k] = (uint32_t)i + 1;
	}
	free(r->hidx);
	r->hidx = nh;
	r->hcap = ncap;
	return 0;
}

struct reach_adv *reach_adv_get(struct rti_reach *r, const char *id, const char *file)
{
	struct reach_adv *a;
	size_t k;

	if (r->hcap) {
		for (k = id_hash(id) & (r->hcap - 1); r->hidx[k]; k = (k + 1) & (r->hcap - 1)) {
			a = &r->adv[r->hidx[k] - 1];
			if (!strcmp(a->id, id))
				return reach_list_add(&a->sources, file) ? NULL : a;
		}
	}
	if (r->nadv >= REACH_MAX_ADVISORIES) {
		errno = E2BIG;
		return NULL;
	}
	if ((r->nadv + 1) * 2 > r->hcap && hidx_grow(r))
		return NULL;
	if (reach_grow((void **)&r->adv, &r->capadv, r->nadv, sizeof(*r->adv)))
		return NULL;
	a = &r->adv[r->nadv];
	memset(a, 0, sizeof(*a));
	a->id = strdup(id);
	if (!a->id || reach_list_add(&a->sources, file))
		return NULL;
	for (k = id_hash(id) & (r->hcap - 1); r->hidx[k]; k = (k + 1) & (r->hcap - 1))
		;
	r->hidx[k] = (uint32_t)r->nadv + 1;
	r->nadv++;
	r->counts.advisories = r->nadv;
	return a;
}

static int fn_push(struct rti_reach *r, struct reach_fn *f)
{
	if (r->nfn >= REACH_MAX_FUNCTIONS)
		return -E2BIG;
	if (reach_grow((void **)&r->fn, &r->capfn, r->nfn, sizeof(*r->fn)))
		return -ENOMEM;
	r->fn[r->nfn++] = *f;
	r->sorted = false;
	r->counts.functions++;
	return 0;
}

static char *tagged(char tag, const char *a, const char *b)
{
	struct rti_buf k = RTI_BUF_INIT(3 * REACH_MAX_NAME);

	if (rti_buf_addf(&k, "%c:%s%s", tag, a, b ? b : "")) {
		rti_buf_release(&k);
		return NULL;
	}
	return k.p;
}

/* The coverage key of a package: Go import path, Rust crate, native module. */
static char *pkg_key(char lang, const char *pkg)
{
	char crate[REACH_MAX_NAME];
	size_t n;

	if (!pkg || !*pkg)
		return NULL;
	if (lang == LANG_GO)
		return tagged('p', pkg, NULL);
	if (lang != LANG_RUST)
		return NULL;
	n = strcspn(pkg, ":");
	if (n >= sizeof(crate))
		return NULL;
	memcpy(crate, pkg, n);
	crate[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (crate[i] == '-')
			crate[i] = '_';
	return tagged('k', crate, NULL);
}

/* name: Go "Func" / "T.M" (pkg = import path); Rust "crate::T::m"; C/C++. */
int reach_fn_add(struct rti_reach *r, struct reach_adv *a, char lang, const char *pkg,
		 const char *name, int role)
{
	char key[3 * REACH_MAX_NAME];
	struct rti_buf full = RTI_BUF_INIT(3 * REACH_MAX_NAME);
	struct reach_fn f;
	int err;

	memset(&f, 0, sizeof(f));
	if (lang == LANG_GO)
		err = rti_buf_addf(&full, "%s.%s", pkg, name);
	else
		err = rti_buf_addstr(&full, name);
	if (err || rti_reach_symbol_key(lang, full.p, key, sizeof(key)) < 0) {
		rti_buf_release(&full);
		return err ? err : -EINVAL;
	}
	f.key = strdup(key);
	f.given = full.p;
	f.pkg_key = pkg_key(lang, lang == LANG_RUST && !pkg ? name : pkg);
	f.adv = (uint32_t)(a - r->adv);
	f.lang = (uint8_t)lang;
	f.role = (uint8_t)role;
	f.plat = r->plat ? strdup(r->plat) : NULL;
	a->has_function_data = true;
	a->functions++;
	if (!f.key || !f.given || (r->plat && !f.plat) || ((pkg || lang == LANG_RUST) && lang != LANG_C && !f.pkg_key) ||
	    (err = fn_push(r, &f))) {
		free(f.key);
		free(f.given);
		free(f.pkg_key);
		free(f.plat);
		return err ? err : -ENOMEM;
	}
	return 0;
}

/* Go: an import without symbols, i.e. every function of the package. */
int reach_pkg_only(struct rti_reach *r, struct reach_adv *a, char lang, const char *pkg)
{
	struct reach_fn f;
	int err;

	memset(&f, 0, sizeof(f));
	f.pkg_key = pkg_key(lang, pkg);
	f.key = f.pkg_key ? strdup(f.pkg_key) : NULL;
	f.given = tagged('*', pkg, NULL);
	f.adv = (uint32_t)(a - r->adv);
	f.lang = (uint8_t)lang;
	f.package_wide = true;
	f.plat = r->plat ? strdup(r->plat) : NULL;
	a->has_function_data = true;
	a->functions++;
	if (!f.key || !f.given || (r->plat && !f.plat) || (err = fn_push(r, &f))) {
		free(f.key);
		free(f.given);
		free(f.pkg_key);
		free(f.plat);
		return -ENOMEM;
	}
	/* given: the package itself, without the tag */
	memmove(f.given, f.given + 2, strlen(f.given + 2) + 1);
	return 0;
}

/* ---- the handle ---- */

static void default_goarch(char out[16])
{
#if defined(__x86_64__)
	memcpy(out, "amd64", 6);
#elif defined(__aarch64__)
	memcpy(out, "arm64", 6);
#elif defined(__i386__)
	memcpy(out, "386", 4);
#else
	memcpy(out, "unknown", 8);
#endif
}

struct rti_reach *rti_reach_new(const struct rti_reach_opts *opts)
{
	struct rti_reach *r;

	if (opts && !RTI_OPTS_VALID(opts, sz)) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (opts)
		RTI_OPTS_COPY(&r->o, opts);
	default_goarch(r->goarch);
	if (r->o.goarch && strlen(r->o.goarch) < sizeof(r->goarch))
		memcpy(r->goarch, r->o.goarch, strlen(r->o.goarch) + 1);
	r->dec = rti_json_decoder_new(REACH_MAX_TOKENS);
	if (!r->dec) {
		free(r);
		return NULL;
	}
	return r;
}

void rti_reach_free(struct rti_reach *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nadv; i++) {
		struct reach_adv *a = &r->adv[i];

		free(a->id);
		reach_list_free(&a->aliases);
		reach_list_free(&a->packages);
		reach_list_free(&a->modules);
		reach_list_free(&a->code_ids);
		reach_list_free(&a->sources);
		free(a->rsets);
	}
	reach_rsets_free(r);
	reach_findings_free(r);
	for (size_t i = 0; i < r->nfn; i++) {
		free(r->fn[i].key);
		free(r->fn[i].given);
		free(r->fn[i].pkg_key);
		free(r->fn[i].plat);
	}
	free(r->plat);
	free(r->adv);
	free(r->fn);
	free(r->hidx);
	rti_json_decoder_free(r->dec);
	free(r);
}

const struct rti_reach_counts *rti_reach_counts(const struct rti_reach *r)
{
	return &r->counts;
}
