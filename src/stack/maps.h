/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/<pid>/maps parsing is public API (`stella-rti symbolize --pid`):
 * see rti/maps.h. */
#ifndef RTI_STACK_MAPS_H
#define RTI_STACK_MAPS_H

#include "rti/maps.h"

#endif
