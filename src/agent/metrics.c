/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /metrics, /healthz and /readyz (spec agent.md §3) on libmicrohttpd's own
 * thread. The HTTP thread reads only atomics, the live object's stats
 * (thread-safe) and the snapshot the writer thread publishes with a
 * trylock: the event path never waits for a scrape.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "util/clock.h"

#ifndef RTI_VERSION
#define RTI_VERSION "0.1.0"
#endif
#ifndef RTI_COMMIT
#define RTI_COMMIT "unknown"
#endif

#define LIVENESS_MS 60000u /* the writer loop turns at least every 100 ms */

static const uint64_t flush_bounds_us[] = { 1000, 5000, 10000, 50000, 100000, 500000,
					    1000000, 5000000, 10000000 };
#define NBOUNDS (sizeof(flush_bounds_us) / sizeof(flush_bounds_us[0]))

void rti_agent_publish(struct rti_agent *a, bool force)
{
	const struct rti_stats *st = rti_pipeline_stats(a->p);
	int locked;

	a->next_publish_ms = rti_coarse_ms() + 100;
	if (st->written_total != a->last_written) {
		a->last_written = st->written_total;
		a->work.last_event_wall_ns = rti_wall_ns();
	}
	a->work.st = *st;
	if (a->dl) {
		rti_delivery_get_stats(a->dl, &a->work.dl);
		a->work.have_dl = true;
	}
	if (a->rot) {
		struct rti_rotate_stats rs;

		rti_rotate_get_stats(a->rot, &rs);
		a->work.out_rotations = rs.rotations;
	}
	if (a->hot) {
		const struct rti_hotsym_stats *hs = rti_hotsym_stats(a->hot);

		/* one observation per new batch, of the last flush's duration */
		for (; a->hot_last_batches < hs->batches; a->hot_last_batches++) {
			for (size_t i = 0; i < NBOUNDS; i++)
				if (hs->last_flush_us <= flush_bounds_us[i])
					a->work.hot_flush_us_hist[i]++;
			a->work.hot_flush_us_sum += hs->last_flush_us;
			a->work.hot_flush_count++;
		}
		a->work.hot = *hs;
		a->work.have_hot = true;
	}
	locked = force ? pthread_mutex_lock(&a->snap_mu) : pthread_mutex_trylock(&a->snap_mu);
	if (locked)
		return; /* a scrape is copying: next turn */
	a->snap = a->work;
	pthread_mutex_unlock(&a->snap_mu);
}

/* ---- the text format ---- */

