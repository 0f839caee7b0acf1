/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capture files: the raw GetEventsResponse messages of a gRPC stream, as
 * `stella-rti run --record` stores them and `stella-rti replay` serves them.
 * The format is documented in docs/capture-format.md:
 *
 *   file   = header record*
 *   header = "\x89RTICAP\n" u16be(version = 1) u16be(header length = 16) u32be(0)
 *   record = u32be(length) u8(type) u8(0) u16be(0) u64be(time, ns since the epoch)
 *            payload[length]
 *
 * Types: 1 = a GetEventsResponse (binary protobuf, uncompressed);
 * 2 = stream (re)connected, payload = the target (UTF-8);
 * 3 = stream lost, payload = the reason (UTF-8). Readers skip other types.
 */
#ifndef RTI_PUBLIC_CAPTURE_H
#define RTI_PUBLIC_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTI_CAPTURE_MAGIC "\x89RTICAP\n"
#define RTI_CAPTURE_MAGIC_LEN 8
#define RTI_CAPTURE_HEADER_LEN 16
#define RTI_CAPTURE_RECORD_HDR 16

enum rti_capture_type {
	RTI_CAP_MESSAGE = 1,
	RTI_CAP_CONNECTED = 2,
	RTI_CAP_DISCONNECTED = 3,
};

/* True when the first bytes of a file are a capture header. */
bool rti_capture_sniff(const void *p, size_t n);

struct rti_capture_writer;

/* Creates (truncates) path. NULL with errno. */
struct rti_capture_writer *rti_capture_create(const char *path);
/* 0 or -errno (the record is buffered; written in 64 KiB blocks). */
int rti_capture_write(struct rti_capture_writer *w, uint8_t type, uint64_t time_ns,
		      const void *p, size_t n);
int rti_capture_flush(struct rti_capture_writer *w);
/* Flushes and closes; 0 or the first error. */
int rti_capture_close(struct rti_capture_writer *w);

struct rti_capture_reader;

struct rti_capture_record {
	uint8_t type;
	uint64_t time_ns;
	const uint8_t *data; /* valid until the next call */
	size_t len;
};

/* NULL with errno (EINVAL: not a capture file, why set). max_record: 0 =
 * 64 MiB. */
struct rti_capture_reader *rti_capture_open(const char *path, size_t max_record,
					    const char **why);
/* 1 record, 0 end of file, -EINVAL bad or truncated record (why set),
 * -errno on I/O errors. */
int rti_capture_next(struct rti_capture_reader *r, struct rti_capture_record *rec,
		     const char **why);
void rti_capture_close_reader(struct rti_capture_reader *r);

#endif
