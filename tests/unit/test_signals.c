/* The signals sink's pieces without a store: the callgraph map reader
 * (FILE:LINE:COL errors), the request path, the batch id; and the source
 * on a SQLite index made here (held scopes, set_map failure keeps the old
 * map). tests/delivery/t_signals.sh does the stores at scale. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "delivery/callgraph_map.h"
#include "delivery/signals_source.h"
#include "hotsym/hotsym_int.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static char err[1024];

static struct rti_callgraph_map *parse(const char *s)
{
	err[0] = '\0';
	return rti_callgraph_map_parse("m.yaml", s, strlen(s), err, sizeof(err));
}

/* the parse fails with an error that starts with want */
static int fails_with(const char *s, const char *want)
{
	struct rti_callgraph_map *m = parse(s);

	if (m) {
		rti_callgraph_map_free(m);
		return 0;
	}
	if (strncmp(err, want, strlen(want))) {
		printf("#   error: %s\n#   want:  %s...\n", err, want);
		return 0;
	}
	return errno == EINVAL || errno == E2BIG;
}

static void map_tests(void)
{
	struct rti_callgraph_map *m = parse(D1 ": cg-one\n" D2 ": \"cg two\"\n");

	ok(m && rti_callgraph_map_size(m) == 2, "a map of two images");
	is_str(rti_callgraph_map_get(m, D1), "cg-one", "lookup");
	is_str(rti_callgraph_map_get(m, D2), "cg two", "quoted value");
	ok(!rti_callgraph_map_get(m, "sha256:33"), "unknown digest: none");
	rti_callgraph_map_free(m);
	m = parse("{" D2 ": b, " D1 ": a}");
	is_str(rti_callgraph_map_get(m, D1), "a", "flow mapping");
	rti_callgraph_map_free(m);
	m = parse("");
	ok(m && rti_callgraph_map_size(m) == 0, "an empty file is an empty map");
	rti_callgraph_map_free(m);
	m = parse("# nothing yet\n~\n");
	ok(m && rti_callgraph_map_size(m) == 0, "a null document is an empty map");
	rti_callgraph_map_free(m);

	ok(fails_with(D1 ": a\n" D1 ": b\n", "m.yaml:2:1: " D1 ": mapped more than once"),
	   "a duplicate key: the second one's place");
	ok(fails_with("sha256:abc: x\n", "m.yaml:1:1: key must be an image digest"),
	   "a short digest");
	ok(fails_with("sha256:" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA: x\n",
		      "m.yaml:1:1: key must be"), "upper-case hex is refused");
	ok(fails_with(D1 ":\n", "m.yaml:1:"), "no callgraph id");
	ok(fails_with(D1 ": \"\"\n", "m.yaml:1:74: callgraph id is empty"), "an empty id");
	ok(fails_with(D1 ": \"a\\tb\"\n", "m.yaml:1:74: callgraph id has a control character"),
	   "a tab in the id");
	ok(fails_with(D1 ": [a]\n", "m.yaml:1:74: expected a string, found a list"),
	   "a list as the value");
	ok(fails_with(D1 ": {a: b}\n", "m.yaml:1:74: expected a string, found a mapping"),
	   "a mapping as the value");
	ok(fails_with("- " D1 "\n", "m.yaml:1:1: a callgraph map must be a mapping"),
	   "a list at the top");
	ok(fails_with("just text\n", "m.yaml:1:1: a callgraph map must be a mapping"),
	   "a string at the top");
	ok(fails_with(D1 ": &x a\n" D2 ": *x\n", "m.yaml:2:74: aliases are not allowed"),
	   "aliases");
	ok(fails_with(D1 ": a\n  b: c\n", "m.yaml:2:"), "bad indentation: a YAML error with its place");
	ok(fails_with(D1 ": a\n---\n" D2 ": b\n", "m.yaml:2:1: more than one YAML document"),
	   "two documents");
	ok(fails_with("\x01: a\n", "m.yaml:1:1: "), "a control character: an error, one line");
	ok(!strchr(err, '\n') && !strchr(err, '\x01'), "... shown without the control character");
}

