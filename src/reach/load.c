/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Advisory inputs: files (size-capped, validated by rti_json_check),
 * zip archives (zip.c) and directories (*.json and *.zip, recursively, in
 * byte order), each document handed to the record readers of osv.c.
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
#include "reach/reach_int.h"

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- files and directories ---- */

int reach_load_json_mem(struct rti_reach *r, const char *name, const char *js, size_t len)
{
	struct rti_json_check_opts co = { .sz = sizeof(co), .max_depth = 64, .strings = true };
	struct rti_json_error je;
	struct reach_doc d;
	int n;

	n = rti_json_check(r->dec, js, len, &co, &je);
	if (n < 0) {
		if (je.problem == RTI_JSON_NO_MEMORY)
			return -ENOMEM;
		reach_diag(r, "%s: $: %s at byte %zu%s%s", name, rti_json_strerror(&je), je.offset,
			   je.why ? ": " : "", je.why ? je.why : "");
		return 0;
	}
	d.r = r;
	d.file = name;
	d.js = js;
	d.t = rti_json_tokens(r->dec);
	d.n = n;
	if (d.t[0].type == RTI_JSON_ARRAY) {
		int i = 1;

		for (int k = 0; k < d.t[0].size; k++, i = reach_jskip(&d, i)) {
			char path[32];
			int err;

			snprintf(path, sizeof(path), "$[%d]", k);
			err = reach_load_record(&d, i, path);
			if (err)
				return err;
		}
		return 0;
	}
	return reach_load_record(&d, 0, "$");
}

int rti_reach_load_mem(struct rti_reach *r, const char *name, const char *js, size_t len)
{
	if (reach_is_zip(js, len))
		return reach_zip_load_mem(r, name, js, len, reach_load_json_mem);
	return reach_load_json_mem(r, name, js, len);
}

static bool file_is_zip(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	if (fd < 0)
		return false;
	do
		got = read(fd, magic, sizeof(magic));
	while (got < 0 && errno == EINTR);
	close(fd);
	return got == (ssize_t)sizeof(magic) && reach_is_zip(magic, sizeof(magic));
}

static int load_file(struct rti_reach *r, const char *path)
{
	struct rti_buf b = RTI_BUF_INIT(REACH_MAX_FILE);
	int err = reach_read_file(r, path, &b);

	if (!err)
		err = reach_load_json_mem(r, path, b.p ? b.p : "", b.len);
	rti_buf_release(&b);
	return err > 0 ? 0 : err;
}

static bool is_json_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".json") && name[0] != '.') ||
	       (n > 4 && !strcmp(name + n - 4, ".zip") && name[0] != '.');
}

static int load_path(struct rti_reach *r, const char *path, int depth, bool top);

static int load_dir(struct rti_reach *r, const char *path, int depth)
{
	struct reach_str_list names = { 0 };
	struct dirent *de;
	DIR *dir = opendir(path);
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && (de = readdir(dir)))
		if (de->d_name[0] != '.')
			err = reach_list_add(&names, de->d_name);
	closedir(dir);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), str_cmp);
	for (size_t i = 0; i < names.n && !err; i++) {
		struct rti_buf p = RTI_BUF_INIT(8192);

		err = rti_buf_addf(&p, "%s/%s", path, names.v[i]);
		if (!err)
			err = load_path(r, p.p, depth + 1, false);
		rti_buf_release(&p);
	}
	reach_list_free(&names);
	return err;
}

static int load_path(struct rti_reach *r, const char *path, int depth, bool top)
{
	struct stat st;
	int err;

	if (stat(path, &st))
		return top ? -errno : (reach_diag(r, "%s: %s", path, strerror(errno)), 0);
	if (S_ISDIR(st.st_mode)) {
		if (depth >= REACH_MAX_DIR_DEPTH) {
			reach_diag(r, "%s: nested deeper than %d directories, skipped", path,
				   REACH_MAX_DIR_DEPTH);
			return 0;
		}
		err = load_dir(r, path, depth);
	} else if (!top && !is_json_name(strrchr(path, '/') ? strrchr(path, '/') + 1 : path)) {
		return 0;
	} else if (file_is_zip(path)) {
		err = reach_zip_load_path(r, path, reach_load_json_mem);
	} else {
		err = load_file(r, path);
	}
	if (err && err != -ENOMEM && !top) {
		reach_diag(r, "%s: %s", path, strerror(-err));
		err = 0;
	}
	return err;
}

int rti_reach_load(struct rti_reach *r, const char *path)
{
	return load_path(r, path, 0, true);
}

