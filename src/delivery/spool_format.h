/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The spool's on-disk formats (docs/delivery.md "Spool layout"), as pure
 * functions on memory so they can be fuzzed (fuzz/fuzz_spool.c):
 *
 * A segment file `NNNNNNNNNNNNNNNNNNNN.seg` (20 decimal digits: names sort
 * as numbers) is a sequence of records
 *
 *     [u32 len, little endian][u32 crc32 (zlib) of the payload, LE][payload]
 *
 * with 0 < len <= RTI_SPOOL_MAX_RECORD. The ledger is a file of two
 * 512-byte slots written in turn, in place (so that recording an
 * acknowledgement needs no new disk block: a full disk cannot stop the
 * deletion that frees it; a torn write spoils one slot, never both). A
 * slot is text, then NUL bytes:
 *
 *     stella-rti spool ledger 1
 *     acked SEQ OFFSET
 *     inflight SEQ START END RECORDS CREATED_MS ID     (optional)
 *     gen N
 *     crc XXXXXXXX                                      (crc32 of the lines above)
 *
 * The valid slot with the higher gen is the ledger. acked: everything
 * before OFFSET in segment SEQ (and every segment before SEQ) is
 * acknowledged. inflight: the batch [START, END) of segment SEQ was
 * offered with Idempotency-Key ID (64 hex digits, the SHA-256 of the
 * batch) and must be offered again, byte for byte, until it is
 * acknowledged.
 */
#ifndef RTI_DELIVERY_SPOOL_FORMAT_H
#define RTI_DELIVERY_SPOOL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTI_SPOOL_HDR 8u
/* The hard cap of one record (a canonical line): larger lines are dropped
 * (counted, reason "too_large"); the pipeline's own caps are far below. */
#define RTI_SPOOL_MAX_RECORD (16u << 20)
#define RTI_SPOOL_SEQ_DIGITS 20
#define RTI_LEDGER_SLOT 512u
#define RTI_LEDGER_SIZE (2 * RTI_LEDGER_SLOT)

void rti_spool_hdr_put(uint8_t hdr[RTI_SPOOL_HDR], const void *payload, uint32_t len);

enum rti_rec_status {
	RTI_REC_OK,       /* a whole record with a good CRC */
	RTI_REC_SHORT,    /* header or payload past the end of the data (a torn tail) */
	RTI_REC_BAD_LEN,  /* len 0 or over the cap */
	RTI_REC_BAD_CRC,  /* the payload does not match its CRC */
};

/* The record at buf[0..n): its status and, when OK, its payload length. */
enum rti_rec_status rti_spool_rec_check(const uint8_t *buf, size_t n, uint32_t *len);

struct rti_ledger {
	uint64_t acked_seq, acked_off;
	bool inflight;
	uint64_t if_seq, if_start, if_end, if_records, if_created_ms;
	char if_id[65];
	uint64_t gen;
};

/* Parses one slot (its text ends at the first NUL or at n). 0, or
 * -EINVAL with why ("line 2: ..."). */
int rti_ledger_parse(const char *buf, size_t n, struct rti_ledger *l, char *why, size_t wlen);
/* A slot: l's text (with l->gen and the crc), NUL-padded to RTI_LEDGER_SLOT. */
void rti_ledger_format(const struct rti_ledger *l, char out[RTI_LEDGER_SLOT]);
/* A ledger file: the valid slot with the higher gen; its index in *slot.
 * 0, or -EINVAL with why (both slots bad, or not RTI_LEDGER_SIZE bytes). */
int rti_ledger_file_parse(const char *buf, size_t n, struct rti_ledger *l, unsigned *slot,
			  char *why, size_t wlen);

/* "00000000000000000042.seg" -> 42. 0, or -1 when the name is not a segment's. */
int rti_spool_seg_name_parse(const char *name, uint64_t *seq);

#endif
