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
	if (!is_hex64(p, end) || p + 64 >= end || p[64] != '\n' || p + 65 != end)
		return bad(why, wlen, 3, "inflight: ID is not 64 lowercase hex digits");
	if (l->if_end <= l->if_start || l->if_records == 0 ||
	    l->if_end - l->if_start > (uint64_t)RTI_SPOOL_MAX_RECORD * 64)
		return bad(why, wlen, 3, "inflight: empty or impossible range");
	memcpy(l->if_id, p, 64);
	l->if_id[64] = '\0';
	l->inflight = true;
	return 0;
}

/* The end of the line at p (past its '\n'), or NULL. */
static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : NULL;
}

static int parse_crc(const char *buf, const char *p, const char *end, int line, char *why,
		     size_t wlen)
{
	uint32_t want = 0;

	if (end - p != 13 || memcmp(p, "crc ", 4) || p[12] != '\n')
		return bad(why, wlen, line, "expected 'crc XXXXXXXX' last");
	for (int i = 4; i < 12; i++) {
		int c = p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return bad(why, wlen, line, "crc: not 8 lowercase hex digits");
		want = want << 4 | (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	if ((uint32_t)crc32(0L, (const Bytef *)buf, (uInt)(p - buf)) != want)
		return bad(why, wlen, line, "crc mismatch (a torn or damaged slot)");
	return 0;
}

int rti_ledger_parse(const char *buf, size_t n, struct rti_ledger *l, char *why, size_t wlen)
{
	static const char magic[] = "stella-rti spool ledger 1\n";
	const char *nul = memchr(buf, '\0', n);
	const char *p = buf, *end = nul ? nul : buf + n, *e;
	int line = 3;

	memset(l, 0, sizeof(l[0]));
	if ((size_t)(end - buf) > RTI_LEDGER_SLOT)
		return bad(why, wlen, 1, "longer than a ledger slot");
	if ((size_t)(end - p) < sizeof(magic) - 1 || memcmp(p, magic, sizeof(magic) - 1))
		return bad(why, wlen, 1, "not a stella-rti spool ledger (version 1)");
	p += sizeof(magic) - 1;
	e = line_end(p, end);
	if (!e || e - p < 6 || memcmp(p, "acked ", 6))
		return bad(why, wlen, 2, "expected 'acked SEQ OFFSET'");
	p += 6;
	if (num(&p, e, ' ', &l->acked_seq) || num(&p, e, '\n', &l->acked_off) || p != e)
		return bad(why, wlen, 2, "expected 'acked SEQ OFFSET'");
	e = line_end(p, end);
	if (e && e - p > 9 && !memcmp(p, "inflight ", 9)) {
		if (parse_inflight(p + 9, e, l, why, wlen))
			return -EINVAL;
		if (l->if_seq < l->acked_seq || (l->if_seq == l->acked_seq && l->if_start < l->acked_off))
			return bad(why, wlen, 3, "inflight: before the acknowledged position");
		p = e;
		e = line_end(p, end);
		line++;
	}
	if (!e || e - p < 5 || memcmp(p, "gen ", 4))
		return bad(why, wlen, line, "expected 'gen N'");
	p += 4;
	if (num(&p, e, '\n', &l->gen) || p != e)
		return bad(why, wlen, line, "expected 'gen N'");
	return parse_crc(buf, p, end, line + 1, why, wlen);
}

void rti_ledger_format(const struct rti_ledger *l, char out[RTI_LEDGER_SLOT])
{
	int n;

	memset(out, 0, RTI_LEDGER_SLOT);
	n = snprintf(out, RTI_LEDGER_SLOT, "stella-rti spool ledger 1\nacked %" PRIu64 " %" PRIu64 "\n",
		     l->acked_seq, l->acked_off);
	if (l->inflight)
		n += snprintf(out + n, RTI_LEDGER_SLOT - (size_t)n,
			      "inflight %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s\n",
			      l->if_seq, l->if_start, l->if_end, l->if_records, l->if_created_ms,
			      l->if_id);
	n += snprintf(out + n, RTI_LEDGER_SLOT - (size_t)n, "gen %" PRIu64 "\n", l->gen);
	snprintf(out + n, RTI_LEDGER_SLOT - (size_t)n, "crc %08lx\n",
		 (unsigned long)crc32(0L, (const Bytef *)out, (uInt)n));
}

int rti_ledger_file_parse(const char *buf, size_t n, struct rti_ledger *l, unsigned *slot,
			  char *why, size_t wlen)
{
	struct rti_ledger s[2];
	char w[2][160];
	int ok[2];

	if (n != RTI_LEDGER_SIZE) {
		snprintf(why, wlen, "%zu bytes, not %u", n, RTI_LEDGER_SIZE);
		return -EINVAL;
	}
	for (int i = 0; i < 2; i++)
		ok[i] = !rti_ledger_parse(buf + i * RTI_LEDGER_SLOT, RTI_LEDGER_SLOT, &s[i], w[i],
					  sizeof(w[i]));
	if (!ok[0] && !ok[1]) {
		snprintf(why, wlen, "slot 0: %s; slot 1: %s", w[0], w[1]);
		return -EINVAL;
	}
	*slot = ok[0] && (!ok[1] || s[0].gen > s[1].gen) ? 0 : 1;
	*l = s[*slot];
	return 0;
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
