/* libFuzzer: the signals sink's callgraph map reader (YAML
 * {sha256:<hex>: <callgraphId>}), then a lookup of every parsed key and
 * the request path built from it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "delivery/callgraph_map.h"
#include "delivery/signals_source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char d[] =
		"sha256:46f2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	struct rti_callgraph_map *m;
	char err[512], path[1024];
	const char *cg;

	m = rti_callgraph_map_parse("fuzz", (const char *)data, size, err, sizeof(err));
	if (!m) {
		if (!err[0] || strchr(err, '\n'))
			__builtin_trap(); /* an error is one non-empty line */
		return 0;
	}
	cg = rti_callgraph_map_get(m, d);
	rti_signals_path(path, sizeof(path), cg, d);
	rti_callgraph_map_free(m);
	return 0;
}
