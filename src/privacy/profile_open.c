/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Opening a privacy profile: a built-in by name or a YAML file
 * (profile_yaml.c), then its HMAC key. Apart from profile.c so that the
 * YAML reader, which builds on profile.c, and the opener do not depend on
 * each other.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/profile.h"
#include "util/opts.h"

int rti_privacy_load_key(struct rti_privacy *p, const char *file, char *err, size_t errlen)
{
	struct stat st;
	size_t n = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO must not hang the start; fstat decides */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "privacy key %s: %s", file, strerror(e));
		return -EACCES;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "privacy key %s: not a regular file", file);
		close(fd);
		return -EACCES;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "privacy key %s: readable by group or others (mode %03o); chmod 600 it",
			 file, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -EACCES;
	}
	if (st.st_size > RTI_PRIVACY_KEY_MAX) {
		snprintf(err, errlen, "privacy key %s: %lld bytes; at most %d", file,
			 (long long)st.st_size, RTI_PRIVACY_KEY_MAX);
		close(fd);
		return -EACCES;
	}
	/* to the end: a short read must not shorten the key */
	for (;;) {
		ssize_t r = read(fd, p->key + n, sizeof(p->key) - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			explicit_bzero(p->key, sizeof(p->key));
			snprintf(err, errlen, "privacy key %s: %s", file, strerror(e));
			return -EACCES;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == sizeof(p->key)) {
			char extra;

			if (read(fd, &extra, 1) > 0) {
				close(fd);
				explicit_bzero(p->key, sizeof(p->key));
				snprintf(err, errlen, "privacy key %s: longer than %d bytes", file,
					 RTI_PRIVACY_KEY_MAX);
				return -EACCES;
			}
			break;
		}
	}
	close(fd);
	/* one trailing newline is not part of the key (echo > file) */
	if (n > 0 && p->key[n - 1] == '\n')
		n--;
	if (n < RTI_PRIVACY_KEY_MIN) {
		explicit_bzero(p->key, sizeof(p->key));
		snprintf(err, errlen, "privacy key %s: %zu bytes; at least %d are needed", file, n,
			 RTI_PRIVACY_KEY_MIN);
		return -EACCES;
	}
	p->key_len = n;
	return 0;
}

struct rti_privacy *rti_privacy_open(const char *spec, const struct rti_privacy_opts *o,
				     char *err, size_t errlen)
{
	bool allow_off = RTI_OPTS_GET(o, allow_off, false);
	bool inspect = RTI_OPTS_GET(o, inspect_only, false);
	const char *keyf = RTI_OPTS_GET(o, key_file, NULL);
	struct rti_privacy *p;
	int e;

	if (!spec || !*spec)
		spec = "strict";
	if (!strcmp(spec, "strict") || !strcmp(spec, "balanced") || !strcmp(spec, "off")) {
		if (!strcmp(spec, "off") && !allow_off) {
			snprintf(err, errlen,
				 "the privacy profile 'off' emits arguments, environment and "
				 "secrets; it needs --allow-privacy-off");
			errno = EPERM;
			return NULL;
		}
		p = rti_privacy_new_base(spec);
		if (!p) {
			snprintf(err, errlen, "%s", strerror(errno));
			return NULL;
		}
	} else if (strchr(spec, '/') || strchr(spec, '.')) {
		p = rti_privacy_load_yaml(spec, err, errlen);
		if (!p)
			return NULL;
		if (p->off && !allow_off) {
			snprintf(err, errlen, "%s: base 'off' needs --allow-privacy-off", spec);
			rti_privacy_free(p);
			errno = EPERM;
			return NULL;
		}
	} else {
		snprintf(err, errlen,
			 "unknown privacy profile '%s' (built in: strict, balanced; or a YAML file)",
			 spec);
		errno = ENOENT;
		return NULL;
	}
	if (rti_privacy_finalize(p)) {
		snprintf(err, errlen, "out of memory");
		rti_privacy_free(p);
		errno = ENOMEM;
		return NULL;
	}
	if (!keyf)
		keyf = p->key_file;
	if (keyf && !inspect && (e = rti_privacy_load_key(p, keyf, err, errlen))) {
		rti_privacy_free(p);
		errno = -e;
		return NULL;
	}
	if (rti_privacy_needs_key(p) && !p->key_len && !inspect) {
		snprintf(err, errlen,
			 "privacy profile '%s' has hash rules but no key: give --privacy-key FILE "
			 "or key_file: in the profile",
			 p->name);
		rti_privacy_free(p);
		errno = EACCES;
		return NULL;
	}
	return p;
}
