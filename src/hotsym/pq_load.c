/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hotsym/pq_load.h"

struct rti_pq rti_pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_err[256];

static void load(void)
{
	void *h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(load_err, sizeof(load_err), "PostgreSQL client library: %s", dlerror());
		return;
	}
	/* dlsym returns void *; POSIX guarantees it converts to a function
	 * pointer (the memcpy keeps -Wpedantic quiet about it) */
#define RTI_PQ_SYM(f)                                                                        \
	{                                                                                      \
		void *sym = dlsym(h, #f);                                                      \
		if (!sym) {                                                                    \
			snprintf(load_err, sizeof(load_err),                                   \
				 "PostgreSQL client library: no symbol %s", #f);              \
			return;                                                                \
		}                                                                              \
		memcpy(&rti_pq.f, &sym, sizeof(sym));                                          \
	}
	RTI_PQ_FUNCS(RTI_PQ_SYM)
#undef RTI_PQ_SYM
}

int rti_pq_load(char *err, size_t errlen)
{
	pthread_once(&once, load);
	if (load_err[0]) {
		snprintf(err, errlen, "%s", load_err);
		return -ENOENT;
	}
	return 0;
}
