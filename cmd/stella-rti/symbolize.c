/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stella-rti symbolize: canonical frames for file offsets of an ELF file,
 * for addresses of a live process, or for kernel addresses. For debugging
 * and for users checking what a binary will resolve to; the same code as
 * frames of converted events (src/stack).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common.h"
#include "rti/buf.h"
#include "rti/cjson.h"
#include "rti/frame.h"
#include "rti/maps.h"
#include "rti/symbolize.h"

static void symbolize_usage(FILE *f)
{
	fputs("usage: stella-rti symbolize --elf FILE [OFFSET...]\n"
	      "       stella-rti symbolize --pid PID [ADDRESS...]\n"
	      "       stella-rti symbolize --kernel [ADDRESS...]\n"
	      "\n"
	      "Prints one canonical stack frame (RuntimeCallEvent §6, canonical JSON)\n"
	      "per file offset of an ELF file, per virtual address of a live process\n"
	      "(through its /proc/PID/maps), or per kernel address (kallsyms).\n"
	      "Numbers are hex with 0x, else decimal; without any on the command line\n"
	      "they are read from stdin, one per line.\n"
	      "\n"
	      "      --text             one line of text per frame instead of JSON\n"
	      RTI_SYMBOLIZE_HELP,
	      f);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	int base = 10;

	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, base);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return errno || *end ? -1 : 0;
}

struct out {
	struct rti_buf b;
	bool text;
};

/* The canonical frame of a symbolizer answer, as the stack stage builds it
 * (without a privacy profile: a local debugging tool). *path_code_id gets
 * the heap copy of a "path:" code_id, for the caller to free. 0 or -ENOMEM. */
static int to_frame(enum rti_space space, const char *module, uint64_t offset,
		    const struct rti_sym_result *r, struct rti_frame *f, char **path_code_id)
{
	bool kernel = space == RTI_SPACE_KERNEL;

	memset(f, 0, sizeof(*f));
	*path_code_id = NULL;
	f->space = space;
	f->module = module;
	f->code_id = r->code_id;
	/* a kernel frame is known by its symbol: never the address */
	f->offset = !kernel ? offset : r->symbol ? r->symbol_offset : 0;
	f->symbol = r->symbol;
	f->symbol_offset = r->symbol_offset;
	f->has_symbol_offset = r->symbol && !kernel;
	f->resolved_by = rti_resolved_name(r->by);
	f->unresolved = r->symbol ? NULL : rti_unresolved_name(r->why);
	memcpy(f->frame_id, r->frame_id, sizeof(f->frame_id));
	if (kernel)
		return rti_frame_id_of(space, r->symbol ? r->symbol : "", f->offset, f->frame_id);
	if (!f->code_id) {
		const char *m = module && *module ? module : "[anon]";
		size_t n = strlen(m);

		*path_code_id = malloc(n + RTI_PATH_CODE_ID_EXTRA);
		if (!*path_code_id)
			return -ENOMEM;
		rti_path_code_id(*path_code_id, m, n);
		f->code_id = *path_code_id;
		return rti_frame_id_of(space, f->code_id, f->offset, f->frame_id);
	}
	return 0;
}

/* 0, or 1 when out of memory. */
static int emit(struct out *o, enum rti_space space, const char *module, uint64_t offset,
		const struct rti_sym_result *r)
{
	struct rti_frame f;
	char *path_code_id;

	if (to_frame(space, module, offset, r, &f, &path_code_id)) {
		free(path_code_id);
		fprintf(stderr, "stella-rti: symbolize: %s\n", strerror(ENOMEM));
		return 1;
	}
	rti_buf_reset(&o->b);
	if (o->text) {
		rti_buf_addf(&o->b, "0x%llx %s", (unsigned long long)f.offset,
			     f.symbol ? f.symbol : "??");
		if (f.has_symbol_offset)
			rti_buf_addf(&o->b, "+0x%llx", (unsigned long long)f.symbol_offset);
		rti_buf_addf(&o->b, " (%s) %s %s\n", f.symbol ? f.resolved_by : f.unresolved,
			     f.code_id, module && *module ? module : "-");
	} else {
		struct rti_cjw w;

		rti_cjw_init(&w, &o->b);
		rti_frame_json(&w, &f);
		rti_buf_addch(&o->b, '\n');
	}
	fwrite(o->b.p, 1, o->b.len, stdout);
	free(path_code_id);
	return 0;
}

enum mode { M_NONE, M_ELF, M_PID, M_KERNEL };

struct ctx {
	enum mode mode;
	const char *elf;
	uint32_t pid;
	struct rti_maps maps;
	struct rti_symbolizer *sym;
	struct out out;
};

