/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A GetEvents server on libnghttp2 (server side) for `stella-rti replay`:
 * every GetEvents call streams the message set from the start, at a rate
 * or as fast as flow control allows, once or in a loop, then holds the
 * stream open (as Tetragon does) or ends it with grpc-status 0. One
 * thread, one poll loop, any number of connections up to max_conns.
 * The GetEventsRequest filters are not applied (docs/grpc.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "grpc/frame.h"
#include "grpc/net.h"
#include "grpc/status.h"
#include "rti/grpc.h"
#include "util/opts.h"

#define READ_BUF (64u * 1024)
/* DATA frames up to this size when the client allows (fewer syscalls). */
#define MAX_DATA_FRAME (256u * 1024)
#define RATE_TICK_MS 2

struct stream {
	int32_t id;
	bool getevents;
	bool started;
	bool deferred;
	bool finished;
	size_t idx;           /* next message */
	size_t off;           /* bytes of the current framed message sent */
	uint64_t sent;
	uint64_t t0;
	uint8_t hdr[RTI_GRPC_HDR_LEN];
	const uint8_t *cur;   /* payload of the current message */
	size_t cur_len;
	uint8_t *z;           /* gzip: compressed current message */
	size_t zcap;
	struct stream *next;
};

struct conn {
	int fd;
	nghttp2_session *s;
	struct stream *streams;
	struct rti_grpc_server *srv;
	bool dead;
};

struct rti_grpc_server {
	struct rti_grpc_server_opts o;
	struct rti_grpc_msgset msgs;
	char address[300];
	char unix_path[108]; /* removed at exit, as Go's unix listener does */
	int lfd;
	int wake[2];
	atomic_int stop;
	struct conn **conns;
	unsigned nconns;
	uint8_t *rbuf;
	struct rti_grpc_server_stats st;
};

static struct stream *find_stream(struct conn *c, int32_t id)
{
	for (struct stream *s = c->streams; s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static void free_stream(struct conn *c, int32_t id)
{
	for (struct stream **pp = &c->streams; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct stream *s = *pp;

			*pp = s->next;
			free(s->z);
			free(s);
			return;
		}
	}
}

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags,
		       void *ud)
{
	struct conn *c = ud;
	int err = 0;
	/* unused in nghttp2's callback signature */
	(void)s;
	(void)flags;
	long n = rti_net_send(c->fd, data, len, &err);

	if (n == NGHTTP2_ERR_CALLBACK_FAILURE)
		c->dead = true;
	return n;
}

/* gzip one message into st->z; returns the compressed length or 0. */
static size_t gzip_msg(struct stream *st, const uint8_t *p, size_t n)
{
	z_stream z;
	size_t bound;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	bound = deflateBound(&z, n) + 32;
	if (bound > st->zcap) {
		uint8_t *nz = realloc(st->z, bound);

		if (!nz) {
			deflateEnd(&z);
			return 0;
		}
		st->z = nz;
		st->zcap = bound;
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = st->z;
	z.avail_out = (uInt)st->zcap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		return 0;
	}
	n = z.total_out;
	deflateEnd(&z);
	return n;
}

/* Loads the next message into st->cur/hdr; false when none may go now. */
static bool next_message(struct rti_grpc_server *srv, struct stream *st)
{
	const struct rti_grpc_msgset *m = &srv->msgs;
	const uint8_t *p;
	size_t n;

	if (srv->o.max_messages && st->sent >= srv->o.max_messages) {
		st->finished = true;
		return false;
	}
	if (st->idx >= m->n) {
		if (!srv->o.loop || m->n == 0) {
			st->finished = true;
			return false;
		}
		st->idx = 0;
	}
	if (srv->o.rate > 0) {
		double allowed = (double)(rti_now_ns() - st->t0) / 1e9 * srv->o.rate + 1;

		if ((double)st->sent >= allowed)
			return false;
	}
	p = m->data + m->off[st->idx];
	n = m->off[st->idx + 1] - m->off[st->idx];
	if (srv->o.gzip) {
		size_t zn = gzip_msg(st, p, n);

		if (zn) {
			st->cur = st->z;
			st->cur_len = zn;
			rti_grpc_frame_header(st->hdr, true, (uint32_t)zn);
			return true;
		}
	}
	st->cur = p;
	st->cur_len = n;
	rti_grpc_frame_header(st->hdr, false, (uint32_t)n);
	return true;
}

static ssize_t data_cb(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t len,
		       uint32_t *dflags, nghttp2_data_source *src, void *ud)
{
	struct conn *c = ud;
	struct rti_grpc_server *srv = c->srv;
	struct stream *st = src->ptr;
	size_t out = 0;

	while (out < len) {
		size_t total;
		size_t take;

		if (!st->cur && !next_message(srv, st))
			break;
		total = RTI_GRPC_HDR_LEN + st->cur_len;
		if (st->off < RTI_GRPC_HDR_LEN) {
			take = RTI_GRPC_HDR_LEN - st->off;
			if (take > len - out)
				take = len - out;
			memcpy(buf + out, st->hdr + st->off, take);
		} else {
			take = total - st->off;
			if (take > len - out)
				take = len - out;
			memcpy(buf + out, st->cur + (st->off - RTI_GRPC_HDR_LEN), take);
		}
		out += take;
		st->off += take;
		if (st->off == total) {
			st->off = 0;
			st->cur = NULL;
			st->idx++;
			st->sent++;
			srv->st.messages++;
			srv->st.bytes += total;
		}
	}
	if (out)
		return (ssize_t)out;
	if (st->finished && srv->o.end == RTI_GRPC_END_OK) {
		nghttp2_nv tr[] = {
			{ (uint8_t *)"grpc-status", (uint8_t *)"0", 11, 1, NGHTTP2_NV_FLAG_NONE },
		};

		*dflags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		nghttp2_submit_trailer(s, sid, tr, 1);
		return 0;
	}
	/* rate limit (resumed by the tick) or hold: nothing more for now */
	st->deferred = !st->finished;
	return NGHTTP2_ERR_DEFERRED;
}

static ssize_t read_length_cb(nghttp2_session *s, uint8_t type, int32_t sid,
			      int32_t win, int32_t conn_win, uint32_t remote_max, void *ud)
{
	size_t n = MAX_DATA_FRAME;

	/* unused in nghttp2's callback signature */
	(void)s;
	(void)type;
	(void)sid;
	(void)ud;
	if ((size_t)win < n)
		n = (size_t)win;
	if ((size_t)conn_win < n)
		n = (size_t)conn_win;
	if (remote_max < n)
		n = remote_max;
	return (ssize_t)(n ? n : 1);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct conn *c = ud;
	struct stream *st;

	/* unused in nghttp2's callback signature */
	(void)s;
	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	st->id = f->hd.stream_id;
	st->next = c->streams;
	c->streams = st;
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
		     size_t nl, const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	struct conn *c = ud;
	struct stream *st;

	/* unused in nghttp2's callback signature */
	(void)s;
	(void)flags;
	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = find_stream(c, f->hd.stream_id);
	if (st && nl == 5 && !memcmp(name, ":path", 5))
		st->getevents = vl == strlen(RTI_GRPC_GETEVENTS_PATH) &&
				!memcmp(value, RTI_GRPC_GETEVENTS_PATH, vl);
	return 0;
}

static void start_stream(struct conn *c, struct stream *st)
{
	struct rti_grpc_server *srv = c->srv;
	nghttp2_data_provider dp;

	st->started = true;
	if (!st->getevents) {
		nghttp2_nv h[] = {
			{ (uint8_t *)":status", (uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16,
			  NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-status", (uint8_t *)"12", 11, 2, NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-message", (uint8_t *)"unknown method", 12, 14,
			  NGHTTP2_NV_FLAG_NONE },
		};

		/* trailers-only response */
		srv->st.rejected++;
		nghttp2_submit_response(c->s, st->id, h, 4, NULL);
		return;
	}
	{
		nghttp2_nv h[] = {
			{ (uint8_t *)":status", (uint8_t *)"200", 7, 3, NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"content-type", (uint8_t *)"application/grpc", 12, 16,
			  NGHTTP2_NV_FLAG_NONE },
			{ (uint8_t *)"grpc-encoding", (uint8_t *)"gzip", 13, 4, NGHTTP2_NV_FLAG_NONE },
		};

		srv->st.streams++;
		st->t0 = rti_now_ns();
		dp.source.ptr = st;
		dp.read_callback = data_cb;
		nghttp2_submit_response(c->s, st->id, h, srv->o.gzip ? 3 : 2, &dp);
	}
}

static int on_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct conn *c = ud;
	struct stream *st;

	/* unused in nghttp2's callback signature */
	(void)s;
	/* respond once the request headers are complete; the request body
	 * (the GetEventsRequest) is read and ignored */
	if (f->hd.type == NGHTTP2_HEADERS && f->headers.cat == NGHTTP2_HCAT_REQUEST) {
		st = find_stream(c, f->hd.stream_id);
		if (st && !st->started)
			start_stream(c, st);
	}
	return 0;
}

static int on_close(nghttp2_session *s, int32_t sid, uint32_t code, void *ud)
{
	/* unused in nghttp2's callback signature */
	(void)s;
	(void)code;
	free_stream(ud, sid);
	return 0;
}

static void conn_free(struct conn *c)
{
	while (c->streams)
		free_stream(c, c->streams->id);
	if (c->s)
		nghttp2_session_del(c->s);
	close(c->fd);
	free(c);
}

static struct conn *conn_new(struct rti_grpc_server *srv, int fd)
{
	nghttp2_session_callbacks *cb;
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100 },
	};
	struct conn *c = calloc(1, sizeof(*c));
	int rv;

	if (!c)
		return NULL;
	c->fd = fd;
	c->srv = srv;
	if (nghttp2_session_callbacks_new(&cb)) {
		free(c);
		return NULL;
	}
	nghttp2_session_callbacks_set_send_callback(cb, send_cb);
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close);
	nghttp2_session_callbacks_set_data_source_read_length_callback(cb, read_length_cb);
	rv = nghttp2_session_server_new(&c->s, cb, c);
	nghttp2_session_callbacks_del(cb);
	if (rv || nghttp2_submit_settings(c->s, NGHTTP2_FLAG_NONE, iv, 1)) {
		conn_free(c);
		return NULL;
	}
	return c;
}

