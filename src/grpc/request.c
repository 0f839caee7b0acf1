/* SPDX-License-Identifier: Apache-2.0 */
/* GetEventsRequest from command-line filters (like tetra getevents). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/grpc.h"
#include "tetragon/events.pb-c.h"

static bool filter_empty(const struct rti_grpc_filter *f)
{
	return !f || (!f->n_event_types && !f->n_namespaces && !f->n_pod_regex &&
		      !f->n_binary_regex);
}

/* "PROCESS_KPROBE", "process_kprobe" or "kprobe" -> EventType value. */
static int event_type(const char *name, int *out)
{
	char up[64];
	size_t n = strlen(name);
	const ProtobufCEnumValue *v;

	if (n == 0 || n + 8 >= sizeof(up))
		return -1;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	v = protobuf_c_enum_descriptor_get_value_by_name(&tetragon__event_type__descriptor, up);
	if (!v) {
		memmove(up + 8, up, n + 1);
		memcpy(up, "PROCESS_", 8);
		v = protobuf_c_enum_descriptor_get_value_by_name(&tetragon__event_type__descriptor,
								 up);
	}
	if (!v || v->value == 0)
		return -1;
	*out = v->value;
	return 0;
}

static int fill(Tetragon__Filter *m, const struct rti_grpc_filter *f, Tetragon__EventType *ev,
		char *err, size_t errlen)
{
	for (unsigned i = 0; i < f->n_event_types; i++) {
		int v;

		if (event_type(f->event_types[i], &v)) {
			snprintf(err, errlen, "unknown event type '%s' (e.g. PROCESS_KPROBE)",
				 f->event_types[i]);
			return -EINVAL;
		}
		ev[i] = (Tetragon__EventType)v;
	}
	m->n_event_set = f->n_event_types;
	m->event_set = ev;
	/* protobuf-c wants char **; it never writes through them when packing */
	m->n_namespace_ = f->n_namespaces;
	m->namespace_ = (char **)(uintptr_t)f->namespaces;
	m->n_pod_regex = f->n_pod_regex;
	m->pod_regex = (char **)(uintptr_t)f->pod_regex;
	m->n_binary_regex = f->n_binary_regex;
	m->binary_regex = (char **)(uintptr_t)f->binary_regex;
	return 0;
}

/* The non-empty filters of f[0..n) into list (messages in m, event type
 * arrays in ev[], freed by the caller). Returns how many, or -errno. */
static int fill_list(const struct rti_grpc_filter *f, unsigned n, Tetragon__Filter *m,
		     Tetragon__Filter **list, Tetragon__EventType **ev, char *err, size_t errlen)
{
	int k = 0;

	for (unsigned i = 0; i < n; i++) {
		int rc;

		if (filter_empty(&f[i]))
			continue;
		tetragon__filter__init(&m[k]);
		ev[k] = calloc(f[i].n_event_types + 1, sizeof(*ev[k]));
		if (!ev[k])
			return -ENOMEM;
		rc = fill(&m[k], &f[i], ev[k], err, errlen);
		list[k] = &m[k];
		k++;
		if (rc)
			return rc;
	}
	return k;
}

int rti_grpc_events_request_lists(const struct rti_grpc_filter *allow, unsigned nallow,
				  const struct rti_grpc_filter *deny, unsigned ndeny,
				  uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	Tetragon__GetEventsRequest req = TETRAGON__GET_EVENTS_REQUEST__INIT;
	Tetragon__Filter fa[RTI_GRPC_MAX_FILTERS], fd[RTI_GRPC_MAX_FILTERS];
	Tetragon__Filter *pa[RTI_GRPC_MAX_FILTERS], *pd[RTI_GRPC_MAX_FILTERS];
	Tetragon__EventType *eva[RTI_GRPC_MAX_FILTERS] = { NULL };
	Tetragon__EventType *evd[RTI_GRPC_MAX_FILTERS] = { NULL };
	int na = 0, nd = 0, rc = 0;

	*out = NULL;
	*outlen = 0;
	if (nallow > RTI_GRPC_MAX_FILTERS || ndeny > RTI_GRPC_MAX_FILTERS) {
		snprintf(err, errlen, "more than %d filters", RTI_GRPC_MAX_FILTERS);
		return -E2BIG;
	}
	na = fill_list(allow, nallow, fa, pa, eva, err, errlen);
	if (na >= 0)
		nd = fill_list(deny, ndeny, fd, pd, evd, err, errlen);
	if (na < 0 || nd < 0) {
		rc = na < 0 ? na : nd;
	} else {
		size_t n;

		req.n_allow_list = (size_t)na;
		req.allow_list = na ? pa : NULL;
		req.n_deny_list = (size_t)nd;
		req.deny_list = nd ? pd : NULL;
		n = tetragon__get_events_request__get_packed_size(&req);
		*out = malloc(n ? n : 1);
		if (!*out)
			rc = -ENOMEM;
		else
			*outlen = tetragon__get_events_request__pack(&req, *out);
	}
	for (int i = 0; i < RTI_GRPC_MAX_FILTERS; i++) {
		free(eva[i]);
		free(evd[i]);
	}
	return rc;
}

int rti_grpc_events_request(const struct rti_grpc_filter *allow,
			    const struct rti_grpc_filter *deny, uint8_t **out,
			    size_t *outlen, char *err, size_t errlen)
{
	return rti_grpc_events_request_lists(allow, allow ? 1 : 0, deny, deny ? 1 : 0, out,
					     outlen, err, errlen);
}
