/* SPDX-License-Identifier: Apache-2.0 */
/* The agent's log lines: logfmt or JSON, levels, rate limits (log.h). */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "agent/log.h"
#include "util/clock.h"

static const char *const level_name[] = { "debug", "info", "warn", "error" };

void rti_logger_init(struct rti_logger *lg, FILE *f)
{
	memset(lg, 0, sizeof(*lg));
	pthread_mutex_init(&lg->mu, NULL);
	lg->f = f;
	atomic_init(&lg->level, RTI_LOG_INFO);
	atomic_init(&lg->json, false);
}

void rti_logger_release(struct rti_logger *lg)
{
	rti_log_tick(lg);
	pthread_mutex_destroy(&lg->mu);
}

void rti_logger_set(struct rti_logger *lg, enum rti_log_level level, bool json)
{
	atomic_store(&lg->level, (int)level);
	atomic_store(&lg->json, json);
}

static uint64_t now_ms(const struct rti_logger *lg)
{
	return lg->now_ms ? lg->now_ms() : rti_now_ns() / 1000000u;
}

/* FNV-1a of msg up to the first ':', digits skipped; never 0. */
static uint64_t key_hash(const char *msg, char *text, size_t tlen)
{
	uint64_t h = 1469598103934665603ull;
	size_t n = 0;

	for (const char *s = msg; *s && *s != ':'; s++) {
		if (*s >= '0' && *s <= '9')
			continue;
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
		if (n + 1 < tlen)
			text[n++] = *s;
	}
	text[n] = '\0';
	return h ? h : 1;
}

/* A value in logfmt: bare when it needs no quotes. */
static void put_logfmt(FILE *f, const char *v)
{
	bool quote = !*v || strpbrk(v, " =\"\\\t\n") != NULL;

	if (!quote) {
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*v < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*v);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void put_json(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++) {
		unsigned char ch = (unsigned char)*v;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_pair(FILE *f, bool json, bool first, const char *k, const char *v)
{
	if (json) {
		fputs(first ? "{" : ",", f);
		put_json(f, k);
		fputc(':', f);
		put_json(f, v);
	} else {
		fprintf(f, "%s%s=", first ? "" : " ", k);
		put_logfmt(f, v);
	}
}

static void put_line(struct rti_logger *lg, enum rti_log_level level, const char *msg,
		     uint64_t suppressed, va_list ap)
{
	bool json = atomic_load(&lg->json);
	char ts[40], num[24];
	struct timespec t;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03ldZ", t.tv_nsec / 1000000);
	put_pair(lg->f, json, true, "time", ts);
	put_pair(lg->f, json, false, "level", level_name[level]);
	put_pair(lg->f, json, false, "msg", msg);
	for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
		put_pair(lg->f, json, false, k, va_arg(ap, const char *));
	if (suppressed) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)suppressed);
		put_pair(lg->f, json, false, "suppressed", num);
	}
	fputs(json ? "}\n" : "\n", lg->f);
	fflush(lg->f);
	lg->lines++;
}

/* The key's slot; NULL when the table is full (then not rate-limited). */
static struct rti_log_key *key_slot(struct rti_logger *lg, const char *msg)
{
	char text[sizeof(lg->keys[0].text)];
	uint64_t h = key_hash(msg, text, sizeof(text));
	struct rti_log_key *free_slot = NULL;

	for (int i = 0; i < RTI_LOG_KEYS; i++) {
		struct rti_log_key *k = &lg->keys[i];

		if (k->hash == h)
			return k;
		if (!k->hash && !free_slot)
			free_slot = k;
	}
	if (free_slot) {
		free_slot->hash = h;
		memcpy(free_slot->text, text, sizeof(text));
	}
	return free_slot;
}

void rti_log(struct rti_logger *lg, enum rti_log_level level, const char *msg, ...)
{
	uint64_t suppressed = 0, now;
	struct rti_log_key *k;
	va_list ap;

	if ((int)level < atomic_load(&lg->level))
		return;
	pthread_mutex_lock(&lg->mu);
	now = now_ms(lg);
	k = key_slot(lg, msg);
	if (k) {
		if (now - k->window_ms >= RTI_LOG_WINDOW_MS || !k->in_window) {
			k->window_ms = now;
			k->in_window = 0;
		}
		if (k->in_window >= RTI_LOG_BURST) {
			k->suppressed++;
			k->level = level;
			lg->suppressed_total++;
			pthread_mutex_unlock(&lg->mu);
			return;
		}
		k->in_window++;
		suppressed = k->suppressed;
		k->suppressed = 0;
	}
	va_start(ap, msg);
	put_line(lg, level, msg, suppressed, ap);
	va_end(ap);
	pthread_mutex_unlock(&lg->mu);
}

static void put_quiet(struct rti_logger *lg, struct rti_log_key *k, ...)
{
	va_list ap;
	char msg[160];

	snprintf(msg, sizeof(msg), "%s (repeats suppressed)", k->text);
	va_start(ap, k);
	put_line(lg, k->level, msg, k->suppressed, ap);
	va_end(ap);
}

void rti_log_tick(struct rti_logger *lg)
{
	uint64_t now;

	pthread_mutex_lock(&lg->mu);
	now = now_ms(lg);
	for (int i = 0; i < RTI_LOG_KEYS; i++) {
		struct rti_log_key *k = &lg->keys[i];

		if (!k->hash || !k->suppressed || now - k->window_ms < RTI_LOG_WINDOW_MS)
			continue;
		put_quiet(lg, k, (const char *)NULL);
		k->suppressed = 0;
		k->in_window = 0;
		k->window_ms = now;
	}
	pthread_mutex_unlock(&lg->mu);
}
