/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fault-injection hook of the hot index (hotsym_int.h), in a module of
 * its own: the index and both stores call it, so defining it in any one of
 * them would make the others depend on that one.
 */
#include "hotsym/hotsym_int.h"

int (*rti_hotsym__test_hook)(const char *point);
