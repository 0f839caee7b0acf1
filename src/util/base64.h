/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RTI_BASE64_H
#define RTI_BASE64_H
#include <stddef.h>
/* Value of one base64 digit, either alphabet (+/ or -_); -1 for others. */
int rti_base64_digit(unsigned char c);
/* Standard base64 with or without padding. out needs n / 4 * 3 + 3 bytes.
 * Returns the decoded length or -1 on a bad character or length. */
long rti_base64_decode(const char *s, size_t n, unsigned char *out);
#endif
