/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gRPC client for one server-streaming call per connection, on libnghttp2.
 * We do the socket I/O (poll + read + nghttp2_session_mem_recv; nghttp2
 * writes through send_cb) so that one thread owns everything and the
 * keepalive timers live in the same poll loop. See docs/grpc.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grpc/frame.h"
#include "grpc/net.h"
#include "grpc/status.h"
#include "rti/grpc.h"
#include "util/opts.h"

#define READ_BUF (64u * 1024)
#define READS_PER_TURN 16
/* grpc's policy: no more than two pings without data in between. */
#define DEFAULT_PINGS_WITHOUT_DATA 2
#define KEEPALIVE_MAX_MS (24u * 3600 * 1000)

/* Receive windows (the spike's measured values): WINDOW_UPDATEs are rare. */
#define STREAM_WINDOW (8 << 20)
#define CONN_WINDOW (16 << 20)
#define MAX_FRAME (1 << 20)

struct rti_grpc_client {
	struct rti_grpc_addr addr;
	char path[256];
	char user_agent[64];
	uint8_t *req; /* 5-byte prefix + request message */
	size_t req_len;
	size_t max_message;
	unsigned connect_timeout_ms;
	_Atomic unsigned keepalive_ms;
	unsigned keepalive_timeout_ms;
	unsigned max_pings;
	int wake[2];
	atomic_int stopped;
	uint8_t *rbuf;
};

struct call {
	struct rti_grpc_client *c;
	const struct rti_grpc_handler *h;
	void *ctx;
	struct rti_grpc_call_info *info;
	nghttp2_session *s;
	int fd;
	int32_t sid;
	size_t req_off;
	struct rti_deframer df;
	/* response */
	int http_status;
	bool ct_seen, ct_grpc;
	bool have_status;
	int status;
	char message[256];
	bool closed;
	uint32_t close_code;
	bool goaway;
	uint32_t goaway_code;
	char goaway_debug[64];
	bool eof;
	int io_err;
	bool failed; /* we decided how the call ends */
	int local_status;
	char local_msg[256];
	/* keepalive */
	uint64_t last_rx;
	bool ping_out;
	uint64_t ping_at;
	unsigned pings_without_data;
	uint64_t connected_at;
};

static void local_fail(struct call *k, int status, const char *msg)
{
	if (k->failed)
		return;
	k->failed = true;
	k->local_status = status;
	snprintf(k->local_msg, sizeof(k->local_msg), "%s", msg);
}

/* ---- nghttp2 callbacks ---- */

static ssize_t send_cb(nghttp2_session *s, const uint8_t *data, size_t len, int flags,
		       void *ud)
{
	struct call *k = ud;

	/* unused in nghttp2's callback signature */
	(void)s;
	(void)flags;
	return rti_net_send(k->fd, data, len, &k->io_err);
}

static int on_message(void *ud, const uint8_t *msg, size_t len)
{
	struct call *k = ud;

	k->info->messages++;
	if (k->h->message && k->h->message(k->ctx, msg, len)) {
		local_fail(k, RTI_GRPC_CANCELLED, "cancelled by the receiver");
		return -ECANCELED;
	}
	return 0;
}

static int on_data_cb(nghttp2_session *s, uint8_t flags, int32_t sid, const uint8_t *data,
		      size_t len, void *ud)
{
	struct call *k = ud;
	int err;

	/* unused in nghttp2's callback signature */
	(void)flags;
	if (sid != k->sid || k->failed)
		return 0;
	k->info->wire_bytes += len;
	err = rti_deframer_push(&k->df, data, len, on_message, k);
	if (!err)
		return 0;
	if (err == -EMSGSIZE) {
		char m[160];

		snprintf(m, sizeof(m), "%s (%zu bytes)", k->df.why, k->c->max_message);
		local_fail(k, RTI_GRPC_RESOURCE_EXHAUSTED, m);
	} else if (err != -ECANCELED) {
		local_fail(k, RTI_GRPC_INTERNAL, k->df.why ? k->df.why : strerror(-err));
	}
	nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, sid, NGHTTP2_CANCEL);
	return 0;
}

