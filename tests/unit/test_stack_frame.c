/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Frame identity and frame JSON (include/rti/frame.h): known identities
 * give known frame_ids (expected values from sha256sum), and frames give
 * exact canonical JSON bytes, short ones and ones too long for the stack
 * buffers (the same bytes through the general writer, rti_cjw).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/frame.h"
#include "tap.h"

static void frame_ids(void)
{
	char id[RTI_FRAME_ID_LEN + 1];
	char ident[128];
	char big[512];
	size_t n;

	n = rti_frame_ident(ident, RTI_SPACE_USER,
			    "gnu-build-id:0123456789abcdef0123456789abcdef01234567", 53, 0x4ba4f);
	ok(n == 61 &&
	   !memcmp(ident, "gnu-build-id:0123456789abcdef0123456789abcdef01234567@0x4ba4f", n),
	   "user identity string");
	ok(n <= rti_frame_ident_max(RTI_SPACE_USER, 53), "within its bound");
	rti_frame_id(ident, n, id);
	is_str(id, "sha256:0c083584ca9bccf0222f35b71bb77246", "frame_id of a build-id identity");
	rti_frame_id_of(RTI_SPACE_USER, "gnu-build-id:0123456789abcdef0123456789abcdef01234567",
			0x4ba4f, id);
	is_str(id, "sha256:0c083584ca9bccf0222f35b71bb77246", "rti_frame_id_of, user");

	n = rti_frame_ident(ident, RTI_SPACE_KERNEL, "do_sys_openat2", 14, 0x1a);
	ok(n == 26 && !memcmp(ident, "kernel!do_sys_openat2+0x1a", n), "kernel identity string");
	rti_frame_id_of(RTI_SPACE_KERNEL, "do_sys_openat2", 0x1a, id);
	is_str(id, "sha256:ce384e36682a39c6a9ffc9d68549a171", "frame_id of a kernel frame");
	rti_frame_id_of(RTI_SPACE_KERNEL, "", 0, id);
	is_str(id, "sha256:59721d2b8b45a5ea084e59cb62d966eb", "kernel frame without a symbol");

	n = rti_path_code_id(ident, "/usr/bin/x", 10);
	ok(n == 15 && !strcmp(ident, "path:/usr/bin/x"), "path code_id");
	rti_frame_id_of(RTI_SPACE_USER, ident, 0x10, id);
	is_str(id, "sha256:72c43ef2825ea3bfc034ae029de29bdc", "frame_id of a path code_id");

	/* longer than the identity's stack buffer */
	memset(big, 'a', sizeof(big));
	n = rti_path_code_id(big, "/", 1);
	memset(big + n, 'a', 400);
	big[n + 400] = '\0';
	ok(rti_frame_id_of(RTI_SPACE_USER, big, 0x1234, id) == 0, "long identity");
	is_str(id, "sha256:32c2f80756bd123c97a83ac2a3da94aa", "frame_id of a long identity");
}

/* The frame through rti_frame_json, as one line. */
static char *json(const struct rti_frame *f, struct rti_buf *b)
{
	struct rti_cjw w;

	rti_buf_reset(b);
	rti_cjw_init(&w, b);
	rti_frame_json(&w, f);
	return w.err ? NULL : b->p;
}

/* The same frame through the general writer, member by member. */
static char *json_general(const struct rti_frame *f, struct rti_buf *b)
{
	struct rti_cjw w;

	rti_buf_reset(b);
	rti_cjw_init(&w, b);
	rti_cjw_obj_open(&w);
	rti_cjw_key(&w, "code_id");
	rti_cjw_cstr(&w, f->code_id);
	rti_cjw_key(&w, "frame_id");
	rti_cjw_str(&w, f->frame_id, RTI_FRAME_ID_LEN);
	rti_cjw_kv_str(&w, "module", f->module);
	rti_cjw_key(&w, "offset");
	rti_cjw_hex(&w, f->offset);
	rti_cjw_key(&w, "resolved_by");
	rti_cjw_cstr(&w, f->resolved_by);
	rti_cjw_key(&w, "space");
	rti_cjw_cstr(&w, f->space == RTI_SPACE_KERNEL ? "kernel" : "user");
	rti_cjw_kv_str(&w, "symbol", f->symbol);
	if (f->has_symbol_offset) {
		rti_cjw_key(&w, "symbol_offset");
		rti_cjw_hex(&w, f->symbol_offset);
	}
	rti_cjw_kv_str(&w, "unresolved", f->unresolved);
	rti_cjw_obj_close(&w);
	return w.err ? NULL : b->p;
}

