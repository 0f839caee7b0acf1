/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti-grpc-floor: the transport floor of the gRPC benchmark. The same
 * client as `stella-rti run` (rti_grpc_client: socket, HTTP/2, gRPC
 * framing), on one thread, but each message is only counted; with
 * --decode it is also decoded into the event view (protobuf-c into an
 * arena), without the pipeline. bench/grpc/run.sh subtracts these from
 * the full agent's cost.
 *
 *   rti-grpc-floor --tetragon TARGET --messages N [--decode]
 *
 * Prints one line: messages bytes wall_s cpu_s us_per_msg msgs_per_s.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "rti/grpc.h"
#include "tetragon/pb_decode.h"
#include "util/arena.h"

struct floor {
	struct rti_grpc_client *c;
	unsigned long long want, got, bytes, bad;
	int decode;
	struct rti_arena arena;
};

static int on_message(void *ctx, const uint8_t *msg, size_t len)
{
	struct floor *f = ctx;

	f->bytes += len;
	if (f->decode) {
		struct rti_event ev;
		struct rti_decode_error err;

		rti_arena_reset(&f->arena);
		if (rti_pb_decode(msg, len, &f->arena, &ev, &err))
			f->bad++;
	}
	if (++f->got >= f->want)
		rti_grpc_client_stop(f->c);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tetragon", required_argument, NULL, 't' },
		{ "messages", required_argument, NULL, 'n' },
		{ "decode", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_grpc_client_opts o;
	struct rti_grpc_handler h = { NULL, on_message };
	struct rti_grpc_call_info in;
	struct floor f;
	struct rusage ru;
	const char *target = NULL;
	double t0, wall, cpu;
	int c;

	memset(&f, 0, sizeof(f));
	f.want = 1000000;
	while ((c = getopt_long(argc, argv, "t:n:d", lo, NULL)) != -1) {
		if (c == 't')
			target = optarg;
		else if (c == 'n')
			f.want = strtoull(optarg, NULL, 10);
		else if (c == 'd')
			f.decode = 1;
		else
			return 2;
	}
	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.target = target;
	f.c = rti_grpc_client_new(&o);
	if (!f.c || !f.want) {
		fprintf(stderr, "rti-grpc-floor: bad --tetragon or --messages\n");
		return 2;
	}
	rti_arena_init(&f.arena, 64 * 1024, 64u << 20);
	t0 = now();
	while (f.got < f.want && !rti_grpc_client_stopped(f.c)) {
		rti_grpc_client_call(f.c, &h, &f, &in);
		if (!in.connected) {
			fprintf(stderr, "rti-grpc-floor: %s: %s\n", rti_grpc_code_name(in.status),
				in.message);
			return 1;
		}
	}
	wall = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("messages %llu bytes %llu wall_s %.3f cpu_s %.3f us_per_msg %.3f msgs_per_s %.0f bad %llu\n",
	       f.got, f.bytes, wall, cpu, cpu * 1e6 / (double)f.got, (double)f.got / wall, f.bad);
	rti_arena_release(&f.arena);
	rti_grpc_client_free(f.c);
	return 0;
}
