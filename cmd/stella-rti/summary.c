/* SPDX-License-Identifier: Apache-2.0 */
#include "rti/canon.h"
#include "rti/privacy.h"
#include "summary.h"

/* How the files of user frames were found, and the container registry. */
static void print_found(FILE *f, const struct rti_symbolize_stats *y)
{
	static const enum rti_found order[] = {
		RTI_FOUND_PROC_ROOT, RTI_FOUND_SIBLING, RTI_FOUND_CONTAINER_CACHE,
		RTI_FOUND_HOST, RTI_FOUND_BUILD_ID, RTI_FOUND_PROCESS_GONE,
		RTI_FOUND_MODULE_CHANGED,
	};
	uint64_t any = 0;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		any += y->found[order[i]];
	if (!any)
		return;
	fprintf(f, "    frames found by      ");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		fprintf(f, "%s%s %llu", i ? ", " : "", rti_found_name(order[i]),
			(unsigned long long)y->found[order[i]]);
	fputc('\n', f);
	if (y->containers.entries)
		fprintf(f, "    containers           %llu (evicted %llu); modules by container "
			   "%llu/%llu/%llu; siblings rejected %llu\n",
			(unsigned long long)y->containers.entries,
			(unsigned long long)y->containers.evictions,
			(unsigned long long)y->container_modules.hits,
			(unsigned long long)y->container_modules.misses,
			(unsigned long long)y->container_modules.evictions,
			(unsigned long long)y->siblings_rejected);
}

/* Symbol resolution of stack frames: rates by source and by reason. */
static void print_symbolize(FILE *f, const struct rti_symbolize_stats *y, uint64_t frames)
{
	static const enum rti_resolved order[] = {
		RTI_RESOLVED_DEBUGINFO, RTI_RESOLVED_SYMTAB, RTI_RESOLVED_DYNSYM,
		RTI_RESOLVED_KALLSYMS, RTI_RESOLVED_AGENT, RTI_RESOLVED_NONE,
	};
	const char *sep = "";
	uint64_t failed = 0;

	fprintf(f, "    symbol from          ");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		uint64_t n = y->resolved[order[i]];

		if (!n)
			continue;
		fprintf(f, "%s%s %llu (%.1f%%)", sep, rti_resolved_name(order[i]),
			(unsigned long long)n, 100.0 * (double)n / (double)frames);
		sep = ", ";
	}
	fputc('\n', f);
	for (int u = 1; u < RTI_UNRES__COUNT; u++)
		failed += y->failed[u];
	if (failed) {
		fprintf(f, "    not resolved by us   %llu (%.1f%%):", (unsigned long long)failed,
			100.0 * (double)failed / (double)frames);
		sep = " ";
		for (int u = 1; u < RTI_UNRES__COUNT; u++) {
			if (!y->failed[u])
				continue;
			fprintf(f, "%s%s %llu", sep, rti_unresolved_name((enum rti_unresolved)u),
				(unsigned long long)y->failed[u]);
			if (y->failed_agent[u])
				fprintf(f, " (agent named %llu)",
					(unsigned long long)y->failed_agent[u]);
			sep = ", ";
		}
		fputc('\n', f);
	}
	fprintf(f, "    code ids             ");
	sep = "";
	for (int k = 0; k < RTI_CODE_ID__COUNT; k++) {
		if (!y->code_ids[k])
			continue;
		fprintf(f, "%s%s %llu", sep, rti_code_id_kind_name((enum rti_code_id_kind)k),
			(unsigned long long)y->code_ids[k]);
		sep = ", ";
	}
	fputc('\n', f);
	if (y->agent_disagree)
		fprintf(f, "    agent disagreed      %llu (Tetragon named another function)\n",
			(unsigned long long)y->agent_disagree);
	if (y->modules.misses)
		fprintf(f, "    modules              proc root %llu, host %llu, pid gone %llu; "
			   "loader build ids %llu (used %llu, mismatch %llu); debug files %llu; "
			   "bad ELF %llu\n",
			(unsigned long long)y->found_proc_root, (unsigned long long)y->found_host,
			(unsigned long long)y->pid_gone, (unsigned long long)y->loader_ids,
			(unsigned long long)y->loader_used, (unsigned long long)y->loader_mismatch,
			(unsigned long long)y->debug_files, (unsigned long long)y->elf_errors);
	print_found(f, y);
	if (y->modules.hits + y->modules.misses)
		fprintf(f, "    caches (hit/miss/evicted)  files %llu/%llu/%llu, modules %llu/%llu/%llu, "
			   "frames %llu/%llu/%llu\n",
			(unsigned long long)y->files.hits, (unsigned long long)y->files.misses,
			(unsigned long long)y->files.evictions, (unsigned long long)y->modules.hits,
			(unsigned long long)y->modules.misses,
			(unsigned long long)y->modules.evictions, (unsigned long long)y->frames.hits,
			(unsigned long long)y->frames.misses, (unsigned long long)y->frames.evictions);
	/* with the caches line: not when symbolization is off (goldens) */
	if (y->modules.hits + y->modules.misses && y->stacks.hits + y->stacks.misses)
		fprintf(f, "    stack memo (hit/miss/evicted)  %llu/%llu/%llu, %llu stacks, %.1f MiB\n",
			(unsigned long long)y->stacks.hits, (unsigned long long)y->stacks.misses,
			(unsigned long long)y->stacks.evictions,
			(unsigned long long)y->stacks.entries, (double)y->stacks.bytes / 1048576.0);
}

