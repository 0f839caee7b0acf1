/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "rti/symbolize.h"
#include "rti/frame.h"
#include "stack/kallsyms.h"
#include "stack/objcache.h"
#include "util/clock.h"
#include "util/hash.h"

#define PATH_MEMO_MAX 4096            /* longer module paths are not memoized */
#define FILE_HASH_MAX (1ull << 30)    /* file-sha256 only for files up to 1 GiB */
#define PID_SLACK_NS 2000000000LL     /* /proc start times have 1 s / 1 tick grain */
#define READ_CHUNK (1u << 20)

/* (pid, start, module) -> object: saves open+fstat per frame */
struct mslot {
	uint64_t h, epoch, expires_ms;
	int64_t start_ns;
	struct rti_obj *obj; /* valid while epoch == s->epoch */
	char *path;          /* heap: slots stay small and mostly untouched */
	uint32_t pid, plen, pcap;
	uint8_t why;
	bool valid;
};

/* (object serial, offset) -> the answer, in 4-way sets, most recent first:
 * the keys of a set share one cache line, the answers follow. Names point
 * into the object's table, valid while its serial matches a live object. */
#define FWAYS 4

struct fanswer {
	const char *symbol, *raw;
	uint64_t symbol_offset;
	int32_t row;
	uint8_t why, by;
	char frame_id[RTI_FRAME_ID_LEN + 1];
};

struct fset {
	uint64_t serial[FWAYS], offset[FWAYS];
	struct fanswer a[FWAYS];
};

/* (pid, start) -> whether that process is the live one, for a short time */
struct pslot {
	uint64_t expires_ms;
	int64_t start_ns;
	uint32_t pid;
	bool live, valid;
};

#define PROC_SLOTS 8192 /* ~200 KB: a busy node runs thousands of processes */
#define PWAYS 4

/* process_loader: (pid, start, path) -> build id */
struct lslot {
	uint64_t h;
	int64_t start_ns;
	char *path;
	uint32_t pid, plen, pcap;
	uint8_t bid_len;
	bool valid;
	unsigned char bid[RTI_BUILD_ID_MAX];
};

struct rti_symbolizer {
	bool disabled;
	char *proc_root;
	char *host_root; /* NULL: "/" */
	char *debug_dir;
	char *kallsyms_path; /* NULL: off */
	unsigned ttl_ms;
	struct rti_objcache *objs;
	struct mslot *ms;
	size_t mmask;
	struct fset *fs;
	size_t fmask; /* sets - 1 */
	struct mslot *last; /* the module of the previous lookup */
	struct mslot elf;   /* rti_symbolize_elf: the last file, same rules */
	struct lslot *ls;
	size_t lmask;
	struct pslot *ps;
	uint64_t epoch; /* bumped when objects are freed: module memo entries expire */
	uint64_t now_ms;
	unsigned clock_calls; /* the clock is read once per 64 lookups */
	int64_t btime_ns;
	bool btime_tried;
	long hz;
	struct rti_kallsyms *ks;
	bool ks_tried;
	struct rti_symtab_builder sb;
	unsigned char *iobuf;
	char ident[RTI_CODE_ID_MAX + 24];
	struct rti_symbolize_stats st;
};

static const char *const resolved_names[RTI_RESOLVED__COUNT] = {
	"none", "agent", "symtab", "dynsym", "debuginfo", "kallsyms",
};

static const char *const unres_names[RTI_UNRES__COUNT] = {
	NULL,
	"symbolization_off",
	"anonymous_mapping",
	"pseudo_mapping",
	"bad_module_path",
	"module_deleted",
	"module_not_found",
	"module_unreadable",
	"not_elf",
	"bad_elf",
	"build_id_mismatch",
	"offset_not_mapped",
	"stripped",
	"no_symbol_covers_offset",
	"kallsyms_unavailable",
	"no_kernel_symbol",
};

static const char *const kind_names[RTI_CODE_ID__COUNT] = {
	"path", "gnu-build-id", "file-sha256", "kernel",
};

const char *rti_resolved_name(enum rti_resolved r)
{
	return (unsigned)r < RTI_RESOLVED__COUNT ? resolved_names[r] : "none";
}

const char *rti_unresolved_name(enum rti_unresolved u)
{
	return (unsigned)u < RTI_UNRES__COUNT ? unres_names[u] : NULL;
}

const char *rti_code_id_kind_name(enum rti_code_id_kind k)
{
	return (unsigned)k < RTI_CODE_ID__COUNT ? kind_names[k] : "path";
}

/* ---- small helpers ------------------------------------------------------ */

/* Copies path into a slot's heap buffer; false when out of memory. */
static bool slot_path(char **p, uint32_t *cap, uint32_t *len, const char *path, size_t n)
{
	if (n + 1 > *cap) {
		char *q = realloc(*p, n + 1);

		if (!q)
			return false;
		*p = q;
		*cap = (uint32_t)(n + 1);
	}
	memcpy(*p, path, n);
	(*p)[n] = '\0';
	*len = (uint32_t)n;
	return true;
}