struct rti_grpc_server *rti_grpc_server_new(const struct rti_grpc_server_opts *o, char *why,
					    size_t whylen)
{
	struct rti_grpc_server *srv;
	struct rti_grpc_addr a;
	int fd;

	if (!RTI_OPTS_VALID(o, listen) || !o->listen) {
		snprintf(why, whylen, "no listen address");
		errno = EINVAL;
		return NULL;
	}
	if (rti_grpc_addr_parse(o->listen, &a, why, whylen)) {
		errno = EINVAL;
		return NULL;
	}
	fd = rti_net_listen(&a, why, whylen);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		close(fd);
		return NULL;
	}
	RTI_OPTS_COPY(&srv->o, o);
	if (!srv->o.max_conns)
		srv->o.max_conns = 64;
	if (srv->o.msgs)
		srv->msgs = *srv->o.msgs;
	srv->lfd = fd;
	srv->wake[0] = -1;
	srv->wake[1] = -1;
	atomic_init(&srv->stop, 0);
	rti_grpc_addr_format(&a, srv->address, sizeof(srv->address));
	if (a.is_unix)
		memcpy(srv->unix_path, a.path, sizeof(srv->unix_path));
	srv->conns = calloc(srv->o.max_conns, sizeof(*srv->conns));
	srv->rbuf = malloc(READ_BUF);
	if (!srv->conns || !srv->rbuf || pipe2(srv->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		snprintf(why, whylen, "out of memory");
		rti_grpc_server_free(srv);
		errno = ENOMEM;
		return NULL;
	}
	return srv;
}