static bool hdr_is(const uint8_t *n, size_t nl, const char *lit)
{
	size_t l = strlen(lit);

	return nl == l && !memcmp(n, lit, l);
}

static int on_header_cb(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
			size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
			void *ud)
{
	struct call *k = ud;

	/* unused in nghttp2's callback signature */
	(void)s;
	(void)flags;
	if (f->hd.type != NGHTTP2_HEADERS || f->hd.stream_id != k->sid)
		return 0;
	if (hdr_is(name, namelen, ":status")) {
		int v = 0;

		for (size_t i = 0; i < valuelen && i < 4; i++)
			v = v * 10 + (value[i] >= '0' && value[i] <= '9' ? value[i] - '0' : 0);
		k->http_status = v;
	} else if (hdr_is(name, namelen, "content-type")) {
		k->ct_seen = true;
		/* application/grpc, application/grpc+proto, application/grpc;... */
		k->ct_grpc = valuelen >= 16 && !memcmp(value, "application/grpc", 16) &&
			     (valuelen == 16 || value[16] == '+' || value[16] == ';');
	} else if (hdr_is(name, namelen, "grpc-encoding")) {
		k->df.enc = rti_grpc_encoding_parse((const char *)value, valuelen);
	} else if (hdr_is(name, namelen, "grpc-status")) {
		int v = 0;
		bool ok = valuelen > 0 && valuelen <= 3;

		for (size_t i = 0; ok && i < valuelen; i++) {
			ok = value[i] >= '0' && value[i] <= '9';
			v = v * 10 + (value[i] - '0');
		}
		k->have_status = true;
		k->status = ok ? v : RTI_GRPC_UNKNOWN;
	} else if (hdr_is(name, namelen, "grpc-message")) {
		rti_grpc_percent_decode((const char *)value, valuelen, k->message,
					sizeof(k->message));
	}
	return 0;
}

