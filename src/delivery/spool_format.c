/* SPDX-License-Identifier: Apache-2.0 */
/* The spool's record and ledger formats (spool_format.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "delivery/spool_format.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void rti_spool_hdr_put(uint8_t hdr[RTI_SPOOL_HDR], const void *payload, uint32_t len)
{
	put_le32(hdr, len);
	put_le32(hdr + 4, (uint32_t)crc32(0L, payload, len));
}

enum rti_rec_status rti_spool_rec_check(const uint8_t *buf, size_t n, uint32_t *len)
{
	uint32_t l;

	if (n < RTI_SPOOL_HDR)
		return RTI_REC_SHORT;
	l = get_le32(buf);
	if (l == 0 || l > RTI_SPOOL_MAX_RECORD)
		return RTI_REC_BAD_LEN;
	if (n - RTI_SPOOL_HDR < l)
		return RTI_REC_SHORT;
	if ((uint32_t)crc32(0L, buf + RTI_SPOOL_HDR, l) != get_le32(buf + 4))
		return RTI_REC_BAD_CRC;
	*len = l;
	return RTI_REC_OK;
}

/* A decimal u64 at *p followed by sep; advances *p past sep. */
static int num(const char **p, const char *end, char sep, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	if (s >= end || *s != sep)
		return -1;
	*v = x;
	*p = s + 1;
	return 0;
}

static int bad(char *why, size_t wlen, int line, const char *what)
{
	snprintf(why, wlen, "line %d: %s", line, what);
	return -EINVAL;
}

static bool is_hex64(const char *s, const char *end)
{
	if (end - s < 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int parse_inflight(const char *p, const char *end, struct rti_ledger *l, char *why,
			  size_t wlen)
{
	if (num(&p, end, ' ', &l->if_seq) || num(&p, end, ' ', &l->if_start) ||
	    num(&p, end, ' ', &l->if_end) || num(&p, end, ' ', &l->if_records) ||
	    num(&p, end, ' ', &l->if_created_ms))
		return bad(why, wlen, 3, "inflight: expected SEQ START END RECORDS CREATED_MS ID");
	if (!is_hex64(p, end) || p + 64 >= end || p[64] != '\n')
		return bad(why, wlen, 3, "inflight: ID is not 64 lowercase hex digits");
	if (l->if_end <= l->if_start || l->if_records == 0 ||
	    l->if_end - l->if_start > (uint64_t)RTI_SPOOL_MAX_RECORD * 64)
		return bad(why, wlen, 3, "inflight: empty or impossible range");
	memcpy(l->if_id, p, 64);
	l->if_id[64] = '\0';
	l->inflight = true;
	if (p + 65 != end)
		return bad(why, wlen, 4, "unexpected data after the inflight line");
	return 0;
}

int rti_ledger_parse(const char *buf, size_t n, struct rti_ledger *l, char *why, size_t wlen)
{
	static const char magic[] = "stella-rti spool ledger 1\n";
	const char *p = buf, *end = buf + n;

	memset(l, 0, sizeof(*l));
	if (n > RTI_LEDGER_MAX)
		return bad(why, wlen, 1, "longer than a ledger can be");
	if (n < sizeof(magic) - 1 || memcmp(buf, magic, sizeof(magic) - 1))
		return bad(why, wlen, 1, "not a stella-rti spool ledger (version 1)");
	p += sizeof(magic) - 1;
	if (end - p < 6 || memcmp(p, "acked ", 6))
		return bad(why, wlen, 2, "expected 'acked SEQ OFFSET'");
	p += 6;
	if (num(&p, end, ' ', &l->acked_seq) || num(&p, end, '\n', &l->acked_off))
		return bad(why, wlen, 2, "expected 'acked SEQ OFFSET'");
	if (p == end)
		return 0;
	if (end - p < 9 || memcmp(p, "inflight ", 9))
		return bad(why, wlen, 3, "expected 'inflight ...' or the end");
	if (parse_inflight(p + 9, end, l, why, wlen))
		return -EINVAL;
	if (l->if_seq < l->acked_seq || (l->if_seq == l->acked_seq && l->if_start < l->acked_off))
		return bad(why, wlen, 3, "inflight: before the acknowledged position");
	return 0;
}

size_t rti_ledger_format(const struct rti_ledger *l, char *out, size_t cap)
{
	int n = snprintf(out, cap, "stella-rti spool ledger 1\nacked %" PRIu64 " %" PRIu64 "\n",
			 l->acked_seq, l->acked_off);

	if (n > 0 && l->inflight && (size_t)n < cap)
		n += snprintf(out + n, cap - (size_t)n,
			      "inflight %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
			      l->if_seq, l->if_start, l->if_end, l->if_records, l->if_created_ms,
			      l->if_id);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

int rti_spool_seg_name_parse(const char *name, uint64_t *seq)
{
	uint64_t v = 0;

	if (strlen(name) != RTI_SPOOL_SEQ_DIGITS + 4 || strcmp(name + RTI_SPOOL_SEQ_DIGITS, ".seg"))
		return -1;
	for (int i = 0; i < RTI_SPOOL_SEQ_DIGITS; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(name[i] - '0');
	}
	*seq = v;
	return 0;
}
