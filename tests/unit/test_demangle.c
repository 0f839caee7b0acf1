/* SPDX-License-Identifier: Apache-2.0 */
/* Demangling through libiberty: C++ (Itanium), Rust legacy and v0. Expected
 * strings: c++filt / nm -C for C++; rustc-demangle's alternate format
 * (no hash, no crate disambiguator) for Rust, from its test suite. */
#include <stdlib.h>

#include "stack/demangle.h"
#include "tap.h"

static void check(const char *in, const char *want)
{
	char *got = rti_demangle(in);

	is_str(got ? got : "(not demangled)", want, in);
	free(got);
}

int main(void)
{
	/* C++ */
	check("_ZN2ns3fooEi", "ns::foo(int)");
	check("_ZNSt6vectorIiSaIiEE9push_backERKi",
	      "std::vector<int, std::allocator<int> >::push_back(int const&)");
	check("_ZN3FooC2Ev", "Foo::Foo()");
	check("_ZN3FooD1Ev", "Foo::~Foo()");
	check("_ZNK3Foo3getEv", "Foo::get() const");
	check("_ZN2ns1fB5cxx11Ev", "ns::f[abi:cxx11]()");
	check("_ZplRK3VecS1_", "operator+(Vec const&, Vec const&)");
	check("_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()() const");
	check("_Z3foov.cold", "foo() [clone .cold]");
	check("_ZL6helperv", "helper()");
	check("_ZTV3Foo", "vtable for Foo");
	check("_Z1fIiEvT_", "void f<int>(int)");
	/* Rust legacy: the hash is left out */
	check("_ZN4core3fmt9Formatter3pad17h1234567890abcdefE", "core::fmt::Formatter::pad");
	check("_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h0f2a7e83c1f1c0d4E",
	      "std::rt::lang_start::{{closure}}");
	check("_ZN4core3ptr85drop_in_place$LT$std..rt..lang_start$LT$$LP$$RP$$GT$..$u7b$$u7b$"
	      "closure$u7d$$u7d$$GT$17h0123456789abcdefE",
	      "core::ptr::drop_in_place<std::rt::lang_start<()>::{{closure}}>");
	check("_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$"
	      "3bar17h930b740aa94f1d3aE",
	      "<Test + 'static as foo::Bar<Test>>::bar");
	/* Rust v0 (RFC 2603): crate disambiguators left out */
	check("_RNvCs1234_7mycrate3foo", "mycrate::foo");
	check("_RNvC6_123foo3bar", "123foo::bar");
	check("_RNvMs_NtCs9ltgdHTiPiY_4core3fmtNtB4_9Formatter3pad",
	      "<core::fmt::Formatter>::pad");
	check("_RINvNtCs1234_3std2rt10lang_startuEB2_", "std::rt::lang_start::<()>");
	check("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", "cc::spawn::{closure#0}::{closure#0}");
	check("_RNvXs_NtCs1234_4core3fmtNtB4_5ErrorNtB4_7Display3fmt",
	      "<core::fmt::Error as core::fmt::Display>::fmt");
	check("_RINvNtC3std3mem8align_ofjE", "std::mem::align_of::<usize>");
	check("_RINvCs1234_5crate3fooKj7b_E", "crate::foo::<123>");
	check("_RNvNvMCs4fqI2P2rA04_13const_genericINtB4_3FooKpE3foo3FOO",
	      "<const_generic::Foo<_>>::foo::FOO");
	/* Debian 12's libiberty (20230104) refuses this punycode identifier of
	 * rustc-demangle's tests (utf8_idents::საჭმელად_გემრიელი_სადილი): the
	 * frame keeps the mangled name, which still matches across builds */
	check("_RNqCs4fqI2P2rA04_11utf8_identsu30____7hkackfecea1cbdathfdh9qlzs",
	      "(not demangled)");
	check("_RINbNbCskIICzLVDPPb_5alloc5alloc8box_freeDINbNiB4_5boxed5FnBoxuEp6OutputuEL_"
	      "ECs1iopQbuBiw2_3std",
	      "alloc::alloc::box_free::<dyn alloc::boxed::FnBox<(), Output = ()>>");
	/* not mangled, or broken: no name invented */
	check("main", "(not demangled)");
	check("Sp", "(not demangled)");
	check("f", "(not demangled)");
	check("_Z", "(not demangled)");
	check("_ZN3fooE_garbage((", "(not demangled)");
	check("_R", "(not demangled)");
	check("__libc_start_main", "(not demangled)");
	return done_testing();
}
