/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_IO_H
#define RTI_IO_H
#include "rti/io.h" /* public: the commands use it too */
#endif