static void help(FILE *f, const char *name, const char *type, const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void put_u(FILE *f, const char *name, const char *labels, uint64_t v)
{
	fprintf(f, "%s%s %llu\n", name, labels, (unsigned long long)v);
}

static void put_lu(FILE *f, const char *name, const char *label, const char *value, uint64_t v)
{
	fprintf(f, "%s{%s=\"%s\"} %llu\n", name, label, value, (unsigned long long)v);
}

static void render_events(FILE *f, const struct rti_agent_snap *s, const struct rti_live_stats *ls)
{
	uint64_t other = 0;

	help(f, "stella_rti_events_received_total", "counter",
	     "Tetragon events handed to the pipeline, by kind");
	for (int k = 1; k < RTI_KIND__COUNT; k++) {
		const char *n = rti_kind_name((enum rti_kind)k);

		if (!n || k == RTI_KIND_UNKNOWN)
			other += s->st.kind_in[k];
		else
			put_lu(f, "stella_rti_events_received_total", "kind", n, s->st.kind_in[k]);
	}
	put_lu(f, "stella_rti_events_received_total", "kind", "other", other);
	help(f, "stella_rti_events_written_total", "counter", "canonical events written, by probe type");
	for (int t = 0; t < RTI_PROBE__COUNT; t++) {
		const char *n = rti_probe_type_name((enum rti_probe_type)t);

		if (n)
			put_lu(f, "stella_rti_events_written_total", "probe_type", n, s->st.written[t]);
	}
	help(f, "stella_rti_events_dropped_total", "counter", "events lost, by reason");
	put_lu(f, "stella_rti_events_dropped_total", "reason", "queue_full", ls->queue_dropped);
	put_lu(f, "stella_rti_events_dropped_total", "reason", "malformed",
	       s->st.bad_records + ls->not_decodable);
	put_lu(f, "stella_rti_events_dropped_total", "reason", "sink_error", s->st.sink_errors);
	if (s->have_dl) { /* lost on the way to the events sink's receiver */
		put_lu(f, "stella_rti_events_dropped_total", "reason", "spool_full", s->dl.dropped_spool_full);
		put_lu(f, "stella_rti_events_dropped_total", "reason", "disk_full", s->dl.dropped_disk_full);
	}
	help(f, "stella_rti_tetragon_reported_dropped_total", "counter",
	     "events Tetragon reported it dropped (rate_limit_info)");
	put_u(f, "stella_rti_tetragon_reported_dropped_total", "", s->st.rate_limit_dropped);
	help(f, "stella_rti_tetragon_throttle_events_total", "counter",
	     "Tetragon throttle markers, by action");
	put_lu(f, "stella_rti_tetragon_throttle_events_total", "action", "start", s->st.throttle_start);
	put_lu(f, "stella_rti_tetragon_throttle_events_total", "action", "stop", s->st.throttle_stop);
}

static void render_stream(FILE *f, struct rti_agent *a, const struct rti_live_stats *ls)
{
	help(f, "stella_rti_tetragon_connected", "gauge", "1 while the Tetragon stream is connected");
	put_u(f, "stella_rti_tetragon_connected", "", ls->connected ? 1 : 0);
	help(f, "stella_rti_tetragon_reconnects_total", "counter", "connections lost after being connected");
	put_u(f, "stella_rti_tetragon_reconnects_total", "", ls->gaps);
	help(f, "stella_rti_tetragon_messages_total", "counter", "gRPC messages received");
	put_u(f, "stella_rti_tetragon_messages_total", "", ls->messages);
	help(f, "stella_rti_tetragon_received_bytes_total", "counter", "gRPC payload bytes received");
	put_u(f, "stella_rti_tetragon_received_bytes_total", "", ls->wire_bytes);
	help(f, "stella_rti_queue_bytes", "gauge", "bytes queued between the reader and the writer");
	put_u(f, "stella_rti_queue_bytes", "", ls->queue_bytes);
	help(f, "stella_rti_queue_high_water_bytes", "gauge", "most bytes queued at once");
	put_u(f, "stella_rti_queue_high_water_bytes", "", ls->queue_high_water);
	help(f, "stella_rti_queue_capacity_bytes", "gauge", "capacity of the reader-writer queue");
	put_u(f, "stella_rti_queue_capacity_bytes", "", ls->queue_capacity);
	help(f, "stella_rti_config_reloads_total", "counter", "configuration reloads, by result");
	put_lu(f, "stella_rti_config_reloads_total", "result", "success", atomic_load(&a->reloads_ok));
	put_lu(f, "stella_rti_config_reloads_total", "result", "failure",
	       atomic_load(&a->reloads_failed));
}

static void render_stack(FILE *f, const struct rti_agent_snap *s)
{
	help(f, "stella_rti_frames_total", "counter", "stack frames emitted, by what resolved the symbol");
	for (int r = 0; r < RTI_RESOLVED__COUNT; r++) {
		const char *n = rti_resolved_name((enum rti_resolved)r);

		put_lu(f, "stella_rti_frames_total", "resolved_by", n ? n : "none",
		       s->st.symbolize.resolved[r]);
	}
	help(f, "stella_rti_secrets_redacted_total", "counter", "secrets redacted, by detector");
	for (unsigned i = 0; i < 8; i++) {
		const char *n = rti_privacy_secret_kind(i);

		if (n)
			put_lu(f, "stella_rti_secrets_redacted_total", "detector", n, s->st.secrets[i]);
	}
	/* the whole-stack memo (docs/stacks.md); zeros when it is off */
	help(f, "stella_rti_stack_memo_lookups_total", "counter",
	     "whole-stack memo lookups, by result");
	put_lu(f, "stella_rti_stack_memo_lookups_total", "result", "hit", s->st.symbolize.stacks.hits);
	put_lu(f, "stella_rti_stack_memo_lookups_total", "result", "miss",
	       s->st.symbolize.stacks.misses);
	help(f, "stella_rti_stack_memo_evictions_total", "counter",
	     "stacks evicted from the whole-stack memo");
	put_u(f, "stella_rti_stack_memo_evictions_total", "", s->st.symbolize.stacks.evictions);
	help(f, "stella_rti_stack_memo_entries", "gauge", "stacks held in the whole-stack memo");
	put_u(f, "stella_rti_stack_memo_entries", "", s->st.symbolize.stacks.entries);
}

static void render_hot(FILE *f, const struct rti_agent_snap *s)
{
	uint64_t cum = 0;

	if (!s->have_hot)
		return;
	help(f, "stella_rti_hot_flushes_total", "counter", "hot index commits, by result");
	put_lu(f, "stella_rti_hot_flushes_total", "result", "success", s->hot.batches);
	put_lu(f, "stella_rti_hot_flushes_total", "result", "failure", s->hot.flush_errors);
	help(f, "stella_rti_hot_observations_dropped_total", "counter",
	     "hot symbol observations lost (the table was full)");
	put_u(f, "stella_rti_hot_observations_dropped_total", "", s->hot.dropped);
	help(f, "stella_rti_hot_flush_seconds", "histogram", "duration of hot index commits");
	for (size_t i = 0; i < NBOUNDS; i++) {
		cum = s->hot_flush_us_hist[i];
		fprintf(f, "stella_rti_hot_flush_seconds_bucket{le=\"%g\"} %llu\n",
			flush_bounds_us[i] / 1e6, (unsigned long long)cum);
	}
	fprintf(f, "stella_rti_hot_flush_seconds_bucket{le=\"+Inf\"} %llu\n",
		(unsigned long long)s->hot_flush_count);
	fprintf(f, "stella_rti_hot_flush_seconds_sum %.6f\n", s->hot_flush_us_sum / 1e6);
	fprintf(f, "stella_rti_hot_flush_seconds_count %llu\n", (unsigned long long)s->hot_flush_count);
}

static void render_process(FILE *f)
{
	unsigned long long utime = 0, stime = 0, vsize = 0, starttime = 0;
	long rss = 0, tck = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned fds = 0;
	FILE *st = fopen("/proc/self/stat", "re");
	DIR *d;

	if (st) {
		char buf[1024];
		char *p = fgets(buf, sizeof(buf), st) ? strrchr(buf, ')') : NULL;

		if (p)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
				      "%*d %*d %*d %*d %*d %*d %llu %llu %ld",
			       &utime, &stime, &starttime, &vsize, &rss);
		fclose(st);
	}
	d = opendir("/proc/self/fd");
	if (d) {
		for (struct dirent *e; (e = readdir(d));)
			fds += e->d_name[0] != '.';
		closedir(d);
		fds--; /* the directory's own */
	}
	help(f, "process_cpu_seconds_total", "counter", "user and system CPU time");
	fprintf(f, "process_cpu_seconds_total %.2f\n", (double)(utime + stime) / (double)tck);
	help(f, "process_resident_memory_bytes", "gauge", "resident memory size");
	fprintf(f, "process_resident_memory_bytes %lld\n", (long long)rss * page);
	help(f, "process_virtual_memory_bytes", "gauge", "virtual memory size");
	fprintf(f, "process_virtual_memory_bytes %llu\n", vsize);
	help(f, "process_open_fds", "gauge", "open file descriptors");
	fprintf(f, "process_open_fds %u\n", fds);
}

