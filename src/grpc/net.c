/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include "grpc/net.h"

static const char *const code_names[] = {
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
	"NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
	"FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
	"INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

const char *rti_grpc_code_name(int code)
{
	if (code >= 0 && (size_t)code < sizeof(code_names) / sizeof(code_names[0]))
		return code_names[code];
	return "UNKNOWN_CODE";
}

static int perr(char *err, size_t n, const char *msg, const char *target)
{
	snprintf(err, n, "%s: %s", target, msg);
	return -EINVAL;
}

int rti_grpc_addr_parse(const char *t, struct rti_grpc_addr *a, char *err, size_t errlen)
{
	const char *hp;
	const char *colon;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (!t || !*t)
		return perr(err, errlen, "empty target", "target");
	if (!strncmp(t, "unix:", 5)) {
		const char *p = t + 5;

		if (!strncmp(p, "//", 2)) {
			p += 2;
			if (*p != '/')
				return perr(err, errlen, "unix:// needs an absolute path (unix:///path)", t);
		}
		if (!*p)
			return perr(err, errlen, "empty socket path", t);
		if (strlen(p) >= sizeof(a->path))
			return perr(err, errlen, "socket path too long", t);
		a->is_unix = true;
		memcpy(a->path, p, strlen(p) + 1);
		memcpy(a->authority, "localhost", 10);
		return 0;
	}
	if (strstr(t, "://"))
		return perr(err, errlen, "unsupported scheme (use unix:///path or host:port)", t);
	hp = t;
	if (*hp == '[') {
		const char *rb = strchr(hp, ']');

		if (!rb)
			return perr(err, errlen, "missing ']'", t);
		hl = (size_t)(rb - hp - 1);
		if (hl == 0 || hl >= sizeof(a->host))
			return perr(err, errlen, "bad IPv6 address", t);
		memcpy(a->host, hp + 1, hl);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] && !colon)
			return perr(err, errlen, "junk after ']'", t);
	} else {
		colon = strrchr(hp, ':');
		if (colon && strchr(hp, ':') != colon)
			return perr(err, errlen, "IPv6 addresses need brackets: [addr]:port", t);
		hl = colon ? (size_t)(colon - hp) : strlen(hp);
		if (hl >= sizeof(a->host))
			return perr(err, errlen, "host name too long", t);
		memcpy(a->host, hp, hl);
	}
	if (!a->host[0])
		memcpy(a->host, "localhost", 10); /* ":54321" */
	if (colon) {
		const char *p = colon + 1;
		unsigned long v = 0;
		size_t n = strlen(p);

		if (n == 0 || n > 5)
			return perr(err, errlen, "bad port", t);
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return perr(err, errlen, "bad port", t);
			v = v * 10 + (unsigned long)(p[i] - '0');
		}
		if (v > 65535)
			return perr(err, errlen, "port out of range", t);
		snprintf(a->port, sizeof(a->port), "%lu", v);
	} else {
		memcpy(a->port, RTI_GRPC_DEFAULT_PORT, sizeof(RTI_GRPC_DEFAULT_PORT));
	}
	if (strchr(a->host, ':'))
		snprintf(a->authority, sizeof(a->authority), "[%s]:%s", a->host, a->port);
	else
		snprintf(a->authority, sizeof(a->authority), "%s:%s", a->host, a->port);
	return 0;
}

void rti_grpc_addr_format(const struct rti_grpc_addr *a, char *out, size_t outlen)
{
	if (a->is_unix && a->path[0] == '/')
		snprintf(out, outlen, "unix://%s", a->path);
	else if (a->is_unix)
		snprintf(out, outlen, "unix:%s", a->path);
	else
		snprintf(out, outlen, "%s", a->authority);
}

