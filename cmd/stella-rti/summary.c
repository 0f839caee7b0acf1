/* SPDX-License-Identifier: Apache-2.0 */
#include "rti/canon.h"
#include "summary.h"

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
	if (s->rotations || s->truncations)
		fprintf(f, "  follow                 %llu rotations, %llu truncations\n",
			(unsigned long long)s->rotations, (unsigned long long)s->truncations);
	if (st->sink_errors)
		fprintf(f, "  output errors          %llu\n", (unsigned long long)st->sink_errors);
	if (s->inputs_failed)
		fprintf(f, "  inputs not readable    %llu\n", (unsigned long long)s->inputs_failed);
}