static char *render_metrics(struct rti_agent *a, size_t *len)
{
	struct rti_agent_snap *s = malloc(sizeof(*s));
	struct rti_live_stats ls;
	char *out = NULL;
	FILE *f;

	if (!s)
		return NULL;
	pthread_mutex_lock(&a->snap_mu);
	*s = a->snap;
	pthread_mutex_unlock(&a->snap_mu);
	rti_live_get_stats(a->live, &ls);
	f = open_memstream(&out, len);
	if (!f) {
		free(s);
		return NULL;
	}
	help(f, "stella_rti_build_info", "gauge", "version and commit of this build");
	fprintf(f, "stella_rti_build_info{version=\"%s\",commit=\"%s\"} 1\n", RTI_VERSION, RTI_COMMIT);
	render_events(f, s, &ls);
	render_stream(f, a, &ls);
	render_stack(f, s);
	render_hot(f, s);
	help(f, "stella_rti_output_bytes_total", "counter", "bytes written to the event file");
	put_u(f, "stella_rti_output_bytes_total", "", s->out_bytes);
	help(f, "stella_rti_output_rotations_total", "counter", "event file rotations");
	put_u(f, "stella_rti_output_rotations_total", "", s->out_rotations);
	help(f, "stella_rti_last_event_timestamp_seconds", "gauge",
	     "wall-clock time when an event was last written (0: none yet)");
	fprintf(f, "stella_rti_last_event_timestamp_seconds %.3f\n", s->last_event_wall_ns / 1e9);
	if (a->dl)
		rti_delivery_metrics(a->dl, f);
	render_process(f);
	free(s);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- health ---- */

static char *render_healthz(struct rti_agent *a, unsigned *status)
{
	uint64_t age = rti_coarse_ms() - atomic_load(&a->heartbeat_ms);
	char *body = NULL;

	/* a writer waiting for spool space (when_full: block) waits on purpose:
	 * liveness never depends on a delivery backend */
	if (rti_delivery_blocked(a->dl))
		age = 0;
	*status = age < LIVENESS_MS ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
	if (asprintf(&body, "{\"status\":\"%s\",\"event_loop_age_seconds\":%.3f}\n",
		     *status == MHD_HTTP_OK ? "ok" : "stalled", age / 1000.0) < 0)
		return NULL;
	return body;
}

/* A JSON string value without quotes or control characters. */
static void json_safe(char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
			*s = ' ';
}

static char *render_readyz(struct rti_agent *a, unsigned *status)
{
	uint64_t since = atomic_load(&a->down_since_ms);
	uint64_t grace = atomic_load(&a->ready_grace_ms);
	uint64_t down = since ? rti_coarse_ms() - since : 0;
	bool running = atomic_load(&a->running), out_ok = !atomic_load(&a->output_failed);
	struct rti_live_stats ls;
	char tg[700], spool[64];
	char *body = NULL;
	bool tg_ok, spool_ok = rti_delivery_spool_ok(a->dl, spool, sizeof(spool));

	rti_live_get_stats(a->live, &ls);
	json_safe(ls.last_reason);
	tg_ok = !since || down < grace;
	if (!since)
		snprintf(tg, sizeof(tg), "connected");
	else
		snprintf(tg, sizeof(tg), "%s for %.1fs (grace %.1fs)%s%s",
			 ls.connections ? "reconnecting" : "connecting", down / 1000.0, grace / 1000.0,
			 ls.last_reason[0] ? ": " : "", ls.last_reason);
	*status = running && out_ok && tg_ok && spool_ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
	if (asprintf(&body,
		     "{\"ready\":%s,\"checks\":{\"config\":\"loaded\",\"event_loop\":\"%s\","
		     "\"output\":\"%s\",\"spool\":\"%s\",\"tetragon\":{\"ok\":%s,\"state\":\"%s\"}}}\n",
		     *status == MHD_HTTP_OK ? "true" : "false", running ? "running" : "stopped",
		     out_ok ? "writable" : "failed", spool, tg_ok ? "true" : "false", tg) < 0)
		return NULL;
	return body;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
			     const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (!body)
		return MHD_NO;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req_cls)
{
	struct rti_agent *a = cls;
	unsigned status = MHD_HTTP_OK;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	if (!*req_cls) { /* the headers: answer on the next call */
		*req_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_size)
		return MHD_NO;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, strdup("GET only\n"), 9, "text/plain");
	if (!strcmp(url, "/metrics")) {
		body = render_metrics(a, &len);
		return reply(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
	}
	if (!strcmp(url, "/healthz") || !strcmp(url, "/readyz")) {
		body = url[1] == 'h' ? render_healthz(a, &status) : render_readyz(a, &status);
		return reply(c, status, body, body ? strlen(body) : 0, "application/json");
	}
	body = strdup("not found: /metrics, /healthz, /readyz\n");
	return reply(c, MHD_HTTP_NOT_FOUND, body, body ? strlen(body) : 0, "text/plain");
}

/* "host:port", "[v6]:port", ":port" (all addresses). */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[256], *colon;
	struct addrinfo hints, *res = NULL;
	int rc;

	if (snprintf(host, sizeof(host), "%s", listen) >= (int)sizeof(host))
		goto bad;
	colon = strrchr(host, ':');
	if (!colon || !colon[1])
		goto bad;
	*colon = '\0';
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (rc || !res)
		goto bad;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
bad:
	snprintf(err, errlen, "metrics.listen: '%s': expected HOST:PORT with a numeric address",
		 listen);
	return -EINVAL;
}

int rti_agent_http_start(struct rti_agent *a, const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	char port[16];
	int rc = parse_listen(listen, &ss, err, errlen);

	if (rc)
		return rc;
	a->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					  (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, handle, a, MHD_OPTION_SOCK_ADDR, &ss,
				  MHD_OPTION_CONNECTION_LIMIT, 32u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (!a->mhd) {
		snprintf(err, errlen, "metrics.listen: %s: cannot listen (address in use?)", listen);
		return -EADDRINUSE;
	}
	di = MHD_get_daemon_info(a->mhd, MHD_DAEMON_INFO_BIND_PORT);
	a->port = di ? di->port : 0;
	snprintf(port, sizeof(port), "%u", a->port);
	rti_log(&a->log, RTI_LOG_INFO, "serving /metrics, /healthz, /readyz", "listen", listen,
		"port", port, (const char *)NULL);
	return 0;
}

void rti_agent_http_stop(struct rti_agent *a)
{
	if (a->mhd)
		MHD_stop_daemon(a->mhd);
	a->mhd = NULL;
}