static void path_tests(void)
{
	char p[1024];

	ok(!rti_signals_path(p, sizeof(p), "cg-1", D1), "a path");
	is_str(p, "/signals/runtime-facts/ndjson?callgraphId=cg-1&imageDigest=" D1
		  "&source=stella-rti", "the path of spec agent.md §5");
	ok(!rti_signals_path(p, sizeof(p), "a b&c=d/é", D1), "a path with odd characters");
	is_str(p, "/signals/runtime-facts/ndjson?callgraphId=a%20b%26c%3Dd%2F%C3%A9&imageDigest="
		  D1 "&source=stella-rti", "values URL-encoded");
	ok(!rti_signals_path(p, sizeof(p), NULL, D1), "no callgraph id");
	is_str(p, "/signals/runtime-facts/ndjson?imageDigest=" D1 "&source=stella-rti",
	       "without callgraphId");
	ok(rti_signals_path(p, 40, "x", D1) == -ENAMETOOLONG, "too long: an error, no cut");
}

static void id_tests(void)
{
	char id[160];

	ok(!hs_sig_batch_id(id, "node-1", "image:" D1, 17), "a batch id");
	is_str(id, "node-1/" D1 "/17", "node/digest/sequence");
	ok(!hs_sig_batch_id(id, "a very long node name, with spaces, longer than 48 bytes!",
			    "image:" D1, 1), "a long node name");
	ok(!strncmp(id, "n-", 2) && strlen(id) == 2 + 32 + 1 + strlen(D1) + 2,
	   "... is hashed (%s)", id);
}

static void source_tests(void)
{
	char dir[] = "/tmp/rti-sig-XXXXXX", url[256], map[256], bad[256];
	struct rti_signals_source_opts o = RTI_OPTS_INIT(rti_signals_source_opts, .node = "n");
	struct rti_signals_source *s;
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(url, sizeof(url), "sqlite:%s/hot.db", dir);
	snprintf(map, sizeof(map), "%s/map.yaml", dir);
	snprintf(bad, sizeof(bad), "%s/bad.yaml", dir);
	f = fopen(map, "w");
	fprintf(f, D1 ": cg\n");
	fclose(f);
	f = fopen(bad, "w");
	fprintf(f, D1 ": cg\nnot a digest: x\n");
	fclose(f);
	o.hot_index = url;
	o.callgraph_map = bad;
	s = rti_signals_source_open(&o, err, sizeof(err));
	ok(!s && strstr(err, "bad.yaml:2:1: key must be an image digest"),
	   "open: a bad map is an error with its place (%s)", err);
	o.callgraph_map = map;
	o.require_callgraph = true;
	s = rti_signals_source_open(&o, err, sizeof(err));
	ok(s != NULL, "open on a new SQLite index (%s)", s ? "" : err);
	if (s) {
		const struct rti_batch_source_ops *ops = rti_signals_source_ops();
		struct rti_batch b;

		ok(ops->next(s, &b, 1) == 0, "an empty index: no batch");
		ok(ops->held(s) == 0, "nothing held");
		ok(rti_signals_source_set_map(s, bad, err, sizeof(err)) == -EINVAL &&
		   strstr(err, "bad.yaml:2:1:"), "set_map: a bad map fails with FILE:LINE:COL");
		ok(rti_signals_source_set_map(s, map, err, sizeof(err)) == 0, "set_map: a good one");
		ok(rti_signals_source_set_map(s, NULL, err, sizeof(err)) == 0, "set_map: none");
		ops->destroy(s);
	}
	snprintf(bad, sizeof(bad), "rm -rf '%s'", dir);
	if (system(bad))
		printf("# could not remove %s\n", dir);
}

int main(void)
{
	map_tests();
	path_tests();
	id_tests();
	source_tests();
	return done_testing();
}
