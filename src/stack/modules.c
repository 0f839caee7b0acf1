/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rti/gobuildinfo.h"
#include "stack/debug_file.h"
#include "stack/modules.h"
#include "stack/root_open.h"
#include "util/hash.h"

#define FILE_HASH_MAX (1ull << 30) /* file-sha256 only for files up to 1 GiB */
#define READ_CHUNK (1u << 20)

int rti_modules_init(struct rti_modules *m, const char *debug_dir, unsigned max_files,
		     size_t max_bytes)
{
	memset(m, 0, sizeof(*m));
	m->debug_dir = debug_dir;
	rti_symtab_builder_init(&m->sb);
	m->objs = rti_objcache_new(max_files, max_bytes);
	return m->objs ? 0 : -ENOMEM;
}

void rti_modules_release(struct rti_modules *m)
{
	rti_objcache_free(m->objs);
	m->objs = NULL;
	rti_symtab_builder_release(&m->sb);
}

/* file-sha256: the digest of the bytes, read with pread (no mmap: a file
 * truncated under us must not SIGBUS). The buffer is rarely needed: not
 * worth 1 MiB of resident memory between files. */
static int hash_file(struct rti_modules *m, int fd, uint64_t size, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char *buf;
	EVP_MD_CTX *ctx;
	uint64_t off = 0;
	int rc = -EIO;

	if (size > FILE_HASH_MAX)
		return -EFBIG;
	buf = malloc(READ_CHUNK);
	if (!buf)
		return -ENOMEM;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		ssize_t r = rti_pread_full(fd, buf, READ_CHUNK, (off_t)off);

		if (r < 0)
			goto out;
		if (!r)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)r))
			goto out;
		off += (uint64_t)r;
		if (off > FILE_HASH_MAX)
			goto out;
		if ((size_t)r < READ_CHUNK)
			break;
	}
	if (off != size || !EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
		goto out; /* changed while we read it */
	rti_hex(md, mdlen, out);
	m->files_hashed++;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static void fkey_of(const struct stat *st, struct rti_fkey *k)
{
	memset(k, 0, sizeof(*k));
	k->dev = (uint64_t)st->st_dev;
	k->ino = (uint64_t)st->st_ino;
	k->size = (uint64_t)st->st_size;
	k->mtime_sec = st->st_mtim.tv_sec;
	k->mtime_nsec = st->st_mtim.tv_nsec;
}

static void set_build_id_code(struct rti_obj *o)
{
	memcpy(o->code_id, "gnu-build-id:", 13);
	rti_hex(o->bid, o->bid_len, o->code_id + 13);
	o->kind = RTI_CODE_ID_BUILD_ID;
}

static void set_file_code(struct rti_modules *m, struct rti_obj *o, int fd, uint64_t size)
{
	char hex[65];

	if (hash_file(m, fd, size, hex))
		return; /* stays RTI_CODE_ID_PATH */
	memcpy(o->code_id, "file-sha256:", 12);
	memcpy(o->code_id + 12, hex, 65);
	o->kind = RTI_CODE_ID_FILE_SHA256;
}

static void insert(struct rti_modules *m, struct rti_obj *o, const struct rti_fkey *k)
{
	if (rti_objcache_insert(m->objs, o, k))
		m->epoch++;
}

/* Adds the symbols of a debug file (its segments are not the file's). */
static bool load_debug(struct rti_modules *m, int fd, unsigned *tables)
{
	struct rti_elf *e = rti_elf_open(fd, NULL, 0);
	unsigned t = 0;
	bool ok;

	if (!e)
		return false;
	ok = !rti_elf_symbols(e, &m->sb, RTI_SRC_DEBUG, &t);
	rti_elf_close(e);
	if (ok) {
		*tables |= t;
		m->debug_files++;
	}
	return ok;
}

/* The symbols of the debug file of o, if there is one. */
static void add_debug_file(struct rti_modules *m, struct rti_obj *o, const char *root,
			   const char *path, const char *link, uint32_t crc,
			   const struct stat *st, unsigned *tables)
{
	int dfd = -1;

	if (o->bid_len)
		dfd = rti_debug_file_by_build_id(m->debug_dir, o->bid, o->bid_len);
	if (dfd < 0 && link)
		dfd = rti_debug_file_by_link(m->debug_dir, root, path, link, crc, o, st);
	if (dfd >= 0) {
		load_debug(m, dfd, tables);
		close(dfd);
	}
}

static void finish(struct rti_modules *m, struct rti_obj *o, unsigned tables)
{
	if (!tables && !o->why)
		o->why = RTI_UNRES_STRIPPED;
	o->syms = rti_symtab_build(&m->sb);
	if (!o->syms && !o->why)
		o->why = RTI_UNRES_BAD_ELF; /* out of memory: no symbols, still an identity */
	o->bytes = sizeof(*o) + o->nsegs * sizeof(*o->segs) +
		   (o->syms ? rti_symtab_bytes(o->syms) : 0);
}

/* Not ELF or corrupt: an identity (the file digest), no symbols. */
static struct rti_obj *not_elf(struct rti_modules *m, struct rti_obj *o, int fd,
			       const struct stat *st, const struct rti_fkey *k)
{
	o->why = errno == ENOEXEC ? RTI_UNRES_NOT_ELF : RTI_UNRES_BAD_ELF;
	if (o->why == RTI_UNRES_BAD_ELF)
		m->elf_errors++;
	set_file_code(m, o, fd, (uint64_t)st->st_size);
	o->bytes = sizeof(*o);
	insert(m, o, k);
	return o;
}

static void copy_segments(struct rti_obj *o, const struct rti_elf_seg *segs, int n)
{
	if (n <= 0)
		return;
	o->segs = malloc(sizeof(*segs) * (size_t)n);
	if (o->segs) {
		memcpy(o->segs, segs, sizeof(*segs) * (size_t)n);
		o->nsegs = (unsigned)n;
	}
}

/* Parses the file on fd (a cache miss). root/path locate a debug link. */
static struct rti_obj *parse_file(struct rti_modules *m, int fd, const struct stat *st,
				  const struct rti_fkey *k, const char *root,
				  const char *path)
{
	struct rti_obj *o = rti_obj_new(m->objs);
	struct rti_elf_seg segs[RTI_ELF_MAX_SEGS];
	struct rti_elf *e;
	unsigned tables = 0;
	char link[256];
	uint32_t crc = 0;
	int has_link = 0, n;

	if (!o)
		return NULL;
	e = rti_elf_open(fd, NULL, 0);
	if (!e)
		return not_elf(m, o, fd, st, k);
	o->size = (uint64_t)st->st_size;
	o->bid_len = rti_elf_build_id(e, o->bid);
	if (o->bid_len) {
		struct rti_obj *x = rti_objcache_by_build_id(m->objs, o->bid, o->bid_len, o->size);

		if (x) {
			/* the same file under another name or in another root */
			rti_objcache_add_key(m->objs, x, k);
			rti_elf_close(e);
			rti_obj_free(o);
			return x;
		}
		set_build_id_code(o);
	}
	n = rti_elf_segments(e, segs, RTI_ELF_MAX_SEGS);
	copy_segments(o, segs, n);
	rti_symtab_builder_release(&m->sb);
	if (n < 0 || rti_elf_symbols(e, &m->sb, RTI_SRC_SYMTAB, &tables)) {
		o->why = RTI_UNRES_BAD_ELF;
		m->elf_errors++;
	}
	if (!o->why)
		has_link = rti_elf_debuglink(e, link, sizeof(link), &crc);
	rti_elf_close(e);
	if (!o->why)
		add_debug_file(m, o, root, path, has_link ? link : NULL, crc, st, &tables);
	if (!o->bid_len)
		set_file_code(m, o, fd, (uint64_t)st->st_size);
	if (!o->why)
		rti_go_buildinfo_note(o->code_id, fd); /* Go binaries: for `reach` */
	if (o->why) {
		rti_symtab_builder_release(&m->sb);
		o->bytes = sizeof(*o) + o->nsegs * sizeof(*o->segs);
	} else {
		finish(m, o, tables);
	}
	insert(m, o, k);
	return o;
}

struct rti_obj *rti_module_from_fd(struct rti_modules *m, int fd, const char *root,
				   const char *path, enum rti_unresolved *why)
{
	struct rti_fkey k;
	struct stat st;
	struct rti_obj *o;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		*why = RTI_UNRES_UNREADABLE;
		return NULL;
	}
	fkey_of(&st, &k);
	o = rti_objcache_by_key(m->objs, &k);
	return o ? o : parse_file(m, fd, &st, &k, root, path);
}

