/* A writer at full speed through the rotating event file
 * (include/rti/rotate.h), for tests/rotate/t_rotate_load.sh:
 *
 *   rotate-load PATH LINES MAX_SIZE INTERVAL_MS BACKUPS COMPRESS RECONF
 *
 * Line i is "seq=<i, 9 digits> <payload>\n", the payload a function of i
 * (1..300 letters; every 997th line larger than MAX_SIZE when that is at
 * most 256 KiB) so that a checker can
 * rebuild every line. With RECONF=1 a second thread reconfigures the file
 * in a loop (max_size between MAX_SIZE and 4 x MAX_SIZE) and reads the
 * stats meanwhile. Prints the final stats on stdout. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rti/rotate.h"

static struct rti_rotate_opts opts;
static struct rti_rotate *rot;
static atomic_bool done;
static unsigned long reconfs;

static size_t make_line(unsigned long i, char *out, size_t cap)
{
	unsigned long x = i * 2654435761u + 12345;
	size_t n = (size_t)snprintf(out, cap, "seq=%09lu ", i);
	size_t len = 1 + (x >> 7) % 300;

	if (i % 997 == 0 && opts.max_size <= 256 * 1024)
		len = (size_t)opts.max_size + 100; /* alone in its file */
	if (len > cap - n - 1)
		abort();
	for (size_t k = 0; k < len; k++)
		out[n + k] = (char)('a' + (i + k) % 26);
	out[n + len] = '\n';
	return n + len + 1;
}

static void *reconfigure(void *arg)
{
	struct rti_rotate_opts o = opts;
	struct rti_rotate_stats st;

	(void)arg;
	while (!atomic_load(&done)) {
		o.max_size = reconfs % 2 ? opts.max_size : opts.max_size * 4;
		if (rti_rotate_reconfigure(rot, &o))
			abort();
		rti_rotate_get_stats(rot, &st);
		reconfs++;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL); /* pacing, ~1000/s */
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static char line[1 << 20];
	struct rti_rotate_stats st;
	pthread_t th;
	unsigned long lines;
	int rc = 0;

	if (argc != 8) {
		fprintf(stderr, "usage: rotate-load PATH LINES MAX_SIZE INTERVAL_MS BACKUPS COMPRESS RECONF\n");
		return 2;
	}
	opts = RTI_OPTS_INIT(rti_rotate_opts, .path = argv[1],
			     .max_size = strtoull(argv[3], NULL, 10),
			     .max_backups = (unsigned)atoi(argv[5]), .compress = atoi(argv[6]) != 0,
			     .interval_ms = strtoull(argv[4], NULL, 10), .perm = 0600);
	lines = strtoul(argv[2], NULL, 10);
	rot = rti_rotate_open(&opts);
	if (!rot) {
		perror(argv[1]);
		return 1;
	}
	if (atoi(argv[7]))
		pthread_create(&th, NULL, reconfigure, NULL);
	for (unsigned long i = 0; i < lines && !rc; i++) {
		size_t n = make_line(i, line, sizeof(line));

		rc = rti_rotate_write(rot, line, n);
		if (!rc && i % 500 == 0)
			rc = rti_rotate_flush(rot);
	}
	atomic_store(&done, true);
	if (atoi(argv[7]))
		pthread_join(th, NULL);
	rti_rotate_get_stats(rot, &st);
	if (rti_rotate_close(rot) || rc)
		return 1;
	printf("lines=%llu bytes=%llu rotations=%llu errors=%llu reconfigurations=%lu\n",
	       (unsigned long long)st.lines, (unsigned long long)st.bytes,
	       (unsigned long long)st.rotations, (unsigned long long)st.errors, reconfs);
	return 0;
}
