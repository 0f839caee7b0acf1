// SPDX-License-Identifier: Apache-2.0
// Benchmark anchor, not product code: parse-only throughput of simdjson (the
// fastest JSON parser Debian ships) over a JSON Lines file. The file is
// loaded once (not timed), then parsed PASSES times (default 3) with
// dom::parser::parse_many; every document's top-level object is walked, so
// nothing is skipped. One thread, like convert. The first pass pays for
// page faults of fresh parser buffers; later passes show the warm speed.
// Prints one line (MB = 10^6 bytes, cpu = user+sys during the best pass):
//   documents N bytes N load_s S first_parse_s S best_parse_s S
//   first_mb_s X best_mb_s X best_cpu_s S impl NAME keys N batch N
#include <simdjson.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

static double cpu_seconds()
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		std::fprintf(stderr, "usage: rti-simdjson-parse FILE.jsonl [PASSES]\n");
		return 2;
	}
	int passes = argc == 3 ? std::atoi(argv[2]) : 3;
	if (passes < 1)
		passes = 1;
	using clock = std::chrono::steady_clock;
	auto t0 = clock::now();
	simdjson::padded_string json;
	if (auto err = simdjson::padded_string::load(argv[1]).get(json)) {
		std::fprintf(stderr, "rti-simdjson-parse: %s: %s\n", argv[1],
			     simdjson::error_message(err));
		return 1;
	}
	double load = std::chrono::duration<double>(clock::now() - t0).count();

	// parse_many needs a batch that holds the longest line; bigger batches
	// only hurt the cache, so use simdjson's default 1 MiB unless a line is
	// longer (found here, untimed)
	size_t longest = 0;
	for (const char *p = json.data(), *end = p + json.size(); p < end;) {
		const char *nl = static_cast<const char *>(std::memchr(p, '\n', end - p));
		size_t len = (nl ? nl : end) - p;
		if (len > longest)
			longest = len;
		p += len + 1;
	}
	size_t batch = simdjson::dom::DEFAULT_BATCH_SIZE;
	while (batch < longest + 64)
		batch *= 2;

	simdjson::dom::parser parser;
	// convert runs on one core: so does the anchor (Debian builds simdjson
	// with threads, and parse_many would overlap batches on a second core)
	parser.threaded = false;
	uint64_t n = 0, keys = 0;
	double first = 0, best = 0, best_cpu = 0;
	for (int pass = 0; pass < passes; pass++) {
		double c0 = cpu_seconds();
		auto t1 = clock::now();
		simdjson::dom::document_stream docs;
		if (auto err = parser.parse_many(json, batch).get(docs)) {
			std::fprintf(stderr, "rti-simdjson-parse: %s\n", simdjson::error_message(err));
			return 1;
		}
		n = keys = 0;
		for (auto doc : docs) {
			simdjson::dom::object obj;
			if (auto err = doc.get_object().get(obj)) {
				std::fprintf(stderr, "rti-simdjson-parse: document %llu: %s\n",
					     (unsigned long long)n + 1, simdjson::error_message(err));
				return 1;
			}
			for (auto field : obj)
				keys += field.key.size();
			n++;
		}
		double s = std::chrono::duration<double>(clock::now() - t1).count();
		double cpu = cpu_seconds() - c0;
		if (pass == 0)
			first = s;
		if (pass == 0 || s < best) {
			best = s;
			best_cpu = cpu;
		}
	}
	std::printf("documents %llu bytes %zu load_s %.6f first_parse_s %.6f best_parse_s %.6f "
		    "first_mb_s %.1f best_mb_s %.1f best_cpu_s %.6f impl %s keys %llu batch %zu\n",
		    (unsigned long long)n, json.size(), load, first, best,
		    json.size() / first / 1e6, json.size() / best / 1e6, best_cpu,
		    simdjson::get_active_implementation()->name().c_str(),
		    (unsigned long long)keys, batch);
	return 0;
}