/* 0, or 1 when the number could not be symbolized at all. */
static int one(struct ctx *c, const char *arg)
{
	struct rti_sym_result r;
	uint64_t v;

	if (parse_u64(arg, &v)) {
		fprintf(stderr, "stella-rti: symbolize: '%s' is not a number\n", arg);
		return 1;
	}
	if (c->mode == M_ELF) {
		rti_symbolize_elf(c->sym, c->elf, v, &r);
		return emit(&c->out, RTI_SPACE_USER, c->elf, v, &r);
	} else if (c->mode == M_KERNEL) {
		rti_symbolize_kernel(c->sym, v, &r);
		return emit(&c->out, RTI_SPACE_KERNEL, r.symbol ? r.module : "[kernel]", v, &r);
	} else {
		const struct rti_map *m = rti_maps_find(&c->maps, v);
		struct rti_sym_query q;
		char path[4200];

		if (!m) {
			fprintf(stderr, "stella-rti: symbolize: no mapping of pid %u covers 0x%llx\n",
				c->pid, (unsigned long long)v);
			return 1;
		}
		snprintf(path, sizeof(path), "%s%s", m->path, m->deleted ? " (deleted)" : "");
		memset(&q, 0, sizeof(q));
		q.module = path;
		q.offset = v - m->start + m->offset;
		q.pid = c->pid;
		rti_symbolize_user(c->sym, &q, &r);
		return emit(&c->out, RTI_SPACE_USER, path, q.offset, &r);
	}
}

enum { OPT_ELF = 0x200, OPT_PID, OPT_KERNEL, OPT_TEXT, OPT_SYM_HELP = 'h' };

int cmd_symbolize(int argc, char **argv)
{
	static const struct option longopts[] = {
		RTI_SYMBOLIZE_LONGOPTS,
		{ "elf", required_argument, NULL, OPT_ELF },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "kernel", no_argument, NULL, OPT_KERNEL },
		{ "text", no_argument, NULL, OPT_TEXT },
		{ "help", no_argument, NULL, OPT_SYM_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct rti_symbolizer_opts so = RTI_OPTS_INIT(rti_symbolizer_opts, .disabled = false);
	struct ctx c;
	int rc = EXIT_OK, opt;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		uint64_t v;

		if (rti_symbolize_opt(&so, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ELF:
			c.mode = c.mode ? M_NONE - 1 : M_ELF;
			c.elf = optarg;
			break;
		case OPT_PID:
			if (parse_u64(optarg, &v) || !v || v > UINT32_MAX) {
				fprintf(stderr, "stella-rti: symbolize: --pid: expected a process id\n");
				return EXIT_USAGE;
			}
			c.mode = c.mode ? M_NONE - 1 : M_PID;
			c.pid = (uint32_t)v;
			break;
		case OPT_KERNEL:
			c.mode = c.mode ? M_NONE - 1 : M_KERNEL;
			break;
		case OPT_TEXT:
			c.out.text = true;
			break;
		case OPT_SYM_HELP:
			symbolize_usage(stdout);
			return EXIT_OK;
		default:
			symbolize_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (c.mode != M_ELF && c.mode != M_PID && c.mode != M_KERNEL) {
		fprintf(stderr, "stella-rti: symbolize: give exactly one of --elf, --pid, --kernel\n");
		symbolize_usage(stderr);
		return EXIT_USAGE;
	}
	if (so.disabled) {
		fprintf(stderr, "stella-rti: symbolize: --no-symbolize makes no sense here\n");
		return EXIT_USAGE;
	}
	if (c.mode == M_PID) {
		char err[512];

		if (rti_maps_read(so.proc_root, c.pid, &c.maps, err, sizeof(err))) {
			fprintf(stderr, "stella-rti: symbolize: %s\n", err);
			return EXIT_IO;
		}
	}
	c.sym = rti_symbolizer_new(&so);
	if (!c.sym) {
		fprintf(stderr, "stella-rti: symbolize: %s\n", strerror(errno));
		rti_maps_release(&c.maps);
		return EXIT_IO;
	}
	rti_buf_init(&c.out.b, 1u << 20);
	if (optind < argc) {
		for (int i = optind; i < argc; i++)
			if (one(&c, argv[i]))
				rc = EXIT_BAD_INPUT;
	} else {
		char line[256];

		while (fgets(line, sizeof(line), stdin)) {
			if (line[0] == '\n' || line[0] == '#')
				continue;
			if (one(&c, line))
				rc = EXIT_BAD_INPUT;
		}
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "stella-rti: symbolize: writing output: %s\n", strerror(errno));
		rc = EXIT_IO;
	}
	rti_buf_release(&c.out.b);
	rti_symbolizer_free(c.sym);
	rti_maps_release(&c.maps);
	return rc;
}
