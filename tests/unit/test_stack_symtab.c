/* SPDX-License-Identifier: Apache-2.0 */
/* The covering-function rule and alias preference (docs/stacks.md). */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>

#include "stack/symtab.h"
#include "tap.h"

static struct rti_symtab *build(const struct rti_symtab_raw *v, const char *const *names,
				size_t n)
{
	struct rti_symtab_builder b;

	rti_symtab_builder_init(&b);
	for (size_t i = 0; i < n; i++)
		if (rti_symtab_builder_add(&b, v[i].start, v[i].end - v[i].start, names[i], v[i].bind,
					   v[i].vis, v[i].src))
			return NULL;
	return rti_symtab_build(&b);
}

static const char *at(struct rti_symtab *t, uint64_t a)
{
	long r = rti_symtab_find(t, a);

	return r < 0 ? "(none)" : rti_symtab_name(t, r);
}

int main(void)
{
	/* aliases: malloc / __libc_malloc (global), __GI___libc_malloc (local),
	 * mallocx (weak); nested, overlapping, size 0, version suffixes */
	static const struct rti_symtab_raw v[] = {
		{ 0x1000, 0x1100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DYNSYM },
		{ 0x1000, 0x1100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DEBUG },
		{ 0x1000, 0x1100, 0, STB_LOCAL, STV_DEFAULT, RTI_SRC_DEBUG },
		{ 0x1000, 0x1100, 0, STB_WEAK, STV_DEFAULT, RTI_SRC_DEBUG },
		{ 0x1000, 0x1100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DEBUG },
		{ 0x2000, 0x2400, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB }, /* outer */
		{ 0x2100, 0x2200, 0, STB_LOCAL, STV_DEFAULT, RTI_SRC_SYMTAB },  /* inner */
		{ 0x3000, 0x3100, 0, STB_GLOBAL, STV_HIDDEN, RTI_SRC_SYMTAB },
		{ 0x3000, 0x3100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		{ 0x4000, 0x4000, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB }, /* size 0 */
		{ 0x5000, 0x5100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		{ 0x5080, 0x5180, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB }, /* overlaps */
		{ 0x6000, 0x6010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		{ 0x6000, 0x6040, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB }, /* same start */
		{ 0x7000, 0x7010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		{ 0x7000, 0x7010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		{ 0x8000, 0x8010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DYNSYM },
	};
	static const char *const names[] = {
		"malloc", "__libc_malloc", "__GI___libc_malloc", "mallocx", "malloc",
		"outer", "inner",
		"hidden_one", "visible_one",
		"empty",
		"first", "second",
		"short_one", "long_one",
		"memcpy@GLIBC_2.2.5", "memcpy_alias",
		"_ZN2ns3fooEi",
	};
	struct rti_symtab *t = build(v, names, sizeof(v) / sizeof(v[0]));
	long r;

	ok(t != NULL, "table built");
	if (!t)
		return done_testing();
	is_str(at(t, 0x1000), "malloc", "alias: exported, fewest underscores, global before weak");
	is_str(at(t, 0x10ff), "malloc", "last byte covered");
	is_str(at(t, 0x1100), "(none)", "end is exclusive");
	r = rti_symtab_find(t, 0x1050);
	ok(r >= 0 && rti_symtab_src(t, r) == RTI_SRC_DEBUG, "the same name from .dynsym and a debug file: debuginfo");
	ok(r >= 0 && rti_symtab_is_alias(t, r, "__GI___libc_malloc") &&
		   rti_symtab_is_alias(t, r, "mallocx") && !rti_symtab_is_alias(t, r, "free"),
	   "alias set");
	ok(r >= 0 && rti_symtab_start(t, r) == 0x1000, "start");
	is_str(at(t, 0x2050), "outer", "outer function");
	is_str(at(t, 0x2150), "inner", "nested: innermost");
	is_str(at(t, 0x2200), "outer", "after the nested one: outer again");
	is_str(at(t, 0x3000), "visible_one", "default visibility before hidden");
	is_str(at(t, 0x4000), "(none)", "size 0 covers nothing");
	is_str(at(t, 0x5090), "second", "overlap: greatest start");
	is_str(at(t, 0x5110), "second", "overlap tail");
	is_str(at(t, 0x507f), "first", "overlap head");
	is_str(at(t, 0x6005), "short_one", "same start: smallest range");
	is_str(at(t, 0x6020), "long_one", "same start: the larger range beyond the smaller");
	is_str(at(t, 0x7000), "memcpy", "version suffix cut; shorter name preferred");
	is_str(at(t, 0x8004), "ns::foo(int)", "demangled");
	r = rti_symtab_find(t, 0x8004);
	is_str(r >= 0 ? rti_symtab_raw(t, r) : NULL, "_ZN2ns3fooEi", "raw name kept");
	ok(r >= 0 && rti_symtab_src(t, r) == RTI_SRC_DYNSYM, "dynsym source");
	is_str(at(t, 0x0), "(none)", "below everything");
	is_str(at(t, UINT64_MAX), "(none)", "above everything");
	ok(rti_symtab_rows(t) == 10, "rows: aliases merged, size 0 dropped (%zu)", rti_symtab_rows(t));
	rti_symtab_free(t);

	{
		/* order of input must not matter */
		static const struct rti_symtab_raw w[] = {
			{ 0x1000, 0x1100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DEBUG },
			{ 0x1000, 0x1100, 0, STB_WEAK, STV_DEFAULT, RTI_SRC_DEBUG },
			{ 0x1000, 0x1100, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DYNSYM },
		};
		static const char *const wn[] = { "__libc_malloc", "mallocx", "malloc" };
		struct rti_symtab *u = build(w, wn, 3);

		is_str(u ? at(u, 0x1000) : NULL, "malloc", "same choice whatever the input order");
		rti_symtab_free(u);
	}
	{
		/* glibc: getpid is a weak alias of the global __getpid; a static
		 * function without underscores is not public */
		static const struct rti_symtab_raw w[] = {
			{ 0x1000, 0x1010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_DEBUG },
			{ 0x1000, 0x1010, 0, STB_WEAK, STV_DEFAULT, RTI_SRC_DEBUG },
			{ 0x1000, 0x1010, 0, STB_LOCAL, STV_DEFAULT, RTI_SRC_DEBUG },
			{ 0x2000, 0x2010, 0, STB_LOCAL, STV_DEFAULT, RTI_SRC_SYMTAB },
			{ 0x2000, 0x2010, 0, STB_GLOBAL, STV_DEFAULT, RTI_SRC_SYMTAB },
		};
		static const char *const wn[] = { "__getpid", "getpid", "__GI___getpid",
						   "helper", "__helper_impl" };
		struct rti_symtab *u = build(w, wn, 5);

		is_str(u ? at(u, 0x1004) : NULL, "getpid", "public weak alias before __global");
		is_str(u ? at(u, 0x2004) : NULL, "__helper_impl", "exported before local");
		rti_symtab_free(u);
	}
	{
		struct rti_symtab_builder b;
		struct rti_symtab *e;

		rti_symtab_builder_init(&b);
		ok(rti_symtab_builder_add(&b, 0, 0, "x", 0, 0, 1) == 0 &&
			   rti_symtab_builder_add(&b, UINT64_MAX, 2, "wrap", 0, 0, 1) == 0 &&
			   rti_symtab_builder_add(&b, 1, 1, "", 0, 0, 1) == 0 &&
			   rti_symtab_builder_add(&b, 1, 1, NULL, 0, 0, 1) == 0,
		   "odd symbols are skipped, not errors");
		e = rti_symtab_build(&b);
		ok(e && rti_symtab_rows(e) == 0 && rti_symtab_find(e, 5) == -1, "empty table");
		rti_symtab_free(e);
	}
	return done_testing();
}
