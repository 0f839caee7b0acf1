/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gRPC over HTTP/2 for Tetragon's event stream, on libnghttp2 + zlib
 * (protobuf-c for the messages): the client behind `stella-rti run` and the
 * GetEvents server behind `stella-rti replay`. No gRPC runtime: the framing
 * layer is ours (docs/grpc.md), tested against grpcio servers.
 *
 * Targets: "unix:///abs/path" (also "unix:/abs/path", "unix:rel/path"),
 * "host:port", "[v6addr]:port"; a missing port means Tetragon's 54321.
 */
#ifndef RTI_GRPC_H
#define RTI_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTI_GRPC_DEFAULT_TARGET "unix:///var/run/tetragon/tetragon.sock"
#define RTI_GRPC_DEFAULT_PORT "54321"
#define RTI_GRPC_GETEVENTS_PATH "/tetragon.FineGuidanceSensors/GetEvents"

/* gRPC status codes. */
enum rti_grpc_code {
	RTI_GRPC_OK = 0,
	RTI_GRPC_CANCELLED = 1,
	RTI_GRPC_UNKNOWN = 2,
	RTI_GRPC_INVALID_ARGUMENT = 3,
	RTI_GRPC_DEADLINE_EXCEEDED = 4,
	RTI_GRPC_NOT_FOUND = 5,
	RTI_GRPC_ALREADY_EXISTS = 6,
	RTI_GRPC_PERMISSION_DENIED = 7,
	RTI_GRPC_RESOURCE_EXHAUSTED = 8,
	RTI_GRPC_FAILED_PRECONDITION = 9,
	RTI_GRPC_ABORTED = 10,
	RTI_GRPC_OUT_OF_RANGE = 11,
	RTI_GRPC_UNIMPLEMENTED = 12,
	RTI_GRPC_INTERNAL = 13,
	RTI_GRPC_UNAVAILABLE = 14,
	RTI_GRPC_DATA_LOSS = 15,
	RTI_GRPC_UNAUTHENTICATED = 16,
};

/* "UNAVAILABLE"; "CODE_<n>" style text for unknown codes is not stable. */
const char *rti_grpc_code_name(int code);

/* ---- targets ---- */

struct rti_grpc_addr {
	bool is_unix;
	char path[108];       /* unix socket path */
	char host[256];       /* TCP: name or address, brackets stripped */
	char port[8];
	char authority[272];  /* :authority ("localhost" for unix sockets) */
};

/* 0, or -EINVAL with err filled. */
int rti_grpc_addr_parse(const char *target, struct rti_grpc_addr *a, char *err,
			size_t errlen);
/* "unix:///path" or "host:port" (brackets for IPv6). */
void rti_grpc_addr_format(const struct rti_grpc_addr *a, char *out, size_t outlen);

/* ---- client ---- */

struct rti_grpc_client;

struct rti_grpc_client_opts {
	size_t sz;                       /* sizeof(struct rti_grpc_client_opts) */
	const char *target;              /* NULL = RTI_GRPC_DEFAULT_TARGET */
	const char *path;                /* NULL = RTI_GRPC_GETEVENTS_PATH */
	const void *request;             /* serialized request message */
	size_t request_len;
	size_t max_message;              /* decompressed bytes; 0 = 16 MiB */
	unsigned connect_timeout_ms;     /* connect + server preface; 0 = 10 s */
	unsigned keepalive_ms;           /* idle time before a PING; 0 = 5 min */
	unsigned keepalive_timeout_ms;   /* PING ack deadline; 0 = 20 s */
	const char *user_agent;          /* NULL = "stella-rti (nghttp2)" */
	/* PINGs per idle period, i.e. until a DATA or HEADERS frame arrives;
	 * 0 = 2, grpc's policy (more makes grpc servers send too_many_pings) */
	unsigned max_pings_without_data;
};

/* Callbacks of one call; they run on the thread that called
 * rti_grpc_client_call(). */
struct rti_grpc_handler {
	/* The connection is up and the request is sent (server preface seen). */
	void (*connected)(void *ctx);
	/* One decompressed message, valid during the call only. Non-zero
	 * cancels the call (status CANCELLED). */
	int (*message)(void *ctx, const uint8_t *msg, size_t len);
};

/* How one call ended. */
struct rti_grpc_call_info {
	int status;              /* gRPC status code */
	char message[256];       /* grpc-message (percent-decoded) or our reason */
	char detail[192];        /* transport detail (GOAWAY, RST_STREAM, errno, ...) */
	bool connected;          /* server preface received */
	bool got_headers;        /* response headers received */
	bool too_many_pings;     /* server said so: keepalive interval doubled */
	uint64_t messages;       /* messages delivered */
	uint64_t wire_bytes;     /* DATA payload bytes received */
	uint64_t compressed;     /* messages that arrived compressed */
	uint64_t pings;          /* keepalive PINGs sent */
	uint64_t connected_ns;   /* time spent connected (monotonic) */
};