static int on_frame_cb(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct call *k = ud;

	/* unused in nghttp2's callback signature */
	(void)s;
	switch (f->hd.type) {
	case NGHTTP2_SETTINGS:
		if (!(f->hd.flags & NGHTTP2_FLAG_ACK) && !k->info->connected) {
			k->info->connected = true;
			k->connected_at = rti_now_ns();
			if (k->h->connected)
				k->h->connected(k->ctx);
		}
		break;
	case NGHTTP2_HEADERS:
		if (f->hd.stream_id == k->sid) {
			k->pings_without_data = 0;
			if (f->headers.cat == NGHTTP2_HCAT_RESPONSE)
				k->info->got_headers = true;
		}
		break;
	case NGHTTP2_DATA:
		k->pings_without_data = 0;
		break;
	case NGHTTP2_PING:
		if (f->hd.flags & NGHTTP2_FLAG_ACK)
			k->ping_out = false;
		break;
	case NGHTTP2_GOAWAY: {
		size_t n = f->goaway.opaque_data_len;

		k->goaway = true;
		k->goaway_code = f->goaway.error_code;
		if (n >= sizeof(k->goaway_debug))
			n = sizeof(k->goaway_debug) - 1;
		for (size_t i = 0; i < n; i++) {
			uint8_t ch = f->goaway.opaque_data[i];

			k->goaway_debug[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		k->goaway_debug[n] = '\0';
		if (k->goaway_code == NGHTTP2_ENHANCE_YOUR_CALM &&
		    strstr(k->goaway_debug, "too_many_pings")) {
			unsigned ka = atomic_load(&k->c->keepalive_ms);

			k->info->too_many_pings = true;
			atomic_store(&k->c->keepalive_ms,
				     ka > KEEPALIVE_MAX_MS / 2 ? KEEPALIVE_MAX_MS : ka * 2);
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

/* nghttp2 ends the session itself on a connection error (a peer that is
 * not an HTTP/2 server: its bytes parse as a frame too large). It says so
 * only in the GOAWAY it sends: keep the code, so the call ends as a
 * protocol error, not as a bare "connection ended". */
static int on_frame_sent_cb(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	struct call *k = ud;

	(void)s; /* unused in nghttp2's callback signature */
	if (f->hd.type == NGHTTP2_GOAWAY && f->goaway.error_code != NGHTTP2_NO_ERROR &&
	    !k->failed) {
		char m[128];

		snprintf(m, sizeof(m), "HTTP/2 protocol error: we sent GOAWAY %s",
			 nghttp2_http2_strerror(f->goaway.error_code));
		local_fail(k, RTI_GRPC_INTERNAL, m);
	}
	return 0;
}

static int on_close_cb(nghttp2_session *s, int32_t sid, uint32_t code, void *ud)
{
	struct call *k = ud;

	/* unused in nghttp2's callback signature */
	(void)s;
	if (sid == k->sid) {
		k->closed = true;
		k->close_code = code;
	}
	return 0;
}

static ssize_t req_read_cb(nghttp2_session *s, int32_t sid, uint8_t *buf, size_t len,
			   uint32_t *dflags, nghttp2_data_source *src, void *ud)
{
	struct call *k = ud;
	size_t left = k->c->req_len - k->req_off;

	/* unused in nghttp2's callback signature */
	(void)s;
	(void)sid;
	(void)src;
	if (len > left)
		len = left;
	memcpy(buf, k->c->req + k->req_off, len);
	k->req_off += len;
	if (k->req_off == k->c->req_len)
		*dflags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)len;
}

/* ---- client ---- */

struct rti_grpc_client *rti_grpc_client_new(const struct rti_grpc_client_opts *o)
{
	struct rti_grpc_client *c;
	char err[300];

	/* every caller has had the fields up to user_agent */
	if (!RTI_OPTS_VALID(o, user_agent)) {
		errno = EINVAL;
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->wake[0] = -1;
	c->wake[1] = -1;
	if (rti_grpc_addr_parse(o->target ? o->target : RTI_GRPC_DEFAULT_TARGET, &c->addr,
				err, sizeof(err))) {
		free(c);
		errno = EINVAL;
		return NULL;
	}
	snprintf(c->path, sizeof(c->path), "%s", o->path ? o->path : RTI_GRPC_GETEVENTS_PATH);
	snprintf(c->user_agent, sizeof(c->user_agent), "%s",
		 o->user_agent ? o->user_agent : "stella-rti (nghttp2)");
	c->max_message = o->max_message ? o->max_message : (16u << 20);
	c->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 10000;
	atomic_init(&c->keepalive_ms, o->keepalive_ms ? o->keepalive_ms : 300000);
	c->keepalive_timeout_ms = o->keepalive_timeout_ms ? o->keepalive_timeout_ms : 20000;
	c->max_pings = RTI_OPTS_GET(o, max_pings_without_data, 0);
	if (!c->max_pings)
		c->max_pings = DEFAULT_PINGS_WITHOUT_DATA;
	atomic_init(&c->stopped, 0);
	if (o->request_len > UINT32_MAX)
		goto inval;
	c->req_len = RTI_GRPC_HDR_LEN + o->request_len;
	c->req = malloc(c->req_len);
	c->rbuf = malloc(READ_BUF);
	if (!c->req || !c->rbuf || pipe2(c->wake, O_NONBLOCK | O_CLOEXEC) < 0)
		goto nomem;
	rti_grpc_frame_header(c->req, false, (uint32_t)o->request_len);
	if (o->request_len)
		memcpy(c->req + RTI_GRPC_HDR_LEN, o->request, o->request_len);
	return c;
inval:
	free(c);
	errno = EINVAL;
	return NULL;
nomem:
	rti_grpc_client_free(c);
	errno = ENOMEM;
	return NULL;
}

void rti_grpc_client_free(struct rti_grpc_client *c)
{
	if (!c)
		return;
	if (c->wake[0] >= 0)
		close(c->wake[0]);
	if (c->wake[1] >= 0)
		close(c->wake[1]);
	free(c->req);
	free(c->rbuf);
	free(c);
}

void rti_grpc_client_stop(struct rti_grpc_client *c)
{
	ssize_t r;

	atomic_store(&c->stopped, 1);
	r = write(c->wake[1], "x", 1); /* full pipe: already woken */
	(void)r;
}

bool rti_grpc_client_stopped(const struct rti_grpc_client *c)
{
	return atomic_load(&((struct rti_grpc_client *)c)->stopped) != 0;
}

unsigned rti_grpc_client_keepalive_ms(const struct rti_grpc_client *c)
{
	return atomic_load(&((struct rti_grpc_client *)c)->keepalive_ms);
}

int rti_grpc_client_sleep(struct rti_grpc_client *c, unsigned ms)
{
	uint64_t end = rti_now_ns() + (uint64_t)ms * 1000000ull;

	while (!rti_grpc_client_stopped(c)) {
		struct pollfd pf = { c->wake[0], POLLIN, 0 };
		uint64_t now = rti_now_ns();

		if (now >= end)
			return 0;
		poll(&pf, 1, (int)((end - now + 999999) / 1000000));
	}
	return 1;
}

static int setup_session(struct call *k)
{
	struct rti_grpc_client *c = k->c;
	nghttp2_session_callbacks *cb;
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, STREAM_WINDOW },
		{ NGHTTP2_SETTINGS_MAX_FRAME_SIZE, MAX_FRAME },
	};
#define NV(n, v)                                                                   \
	{ (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v),                \
	  NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE }
	nghttp2_nv hdrs[] = {
		NV(":method", "POST"),
		NV(":scheme", "http"),
		NV(":path", c->path),
		NV(":authority", c->addr.authority),
		NV("content-type", "application/grpc"),
		NV("te", "trailers"),
		NV("user-agent", c->user_agent),
		NV("grpc-accept-encoding", "identity,deflate,gzip"),
	};
#undef NV
	nghttp2_data_provider dp;
	int rv;

	if (nghttp2_session_callbacks_new(&cb))
		return -ENOMEM;
	nghttp2_session_callbacks_set_send_callback(cb, send_cb);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_cb);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_cb);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header_cb);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_close_cb);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_sent_cb);
	rv = nghttp2_session_client_new(&k->s, cb, k);
	nghttp2_session_callbacks_del(cb);
	if (rv)
		return -ENOMEM;
	if (nghttp2_submit_settings(k->s, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) ||
	    nghttp2_session_set_local_window_size(k->s, NGHTTP2_FLAG_NONE, 0, CONN_WINDOW))
		return -ENOMEM;
	dp.source.ptr = NULL;
	dp.read_callback = req_read_cb;
	k->sid = nghttp2_submit_request(k->s, NULL, hdrs, sizeof(hdrs) / sizeof(hdrs[0]), &dp,
					NULL);
	return k->sid < 0 ? -ENOMEM : 0;
}

