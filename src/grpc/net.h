/* SPDX-License-Identifier: Apache-2.0 */
/* Sockets for the gRPC client and server: unix:// paths and host:port. */
#ifndef RTI_GRPC_NET_H
#define RTI_GRPC_NET_H

#include <stdint.h>

#include "rti/grpc.h"
#include "util/clock.h"


/*
 * Non-blocking connect with a timeout; tries every address of a host name.
 * Returns a non-blocking, close-on-exec socket, or -errno with why filled
 * ("connect: Connection refused"). wake_fd (or -1): readable = give up.
 */
int rti_net_connect(const struct rti_grpc_addr *a, unsigned timeout_ms, int wake_fd,
		    char *why, size_t whylen);

/* Listening socket (non-blocking). A stale unix socket file is replaced;
 * a TCP port 0 is chosen by the kernel and written back into a->port. */
/*
 * One non-blocking send for nghttp2's send callback: the byte count, or
 * NGHTTP2_ERR_WOULDBLOCK, or NGHTTP2_ERR_CALLBACK_FAILURE with *err = errno.
 */
long rti_net_send(int fd, const void *data, size_t len, int *err);

int rti_net_listen(struct rti_grpc_addr *a, char *why, size_t whylen);

#endif
