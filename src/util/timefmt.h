/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_TIMEFMT_H
#define RTI_TIMEFMT_H

#include "rti/time.h" /* public: the commands parse and print times too */

#endif