const char *rti_grpc_server_address(const struct rti_grpc_server *s)
{
	return s->address;
}

const struct rti_grpc_server_stats *rti_grpc_server_stats(const struct rti_grpc_server *s)
{
	return &s->st;
}

void rti_grpc_server_stop(struct rti_grpc_server *s)
{
	ssize_t r;

	atomic_store(&s->stop, 1);
	r = write(s->wake[1], "x", 1);
	(void)r;
}

void rti_grpc_server_free(struct rti_grpc_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; s->conns && i < s->nconns; i++)
		conn_free(s->conns[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (s->unix_path[0])
			unlink(s->unix_path);
	}
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	free(s->conns);
	free(s->rbuf);
	free(s);
}

static void accept_all(struct rti_grpc_server *srv)
{
	for (;;) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0)
			return;
		if (srv->nconns >= srv->o.max_conns) {
			srv->st.rejected++;
			close(fd);
			continue;
		}
		c = conn_new(srv, fd);
		if (!c) {
			close(fd);
			continue;
		}
		srv->conns[srv->nconns++] = c;
		srv->st.connections++;
	}
}

/* Reads and processes what the peer sent; false when the connection is done. */
static bool conn_read(struct rti_grpc_server *srv, struct conn *c)
{
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(c->fd, srv->rbuf, READ_BUF, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		if (nghttp2_session_mem_recv(c->s, srv->rbuf, (size_t)n) < 0)
			return false;
		if ((size_t)n < READ_BUF)
			return true;
	}
	return true;
}