/*
 * Code known only by its build id. Symbols only from a file that depends
 * on nothing but the build id: the executable that the GDB convention
 * keeps at <debug dir>/.build-id/xx/yyyy (debuginfod caches, Fedora).
 * Never from a file that happened to be seen under another path: the
 * answer would depend on the order of unrelated events. Nor from a debug
 * file alone: it keeps the addresses but not the file offsets of the
 * segments (objcopy rewrites p_offset and zeroes p_filesz), and frames
 * are file offsets. Else a stub: the identity without symbols.
 */
struct rti_obj *rti_module_by_build_id(struct rti_modules *m, const unsigned char *bid,
				       size_t len)
{
	char path[4096];
	enum rti_unresolved why;
	struct rti_obj *o;
	int fd, err;

	if (!rti_build_id_path(path, sizeof(path), m->debug_dir, bid, len, "")) {
		fd = rti_root_open(NULL, path, &err);
		if (fd >= 0) {
			o = rti_module_from_fd(m, fd, NULL, path, &why);
			close(fd);
			if (o && o->bid_len == len && !memcmp(o->bid, bid, len))
				return o;
		}
	}
	o = rti_objcache_by_build_id(m->objs, bid, len, 0);
	if (o)
		return o;
	o = rti_obj_new(m->objs);
	if (!o)
		return NULL;
	memcpy(o->bid, bid, len);
	o->bid_len = len;
	set_build_id_code(o);
	o->stub = true;
	o->bytes = sizeof(*o);
	insert(m, o, NULL);
	return o;
}