/* Milliseconds until the next timer, or -1. Fires due timers. */
static int timers(struct call *k, uint64_t preface_deadline)
{
	struct rti_grpc_client *c = k->c;
	uint64_t now = rti_now_ns();
	uint64_t ka = (uint64_t)atomic_load(&c->keepalive_ms) * 1000000ull;
	uint64_t due;

	if (!k->info->connected) {
		if (now >= preface_deadline) {
			char m[96];

			snprintf(m, sizeof(m), "no HTTP/2 server preface within %u ms",
				 c->connect_timeout_ms);
			local_fail(k, RTI_GRPC_UNAVAILABLE, m);
			return 0;
		}
		due = preface_deadline;
	} else if (k->ping_out) {
		due = k->ping_at + (uint64_t)c->keepalive_timeout_ms * 1000000ull;
		if (now >= due) {
			char m[96];

			snprintf(m, sizeof(m), "keepalive timeout: no PING ack within %u ms",
				 c->keepalive_timeout_ms);
			local_fail(k, RTI_GRPC_UNAVAILABLE, m);
			return 0;
		}
	} else if (k->pings_without_data < c->max_pings) {
		due = k->last_rx + ka;
		if (now >= due) {
			if (nghttp2_submit_ping(k->s, NGHTTP2_FLAG_NONE, NULL) == 0) {
				k->ping_out = true;
				k->ping_at = now;
				k->pings_without_data++;
				k->info->pings++;
			}
			due = now + (uint64_t)c->keepalive_timeout_ms * 1000000ull;
		}
	} else {
		return -1;
	}
	return (int)((due - now + 999999) / 1000000);
}