int rti_grpc_server_run(struct rti_grpc_server *srv)
{
	struct pollfd *pf = calloc(srv->o.max_conns + 2, sizeof(*pf));
	bool rate_tick;

	if (!pf)
		return -ENOMEM;
	while (!atomic_load(&srv->stop)) {
		unsigned n = 0;
		int r;

		rate_tick = false;
		/* resume rate-limited streams; flush what nghttp2 has queued */
		for (unsigned i = 0; i < srv->nconns; i++) {
			struct conn *c = srv->conns[i];

			for (struct stream *st = c->streams; st; st = st->next) {
				if (st->deferred && !st->finished) {
					st->deferred = false;
					nghttp2_session_resume_data(c->s, st->id);
				}
				if (!st->finished && srv->o.rate > 0)
					rate_tick = true;
			}
			if (nghttp2_session_send(c->s))
				c->dead = true;
		}
		/* drop finished connections */
		for (unsigned i = 0; i < srv->nconns;) {
			struct conn *c = srv->conns[i];

			if (c->dead || (!nghttp2_session_want_read(c->s) &&
					!nghttp2_session_want_write(c->s))) {
				conn_free(c);
				srv->conns[i] = srv->conns[--srv->nconns];
				continue;
			}
			i++;
		}
		pf[n].fd = srv->lfd;
		pf[n++].events = POLLIN;
		pf[n].fd = srv->wake[0];
		pf[n++].events = POLLIN;
		for (unsigned i = 0; i < srv->nconns; i++) {
			pf[n].fd = srv->conns[i]->fd;
			pf[n].events = POLLIN |
				       (nghttp2_session_want_write(srv->conns[i]->s) ? POLLOUT : 0);
			pf[n++].revents = 0;
		}
		r = poll(pf, n, rate_tick ? RATE_TICK_MS : 1000);
		if (r < 0 && errno != EINTR) {
			free(pf);
			return -errno;
		}
		if (r <= 0)
			continue;
		if (pf[0].revents & POLLIN)
			accept_all(srv);
		for (unsigned i = 0, k = 2; i < srv->nconns && k < n; i++, k++) {
			struct conn *c = srv->conns[i];

			if (pf[k].revents & (POLLIN | POLLHUP | POLLERR))
				if (!conn_read(srv, c))
					c->dead = true;
		}
	}
	/* tell the clients we are going away */
	for (unsigned i = 0; i < srv->nconns; i++) {
		nghttp2_session_terminate_session(srv->conns[i]->s, NGHTTP2_NO_ERROR);
		nghttp2_session_send(srv->conns[i]->s);
	}
	free(pf);
	return 0;
}