/* Word-at-a-time hash for in-memory tables: the per-frame path is hashed
 * on every frame, so byte-wise FNV would be a large part of its cost. */
static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w ^ n) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* splitmix64's finalizer: table indexes use the low bits */
static uint64_t mix64(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ b;

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t proc_key(uint32_t pid, int64_t start_ns, const char *path, size_t n)
{
	return hash_bytes(path, n, mix64(pid, (uint64_t)start_ns));
}

static size_t slots(unsigned want, unsigned def)
{
	size_t n = 1;

	if (!want)
		want = def;
	while (n < want && n < (1u << 24))
		n <<= 1;
	return n;
}

static char *dupstr(const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *s = malloc(la + lb + 1);

	if (s) {
		memcpy(s, a, la);
		if (lb)
			memcpy(s + la, b, lb);
		s[la + lb] = '\0';
	}
	return s;
}

/* Absolute, without empty, "." or ".." components: a module path must not
 * walk out of the process root it is resolved in. */
static bool normal_path(const char *p)
{
	if (*p != '/')
		return false;
	while (*p) {
		const char *e;
		size_t n;

		if (*p != '/')
			return false;
		p++;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

/* Opens path inside root as if root were "/": absolute symlinks and ".."
 * stay inside (openat2 RESOLVE_IN_ROOT). root NULL: the host. Never blocks
 * on a FIFO. -1 with *err = errno. */
static int open_in_root(const char *root, const char *path, int *err)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	int fd, rfd;

	if (!root) {
		fd = open(path, flags);
		*err = fd < 0 ? errno : 0;
		return fd;
	}
	rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0) {
		*err = errno;
		return -1;
	}
	{
		struct open_how how;

		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)flags;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
		fd = (int)syscall(SYS_openat2, rfd, path, &how, sizeof(how));
	}
	if (fd < 0 && errno == ENOSYS) {
		/* kernels before 5.6: the path was checked by normal_path() */
		char full[8192];

		if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full)) {
			close(rfd);
			*err = ENAMETOOLONG;
			return -1;
		}
		fd = open(full, flags);
	}
	*err = fd < 0 ? errno : 0;
	close(rfd);
	return fd;
}

