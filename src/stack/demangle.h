/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Symbol demangling through libiberty (the demangler of binutils and GCC):
 * C++ Itanium ABI names (_Z...), Rust legacy (_ZN...17h<hash>E) and Rust
 * v0 (_R...) names. Options DMGL_PARAMS | DMGL_ANSI, as `nm -C` and
 * `addr2line -C`; Rust hashes and crate disambiguators are left out, as in
 * rustc-demangle's alternate format, so that names match across builds.
 */
#ifndef RTI_STACK_DEMANGLE_H
#define RTI_STACK_DEMANGLE_H

/* Longest demangled name kept; longer ones stay mangled. */
#define RTI_DEMANGLE_MAX 16384

/* A malloc'd demangled name, or NULL when name is not a mangled name we
 * know (C names), cannot be demangled, or demangling is unavailable. */
char *rti_demangle(const char *name);

#endif
