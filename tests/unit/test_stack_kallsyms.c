/* SPDX-License-Identifier: Apache-2.0 */
/* kallsyms snapshots: nearest text symbol at or below, aliases, modules. */
#include <errno.h>
#include <string.h>

#include "stack/kallsyms.h"
#include "tap.h"

int main(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81000000 T _text\n"
		"ffffffff81000000 t __pfx_startup_64\n"
		"ffffffff81001000 T vfs_read\n"
		"ffffffff81001000 t __vfs_read_alias\n"
		"ffffffff81002000 d some_data\n"
		"ffffffff81003000 W weak_fn\n"
		"odd line\n"
		"ffffffffc0001000 t nft_do_chain\t[nf_tables]\n"
		"ffffffffc0002000 T nft_register\t[nf_tables]\n";
	struct rti_kallsyms *k;
	const char *sym, *mod;
	uint64_t off;
	char err[128];

	k = rti_kallsyms_parse(text, sizeof(text) - 1, err, sizeof(err));
	ok(k != NULL, "parsed");
	if (!k)
		return done_testing();
	ok(!rti_kallsyms_lookup(k, 0xffffffff81001010, &sym, &off, &mod) &&
		   !strcmp(sym, "vfs_read") && off == 0x10 && !strcmp(mod, "[kernel]"),
	   "vfs_read+0x10");
	ok(!rti_kallsyms_lookup(k, 0xffffffff81000005, &sym, &off, &mod) && !strcmp(sym, "_text"),
	   "aliases: global, fewest underscores, shortest (got %s)", sym);
	ok(rti_kallsyms_lookup(k, 0xffffffff81002004, &sym, &off, &mod) == -ENOENT,
	   "nearest is data: unresolved");
	ok(!rti_kallsyms_lookup(k, 0xffffffff81003001, &sym, &off, &mod) && !strcmp(sym, "weak_fn"),
	   "weak text");
	ok(!rti_kallsyms_lookup(k, 0xffffffffc0001004, &sym, &off, &mod) &&
		   !strcmp(sym, "nft_do_chain") && !strcmp(mod, "[nf_tables]"), "module symbol");
	ok(rti_kallsyms_lookup(k, 0x1000, &sym, &off, &mod) == -ENOENT, "below all symbols");
	ok(rti_kallsyms_count(k) == 6, "one symbol per address (%zu)", rti_kallsyms_count(k));
	rti_kallsyms_free(k);
	{
		static const char hidden[] = "0000000000000000 T _stext\n0000000000000000 T vfs_read\n";

		k = rti_kallsyms_parse(hidden, sizeof(hidden) - 1, err, sizeof(err));
		ok(!k && errno == ENODATA, "kptr_restrict snapshot is unusable: %s", err);
	}
	k = rti_kallsyms_load("/nonexistent/kallsyms", err, sizeof(err));
	ok(!k && errno == ENOENT && strstr(err, "/nonexistent"), "missing file: %s", err);
	return done_testing();
}
