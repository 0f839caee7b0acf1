/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded single-producer/single-consumer queue of byte messages between
 * the gRPC reader thread and the writer (decode, pipeline, sinks).
 *
 * Messages live in one ring of `capacity` bytes (a 16-byte header plus the
 * payload, 8-byte aligned); the consumer reads them in place and releases
 * them, so a message is copied once (socket buffer -> ring). Messages over
 * capacity / 4 are stored out of line (malloc'ed), at most `capacity` bytes
 * of them at a time, but one is always admitted when none is queued, so
 * that any message up to the gRPC size limit can pass.
 *
 * When the queue is full the producer either drops the message (counted:
 * the reader must never stall, or Tetragon silently drops events for us)
 * or waits for room (block mode: back-pressure through TCP instead).
 * Waiting uses a mutex and condition variables only on the slow path.
 */
#ifndef RTI_QUEUE_H
#define RTI_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rti_queue;

struct rti_queue_opts {
	size_t sz;          /* sizeof(struct rti_queue_opts) */
	size_t capacity;    /* ring bytes; 0 = 4 MiB; rounded up to 4 KiB */
	bool block;         /* full: wait instead of dropping */
};

struct rti_queue_item {
	uint16_t type;      /* caller-defined */
	uint64_t time_ns;   /* caller-defined (receive time) */
	const uint8_t *data;
	size_t len;
};

struct rti_queue_stats {
	uint64_t pushed, pushed_bytes;
	uint64_t dropped, dropped_bytes;   /* drop mode: queue full */
	uint64_t popped;
	uint64_t blocked_ns;               /* block mode: producer waited */
	uint64_t high_water;               /* most bytes queued at once */
	uint64_t used;                     /* bytes queued now */
	size_t capacity;
};

struct rti_queue *rti_queue_new(const struct rti_queue_opts *opts);
void rti_queue_free(struct rti_queue *q);

/* Producer. 0 queued, -ENOBUFS dropped (full, drop mode), -EPIPE closed,
 * -ENOMEM. */
int rti_queue_push(struct rti_queue *q, uint16_t type, uint64_t time_ns, const void *p,
		   size_t n);
/* Producer: no more items. The consumer drains what is queued, then gets
 * -EPIPE. A producer blocked in push returns -EPIPE. */
void rti_queue_close(struct rti_queue *q);
/* Consumer side stop: wakes a producer blocked in push (it gets -EPIPE). */
void rti_queue_abort(struct rti_queue *q);

/* Consumer. 1 with *it (valid until rti_queue_release), 0 when nothing
 * arrived within timeout_ms, -EPIPE when closed and empty. */
int rti_queue_peek(struct rti_queue *q, struct rti_queue_item *it, int timeout_ms);
void rti_queue_release(struct rti_queue *q);

void rti_queue_get_stats(struct rti_queue *q, struct rti_queue_stats *st);

#endif
