/* SPDX-License-Identifier: Apache-2.0 */
/* gRPC status plumbing shared by the client and the server. */
#ifndef RTI_GRPC_STATUS_H
#define RTI_GRPC_STATUS_H

#include <stddef.h>
#include <stdint.h>

/* grpc-message is percent-encoded; invalid escapes are kept as they are,
 * control characters become '?'. Always NUL-terminates (outlen > 0). */
void rti_grpc_percent_decode(const char *in, size_t n, char *out, size_t outlen);
/* Encodes for grpc-message; returns the length written (truncated to fit). */
size_t rti_grpc_percent_encode(const char *in, char *out, size_t outlen);

/* Status when a response carries no grpc-status (gRPC HTTP/2 spec). */
int rti_grpc_status_from_http(int http_status);
int rti_grpc_status_from_h2(uint32_t h2_error_code);

#endif