static ssize_t pread_full(int fd, void *buf, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, off + (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (!r)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static unsigned char *iobuf(struct rti_symbolizer *s)
{
	if (!s->iobuf)
		s->iobuf = malloc(READ_CHUNK);
	return s->iobuf;
}

/* file-sha256: the digest of the bytes, read with pread (no mmap: a file
 * truncated under us must not SIGBUS). */
static int hash_file(struct rti_symbolizer *s, int fd, uint64_t size, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	unsigned char *buf = iobuf(s);
	EVP_MD_CTX *ctx;
	uint64_t off = 0;
	int rc = -EIO;

	if (!buf)
		return -ENOMEM;
	if (size > FILE_HASH_MAX)
		return -EFBIG;
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto out;
	for (;;) {
		ssize_t r = pread_full(fd, buf, READ_CHUNK, (off_t)off);

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
	s->st.files_hashed++;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(s->iobuf); /* rarely needed: not worth 1 MiB of resident memory */
	s->iobuf = NULL;
	return rc;
}

static int crc_file(struct rti_symbolizer *s, int fd, uint32_t *crc)
{
	unsigned char *buf = iobuf(s);
	uLong c = crc32(0L, Z_NULL, 0);
	off_t off = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r = pread_full(fd, buf, READ_CHUNK, off);

		if (r < 0)
			return -errno;
		if (!r)
			break;
		c = crc32(c, buf, (uInt)r);
		off += r;
		if ((size_t)r < READ_CHUNK)
			break;
	}
	free(s->iobuf);
	s->iobuf = NULL;
	*crc = (uint32_t)c;
	return 0;
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

static void set_file_code(struct rti_symbolizer *s, struct rti_obj *o, int fd, uint64_t size)
{
	char hex[65];

	if (hash_file(s, fd, size, hex))
		return; /* stays RTI_CODE_ID_PATH */
	memcpy(o->code_id, "file-sha256:", 12);
	memcpy(o->code_id + 12, hex, 65);
	o->kind = RTI_CODE_ID_FILE_SHA256;
}

static void insert(struct rti_symbolizer *s, struct rti_obj *o, const struct rti_fkey *k)
{
	if (rti_objcache_insert(s->objs, o, k))
		s->epoch++;
}

/* ---- debug files -------------------------------------------------------- */

static bool same_build_id(int fd, const unsigned char *bid, size_t len)
{
	unsigned char id[RTI_BUILD_ID_MAX];
	struct rti_elf *e = rti_elf_open(fd, NULL, 0);
	size_t n;

	if (!e)
		return false;
	n = rti_elf_build_id(e, id);
	rti_elf_close(e);
	return n == len && !memcmp(id, bid, len);
}

static int debug_by_build_id(struct rti_symbolizer *s, const unsigned char *bid, size_t len)
{
	char hex[2 * RTI_BUILD_ID_MAX + 1];
	char path[4096];
	int fd, err;

	if (len < 2)
		return -1;
	rti_hex(bid, len, hex);
	if ((size_t)snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", s->debug_dir, hex,
			     hex + 2) >= sizeof(path))
		return -1;
	fd = open_in_root(NULL, path, &err);
	if (fd < 0)
		return -1;
	if (!same_build_id(fd, bid, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* GDB's order: beside the file, in .debug/ beside it, under the debug dir. */
static int debug_by_link(struct rti_symbolizer *s, const char *root, const char *path,
			 const char *name, uint32_t crc, const struct rti_obj *o,
			 const struct stat *orig)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0;
	char cand[3][4096];
	int n = 0;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -1;
	if (slash) {
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/%s", (int)dlen, path, name);
		snprintf(cand[n++], sizeof(cand[0]), "%.*s/.debug/%s", (int)dlen, path, name);
	} else {
		snprintf(cand[n++], sizeof(cand[0]), "%s", name);
		snprintf(cand[n++], sizeof(cand[0]), ".debug/%s", name);
	}
	if (path[0] == '/')
		snprintf(cand[n++], sizeof(cand[0]), "%s%.*s/%s", s->debug_dir, (int)dlen, path,
			 name);
	for (int i = 0; i < n; i++) {
		struct stat st;
		uint32_t c = 0;
		int err;
		int fd = open_in_root(i < 2 ? root : NULL, cand[i], &err);

		if (fd < 0)
			continue;
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    (st.st_dev == orig->st_dev && st.st_ino == orig->st_ino)) {
			close(fd);
			continue;
		}
		if ((o->bid_len && same_build_id(fd, o->bid, o->bid_len)) ||
		    (!crc_file(s, fd, &c) && c == crc))
			return fd;
		close(fd);
	}
	return -1;
}

/* Adds the symbols of a debug file (its segments are not the file's). */
static bool load_debug(struct rti_symbolizer *s, int fd, unsigned *tables)
{
	struct rti_elf *e = rti_elf_open(fd, NULL, 0);
	unsigned t = 0;
	bool ok;

	if (!e)
		return false;
	ok = !rti_elf_symbols(e, &s->sb, RTI_SRC_DEBUG, &t);
	rti_elf_close(e);
	if (ok) {
		*tables |= t;
		s->st.debug_files++;
	}
	return ok;
}

static void finish(struct rti_symbolizer *s, struct rti_obj *o, unsigned tables)
{
	if (!tables && !o->why)
		o->why = RTI_UNRES_STRIPPED;
	o->syms = rti_symtab_build(&s->sb);
	if (!o->syms && !o->why)
		o->why = RTI_UNRES_BAD_ELF; /* out of memory: no symbols, still an identity */
	o->bytes = sizeof(*o) + o->nsegs * sizeof(*o->segs) +
		   (o->syms ? rti_symtab_bytes(o->syms) : 0);
}

/* ---- objects ------------------------------------------------------------ */

/* Parses the file on fd (a cache miss). root/path locate a debug link. */
static struct rti_obj *parse_file(struct rti_symbolizer *s, int fd, const struct stat *st,
				  const struct rti_fkey *k, const char *root,
				  const char *path)
{
	struct rti_obj *o = rti_obj_new(s->objs);
	struct rti_elf_seg segs[RTI_ELF_MAX_SEGS];
	struct rti_elf *e;
	unsigned tables = 0;
	char link[256];
	uint32_t crc = 0;
	int has_link = 0, n, dfd = -1;

	if (!o)
		return NULL;
	e = rti_elf_open(fd, NULL, 0);
	if (!e) {
		o->why = errno == ENOEXEC ? RTI_UNRES_NOT_ELF : RTI_UNRES_BAD_ELF;
		if (o->why == RTI_UNRES_BAD_ELF)
			s->st.elf_errors++;
		set_file_code(s, o, fd, (uint64_t)st->st_size);
		o->bytes = sizeof(*o);
		insert(s, o, k);
		return o;
	}
	o->size = (uint64_t)st->st_size;
	o->bid_len = rti_elf_build_id(e, o->bid);
	if (o->bid_len) {
		struct rti_obj *x = rti_objcache_by_build_id(s->objs, o->bid, o->bid_len, o->size);

		if (x) {
			/* the same file under another name or in another root */
			rti_objcache_add_key(s->objs, x, k);
			rti_elf_close(e);
			rti_obj_free(o);
			return x;
		}
		set_build_id_code(o);
	}
	n = rti_elf_segments(e, segs, RTI_ELF_MAX_SEGS);
	if (n > 0) {
		o->segs = malloc(sizeof(*segs) * (size_t)n);
		if (o->segs) {
			memcpy(o->segs, segs, sizeof(*segs) * (size_t)n);
			o->nsegs = (unsigned)n;
		}
	}
	rti_symtab_builder_release(&s->sb);
	if (n < 0 || rti_elf_symbols(e, &s->sb, RTI_SRC_SYMTAB, &tables)) {
		o->why = RTI_UNRES_BAD_ELF;
		s->st.elf_errors++;
	}
	if (!o->why)
		has_link = rti_elf_debuglink(e, link, sizeof(link), &crc);
	rti_elf_close(e);
	if (!o->why) {
		if (o->bid_len)
			dfd = debug_by_build_id(s, o->bid, o->bid_len);
		if (dfd < 0 && has_link)
			dfd = debug_by_link(s, root, path, link, crc, o, st);
		if (dfd >= 0) {
			load_debug(s, dfd, &tables);
			close(dfd);
		}
	}
	if (!o->bid_len)
		set_file_code(s, o, fd, (uint64_t)st->st_size);
	if (o->why) {
		rti_symtab_builder_release(&s->sb);
		o->bytes = sizeof(*o) + o->nsegs * sizeof(*o->segs);
	} else {
		finish(s, o, tables);
	}
	insert(s, o, k);
	return o;
}

static struct rti_obj *obj_from_fd(struct rti_symbolizer *s, int fd, const char *root,
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
	o = rti_objcache_by_key(s->objs, &k);
	return o ? o : parse_file(s, fd, &st, &k, root, path);
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
static struct rti_obj *obj_for_build_id(struct rti_symbolizer *s, const unsigned char *bid,
					size_t len)
{
	char hex[2 * RTI_BUILD_ID_MAX + 1], path[4096];
	enum rti_unresolved why;
	struct rti_obj *o;
	int fd, err;

	rti_hex(bid, len, hex);
	if (len >= 2 && (size_t)snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s", s->debug_dir,
					 hex, hex + 2) < sizeof(path)) {
		fd = open_in_root(NULL, path, &err);
		if (fd >= 0) {
			o = obj_from_fd(s, fd, NULL, path, &why);
			close(fd);
			if (o && o->bid_len == len && !memcmp(o->bid, bid, len))
				return o;
		}
	}
	o = rti_objcache_by_build_id(s->objs, bid, len, 0);
	if (o)
		return o;
	o = rti_obj_new(s->objs);
	if (!o)
		return NULL;
	memcpy(o->bid, bid, len);
	o->bid_len = len;
	set_build_id_code(o);
	o->stub = true;
	o->bytes = sizeof(*o);
	insert(s, o, NULL);
	return o;
}

/* ---- processes ---------------------------------------------------------- */

static int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void load_btime(struct rti_symbolizer *s)
{
	char path[4096], buf[8192];
	const char *p;

	s->btime_tried = true;
	s->hz = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "%s/stat", s->proc_root);
	if (read_small(path, buf, sizeof(buf)) < 0 || s->hz <= 0)
		return;
	p = strstr(buf, "\nbtime ");
	if (p)
		s->btime_ns = strtoll(p + 7, NULL, 10) * 1000000000LL;
}

/*
 * Whether <proc root>/<pid> is the process of the event: it exists and
 * started no later than the event says (a reused pid belongs to a process
 * forked after the traced one exec'd). Without a start time, existence.
 */
static bool proc_matches(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns)
{
	char path[4096], buf[1024];
	const char *p;
	unsigned long long ticks;
	int64_t started;

	if (start_ns == RTI_SYM_START_UNKNOWABLE)
		return false;
	snprintf(path, sizeof(path), "%s/%u/stat", s->proc_root, pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return false;
	if (!start_ns)
		return true;
	if (!s->btime_tried)
		load_btime(s);
	if (!s->btime_ns)
		return true; /* cannot check: trust the live pid */
	p = strrchr(buf, ')');
	if (!p)
		return false;
	/* after "comm)": state is field 3, starttime field 22 */
	for (int f = 2; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	ticks = strtoull(p + 1, NULL, 10);
	started = s->btime_ns + (int64_t)(ticks * (1000000000ULL / (unsigned long)s->hz));
	return started <= start_ns + PID_SLACK_NS;
}

/* 4-way sets: with thousands of processes a direct-mapped table loses
 * about a third of them to collisions, one /proc read each time */
static bool proc_live(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns, uint64_t now)
{
	struct pslot *set = &s->ps[(mix64(pid, (uint64_t)start_ns) & (PROC_SLOTS / PWAYS - 1)) *
				   PWAYS];
	struct pslot *p = &set[0];

	for (int w = 0; w < PWAYS; w++) {
		if (set[w].valid && set[w].pid == pid && set[w].start_ns == start_ns) {
			if (now < set[w].expires_ms)
				return set[w].live;
			p = &set[w]; /* expired: probe again in place */
			goto probe;
		}
	}
	/* a free way, else the one that expires first */
	for (int w = 0; w < PWAYS; w++) {
		if (!set[w].valid) {
			p = &set[w];
			break;
		}
		if (set[w].expires_ms < p->expires_ms)
			p = &set[w];
	}
probe:
	p->valid = true;
	p->pid = pid;
	p->start_ns = start_ns;
	p->expires_ms = now + s->ttl_ms;
	p->live = proc_matches(s, pid, start_ns);
	return p->live;
}

static struct lslot *loader_find(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				 const char *path, size_t plen, uint64_t h)
{
	struct lslot *l;

	if (!s->ls || plen >= PATH_MEMO_MAX)
		return NULL;
	l = &s->ls[h & s->lmask];
	if (l->valid && l->h == h && l->pid == pid && l->start_ns == start_ns &&
	    l->plen == plen && !memcmp(l->path, path, plen))
		return l;
	return NULL;
}

int rti_symbolizer_add_build_id(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
				const char *path, const unsigned char *id, size_t len)
{
	size_t plen;
	uint64_t h;
	struct lslot *l;
	struct mslot *m;

	if (!path || !id || !len || len > RTI_BUILD_ID_MAX)
		return -EINVAL;
	if (s->disabled)
		return 0;
	plen = strlen(path);
	if (plen >= PATH_MEMO_MAX)
		return -EINVAL;
	h = proc_key(pid, start_ns, path, plen);
	l = &s->ls[h & s->lmask];
	if (l->valid && !(l->h == h && l->pid == pid && l->start_ns == start_ns &&
			  l->plen == plen && !memcmp(l->path, path, plen)))
		s->st.loader.evictions++;
	else if (!l->valid)
		s->st.loader.entries++;
	if (!slot_path(&l->path, &l->pcap, &l->plen, path, plen)) {
		l->valid = false;
		return -ENOMEM;
	}
	l->valid = true;
	l->h = h;
	l->pid = pid;
	l->start_ns = start_ns;
	l->bid_len = (uint8_t)len;
	memcpy(l->bid, id, len);
	s->st.loader_ids++;
	/* a memoized lookup of this module predates the build id */
	m = &s->ms[h & s->mmask];
	if (m->valid && m->h == h)
		m->valid = false;
	return 0;
}

static struct mslot *memo_get(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
			      const char *path, size_t plen, uint64_t h, uint64_t now)
{
	struct mslot *m = &s->ms[h & s->mmask];

	if (m->valid && m->h == h && m->pid == pid && m->start_ns == start_ns &&
	    m->epoch == s->epoch && now < m->expires_ms && m->plen == plen &&
	    !memcmp(m->path, path, plen)) {
		s->st.modules.hits++;
		return m;
	}
	s->st.modules.misses++;
	return NULL;
}

static void memo_put(struct rti_symbolizer *s, uint32_t pid, int64_t start_ns,
		     const char *path, size_t plen, uint64_t h, uint64_t now,
		     struct rti_obj *o, enum rti_unresolved why)
{
	struct mslot *m = &s->ms[h & s->mmask];

	if (plen >= PATH_MEMO_MAX)
		return;
	if (!m->valid)
		s->st.modules.entries++;
	else if (!(m->h == h && m->pid == pid && m->start_ns == start_ns && m->plen == plen &&
		   !memcmp(m->path, path, plen)))
		s->st.modules.evictions++;
	m->valid = slot_path(&m->path, &m->pcap, &m->plen, path, plen);
	m->h = h;
	m->pid = pid;
	m->start_ns = start_ns;
	m->epoch = s->epoch;
	m->expires_ms = now + s->ttl_ms;
	m->obj = o;
	m->why = (uint8_t)why;
}

/* The file at path under the host root: shared by every process that is
 * gone, so a stream of short-lived processes costs no open() each. */
static struct rti_obj *host_module(struct rti_symbolizer *s, const char *path, size_t plen,
				   uint64_t now, enum rti_unresolved *why)
{
	uint64_t h = proc_key(0, 0, path, plen);
	struct mslot *m = memo_get(s, 0, 0, path, plen, h, now);
	struct rti_obj *o;
	int fd, err;

	if (m) {
		*why = (enum rti_unresolved)m->why;
		return m->obj;
	}
	o = NULL;
	fd = open_in_root(s->host_root, path, &err);
	if (fd < 0) {
		*why = err == EACCES || err == EPERM ? RTI_UNRES_UNREADABLE : RTI_UNRES_NOT_FOUND;
	} else {
		s->st.found_host++;
		*why = RTI_UNRES_NONE;
		o = obj_from_fd(s, fd, s->host_root, path, why);
		close(fd);
	}
	/* after obj_from_fd: it may have bumped the epoch */
	memo_put(s, 0, 0, path, plen, h, now, o, *why);
	return o;
}

/* A module memo miss: find the file the process mapped. */
static struct rti_obj *resolve_module(struct rti_symbolizer *s, const struct rti_sym_query *q,
				      size_t plen, uint64_t h, uint64_t now,
				      enum rti_unresolved *why)
{
	static const char deleted[] = " (deleted)";
	const char *path = q->module;
	struct lslot *l = loader_find(s, q->pid, q->start_ns, path, plen, h);
	char rootbuf[4200];
	struct rti_obj *o;
	int fd, err = ENOENT;

	if (l)
		s->st.loader.hits++;
	else if (s->st.loader_ids)
		s->st.loader.misses++;
	if (plen >= sizeof(deleted) - 1 &&
	    !strcmp(path + plen - (sizeof(deleted) - 1), deleted)) {
		*why = RTI_UNRES_DELETED;
		goto by_loader;
	}
	if (!normal_path(path)) {
		*why = RTI_UNRES_BAD_PATH;
		goto by_loader;
	}
	o = NULL;
	if (q->pid && proc_live(s, q->pid, q->start_ns, now)) {
		snprintf(rootbuf, sizeof(rootbuf), "%s/%u/root", s->proc_root, q->pid);
		fd = open_in_root(rootbuf, path, &err);
		if (fd >= 0) {
			s->st.found_proc_root++;
			o = obj_from_fd(s, fd, rootbuf, path, why);
			close(fd);
		} else if (err == ENOENT || err == ENOTDIR) {
			/* gone from the process's own root: a host file of that
			 * name is another file */
			*why = RTI_UNRES_NOT_FOUND;
			goto by_loader;
		} else {
			o = host_module(s, path, plen, now, why); /* root not readable */
		}
	} else {
		if (q->pid)
			s->st.pid_gone++;
		o = host_module(s, path, plen, now, why);
	}
	if (!o)
		goto by_loader;
	if (l && (o->bid_len != l->bid_len || memcmp(o->bid, l->bid, l->bid_len))) {
		/* the process mapped other bytes than those on disk now */
		s->st.loader_mismatch++;
		*why = RTI_UNRES_BUILD_ID_MISMATCH;
		goto by_loader;
	}
	*why = RTI_UNRES_NONE;
	return o;
by_loader:
	if (!l)
		return NULL;
	s->st.loader_used++;
	return obj_for_build_id(s, l->bid, l->bid_len);
}

/* ---- frames ------------------------------------------------------------- */

static const enum rti_resolved src_resolved[] = {
	[RTI_SRC_DYNSYM] = RTI_RESOLVED_DYNSYM,
	[RTI_SRC_SYMTAB] = RTI_RESOLVED_SYMTAB,
	[RTI_SRC_DEBUG] = RTI_RESOLVED_DEBUGINFO,
};

/* A frame memo miss: the symbol table and the frame_id hash. */
static void lookup(struct rti_symbolizer *s, struct rti_obj *o, uint64_t offset,
		   struct fanswer *f)
{
	uint64_t addr;

	memset(f, 0, sizeof(*f));
	f->row = -1;
	if (o->kind != RTI_CODE_ID_PATH) {
		size_t n = strlen(o->code_id);

		memcpy(s->ident, o->code_id, n);
		s->ident[n++] = '@';
		n += rti_hex_u64(s->ident + n, offset);
		rti_frame_id(s->ident, n, f->frame_id);
	}
	if (o->stub)
		return; /* the reason is the module lookup's */
	if (o->why) {
		f->why = (uint8_t)o->why;
	} else if (rti_elf_off2addr(o->segs, o->nsegs, offset, &addr)) {
		f->why = RTI_UNRES_NOT_MAPPED;
	} else {
		long row = rti_symtab_find(o->syms, addr);

		if (row < 0) {
			f->why = RTI_UNRES_NO_SYMBOL;
		} else {
			f->row = (int32_t)row;
			f->symbol = rti_symtab_name(o->syms, row);
			f->raw = rti_symtab_raw(o->syms, row);
			f->symbol_offset = addr - rti_symtab_start(o->syms, row);
			f->by = (uint8_t)src_resolved[rti_symtab_src(o->syms, row)];
		}
	}
}

static void answer(struct rti_symbolizer *s, struct rti_obj *o, uint64_t offset,
		   enum rti_unresolved why, const char *agent, struct rti_sym_result *r)
{
	struct fset *set = &s->fs[mix64(o->serial, offset) & s->fmask];
	const struct fanswer *f;
	int w;

	for (w = 0; w < FWAYS; w++)
		if (set->serial[w] == o->serial && set->offset[w] == offset)
			break;
	if (w < FWAYS) {
		s->st.frames.hits++;
	} else {
		s->st.frames.misses++;
		w = FWAYS - 1;
		if (set->serial[w])
			s->st.frames.evictions++;
		else
			s->st.frames.entries++;
		lookup(s, o, offset, &set->a[w]);
		set->serial[w] = o->serial;
		set->offset[w] = offset;
	}
	if (w) {
		/* most recent first: hits mostly stop at way 0 */
		uint64_t ks = set->serial[w], ko = set->offset[w];
		struct fanswer ka = set->a[w];

		memmove(&set->serial[1], &set->serial[0], sizeof(set->serial[0]) * (size_t)w);
		memmove(&set->offset[1], &set->offset[0], sizeof(set->offset[0]) * (size_t)w);
		memmove(&set->a[1], &set->a[0], sizeof(set->a[0]) * (size_t)w);
		set->serial[0] = ks;
		set->offset[0] = ko;
		set->a[0] = ka;
	}
	f = &set->a[0];
	r->kind = o->kind;
	if (o->kind != RTI_CODE_ID_PATH) {
		r->code_id = o->code_id;
		memcpy(r->frame_id, f->frame_id, sizeof(r->frame_id));
	}
	if (f->symbol) {
		r->symbol = f->symbol;
		r->raw_symbol = f->raw;
		r->symbol_offset = f->symbol_offset;
		r->by = (enum rti_resolved)f->by;
		if (agent && strcmp(agent, f->raw))
			r->agent_disagrees = !rti_symtab_is_alias(o->syms, f->row, agent);
	} else {
		r->why = o->stub ? (why ? why : RTI_UNRES_NOT_FOUND) : (enum rti_unresolved)f->why;
	}
}

static void reset(struct rti_sym_result *r)
{
	memset(r, 0, offsetof(struct rti_sym_result, frame_id));
	r->frame_id[0] = '\0';
}

int rti_symbolize_user(struct rti_symbolizer *s, const struct rti_sym_query *q,
		       struct rti_sym_result *r)
{
	const char *path = q->module;
	struct rti_obj *o;
	enum rti_unresolved why;
	struct mslot *m;
	size_t plen;
	uint64_t h, now;

	reset(r);
	if (s->disabled) {
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
		return 0;
	}
	if (!path || !*path) {
		r->why = RTI_UNRES_ANONYMOUS;
		return 0;
	}
	if (path[0] == '[') {
		r->why = RTI_UNRES_PSEUDO;
		return 0;
	}
	plen = strlen(path);
	if (!(s->clock_calls++ & 63))
		s->now_ms = rti_coarse_ms();
	now = s->now_ms;
	m = s->last;
	if (m && m->valid && m->pid == q->pid && m->start_ns == q->start_ns &&
	    m->epoch == s->epoch && now < m->expires_ms && m->plen == plen &&
	    !memcmp(m->path, path, plen)) {
		/* the same module as the frame before: no hashing */
		s->st.modules.hits++;
		if (!m->obj)
			r->why = (enum rti_unresolved)m->why;
		else
			answer(s, m->obj, q->offset, (enum rti_unresolved)m->why,
			       q->agent_symbol, r);
		return 0;
	}
	h = proc_key(q->pid, q->start_ns, path, plen);
	m = memo_get(s, q->pid, q->start_ns, path, plen, h, now);
	if (m) {
		o = m->obj;
		why = (enum rti_unresolved)m->why;
	} else {
		o = resolve_module(s, q, plen, h, now, &why);
		memo_put(s, q->pid, q->start_ns, path, plen, h, now, o, why);
	}
	m = &s->ms[h & s->mmask];
	s->last = m->valid && m->h == h && m->pid == q->pid && m->start_ns == q->start_ns ? m : NULL;
	if (!o) {
		r->why = why;
		return 0;
	}
	answer(s, o, q->offset, why, q->agent_symbol, r);
	return 0;
}

int rti_symbolize_elf(struct rti_symbolizer *s, const char *path, uint64_t offset,
		      struct rti_sym_result *r)
{
	enum rti_unresolved why = RTI_UNRES_NONE;
	struct mslot *m = &s->elf;
	struct rti_obj *o;
	size_t plen = strlen(path);
	uint64_t now;
	int fd, err;

	reset(r);
	if (s->disabled) {
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
		return 0;
	}
	if (!(s->clock_calls++ & 63))
		s->now_ms = rti_coarse_ms();
	now = s->now_ms;
	if (m->valid && m->epoch == s->epoch && now < m->expires_ms && m->plen == plen &&
	    !memcmp(m->path, path, plen)) {
		o = m->obj; /* many offsets of one file: one open */
		why = (enum rti_unresolved)m->why;
	} else {
		o = NULL;
		fd = open_in_root(NULL, path, &err);
		if (fd < 0) {
			why = err == EACCES || err == EPERM ? RTI_UNRES_UNREADABLE
							     : RTI_UNRES_NOT_FOUND;
		} else {
			o = obj_from_fd(s, fd, NULL, path, &why);
			close(fd);
		}
		m->valid = slot_path(&m->path, &m->pcap, &m->plen, path, plen);
		m->obj = o;
		m->why = (uint8_t)why;
		m->epoch = s->epoch;
		m->expires_ms = now + s->ttl_ms;
	}
	if (!o) {
		r->why = why;
		return 0;
	}
	answer(s, o, offset, RTI_UNRES_NONE, NULL, r);
	return 0;
}

int rti_symbolize_kernel(struct rti_symbolizer *s, uint64_t addr, struct rti_sym_result *r)
{
	uint64_t off;

	reset(r);
	r->kind = RTI_CODE_ID_KERNEL;
	r->code_id = "kernel";
	r->module = "[kernel]";
	if (s->disabled) {
		r->why = RTI_UNRES_SYMBOLIZATION_OFF;
		return 0;
	}
	if (!s->ks_tried) {
		s->ks_tried = true;
		if (s->kallsyms_path)
			s->ks = rti_kallsyms_load(s->kallsyms_path, NULL, 0);
	}
	if (!s->ks) {
		r->why = RTI_UNRES_NO_KALLSYMS;
		return 0;
	}
	if (rti_kallsyms_lookup(s->ks, addr, &r->symbol, &off, &r->module)) {
		r->why = RTI_UNRES_NO_KERNEL_SYMBOL;
		return 0;
	}
	r->raw_symbol = r->symbol;
	r->symbol_offset = off;
	r->by = RTI_RESOLVED_KALLSYMS;
	return 0;
}

/* ---- life cycle --------------------------------------------------------- */

struct rti_symbolizer *rti_symbolizer_new(const struct rti_symbolizer_opts *o)
{
	struct rti_symbolizer_opts def;
	struct rti_symbolizer *s;
	const char *host;

	memset(&def, 0, sizeof(def));
	def.sz = sizeof(def);
	if (o && o->sz < offsetof(struct rti_symbolizer_opts, max_files)) {
		errno = EINVAL;
		return NULL;
	}
	if (o) /* an older, shorter struct: its fields, our defaults */
		memcpy(&def, o, o->sz < sizeof(def) ? o->sz : sizeof(def));
	o = &def;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto nomem;
	s->disabled = o->disabled;
	s->ttl_ms = o->module_ttl_ms ? o->module_ttl_ms : 1000;
	s->proc_root = dupstr(o->proc_root && *o->proc_root ? o->proc_root : "/proc", NULL);
	host = o->host_root && *o->host_root && strcmp(o->host_root, "/") ? o->host_root : NULL;
	if (host) {
		size_t n = strlen(host);

		s->host_root = dupstr(host, NULL);
		if (s->host_root)
			while (n > 1 && s->host_root[n - 1] == '/')
				s->host_root[--n] = '\0';
	}
	if (o->debug_dir && *o->debug_dir)
		s->debug_dir = dupstr(o->debug_dir, NULL);
	else
		s->debug_dir = dupstr(host ? s->host_root : "", "/usr/lib/debug");
	if (!o->kallsyms)
		s->kallsyms_path = dupstr(s->proc_root ? s->proc_root : "/proc", "/kallsyms");
	else if (*o->kallsyms && strcmp(o->kallsyms, "none"))
		s->kallsyms_path = dupstr(o->kallsyms, NULL);
	if (!s->proc_root || (host && !s->host_root) || !s->debug_dir)
		goto nomem;
	if (!s->disabled) {
		size_t mn = slots(o->module_slots, 2048);
		size_t fn = slots(o->frame_slots, 4096) / FWAYS;

		if (!fn)
			fn = 1;
		size_t ln = slots(o->loader_slots, 2048);

		s->objs = rti_objcache_new(o->max_files ? o->max_files : 256,
					   o->max_file_bytes ? o->max_file_bytes : (64u << 20));
		s->ms = calloc(mn, sizeof(*s->ms));
		s->fs = calloc(fn, sizeof(*s->fs));
		s->ls = calloc(ln, sizeof(*s->ls));
		s->ps = calloc(PROC_SLOTS, sizeof(*s->ps));
		s->mmask = mn - 1;
		s->fmask = fn - 1;
		s->lmask = ln - 1;
		if (!s->objs || !s->ms || !s->fs || !s->ls || !s->ps)
			goto nomem;
	}
	rti_symtab_builder_init(&s->sb);
	return s;
nomem:
	rti_symbolizer_free(s);
	errno = ENOMEM;
	return NULL;
}

void rti_symbolizer_free(struct rti_symbolizer *s)
{
	if (!s)
		return;
	rti_objcache_free(s->objs);
	rti_kallsyms_free(s->ks);
	for (size_t i = 0; s->ms && i <= s->mmask; i++)
		free(s->ms[i].path);
	for (size_t i = 0; s->ls && i <= s->lmask; i++)
		free(s->ls[i].path);
	free(s->elf.path);
	rti_symtab_builder_release(&s->sb);
	free(s->ms);
	free(s->fs);
	free(s->ls);
	free(s->ps);
	free(s->iobuf);
	free(s->proc_root);
	free(s->host_root);
	free(s->debug_dir);
	free(s->kallsyms_path);
	free(s);
}

bool rti_symbolizer_enabled(const struct rti_symbolizer *s)
{
	return !s->disabled;
}

const struct rti_symbolize_stats *rti_symbolizer_stats(struct rti_symbolizer *s)
{
	if (s->objs)
		s->st.files = *rti_objcache_stats(s->objs);
	return &s->st;
}
