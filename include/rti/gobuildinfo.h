/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go build information (the .go.buildinfo section the Go linker writes,
 * Go >= 1.18 layout): the Go version and the module versions of a Go
 * binary. The symbolizer reads it when it opens a Go binary and keeps it
 * per code id; the hot index stores it with the code id, so that `reach`
 * can apply OSV SEMVER ranges later and elsewhere, without the binary.
 *
 * Text form, one item per line:
 *   go\t<go version>            e.g. "go\tgo1.19.8"
 *   mod\t<module path>\t<version>   the main module and each dependency
 *                               (a replacement's version replaces the
 *                               module's)
 */
#ifndef RTI_GOBUILDINFO_H
#define RTI_GOBUILDINFO_H

#include <stddef.h>

#define RTI_GO_BUILDINFO_MAX (256u << 10) /* bytes of the text form */

/* The section's bytes -> text form in out (NUL-terminated). Its length,
 * or -ENOENT (not build information of a known layout), -ENOBUFS. */
long rti_go_buildinfo_parse(const void *sec, size_t n, char *out, size_t outlen);
/* Reads the .go.buildinfo section of the ELF file on fd (libelf). */
long rti_go_buildinfo_read(int fd, char *out, size_t outlen);

/* The process-wide table the symbolizer fills (bounded, thread-safe). */
void rti_go_buildinfo_note(const char *code_id, int fd);
/* A copy of the text form of code_id into out: its length, or -ENOENT. */
long rti_go_buildinfo_lookup(const char *code_id, char *out, size_t outlen);

#endif
