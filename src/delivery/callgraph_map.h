/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Signals sink's callgraph map (spec agent.md §5,
 * delivery.signals.callgraph_map): image digest -> callgraph id, a YAML
 * mapping
 *
 *   sha256:46f2...64 hex: cg-checkout-v42
 *
 * Keys are "sha256:" and 64 lowercase hex digits, each at most once;
 * values are non-empty strings of at most RTI_CALLGRAPH_ID_MAX bytes
 * without control characters. An empty file (or a null document) is an
 * empty map. Every error names FILE:LINE:COL. A map is immutable once
 * parsed: a reload parses a new one and swaps pointers.
 */
#ifndef RTI_DELIVERY_CALLGRAPH_MAP_H
#define RTI_DELIVERY_CALLGRAPH_MAP_H

#include <stddef.h>

#define RTI_CALLGRAPH_ID_MAX 256
#define RTI_CALLGRAPH_MAP_MAX_ENTRIES 100000
#define RTI_CALLGRAPH_MAP_MAX_BYTES (16u << 20)

struct rti_callgraph_map;

/* NULL with errno (EINVAL bad input, ENOMEM, E2BIG over a cap) and err =
 * "NAME:LINE:COL: reason". name is what messages call the input. */
struct rti_callgraph_map *rti_callgraph_map_parse(const char *name, const char *data,
						  size_t len, char *err, size_t errlen);
/* Reads and parses the file at path (at most RTI_CALLGRAPH_MAP_MAX_BYTES). */
struct rti_callgraph_map *rti_callgraph_map_load(const char *path, char *err, size_t errlen);
/* The callgraph id of digest ("sha256:<hex>"), or NULL. */
const char *rti_callgraph_map_get(const struct rti_callgraph_map *m, const char *digest);
size_t rti_callgraph_map_size(const struct rti_callgraph_map *m);
void rti_callgraph_map_free(struct rti_callgraph_map *m);

#endif