void rti_summary_print(FILE *f, const char *cmd, const struct rti_summary *s,
		       const struct rti_stats *st, bool interrupted)
{
	uint64_t bad = s->framing_errors + st->bad_records;

	fprintf(f, "stella-rti %s: summary%s\n", cmd, interrupted ? " (interrupted)" : "");
	fprintf(f, "  lines read             %llu\n", (unsigned long long)s->lines);
	fprintf(f, "  records decoded        %llu\n",
		(unsigned long long)(st->records - st->bad_records));
	fprintf(f, "  events written         %llu\n", (unsigned long long)st->written_total);
	for (int t = 1; t < RTI_PROBE__COUNT; t++)
		if (st->written[t])
			fprintf(f, "    %-20s %llu\n", rti_probe_type_name((enum rti_probe_type)t),
				(unsigned long long)st->written[t]);
	if (st->by_policy)
		fprintf(f, "  probe type from policy %llu\n", (unsigned long long)st->by_policy);
	if (st->time_fallback)
		fprintf(f, "  time from start/exit   %llu (record had no response time)\n",
			(unsigned long long)st->time_fallback);
	fprintf(f, "  skipped\n");
	fprintf(f, "    %-20s %llu\n", "malformed", (unsigned long long)bad);
	if (st->kind_in[RTI_KIND_LOADER])
		fprintf(f, "    %-20s %llu (build ids, no event)\n", "process_loader",
			(unsigned long long)st->kind_in[RTI_KIND_LOADER]);
	if (st->kind_in[RTI_KIND_THROTTLE])
		fprintf(f, "    %-20s %llu (data loss marker: %llu start, %llu stop)\n",
			"process_throttle", (unsigned long long)st->kind_in[RTI_KIND_THROTTLE],
			(unsigned long long)st->throttle_start,
			(unsigned long long)st->throttle_stop);
	if (st->kind_in[RTI_KIND_RATE_LIMIT_INFO])
		fprintf(f, "    %-20s %llu (data loss marker: Tetragon dropped %llu events)\n",
			"rate_limit_info",
			(unsigned long long)st->kind_in[RTI_KIND_RATE_LIMIT_INFO],
			(unsigned long long)st->rate_limit_dropped);
	if (st->kind_in[RTI_KIND_TEST])
		fprintf(f, "    %-20s %llu\n", "test", (unsigned long long)st->kind_in[RTI_KIND_TEST]);
	for (int i = 0; i < RTI_MAX_UNKNOWN_KINDS && st->unknown[i].name[0]; i++)
		fprintf(f, "    unknown kind %-7s %llu\n", st->unknown[i].name,
			(unsigned long long)st->unknown[i].n);
	if (st->unknown_other)
		fprintf(f, "    unknown kind (other) %llu\n", (unsigned long long)st->unknown_other);
	if (st->frames_kernel || st->frames_user)
		fprintf(f, "  frames                 %llu kernel, %llu user; symbol from agent %llu, unresolved %llu, module withheld %llu\n",
			(unsigned long long)st->frames_kernel, (unsigned long long)st->frames_user,
			(unsigned long long)st->frames_agent,
			(unsigned long long)st->frames_unresolved,
			(unsigned long long)st->frame_modules_withheld);
	if (st->frames_kernel || st->frames_user)
		print_symbolize(f, &st->symbolize, st->frames_kernel + st->frames_user);
	{
		uint64_t n = 0;
		const char *sep = " (";

		for (unsigned k = 0; rti_privacy_secret_kind(k); k++)
			n += st->secrets[k];
		fprintf(f, "  secrets redacted       %llu", (unsigned long long)n);
		for (unsigned k = 0; n && rti_privacy_secret_kind(k); k++) {
			if (!st->secrets[k])
				continue;
			fprintf(f, "%s%s %llu", sep, rti_privacy_secret_kind(k),
				(unsigned long long)st->secrets[k]);
			sep = ", ";
		}
		fputs(n ? ")\n" : "\n", f);
	}
	if (s->rotations || s->truncations)
		fprintf(f, "  follow                 %llu rotations, %llu truncations\n",
			(unsigned long long)s->rotations, (unsigned long long)s->truncations);
	if (st->sink_errors)
		fprintf(f, "  output errors          %llu\n", (unsigned long long)st->sink_errors);
	if (s->inputs_failed)
		fprintf(f, "  inputs not readable    %llu\n", (unsigned long long)s->inputs_failed);
}
