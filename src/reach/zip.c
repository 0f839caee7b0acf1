/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zip archives of advisories (the OSV databases publish all.zip per
 * ecosystem, one JSON record per entry), read with libzip: the *.json
 * entries in byte order of their names, each handed to the caller's
 * document reader (load.c) as "ARCHIVE!ENTRY". Bounded: entry count, entry
 * size (REACH_MAX_FILE), compression ratio, total uncompressed bytes.
 * Nothing is written to disk, so entry names are only labels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "rti/buf.h"
#include "reach/reach_int.h"

struct zent {
	const char *name;
	zip_uint64_t index;
};

static int zent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct zent *)a)->name, ((const struct zent *)b)->name);
}

static bool json_entry(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n = strlen(name);

	base = base ? base + 1 : name;
	return n > 5 && !strcmp(name + n - 5, ".json") && base[0] != '.' && strlen(base) > 5;
}

/* One entry: size and ratio checks, then the whole entry into b. 0 read, 1 reported. */
static int zip_read_entry(struct rti_reach *r, zip_t *z, const struct zent *e, const char *label,
			  struct rti_buf *b, uint64_t *total)
{
	zip_stat_t st;
	zip_file_t *f;
	char chunk[65536];
	zip_int64_t got;

	if (zip_stat_index(z, e->index, 0, &st) || !(st.valid & ZIP_STAT_SIZE)) {
		reach_diag(r, "%s: $: zip: %s", label, zip_strerror(z));
		return 1;
	}
	if (st.size > REACH_MAX_FILE) {
		reach_diag(r, "%s: $: larger than %u MiB, skipped", label, REACH_MAX_FILE >> 20);
		return 1;
	}
	if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > REACH_ZIP_RATIO_MIN &&
	    st.size / REACH_ZIP_MAX_RATIO > st.comp_size) {
		reach_diag(r, "%s: $: compression ratio above %u:1, skipped", label,
			   REACH_ZIP_MAX_RATIO);
		return 1;
	}
	if (*total + st.size > REACH_ZIP_MAX_TOTAL) {
		reach_diag(r, "%s: $: archive larger than %llu MiB uncompressed, rest skipped", label,
			   (unsigned long long)(REACH_ZIP_MAX_TOTAL >> 20));
		return 2;
	}
	f = zip_fopen_index(z, e->index, 0);
	if (!f) {
		reach_diag(r, "%s: $: zip: %s", label, zip_strerror(z));
		return 1;
	}
	while ((got = zip_fread(f, chunk, sizeof(chunk))) > 0) {
		if (b->len + (size_t)got > st.size || rti_buf_add(b, chunk, (size_t)got)) {
			got = -2;
			break;
		}
	}
	if (got < 0 || b->len != st.size) {
		if (got == -2)
			reach_diag(r, "%s: $: more data than the stated %llu bytes", label,
				   (unsigned long long)st.size);
		else
			reach_diag(r, "%s: $: zip: %s", label,
				   got < 0 ? zip_file_strerror(f) : "truncated entry");
		zip_fclose(f);
		return 1;
	}
	zip_fclose(f);
	*total += st.size;
	return 0;
}

static int zip_entries(struct rti_reach *r, zip_t *z, const char *archive, struct zent **out,
		       size_t *nout)
{
	zip_int64_t n = zip_get_num_entries(z, 0);
	struct zent *v;
	size_t k = 0;

	*out = NULL;
	*nout = 0;
	if (n <= 0)
		return 0;
	if ((zip_uint64_t)n > REACH_ZIP_MAX_ENTRIES) {
		reach_diag(r, "%s: more than %u entries, skipped", archive, REACH_ZIP_MAX_ENTRIES);
		return 0;
	}
	v = calloc((size_t)n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (zip_uint64_t i = 0; i < (zip_uint64_t)n; i++) {
		const char *name = zip_get_name(z, i, ZIP_FL_ENC_RAW);

		if (!name || !json_entry(name))
			continue;
		v[k].name = name;
		v[k].index = i;
		k++;
	}
	if (k)
		qsort(v, k, sizeof(*v), zent_cmp);
	*out = v;
	*nout = k;
	return 0;
}

static int zip_load(struct rti_reach *r, zip_t *z, const char *archive, reach_doc_fn each)
{
	struct zent *v;
	size_t n;
	uint64_t total = 0;
	int err = zip_entries(r, z, archive, &v, &n);

	for (size_t i = 0; i < n && !err; i++) {
		struct rti_buf label = RTI_BUF_INIT(3 * REACH_MAX_NAME);
		struct rti_buf b = RTI_BUF_INIT(REACH_MAX_FILE);
		int got;

		if (rti_buf_addf(&label, "%s!%s", archive, v[i].name)) {
			reach_diag(r, "%s: an entry name longer than %d bytes, skipped", archive,
				   2 * REACH_MAX_NAME);
			rti_buf_release(&label);
			continue;
		}
		got = zip_read_entry(r, z, &v[i], label.p, &b, &total);
		if (!got)
			err = each(r, label.p, b.p ? b.p : "", b.len);
		rti_buf_release(&b);
		rti_buf_release(&label);
		if (got == 2)
			break;
	}
	free(v);
	return err;
}

bool reach_is_zip(const void *p, size_t len)
{
	return len >= 4 && (!memcmp(p, "PK\3\4", 4) || !memcmp(p, "PK\5\6", 4));
}

static int zip_finish(struct rti_reach *r, zip_t *z, zip_error_t *ze, const char *archive,
		      reach_doc_fn each)
{
	int err;

	if (!z) {
		if (zip_error_code_zip(ze) == ZIP_ER_MEMORY)
			return -ENOMEM;
		reach_diag(r, "%s: zip: %s", archive, zip_error_strerror(ze));
		return 0;
	}
	err = zip_load(r, z, archive, each);
	zip_discard(z);
	return err;
}

int reach_zip_load_mem(struct rti_reach *r, const char *archive, const void *p, size_t len,
		       reach_doc_fn each)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *z;
	int err;

	zip_error_init(&ze);
	src = zip_source_buffer_create(p, len, 0, &ze);
	if (!src) {
		zip_error_fini(&ze);
		return -ENOMEM;
	}
	z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!z)
		zip_source_free(src);
	err = zip_finish(r, z, &ze, archive, each);
	zip_error_fini(&ze);
	return err;
}

int reach_zip_load_path(struct rti_reach *r, const char *archive, reach_doc_fn each)
{
	zip_error_t ze;
	zip_t *z;
	int code = 0;
	int err;

	z = zip_open(archive, ZIP_RDONLY | ZIP_CHECKCONS, &code);
	zip_error_init_with_code(&ze, code);
	err = zip_finish(r, z, &ze, archive, each);
	zip_error_fini(&ze);
	return err;
}
