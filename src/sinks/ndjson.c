/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/io.h"
#include "rti/sink.h"

#define OUT_BUF (256 * 1024)

struct ndjson {
	int fd;
	int own;
	size_t len;
	char buf[OUT_BUF];
};

static int nd_flush(void *ctx)
{
	struct ndjson *s = ctx;
	int err = rti_write_all(s->fd, s->buf, s->len);

	s->len = 0;
	return err;
}

static int nd_event(void *ctx, const struct rti_event *ev, const struct rti_canon *cn,
		    const char *line, size_t len)
{
	struct ndjson *s = ctx;

	(void)ev;
	(void)cn;
	if (s->len + len > sizeof(s->buf)) {
		int err = nd_flush(s);

		if (err)
			return err;
		if (len > sizeof(s->buf))
			return rti_write_all(s->fd, line, len);
	}
	memcpy(s->buf + s->len, line, len);
	s->len += len;
	return 0;
}

static void nd_destroy(void *ctx)
{
	struct ndjson *s = ctx;

	nd_flush(s);
	if (s->own)
		close(s->fd);
	free(s);
}

static const struct rti_sink_ops ndjson_ops = {
	.name = "ndjson",
	.event = nd_event,
	.flush = nd_flush,
	.destroy = nd_destroy,
};

int rti_ndjson_sink_new(int fd, int own_fd, const struct rti_sink_ops **ops, void **ctx)
{
	struct ndjson *s = malloc(sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->own = own_fd;
	s->len = 0;
	*ops = &ndjson_ops;
	*ctx = s;
	return 0;
}
