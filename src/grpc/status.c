/* SPDX-License-Identifier: Apache-2.0 */
#include "grpc/status.h"
#include "rti/grpc.h"
#include "util/hash.h"

void rti_grpc_percent_decode(const char *in, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch == '%' && i + 2 < n && rti_hexval(in[i + 1]) >= 0 && rti_hexval(in[i + 2]) >= 0) {
			ch = (unsigned char)(rti_hexval(in[i + 1]) * 16 + rti_hexval(in[i + 2]));
			i += 2;
		}
		/* keep UTF-8 bytes, drop nothing: a log line must stay one line */
		out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[o] = '\0';
}

size_t rti_grpc_percent_encode(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch <= 0x7e && ch != '%') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)ch;
			continue;
		}
		if (o + 3 >= outlen)
			break;
		out[o++] = '%';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 15];
	}
	if (outlen)
		out[o] = '\0';
	return o;
}

int rti_grpc_status_from_http(int st)
{
	switch (st) {
	case 400:
		return RTI_GRPC_INTERNAL;
	case 401:
		return RTI_GRPC_UNAUTHENTICATED;
	case 403:
		return RTI_GRPC_PERMISSION_DENIED;
	case 404:
		return RTI_GRPC_UNIMPLEMENTED;
	case 429:
	case 502:
	case 503:
	case 504:
		return RTI_GRPC_UNAVAILABLE;
	default:
		return RTI_GRPC_UNKNOWN;
	}
}

int rti_grpc_status_from_h2(uint32_t code)
{
	switch (code) {
	case 0x7: /* REFUSED_STREAM: nothing was processed, safe to retry */
		return RTI_GRPC_UNAVAILABLE;
	case 0x8: /* CANCEL */
		return RTI_GRPC_CANCELLED;
	case 0xb: /* ENHANCE_YOUR_CALM */
		return RTI_GRPC_RESOURCE_EXHAUSTED;
	case 0xc: /* INADEQUATE_SECURITY */
		return RTI_GRPC_PERMISSION_DENIED;
	default:  /* NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, ... */
		return RTI_GRPC_INTERNAL;
	}
}