static void sock_opts(int fd, bool tcp)
{
	int one = 1;

	if (tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Waits for a non-blocking connect. 0, or -errno. */
static int wait_connect(int fd, uint64_t deadline, int wake_fd)
{
	for (;;) {
		struct pollfd pf[2] = { { fd, POLLOUT, 0 }, { wake_fd, POLLIN, 0 } };
		uint64_t now = rti_now_ns();
		int ms;
		int r;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (now >= deadline)
			return -ETIMEDOUT;
		ms = (int)((deadline - now + 999999) / 1000000);
		r = poll(pf, wake_fd >= 0 ? 2 : 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (wake_fd >= 0 && (pf[1].revents & POLLIN))
			return -ECANCELED;
		if (r == 0)
			continue;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			return -errno;
		return soerr ? -soerr : 0;
	}
}

int rti_net_connect(const struct rti_grpc_addr *a, unsigned timeout_ms, int wake_fd,
		    char *why, size_t whylen)
{
	uint64_t deadline = rti_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	int err = -ECONNREFUSED;
	int gai;

	if (a->is_unix) {
		struct sockaddr_un sun;
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			err = -errno;
			snprintf(why, whylen, "socket: %s", strerror(errno));
			return err;
		}
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return fd;
		err = -errno;
		if (err == -EINPROGRESS)
			err = wait_connect(fd, deadline, wake_fd);
		if (!err)
			return fd;
		close(fd);
		snprintf(why, whylen, "connect %s: %s", a->path, strerror(-err));
		return err;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	gai = getaddrinfo(a->host, a->port, &hints, &res);
	if (gai) {
		snprintf(why, whylen, "resolve %s: %s", a->host, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				ai->ai_protocol);

		if (fd < 0) {
			err = -errno;
			continue;
		}
		sock_opts(fd, true);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(res);
			return fd;
		}
		err = -errno;
		if (err == -EINPROGRESS)
			err = wait_connect(fd, deadline, wake_fd);
		if (!err) {
			freeaddrinfo(res);
			return fd;
		}
		close(fd);
		if (err == -ECANCELED || err == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	snprintf(why, whylen, "connect %s: %s", a->authority, strerror(-err));
	return err;
}

/* A unix socket file nobody listens on is a leftover of a killed server. */
static int clear_stale_unix(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;
	int r;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (r == 0) {
		snprintf(why, whylen, "%s: another server is listening", path);
		return -EADDRINUSE;
	}
	unlink(path);
	return 0;
}

int rti_net_listen(struct rti_grpc_addr *a, char *why, size_t whylen)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	int fd = -1;
	int err;
	int gai;

	if (a->is_unix) {
		struct sockaddr_un sun;

		err = clear_stale_unix(a->path, why, whylen);
		if (err)
			return err;
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			goto fail;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, a->path, strlen(a->path) + 1);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 128) < 0)
			goto fail;
		return fd;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	gai = getaddrinfo(a->host, a->port, &hints, &res);
	if (gai) {
		snprintf(why, whylen, "resolve %s: %s", a->host, gai_strerror(gai));
		return -EHOSTUNREACH;
	}
	{
		int one = 1;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char port[sizeof(a->port)];

		fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    res->ai_protocol);
		if (fd < 0)
			goto fail;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0)
			goto fail;
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
		    getnameinfo((struct sockaddr *)&ss, sl, NULL, 0, port, sizeof(port),
				NI_NUMERICSERV) == 0) {
			snprintf(a->port, sizeof(a->port), "%s", port);
			if (strchr(a->host, ':'))
				snprintf(a->authority, sizeof(a->authority), "[%s]:%s", a->host, a->port);
			else
				snprintf(a->authority, sizeof(a->authority), "%s:%s", a->host, a->port);
		}
	}
	freeaddrinfo(res);
	return fd;
fail:
	err = -errno;
	snprintf(why, whylen, "listen %s: %s", a->is_unix ? a->path : a->authority,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	if (res)
		freeaddrinfo(res);
	return err;
}

unsigned rti_grpc_backoff_ms(unsigned attempt, unsigned initial_ms, unsigned max_ms,
			     uint64_t *seed)
{
	uint64_t d = initial_ms ? initial_ms : 1;
	uint64_t x = *seed ? *seed : 0x9e3779b97f4a7c15ull;
	double j;

	for (unsigned i = 0; i < attempt && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* xorshift64: jitter only, not security relevant */
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*seed = x;
	j = 0.8 + 0.4 * (double)(x >> 11) / (double)(1ull << 53);
	d = (uint64_t)((double)d * j);
	return d ? (unsigned)d : 1;
}

long rti_net_send(int fd, const void *data, size_t len, int *err)
{
	for (;;) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n >= 0)
			return (long)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return NGHTTP2_ERR_WOULDBLOCK;
		*err = errno;
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	}
}
