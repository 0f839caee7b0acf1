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

int rti_grpc_events_request(const struct rti_grpc_filter *allow,
			    const struct rti_grpc_filter *deny, uint8_t **out,
			    size_t *outlen, char *err, size_t errlen)
{
	Tetragon__GetEventsRequest req = TETRAGON__GET_EVENTS_REQUEST__INIT;
	Tetragon__Filter fa = TETRAGON__FILTER__INIT;
	Tetragon__Filter fd = TETRAGON__FILTER__INIT;
	Tetragon__Filter *pa = &fa;
	Tetragon__Filter *pd = &fd;
	Tetragon__EventType *eva = NULL;
	Tetragon__EventType *evd = NULL;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	if (!filter_empty(allow)) {
		eva = calloc(allow->n_event_types + 1, sizeof(*eva));
		if (!eva)
			return -ENOMEM;
		rc = fill(&fa, allow, eva, err, errlen);
		req.n_allow_list = 1;
		req.allow_list = &pa;
	}
	if (!rc && !filter_empty(deny)) {
		evd = calloc(deny->n_event_types + 1, sizeof(*evd));
		if (!evd) {
			free(eva);
			return -ENOMEM;
		}
		rc = fill(&fd, deny, evd, err, errlen);
		req.n_deny_list = 1;
		req.deny_list = &pd;
	}
	if (!rc) {
		size_t n = tetragon__get_events_request__get_packed_size(&req);

		*out = malloc(n ? n : 1);
		if (!*out)
			rc = -ENOMEM;
		else
			*outlen = tetragon__get_events_request__pack(&req, *out);
	}
	free(eva);
	free(evd);
	return rc;
}
