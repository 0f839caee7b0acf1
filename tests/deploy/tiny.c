/* A program built against the installed library (tests/deploy/t_install.sh):
 * converts a Tetragon JSON Lines file through a pipeline into the rotating
 * event file, with nothing but the installed headers and pkg-config's flags.
 *
 *   tiny IN.jsonl OUT.ndjson */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rti/pipeline.h>
#include <rti/rotate.h>

int main(int argc, char **argv)
{
	struct rti_pipeline_opts po = RTI_OPTS_INIT(rti_pipeline_opts, .privacy = "strict");
	struct rti_rotate_opts ro;
	const struct rti_sink_ops *ops;
	struct rti_pipeline *p;
	struct rti_rotate *r;
	struct rti_diag d;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	void *ctx;
	FILE *in;
	int bad = 0;

	if (argc != 3)
		return 2;
	ro = RTI_OPTS_INIT(rti_rotate_opts, .path = argv[2], .perm = 0644);
	in = fopen(argv[1], "r");
	p = rti_pipeline_new(&po);
	r = rti_rotate_open(&ro);
	if (!in || !p || !r || rti_rotate_sink(r, &ops, &ctx) || rti_pipeline_add_sink(p, ops, ctx)) {
		perror("tiny");
		return 1;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		if (rti_pipeline_feed_json(p, line, (size_t)n, &d) == -EINVAL)
			bad++;
	}
	free(line);
	fclose(in);
	rti_pipeline_free(p); /* destroys the sink: flushes and closes the file */
	printf("malformed=%d\n", bad);
	return 0;
}