static void frame_json(void)
{
	struct rti_frame f;
	struct rti_buf b, g;
	char *sym = malloc(5000);

	rti_buf_init(&b, 1u << 20);
	rti_buf_init(&g, 1u << 20);
	memset(&f, 0, sizeof(f));
	f.space = RTI_SPACE_USER;
	f.module = "/usr/lib/x86_64-linux-gnu/libc.so.6";
	f.code_id = "gnu-build-id:0123456789abcdef0123456789abcdef01234567";
	f.offset = 0x4ba4f;
	f.symbol = "malloc";
	f.symbol_offset = 0x1f;
	f.has_symbol_offset = true;
	f.resolved_by = "debuginfo";
	rti_frame_id_of(f.space, f.code_id, f.offset, f.frame_id);
	is_str(json(&f, &b),
	       "{\"code_id\":\"gnu-build-id:0123456789abcdef0123456789abcdef01234567\","
	       "\"frame_id\":\"sha256:0c083584ca9bccf0222f35b71bb77246\","
	       "\"module\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\",\"offset\":\"0x4ba4f\","
	       "\"resolved_by\":\"debuginfo\",\"space\":\"user\",\"symbol\":\"malloc\","
	       "\"symbol_offset\":\"0x1f\"}",
	       "user frame, resolved");

	memset(&f, 0, sizeof(f));
	f.space = RTI_SPACE_KERNEL;
	f.module = "[kernel]";
	f.code_id = "kernel";
	f.resolved_by = "none";
	f.unresolved = "no_kernel_symbol";
	rti_frame_id_of(f.space, "", 0, f.frame_id);
	is_str(json(&f, &b),
	       "{\"code_id\":\"kernel\",\"frame_id\":\"sha256:59721d2b8b45a5ea084e59cb62d966eb\","
	       "\"module\":\"[kernel]\",\"offset\":\"0x0\",\"resolved_by\":\"none\","
	       "\"space\":\"kernel\",\"unresolved\":\"no_kernel_symbol\"}",
	       "kernel frame, unresolved");

	/* no module (withheld), escapes, invalid UTF-8 */
	f.space = RTI_SPACE_USER;
	f.module = "";
	f.code_id = "path:[private]";
	f.offset = 0x10;
	f.symbol = "a\"b\\c\n\x01\xff";
	f.resolved_by = "agent";
	f.unresolved = NULL;
	is_str(json(&f, &b),
	       "{\"code_id\":\"path:[private]\",\"frame_id\":\"sha256:59721d2b8b45a5ea084e59cb62d966eb\","
	       "\"offset\":\"0x10\",\"resolved_by\":\"agent\",\"space\":\"user\","
	       "\"symbol\":\"a\\\"b\\\\c\\n\\u0001\xef\xbf\xbd\"}",
	       "escapes, no module");
	is_str(json_general(&f, &g), b.p, "the general writer agrees");

	/* a frame too large for the stack buffer: every byte escaped */
	memset(sym, 1, 4999);
	sym[4999] = '\0';
	f.symbol = sym;
	ok(json(&f, &b) && json_general(&f, &g) && b.len == g.len && !strcmp(b.p, g.p),
	   "long frame: same bytes as the general writer (%zu)", b.len);

	/* frames inside an array: separators come from the writer */
	{
		struct rti_cjw w;

		f.symbol = "x";
		rti_buf_reset(&b);
		rti_cjw_init(&w, &b);
		rti_cjw_arr_open(&w);
		rti_frame_json(&w, &f);
		rti_frame_json(&w, &f);
		rti_cjw_arr_close(&w);
		ok(!w.err && b.p[0] == '[' && strstr(b.p, "},{") && b.p[b.len - 1] == ']',
		   "two frames in an array");
	}
	free(sym);
	rti_buf_release(&b);
	rti_buf_release(&g);
}

int main(void)
{
	frame_ids();
	frame_json();
	return done_testing();
}
