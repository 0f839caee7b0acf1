/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Options structs (libbpf's idiom). Every rti_*_opts struct starts with
 * `size_t sz`, the size the caller was compiled with, so fields can be
 * appended without breaking old callers:
 *
 *   struct rti_pipeline_opts o = RTI_OPTS_INIT(rti_pipeline_opts, .out = stdout);
 *   p = rti_pipeline_new(&o);
 *
 * A library function reads a field with RTI_OPTS_GET (src/util/opts.h),
 * which yields the default when the caller's struct is too old to have it.
 */
#ifndef RTI_OPTS_H
#define RTI_OPTS_H

#include <stddef.h>

/* A zeroed options struct of TYPE with sz set and the named fields given. */
#define RTI_OPTS_INIT(TYPE, ...) ((struct TYPE){ .sz = sizeof(struct TYPE), __VA_ARGS__ })

#endif
