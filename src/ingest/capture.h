/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_CAPTURE_H
#define RTI_CAPTURE_H

#include "rti/capture.h" /* public: run --record and replay use it */

#endif
