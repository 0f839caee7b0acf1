/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reloads (spec agent.md §4): SIGHUP or a change in the configuration
 * directory (inotify on the directory, so a ConfigMap's ..data symlink
 * swap is seen; debounced) wakes the control thread, which loads and
 * validates the whole configuration off the event path; the writer thread
 * then switches it in between two events (rti_agent_apply_pending). One
 * reload is prepared at a time: requests that arrive meanwhile coalesce
 * into the next. A failed load keeps the running configuration, logs why
 * and counts result="failure"; keys that need a restart keep their value
 * and are reported.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agent/agent_int.h"
#include "pipeline/pipeline_int.h"
#include "util/clock.h"

#define DEBOUNCE_MS 200
#define WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CLOSE_WRITE | \
		    IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)

/* The directory of the main file, and its config.d. */
static void config_dirs(const char *path, char *dir, size_t dlen, char *dropin, size_t ilen)
{
	const char *slash = strrchr(path, '/');

	if (slash)
		snprintf(dir, dlen, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	else
		snprintf(dir, dlen, ".");
	snprintf(dropin, ilen, "%s/config.d", dir);
}

static void add_watches(struct rti_agent *a)
{
	char dir[PATH_MAX], dropin[PATH_MAX + 16];

	config_dirs(a->config_path, dir, sizeof(dir), dropin, sizeof(dropin));
	inotify_add_watch(a->ino_fd, dir, WATCH_MASK | IN_ONLYDIR);
	inotify_add_watch(a->ino_fd, dropin, WATCH_MASK | IN_ONLYDIR); /* may not exist */
}

/* Whether a directory event names something the configuration is made of. */
static bool relevant(const struct rti_agent *a, const struct inotify_event *ev)
{
	const char *base = strrchr(a->config_path, '/');
	size_t n;

	if (!ev->len)
		return true; /* the directory itself */
	base = base ? base + 1 : a->config_path;
	n = strlen(ev->name);
	return !strcmp(ev->name, base) || !strcmp(ev->name, "config.d") ||
	       !strncmp(ev->name, "..", 2) || (n > 5 && !strcmp(ev->name + n - 5, ".yaml"));
}

/* Reads the pending inotify events: true when one matters. */
static bool drain_inotify(struct rti_agent *a)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool hit = false;
	ssize_t n;

	while ((n = read(a->ino_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			hit |= relevant(a, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	return hit;
}

static void free_reconf(struct rti_reconf *r)
{
	if (!r)
		return;
	rti_config_free(r->cfg);
	free(r);
}

/* Restart-only keys whose value changed: reported, the old value kept. */
static unsigned keep_restart_keys(struct rti_agent *a, struct rti_config *nc)
{
	unsigned changed = 0;

	for (int id = 0; id < O__COUNT; id++) {
		const struct rti_option *o = &rti_options[id];
		char was[512], now[512];
		FILE *f;

		if (!(o->flags & RTI_OPT_RESTART))
			continue;
		/* compare the printed values: one definition of "the same" */
		f = fmemopen(was, sizeof(was), "w");
		if (f) {
			rti_config_print_value(f, a->cfg, (enum rti_opt_id)id, true);
			fclose(f);
		}
		f = fmemopen(now, sizeof(now), "w");
		if (f) {
			rti_config_print_value(f, nc, (enum rti_opt_id)id, true);
			fclose(f);
		}
		if (!strcmp(was, now))
			continue;
		changed++;
		rti_log(&a->log, RTI_LOG_WARN, "configuration change needs a restart: old value kept",
			"key", o->key, (const char *)NULL);
		{
			struct rti_cval tmp = nc->v[id];

			nc->v[id] = a->cfg->v[id];
			a->cfg->v[id] = tmp;
		}
		if (id == O_NODE)
			memcpy(nc->node, a->cfg->node, sizeof(nc->node));
	}
	return changed;
}

/* Control thread: load and validate, then hand over. */
static void prepare_reload(struct rti_agent *a)
{
	struct rti_reconf *r;
	char err[1024];
	struct rti_config *nc = rti_config_load(a->config_path, err, sizeof(err));

	if (!nc) {
		atomic_fetch_add(&a->reloads_failed, 1);
		rti_log(&a->log, RTI_LOG_ERROR, "reload failed: the running configuration is kept",
			"error", err, (const char *)NULL);
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		rti_config_free(nc);
		atomic_fetch_add(&a->reloads_failed, 1);
		return;
	}
	atomic_fetch_add(&a->reloads_restart_keys, keep_restart_keys(a, nc));
	r->cfg = nc;
	atomic_store(&a->pending, r);
}

static void *ctl_main(void *arg)
{
	struct rti_agent *a = arg;
	uint64_t due = 0, next_tick = rti_coarse_ms() + 5000;

	while (atomic_load(&a->ctl_run)) {
		struct pollfd pfd = { .fd = a->ino_fd, .events = POLLIN };
		uint64_t now;

		poll(&pfd, a->ino_fd >= 0 ? 1 : 0, 50);
		now = rti_coarse_ms();
		if (a->ino_fd >= 0 && (pfd.revents & POLLIN) && drain_inotify(a))
			due = now + DEBOUNCE_MS; /* debounce: wait until changes settle */
		if (due && now >= due) {
			due = 0;
			atomic_store(&a->reload_req, 1);
		}
		free_reconf(atomic_exchange(&a->retired, NULL));
		if (!atomic_load(&a->pending) && atomic_exchange(&a->reload_req, 0)) {
			prepare_reload(a);
			if (a->ino_fd >= 0)
				add_watches(a); /* config.d may be new, or a new inode */
		}
		if (now >= next_tick) {
			rti_log_tick(&a->log);
			next_tick = now + 5000;
		}
	}
	return NULL;
}

int rti_agent_ctl_start(struct rti_agent *a)
{
	if (a->watch) {
		a->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (a->ino_fd >= 0)
			add_watches(a);
		else
			rti_log(&a->log, RTI_LOG_WARN, "cannot watch the configuration directory",
				"error", strerror(errno), (const char *)NULL);
	}
	atomic_store(&a->ctl_run, true);
	if (pthread_create(&a->ctl, NULL, ctl_main, a)) {
		atomic_store(&a->ctl_run, false);
		return -EAGAIN;
	}
	a->ctl_started = true;
	return 0;
}

void rti_agent_ctl_stop(struct rti_agent *a)
{
	if (a->ctl_started) {
		atomic_store(&a->ctl_run, false);
		pthread_join(a->ctl, NULL);
		a->ctl_started = false;
	}
	if (a->ino_fd >= 0)
		close(a->ino_fd);
	a->ino_fd = -1;
}

void rti_agent_apply_pending(struct rti_agent *a)
{
	struct rti_reconf *r = atomic_exchange(&a->pending, NULL);
	struct rti_config *old, *nc;
	const struct rti_privacy *prof;
	struct rti_policy_set tmp;

	if (!r)
		return;
	old = a->cfg;
	nc = r->cfg;
	prof = nc->profile;
	rti_pipeline_swap_config(a->p, &prof, &nc->policies);
	/* the old policies go with the old configuration (freed by the control thread) */
	tmp = old->policies;
	old->policies = nc->policies;
	nc->policies = tmp;
	a->profile = nc->profile;
	a->cfg = nc;
	rti_agent_apply_settings(a, nc);
	r->cfg = old;
	free_reconf(atomic_exchange(&a->retired, r));
	atomic_fetch_add(&a->reloads_ok, 1);
	rti_log(&a->log, RTI_LOG_INFO, "configuration reloaded", "privacy_profile",
		rti_privacy_name(nc->profile), (const char *)NULL);
}
