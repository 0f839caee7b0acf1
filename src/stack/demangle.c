/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "stack/demangle.h"

#ifndef RTI_NO_LIBIBERTY
#include <libiberty/demangle.h>
#endif

char *rti_demangle(const char *name)
{
#ifdef RTI_NO_LIBIBERTY
	/* fuzz builds (mk/stack.mk): fuzz/run.sh links no libiberty */
	(void)name;
	return NULL;
#else
	char *d;

	/* Only the two prefixes of the schemes we support: a C name such as
	 * "f" or "Sp" must never be read as a mangled type by auto mode. */
	if (name[0] != '_' || (name[1] != 'Z' && name[1] != 'R'))
		return NULL;
	d = cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI);
	if (d && (!*d || strlen(d) > RTI_DEMANGLE_MAX)) {
		free(d);
		d = NULL;
	}
	return d;
#endif
}
