/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the delivery spool's on-disk formats, which a crash, a
 * bad disk or a hand can leave in any state (src/delivery/spool_format.c,
 * spool.c, spool_read.c). The first byte chooses:
 *   0: a ledger file (two slots): a parsed slot must format back to
 *      itself;
 *   1: a segment's records, walked as the reader walks them;
 *   2: a whole spool: the rest split into a segment file and a ledger file
 *      (the first two bytes after the selector give the ledger's length),
 *      opened, every batch taken and acknowledged, closed: no crash, no
 *      hang, no leak, nothing read past a record.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "delivery/spool.h"
#include "delivery/spool_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ledger(const uint8_t *d, size_t n)
{
	struct rti_ledger l, m;
	char why[400], slot[RTI_LEDGER_SLOT];
	unsigned which;

	if (rti_ledger_parse((const char *)d, n, &l, why, sizeof(why)) == 0) {
		rti_ledger_format(&l, slot);
		if (rti_ledger_parse(slot, sizeof(slot), &m, why, sizeof(why)) || memcmp(&l, &m, sizeof(l)))
			abort();
	}
	rti_ledger_file_parse((const char *)d, n, &l, &which, why, sizeof(why));
}

static void records(const uint8_t *d, size_t n)
{
	size_t off = 0;
	uint32_t len;

	while (off < n && rti_spool_rec_check(d + off, n - off, &len) == RTI_REC_OK) {
		if (RTI_SPOOL_HDR + (size_t)len > n - off)
			abort();
		off += RTI_SPOOL_HDR + len;
	}
}

static void put(const char *path, const uint8_t *d, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		abort();
	if (n && write(fd, d, n) != (ssize_t)n)
		abort();
	close(fd);
}

static void clear(const char *dir)
{
	DIR *d = opendir(dir);
	char p[600];

	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

static void whole(const uint8_t *d, size_t n)
{
	static char root[] = "/tmp/rti-fuzz-spool.XXXXXX";
	static int made;
	char sub[128], p[256], err[256];
	struct rti_spool_opts o = RTI_OPTS_INIT(rti_spool_opts, .name = "events", .max_bytes = 1u << 20,
						.batch_max_bytes = 4096, .batch_timeout_ms = 0);
	const struct rti_batch_source_ops *ops;
	struct rti_spool *s;
	struct rti_batch b;
	size_t ln;
	void *ctx;

	if (!made) {
		if (!mkdtemp(root))
			abort();
		made = 1;
	}
	if (n < 2)
		return;
	ln = (size_t)d[0] | (size_t)d[1] << 8;
	d += 2;
	n -= 2;
	if (ln > n)
		ln = n;
	snprintf(sub, sizeof(sub), "%s/events", root);
	mkdir(sub, 0700);
	clear(sub);
	snprintf(p, sizeof(p), "%s/%s", root, "corrupt");
	mkdir(p, 0700);
	clear(p);
	snprintf(p, sizeof(p), "%s/ledger", sub);
	put(p, d, ln);
	snprintf(p, sizeof(p), "%s/00000000000000000001.seg", sub);
	put(p, d + ln, n - ln);
	o.dir = root;
	s = rti_spool_open(&o, err, sizeof(err));
	if (!s)
		abort();
	rti_spool_source(s, &ops, &ctx);
	rti_spool_set_draining(s, true);
	for (int i = 0; i < 1000 && ops->next(ctx, &b, 1) == 1; i++)
		if (ops->ack(ctx, &b))
			break;
	rti_spool_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		ledger(data + 1, size - 1);
		break;
	case 1:
		records(data + 1, size - 1);
		break;
	default:
		whole(data + 1, size - 1);
		break;
	}
	return 0;
}
