/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privacy stage: decides, for every field of an event that could leave
 * the node, whether it is emitted, and records in rti_canon.redacted what
 * it withheld. It runs before every sink.
 *
 * Built-in profile `strict` (spec §4-§6, the default): no arguments,
 * environment, cwd, capabilities, credentials, user names, labels,
 * annotations or probe arguments; paths (binaries, modules) are kept only
 * under system prefixes and without `.`/`..` components, else withheld.
 */
#ifndef RTI_PRIVACY_H
#define RTI_PRIVACY_H

#include <stdbool.h>

#include "rti/canon.h"
#include "rti/event.h"

struct rti_privacy;

/* A built-in profile by name ("strict"), or NULL with errno ENOENT. */
const struct rti_privacy *rti_privacy_builtin(const char *name);
const char *rti_privacy_name(const struct rti_privacy *p);

/* The path as it may be emitted, or NULL when it must be withheld. */
const char *rti_privacy_path(const struct rti_privacy *p, const char *path);

/* Fills cn->process_binary, parent_binary, probe_module and the redacted
 * set for everything of ev that the profile withholds. Frames are filtered
 * by the stack stage through rti_privacy_path(). */
void rti_privacy_apply(const struct rti_privacy *p, const struct rti_event *ev,
		       struct rti_canon *cn);

#endif