/* NULL with errno (EINVAL: bad target or options, ENOMEM). */
struct rti_grpc_client *rti_grpc_client_new(const struct rti_grpc_client_opts *opts);
void rti_grpc_client_free(struct rti_grpc_client *c);

/*
 * One call on a fresh connection: connect, send the request, deliver
 * messages until the stream ends, the connection fails or
 * rti_grpc_client_stop() is called. Returns the gRPC status code; info is
 * always filled. Statuses come from trailers, trailers-only responses, the
 * HTTP status, RST_STREAM and GOAWAY codes as the gRPC HTTP/2 spec maps
 * them; a dropped connection or a keepalive timeout is UNAVAILABLE.
 */
int rti_grpc_client_call(struct rti_grpc_client *c, const struct rti_grpc_handler *h,
			 void *ctx, struct rti_grpc_call_info *info);

/* Sleeps up to ms; returns early (1) when stopped. For backoff delays. */
int rti_grpc_client_sleep(struct rti_grpc_client *c, unsigned ms);

/* Ends the current call and any later one soon. Async-signal-safe and
 * callable from any thread. */
void rti_grpc_client_stop(struct rti_grpc_client *c);
bool rti_grpc_client_stopped(const struct rti_grpc_client *c);

/* The keepalive interval now in use (doubled after "too_many_pings"). */
unsigned rti_grpc_client_keepalive_ms(const struct rti_grpc_client *c);

/* Exponential backoff with +-20% jitter: min(initial * 2^attempt, max).
 * seed is the caller's PRNG state (xorshift). */
unsigned rti_grpc_backoff_ms(unsigned attempt, unsigned initial_ms, unsigned max_ms,
			     uint64_t *seed);

/* ---- GetEventsRequest ---- */

/* Filters of one GetEventsRequest Filter message (all fields ANDed). */
struct rti_grpc_filter {
	const char *const *event_types; /* "PROCESS_KPROBE", "process_kprobe", "kprobe" */
	unsigned n_event_types;
	const char *const *namespaces;  /* "" = host (non-pod) processes */
	unsigned n_namespaces;
	const char *const *pod_regex;
	unsigned n_pod_regex;
	const char *const *binary_regex;
	unsigned n_binary_regex;
};

/*
 * Serializes a GetEventsRequest with at most one allow and one deny
 * filter (NULL or empty = none). *out is malloc'ed. 0, or -EINVAL with
 * err filled (unknown event type), -ENOMEM.
 */
int rti_grpc_events_request(const struct rti_grpc_filter *allow,
			    const struct rti_grpc_filter *deny, uint8_t **out,
			    size_t *outlen, char *err, size_t errlen);

#define RTI_GRPC_MAX_FILTERS 64

/*
 * The same with lists: Tetragon passes an event that matches any filter of
 * allow_list (all when empty) and none of deny_list. Empty filters are left
 * out. At most RTI_GRPC_MAX_FILTERS each (-E2BIG).
 */
int rti_grpc_events_request_lists(const struct rti_grpc_filter *allow, unsigned nallow,
				  const struct rti_grpc_filter *deny, unsigned ndeny,
				  uint8_t **out, size_t *outlen, char *err, size_t errlen);

/* ---- server (replay) ---- */

struct rti_grpc_server;

/* The messages a GetEvents stream serves: already serialized
 * GetEventsResponse messages (uncompressed). */
struct rti_grpc_msgset {
	const uint8_t *data;    /* all payloads back to back */
	const size_t *off;      /* n + 1 offsets into data */
	size_t n;
};

enum rti_grpc_server_end {
	RTI_GRPC_END_HOLD = 0,  /* keep the stream open, like Tetragon */
	RTI_GRPC_END_OK,        /* trailers with grpc-status 0 */
};

struct rti_grpc_server_opts {
	size_t sz;                /* sizeof(struct rti_grpc_server_opts) */
	const char *listen;       /* target syntax; TCP port 0 = any */
	const struct rti_grpc_msgset *msgs;
	double rate;              /* messages per second per stream; 0 = unlimited */
	bool loop;                /* serve the set again and again */
	enum rti_grpc_server_end end;
	bool gzip;                /* compress messages (grpc-encoding gzip) */
	unsigned max_conns;       /* 0 = 64 */
	uint64_t max_messages;    /* per stream, then end as `end` says; 0 = no limit */
};

struct rti_grpc_server_stats {
	uint64_t connections, streams, messages, bytes, rejected;
};

/* NULL with errno; why filled. Listening when this returns. */
struct rti_grpc_server *rti_grpc_server_new(const struct rti_grpc_server_opts *opts,
					    char *why, size_t whylen);
/* The address actually bound (TCP port resolved), target syntax. */
const char *rti_grpc_server_address(const struct rti_grpc_server *s);
/* Serves until rti_grpc_server_stop(). 0 or -errno. */
int rti_grpc_server_run(struct rti_grpc_server *s);
void rti_grpc_server_stop(struct rti_grpc_server *s); /* async-signal-safe */
const struct rti_grpc_server_stats *rti_grpc_server_stats(const struct rti_grpc_server *s);
void rti_grpc_server_free(struct rti_grpc_server *s);

#endif