static const char *h2_code(uint32_t code)
{
	static const char *const names[] = {
		"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
		"SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM",
		"CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
		"INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "UNKNOWN_ERROR";
}

/* The gRPC status of the ended call, as the gRPC HTTP/2 spec says. */
static void conclude(struct call *k)
{
	struct rti_grpc_call_info *in = k->info;
	size_t dl = 0;

	in->detail[0] = '\0';
	if (k->goaway)
		dl += (size_t)snprintf(in->detail + dl, sizeof(in->detail) - dl,
				       "GOAWAY %s%s%s%s", h2_code(k->goaway_code),
				       k->goaway_debug[0] ? " \"" : "", k->goaway_debug,
				       k->goaway_debug[0] ? "\"" : "");
	if (k->closed && k->close_code && dl < sizeof(in->detail))
		dl += (size_t)snprintf(in->detail + dl, sizeof(in->detail) - dl,
				       "%sRST_STREAM %s", dl ? "; " : "", h2_code(k->close_code));
	if (k->failed) {
		in->status = k->local_status;
		snprintf(in->message, sizeof(in->message), "%s", k->local_msg);
	} else if (k->have_status) {
		in->status = k->status;
		snprintf(in->message, sizeof(in->message), "%s", k->message);
		if (k->status == RTI_GRPC_OK && !rti_deframer_idle(&k->df)) {
			in->status = RTI_GRPC_INTERNAL;
			snprintf(in->message, sizeof(in->message), "stream ended inside a message");
		}
	} else if (in->got_headers && k->http_status && k->http_status != 200) {
		in->status = rti_grpc_status_from_http(k->http_status);
		snprintf(in->message, sizeof(in->message), "HTTP status %d", k->http_status);
	} else if (k->closed && k->close_code) {
		in->status = rti_grpc_status_from_h2(k->close_code);
		snprintf(in->message, sizeof(in->message), "stream reset by the server (%s)",
			 h2_code(k->close_code));
	} else if (k->io_err) {
		in->status = RTI_GRPC_UNAVAILABLE;
		snprintf(in->message, sizeof(in->message), "connection lost: %s",
			 strerror(k->io_err));
	} else if (k->eof) {
		in->status = RTI_GRPC_UNAVAILABLE;
		snprintf(in->message, sizeof(in->message), "connection closed by the server");
	} else if (in->got_headers && k->ct_seen && !k->ct_grpc) {
		in->status = RTI_GRPC_UNKNOWN;
		snprintf(in->message, sizeof(in->message), "response is not application/grpc");
	} else if (k->closed) {
		in->status = RTI_GRPC_INTERNAL;
		snprintf(in->message, sizeof(in->message), "stream ended without grpc-status");
	} else {
		in->status = RTI_GRPC_UNAVAILABLE;
		snprintf(in->message, sizeof(in->message), "connection ended");
	}
}

int rti_grpc_client_call(struct rti_grpc_client *c, const struct rti_grpc_handler *h,
			 void *ctx, struct rti_grpc_call_info *info)
{
	struct call k;
	uint64_t preface_deadline;
	char why[200];
	int err;

	memset(info, 0, sizeof(*info));
	memset(&k, 0, sizeof(k));
	k.c = c;
	k.h = h;
	k.ctx = ctx;
	k.info = info;
	k.fd = -1;
	if (rti_grpc_client_stopped(c)) {
		info->status = RTI_GRPC_CANCELLED;
		snprintf(info->message, sizeof(info->message), "stopped");
		return info->status;
	}
	k.fd = rti_net_connect(&c->addr, c->connect_timeout_ms, c->wake[0], why, sizeof(why));
	if (k.fd < 0) {
		info->status = k.fd == -ECANCELED ? RTI_GRPC_CANCELLED : RTI_GRPC_UNAVAILABLE;
		snprintf(info->message, sizeof(info->message), "%s", why);
		return info->status;
	}
	rti_deframer_init(&k.df, c->max_message);
	err = setup_session(&k);
	if (err) {
		local_fail(&k, RTI_GRPC_INTERNAL, "out of memory");
		goto out;
	}
	k.last_rx = rti_now_ns();
	preface_deadline = k.last_rx + (uint64_t)c->connect_timeout_ms * 1000000ull;
	for (;;) {
		struct pollfd pf[2];
		int tmo;
		int r;

		if (nghttp2_session_send(k.s)) {
			if (!k.io_err)
				local_fail(&k, RTI_GRPC_INTERNAL, "HTTP/2 send failed");
			break;
		}
		if (k.closed || k.failed || k.eof || k.io_err)
			break;
		if (rti_grpc_client_stopped(c)) {
			local_fail(&k, RTI_GRPC_CANCELLED, "stopped by the agent");
			nghttp2_submit_rst_stream(k.s, NGHTTP2_FLAG_NONE, k.sid, NGHTTP2_CANCEL);
			nghttp2_session_terminate_session(k.s, NGHTTP2_NO_ERROR);
			nghttp2_session_send(k.s);
			break;
		}
		if (!nghttp2_session_want_read(k.s) && !nghttp2_session_want_write(k.s))
			break;
		tmo = timers(&k, preface_deadline);
		if (k.failed)
			break;
		/* a PING may just have been queued: send it before sleeping */
		if (nghttp2_session_want_write(k.s) && nghttp2_session_send(k.s)) {
			if (!k.io_err)
				local_fail(&k, RTI_GRPC_INTERNAL, "HTTP/2 send failed");
			break;
		}
		pf[0].fd = k.fd;
		pf[0].events = POLLIN | (nghttp2_session_want_write(k.s) ? POLLOUT : 0);
		pf[0].revents = 0;
		pf[1].fd = c->wake[0];
		pf[1].events = POLLIN;
		pf[1].revents = 0;
		r = poll(pf, 2, tmo);
		if (r < 0 && errno != EINTR) {
			k.io_err = errno;
			break;
		}
		if (r <= 0 || !(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (int i = 0; i < READS_PER_TURN; i++) {
			ssize_t n = recv(k.fd, c->rbuf, READ_BUF, 0);
			ssize_t used;

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n < 0) {
				k.io_err = errno;
				break;
			}
			if (n == 0) {
				k.eof = true;
				break;
			}
			k.last_rx = rti_now_ns();
			used = nghttp2_session_mem_recv(k.s, c->rbuf, (size_t)n);
			if (used < 0) {
				char m[128];

				snprintf(m, sizeof(m), "HTTP/2 protocol error: %s",
					 nghttp2_strerror((int)used));
				local_fail(&k, RTI_GRPC_INTERNAL, m);
				break;
			}
			if (k.closed || k.failed)
				break;
			if ((size_t)n < READ_BUF)
				break;
		}
	}
out:
	if (k.connected_at)
		info->connected_ns = rti_now_ns() - k.connected_at;
	info->compressed = k.df.compressed;
	conclude(&k);
	if (k.s)
		nghttp2_session_del(k.s);
	rti_deframer_release(&k.df);
	close(k.fd);
	return info->status;
}
