/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rti-gen: deterministic generator of realistic Tetragon JSON exports for
 * the benchmark (bench/run.sh). One GetEventsResponse per line, protojson
 * style (proto field names, fields in field-number order, 64-bit integers
 * as decimal strings, RFC 3339 times with 0/3/6/9 fraction digits), every
 * event kind, deep kernel and user stacks built from real kernel function
 * names and real Debian 12 library symbols (bench/gen-syms.h).
 *
 * Same seed and options give the same bytes on every machine: the only
 * randomness is our own xoshiro256** seeded from --seed.
 *
 *   rti-gen [--seed N] [--bytes N | --events N] [-o FILE] [--policies FILE]
 *           [--env-heavy] [--stack-addresses]
 *           [--plant-secrets [--secrets-out FILE]]
 *           [--zipf-paths N [--zipf-s S]]
 *
 * --zipf-paths N (the realistic corpus): real workloads repeat their call
 * paths. Each kprobe event's call path (hook, kernel chain, user stack) is
 * then path number k of a fixed population of N per image (the process's
 * binary), k drawn from a Zipf distribution with exponent S (default 1.1):
 * P(k) ~ 1 / k^S. The path is rendered from its own PRNG, seeded from
 * (--seed, binary, k), so path k of an image is the same stack every time;
 * processes, times, arguments and everything else stay random. Without
 * --zipf-paths every stack is drawn afresh (the all-distinct corpus).
 *
 * --plant-secrets (privacy canary): plant random credentials into the free
 * text of the capture: process and parent binary, cwd, arguments (some
 * processes without arguments get some), environment variable values, user name (a "user" record is added to some
 * processes), pod namespace, name, container name, image name, workload,
 * pod label values and keys, annotation values; node and cluster name,
 * policy_name, function_name, uprobe path and symbol, usdt path, provider,
 * name and string args, tracepoint subsys and event, string and file/path
 * args (and the file mount), loader path, kernel and user stack frame
 * symbols and modules, message and tags (added to some probe events).
 * Ids, times, numbers and enum-like strings stay as they are: exec_id,
 * parent_exec_id, pod uid, container id, docker, image id (digest), flags,
 * action, workload_kind, socket fields, permissions, ima_hash, buildid, the
 * throttle type and cgroup (made of the pod uid and container id).
 * Each planted value is one of, at random: AWS access key id (AKIA + 16),
 * 40-char base64 (AWS secret-like), JWT, "Bearer " + base64url, password=,
 * token=, "--password X", a PEM RSA private-key block (newlines escaped as
 * \n), a 32..48-char base64url token. Symbols (frame symbols, function_name
 * of kprobes, uprobe symbols) get only the formats with a signature: they
 * are code identifiers, whose entropy is not judged. The planting has its
 * own PRNG (also seeded from --seed), so the events, numbers and times are
 * those of the run without it; without --plant-secrets the output is
 * unchanged.
 *
 * --secrets-out FILE (with --plant-secrets): every planted random part that
 * made it into the output, sorted, one per line, no duplicates: the AKIA
 * key's 16 characters, the password/token/bearer value, each JWT segment
 * after its "eyJ" (the signature whole), the PEM body (64 characters). The
 * canary test checks that none of them survives in the agent's output.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-syms.h"

/* Bump when the output for a given seed changes: run.sh keys its cache on it. */
#define GEN_VERSION "1"

#define NODE "worker-3.prod-eu-1.example.internal"
#define CLUSTER "prod-eu-1"
#define MAX_UFRAMES 30
#define MAX_KFRAMES 40

/* ---------- PRNG, hashing ---------- */

struct rng { uint64_t s[4]; };

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static uint64_t rnext(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t res = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* uniform in [0, n) */
static uint32_t rb(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32) : 0;
}

static int rpct(struct rng *r, unsigned pct) { return rb(r, 100) < pct; }

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static uint64_t fnv_u(uint64_t h, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		h = (h ^ (v & 0xff)) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL

/* ---------- string builder ---------- */

struct sb { char *p; size_t n, cap; };

static void sb_need(struct sb *b, size_t add)
{
	if (b->n + add + 1 <= b->cap)
		return;
	size_t nc = b->cap ? b->cap : 4096;

	while (nc < b->n + add + 1)
		nc *= 2;
	b->p = realloc(b->p, nc);
	if (!b->p) {
		fputs("rti-gen: out of memory\n", stderr);
		exit(1);
	}
	b->cap = nc;
}

static void sb_mem(struct sb *b, const void *s, size_t n)
{
	sb_need(b, n);
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_s(struct sb *b, const char *s) { sb_mem(b, s, strlen(s)); }
static void sb_c(struct sb *b, char c) { sb_mem(b, &c, 1); }

static void sb_u(struct sb *b, uint64_t v)
{
	char t[24];
	int i = sizeof(t);

	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10));
	sb_mem(b, t + i, sizeof(t) - (size_t)i);
}

/* A decimal JSON string, as protojson prints 64-bit integers. */
static void sb_qu(struct sb *b, uint64_t v)
{
	sb_c(b, '"');
	sb_u(b, v);
	sb_c(b, '"');
}

__attribute__((format(printf, 2, 3)))
static void sb_f(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_need(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
}

/* JSON string with the escaping Go's protojson uses for our inputs. */
static void sb_q(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	sb_c(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			sb_c(b, '\\');
			sb_c(b, (char)c);
		} else if (c == '\n') {
			sb_mem(b, "\\n", 2);
		} else if (c == '\t') {
			sb_mem(b, "\\t", 2);
		} else if (c == '\r') {
			sb_mem(b, "\\r", 2);
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			sb_mem(b, e, 6);
		} else {
			sb_c(b, (char)c);
		}
	}
	sb_c(b, '"');
}

/* ,"key":"value" */
static void kq(struct sb *b, const char *k, const char *v)
{
	sb_c(b, ',');
	sb_q(b, k);
	sb_c(b, ':');
	sb_q(b, v);
}

static void ku(struct sb *b, const char *k, uint64_t v)
{
	sb_c(b, ',');
	sb_q(b, k);
	sb_c(b, ':');
	sb_u(b, v);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fputs("rti-gen: out of memory\n", stderr);
		exit(1);
	}
	return d;
}

static char *sb_take(struct sb *b)
{
	char *p = b->p ? b->p : xstrdup("");

	b->p = NULL;
	b->n = b->cap = 0;
	return p;
}

static void hexs(struct rng *r, char *out, int n)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < n; i++)
		out[i] = hex[rb(r, 16)];
	out[n] = 0;
}

static void alnum(struct rng *r, char *out, int n)
{
	static const char a[] = "bcdfghjklmnpqrstvwxz2456789";

	for (int i = 0; i < n; i++)
		out[i] = a[rb(r, sizeof(a) - 1)];
	out[n] = 0;
}

static void b64(struct sb *b, const unsigned char *p, size_t n)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		sb_c(b, t[(v >> 18) & 63]);
		sb_c(b, t[(v >> 12) & 63]);
		sb_c(b, i + 1 < n ? t[(v >> 6) & 63] : '=');
		sb_c(b, i + 2 < n ? t[v & 63] : '=');
	}
}

/* ---------- time ---------- */

struct ts { int64_t sec; uint32_t nsec; };

static int64_t days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 3339 UTC with 0/3/6/9 fraction digits, as Go's protojson writes it. */
static void sb_time(struct sb *b, struct ts t)
{
	int64_t z = t.sec / 86400 + 719468;
	int64_t rem = t.sec % 86400;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	y += m <= 2;
	sb_f(b, "\"%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d, (int)(rem / 3600),
	     (int)(rem / 60 % 60), (int)(rem % 60));
	if (t.nsec % 1000000000u == 0)
		;
	else if (t.nsec % 1000000 == 0)
		sb_f(b, ".%03u", t.nsec / 1000000);
	else if (t.nsec % 1000 == 0)
		sb_f(b, ".%06u", t.nsec / 1000);
	else
		sb_f(b, ".%09u", t.nsec);
	sb_s(b, "Z\"");
}

static struct ts ts_add(struct ts t, int64_t ns)
{
	int64_t n = (int64_t)t.nsec + ns;
	int64_t s = n / 1000000000;

	n %= 1000000000;
	if (n < 0) {
		n += 1000000000;
		s--;
	}
	t.sec += s;
	t.nsec = (uint32_t)n;
	return t;
}

static int64_t ts_ns(struct ts t) { return t.sec * 1000000000 + t.nsec; }

/* ---------- modules and symbols ---------- */

/* Binaries that exist only inside containers (or are stripped): the agent
 * finds no symbol for them, so their frames carry none. */
static const uint32_t whole_text[][2] = { { 0x1000, 0x1f00000 } };
static const uint32_t small_text[][2] = { { 0x1000, 0x7f0000 } };
static const struct gmod extra_mods[] = {
	{ "CHECKOUT", "/app/bin/checkout-server", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "CART", "/app/cart", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "NODEEXP", "/bin/node_exporter", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "COREDNS", "/coredns", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "KUBELET", "/usr/bin/kubelet", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "CONTAINERD", "/usr/bin/containerd", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "SHIM", "/usr/bin/containerd-shim-runc-v2", "", 0x1000, 0x1f00000, NULL, 0, whole_text, 1 },
	{ "NGINX", "/usr/sbin/nginx", "", 0x1000, 0x7f0000, NULL, 0, small_text, 1 },
	{ "POSTGRES", "/usr/lib/postgresql/15/bin/postgres", "", 0x1000, 0x7f0000, NULL, 0, small_text, 1 },
	{ "LEDGERD", "/opt/ledger/bin/ledgerd", "", 0x1000, 0x7f0000, NULL, 0, small_text, 1 },
	{ "JOURNALD", "/usr/lib/systemd/systemd-journald", "", 0x1000, 0x7f0000, NULL, 0, small_text, 1 },
};

#define NHOST (sizeof(host_mods) / sizeof(host_mods[0]))
#define NEXTRA (sizeof(extra_mods) / sizeof(extra_mods[0]))

static const struct gmod *mod_by_id(const char *id)
{
	for (size_t i = 0; i < NHOST; i++)
		if (!strcmp(host_mods[i].id, id))
			return &host_mods[i];
	for (size_t i = 0; i < NEXTRA; i++)
		if (!strcmp(extra_mods[i].id, id))
			return &extra_mods[i];
	fprintf(stderr, "rti-gen: internal: no module %s\n", id);
	exit(2);
}

static const struct gsym *sym_by_name(const struct gmod *m, const char *name)
{
	for (unsigned i = 0; i < m->nsyms; i++)
		if (!strcmp(m->syms[i].name, name))
			return &m->syms[i];
	fprintf(stderr, "rti-gen: internal: no symbol %s in %s\n", name, m->path);
	exit(2);
}

/* ---------- the world: namespaces, pods, processes ---------- */

enum fam { F_GO, F_PY, F_NGINX, F_PG, F_CPP, F_CURL, F_BASH, F_JOURNALD };

struct ns_def { const char *name; int services; };
static const struct ns_def namespaces[] = {
	{ "payments", 4 }, { "shop", 9 }, { "search", 2 }, { "data", 6 },
	{ "monitoring", 3 }, { "kube-system", 1 }, { "ingress-nginx", 1 }, { "default", 36 },
};
#define NNS (sizeof(namespaces) / sizeof(namespaces[0]))

struct bin_def {
	const char *binary, *args, *mod; /* mod: module id of the binary */
	enum fam fam;
};

struct app_def {
	int ns;
	const char *name, *repo, *tag, *kind, *team, *cwd;
	unsigned uid, replicas, weight;
	struct bin_def main, child;
};

static const struct app_def apps[] = {
	{ 0, "checkout", "registry.example.com/payments/checkout", "1.4.2", "Deployment", "payments", "/", 65532, 3, 14,
	  { "/app/bin/checkout-server", "--config /etc/checkout/config.yaml --listen :8080", "CHECKOUT", F_GO },
	  { "/app/bin/checkout-server", "healthcheck --addr localhost:8080", "CHECKOUT", F_GO } },
	{ 0, "ledger", "registry.example.com/payments/ledger", "3.0.7", "StatefulSet", "payments", "/var/lib/ledger", 1000, 2, 8,
	  { "/opt/ledger/bin/ledgerd", "--db postgresql://ledger@postgres.data:5432/ledger --threads 8", "LEDGERD", F_CPP },
	  { "/opt/ledger/bin/ledgerd", "--compact --segment 000000000000002a", "LEDGERD", F_CPP } },
	{ 1, "frontend", "registry.example.com/shop/frontend", "2026.11.3", "Deployment", "web", "/", 101, 3, 12,
	  { "/usr/sbin/nginx", "-g \"daemon off;\"", "NGINX", F_NGINX },
	  { "/usr/sbin/nginx", "-s reload", "NGINX", F_NGINX } },
	{ 1, "catalog", "registry.example.com/shop/catalog", "5.12.0", "Deployment", "shop", "/srv/app", 1000, 3, 14,
	  { "/usr/bin/python3.11", "-m gunicorn catalog.wsgi:application --workers 4 --bind 0.0.0.0:8000", "PYTHON", F_PY },
	  { "/usr/bin/python3.11", "/srv/app/manage.py refresh_prices --since \"2026-11-19 00:00\"", "PYTHON", F_PY } },
	{ 1, "cart", "registry.example.com/shop/cart", "0.9.31", "Deployment", "shop", "/", 65532, 2, 8,
	  { "/app/cart", "serve --redis redis.shop:6379", "CART", F_GO },
	  { "/app/cart", "migrate --dry-run", "CART", F_GO } },
	{ 2, "indexer", "registry.example.com/search/indexer", "7.2.1", "Deployment", "search", "/srv/indexer", 1000, 2, 8,
	  { "/usr/bin/python3.11", "-u /srv/indexer/worker.py --queue index-high --batch 500", "PYTHON", F_PY },
	  { "/usr/bin/curl", "-fsS -X POST https://opensearch.search:9200/_bulk --data-binary @/tmp/batch.ndjson", "CURL", F_CURL } },
	{ 3, "postgres", "docker.io/library/postgres", "15.10-bookworm", "StatefulSet", "data", "/var/lib/postgresql/data", 999, 2, 10,
	  { "/usr/lib/postgresql/15/bin/postgres", "-c config_file=/etc/postgresql/postgresql.conf", "POSTGRES", F_PG },
	  { "/usr/lib/postgresql/15/bin/postgres", "--single -D /var/lib/postgresql/data ledger", "POSTGRES", F_PG } },
	{ 3, "etl-nightly", "registry.example.com/data/etl", "2.3.0", "Job", "data", "/work", 1000, 1, 4,
	  { "/usr/bin/bash", "-c \"/work/run.sh --date 2026-11-19\"", "BASH", F_BASH },
	  { "/usr/bin/curl", "-fsSL -o /work/in/orders.csv.gz https://exports.example.com/orders/2026-11-19.csv.gz", "CURL", F_CURL } },
	{ 4, "node-exporter", "quay.io/prometheus/node-exporter", "v1.8.2", "DaemonSet", "sre", "/", 65534, 1, 3,
	  { "/bin/node_exporter", "--path.rootfs=/host --web.listen-address=:9100", "NODEEXP", F_GO },
	  { "/bin/node_exporter", "--version", "NODEEXP", F_GO } },
	{ 5, "coredns", "registry.k8s.io/coredns/coredns", "v1.11.3", "Deployment", "platform", "/", 0, 2, 4,
	  { "/coredns", "-conf /etc/coredns/Corefile", "COREDNS", F_GO },
	  { "/coredns", "-conf /etc/coredns/Corefile -dns.port 1053", "COREDNS", F_GO } },
	{ 6, "ingress-nginx-controller", "registry.k8s.io/ingress-nginx/controller", "v1.11.2", "DaemonSet", "platform", "/etc/nginx", 101, 1, 5,
	  { "/usr/sbin/nginx", "-c /etc/nginx/nginx.conf", "NGINX", F_NGINX },
	  { "/usr/sbin/nginx", "-c /etc/nginx/nginx.conf -t", "NGINX", F_NGINX } },
	{ 7, "debug-shell", "docker.io/library/debian", "bookworm-slim", "Pod", "sre", "/root", 0, 1, 3,
	  { "/usr/bin/bash", "-l", "BASH", F_BASH },
	  { "/usr/bin/curl", "-v https://catalog.shop.svc.cluster.local:8443/healthz", "CURL", F_CURL } },
	{ 7, "report-builder", "registry.example.com/finance/report-builder", "4.1.0", "Deployment", "finance", "/srv/reports", 1000, 2, 5,
	  { "/usr/bin/python3.11", "/srv/reports/build.py --month 2026-11 --format pdf", "PYTHON", F_PY },
	  { "/usr/bin/bash", "-c \"gzip -9 /srv/reports/out/*.csv\"", "BASH", F_BASH } },
};
#define NAPPS (sizeof(apps) / sizeof(apps[0]))

/* Host processes (no pod), with their parent kind. */
static const struct bin_def host_bins[] = {
	{ "/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml --kubeconfig=/etc/kubernetes/kubelet.conf --container-runtime-endpoint=unix:///run/containerd/containerd.sock", "KUBELET", F_GO },
	{ "/usr/bin/containerd", "", "CONTAINERD", F_GO },
	{ "/usr/lib/systemd/systemd-journald", "", "JOURNALD", F_JOURNALD },
	{ "/usr/bin/bash", "", "BASH", F_BASH },
	{ "/usr/bin/python3.11", "/usr/local/sbin/rotate-logs.py --keep 7", "PYTHON", F_PY },
	{ "/usr/bin/curl", "-sf http://169.254.169.254/latest/meta-data/instance-id", "CURL", F_CURL },
};
#define NHOSTBINS (sizeof(host_bins) / sizeof(host_bins[0]))

struct envset { char *json; size_t n; };

/* Planted secrets (their random parts), owned strings. */
struct slist { char **v; size_t n, cap; };

struct pod {
	int app, ns;
	char name[80], uid[40], cid[65], image_digest[65];
	struct ts cstart;
	char *labels, *annotations; /* pre-rendered JSON objects or NULL */
	struct envset env;
	struct proc *shim, *main;
};

struct proc {
	char *pre;          /* Process JSON up to (not including) env and '}' */
	size_t pre_n;
	const struct envset *env;
	char exec_id[128];
	char binary[512];   /* room for a planted secret */
	uint32_t pid;
	int pod;            /* -1: host */
	enum fam fam;
	const struct gmod *mod;
	struct proc *parent;
	struct ts start;
	uint64_t aslr;      /* base for --stack-addresses */
	/* --plant-secrets: the process's own planted environment, and the
	 * secrets planted in pre / own_env, moved to gen.sec once output */
	struct envset own_env;
	struct slist sec, env_sec;
};

struct gen {
	struct rng r;
	struct ts now, boot;
	bool env_heavy, addrs;
	uint32_t next_pid;
	struct pod *pods;
	unsigned npods;
	struct envset host_env;
	struct proc *pool;
	unsigned npool;
	struct proc systemd, sshd;
	unsigned throttle_on;
	uint64_t kind_count[16];
	uint64_t big_lines, max_line;
	bool plant;         /* --plant-secrets */
	struct rng pr;      /* planting's own PRNG: the events stay the same */
	uint64_t seed;
	double *zipf_cdf;   /* --zipf-paths: cumulative weights of ranks 1..zipf_n */
	uint32_t zipf_n;
	struct slist sec;   /* secrets that made it into the output */
};

/* ---------- secret planting (--plant-secrets) ---------- */

static void sl_add(struct slist *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, nc * sizeof(*v));

		if (!v) {
			fputs("rti-gen: out of memory\n", stderr);
			exit(1);
		}
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n] = strndup(s, n);
	if (!l->v[l->n]) {
		fputs("rti-gen: out of memory\n", stderr);
		exit(1);
	}
	l->n++;
}

/* src's secrets are in the output now: dst owns them */
static void sl_move(struct slist *dst, struct slist *src)
{
	for (size_t i = 0; i < src->n; i++) {
		sl_add(dst, "", 0);
		free(dst->v[dst->n - 1]);
		dst->v[dst->n - 1] = src->v[i];
	}
	src->n = 0;
}

static void sl_free(struct slist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char A_UPNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static const char A_ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static const char A_B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char A_B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* n random characters of alphabet a: a secret's random part, listed in l */
static void rnd_part(struct gen *g, struct sb *b, struct slist *l, const char *a, unsigned n)
{
	size_t at = b->n;
	uint32_t k = (uint32_t)strlen(a);

	for (unsigned i = 0; i < n; i++)
		sb_c(b, a[rb(&g->pr, k)]);
	sl_add(l, b->p + at, n);
}

/* One secret of the given format (0..8): 0-7 have a signature (or a
 * base64 character a name cannot have), 1 and 8 only their entropy. */
static void secret_of(struct gen *g, struct sb *b, struct slist *l, unsigned kind)
{
	struct rng *r = &g->pr;

	switch (kind) {
	case 0: /* AWS access key id */
		sb_s(b, "AKIA");
		rnd_part(g, b, l, A_UPNUM, 16);
		break;
	case 1: /* AWS secret access key-like */
		rnd_part(g, b, l, A_B64, 40);
		break;
	case 2: /* JWT: each part's random characters are listed */
		sb_s(b, "eyJ");
		rnd_part(g, b, l, A_B64URL, 20 + rb(r, 21));
		sb_s(b, ".eyJ");
		rnd_part(g, b, l, A_B64URL, 30 + rb(r, 31));
		sb_c(b, '.');
		rnd_part(g, b, l, A_B64URL, 43);
		break;
	case 3:
		sb_s(b, "Bearer ");
		rnd_part(g, b, l, A_B64URL, 32 + rb(r, 17));
		break;
	case 4:
		sb_s(b, "password=");
		rnd_part(g, b, l, A_ALNUM, 10 + rb(r, 7));
		break;
	case 5:
		sb_s(b, "token=");
		rnd_part(g, b, l, A_ALNUM, 20);
		break;
	case 6:
		sb_s(b, "--password ");
		rnd_part(g, b, l, A_ALNUM, 12);
		break;
	case 7:
		sb_s(b, "-----BEGIN RSA PRIVATE KEY-----\n");
		rnd_part(g, b, l, A_B64, 64);
		sb_s(b, "\n-----END RSA PRIVATE KEY-----");
		break;
	default: /* opaque API token */
		rnd_part(g, b, l, A_B64URL, 32 + rb(r, 17));
		break;
	}
}

/* One secret in a detectable format, chosen at random. */
static void secret(struct gen *g, struct sb *b, struct slist *l)
{
	secret_of(g, b, l, rb(&g->pr, 9));
}

/* One secret that a symbol can carry detectably. Symbols are code
 * identifiers: a random token with the shape of one is not judged by its
 * entropy there (docs/privacy.md), so symbols get the formats with a
 * signature: AWS key id, JWT, bearer, password/token pairs, PEM. */
static void symbol_secret(struct gen *g, struct sb *b, struct slist *l)
{
	static const unsigned kinds[] = { 0, 2, 3, 4, 5, 6, 7 };

	secret_of(g, b, l, kinds[rb(&g->pr, 7)]);
}

/* How a secret goes into a field. */
enum pst { PS_PATH, PS_ARGS, PS_VALUE, PS_NAME, PS_IMAGE, PS_KEY, PS_SYMBOL };

/* orig with a secret planted in, the way such a field would carry one. The
 * result lives in a ring of buffers: use it before 16 more calls. */
static const char *plant(struct gen *g, struct slist *l, enum pst st, const char *orig)
{
	static struct sb ring[16];
	static unsigned ri;
	static const char *const users[] = { "alice", "bob", "deploy", "ci", "svc-backup" };
	struct sb *b = &ring[ri++ % 16];
	struct rng *r = &g->pr;
	const char *sl;

	b->n = 0;
	switch (st) {
	case PS_PATH:
		switch (rb(r, 3)) {
		case 0:
			sb_s(b, "/home/");
			sb_s(b, users[rb(r, 5)]);
			sb_s(b, "/bin/");
			secret(g, b, l);
			break;
		case 1:
			sl = strrchr(orig, '/');
			if (sl && sl != orig)
				sb_mem(b, orig, (size_t)(sl - orig));
			else
				sb_s(b, "/usr/bin");
			sb_s(b, "/tool-");
			secret(g, b, l);
			break;
		default:
			sb_s(b, "/tmp/");
			secret(g, b, l);
			sl = strrchr(orig, '/');
			if (!sl)
				sb_c(b, '/');
			sb_s(b, sl ? sl : orig);
			break;
		}
		break;
	case PS_ARGS:
		if (!*orig) {
			secret(g, b, l);
			break;
		}
		switch (rb(r, 3)) {
		case 0:
			sb_s(b, orig);
			sb_c(b, ' ');
			secret(g, b, l);
			break;
		case 1:
			secret(g, b, l);
			sb_c(b, ' ');
			sb_s(b, orig);
			break;
		default:
			sb_s(b, orig);
			sb_s(b, " --data '");
			secret(g, b, l);
			sb_c(b, '\'');
			break;
		}
		break;
	case PS_VALUE:
		if (rpct(r, 50)) {
			sb_s(b, orig);
			sb_c(b, ' ');
		}
		secret(g, b, l);
		break;
	case PS_NAME:
		if (rpct(r, 60)) {
			sb_s(b, orig);
			sb_c(b, '-');
		}
		secret(g, b, l);
		break;
	case PS_SYMBOL:
		if (rpct(r, 60)) {
			sb_s(b, orig);
			sb_c(b, '-');
		}
		symbol_secret(g, b, l);
		break;
	case PS_IMAGE:
		if (rpct(r, 50)) {
			sb_s(b, "registry.example.com/");
			secret(g, b, l);
			sb_s(b, "/app:1");
		} else {
			sb_s(b, orig);
			sb_c(b, '-');
			secret(g, b, l);
		}
		break;
	case PS_KEY:
		sb_s(b, rpct(r, 50) ? "secret.example.com/" : "token-");
		secret(g, b, l);
		break;
	}
	return b->p;
}

/* With --plant-secrets, pct% of the time: orig with a secret in it. */
static const char *pl(struct gen *g, struct slist *l, enum pst st, const char *orig, unsigned pct)
{
	if (!g->plant || !rpct(&g->pr, pct))
		return orig;
	return plant(g, l, st, orig);
}

/* For the event being built: its secrets are output with it. */
#define PL(st, orig, pct) pl(g, &g->sec, (st), (orig), (pct))

/* A flat JSON object of plain strings (labels, annotations) with secrets
 * planted in some keys and values. */
static void plant_obj(struct gen *g, struct sb *b, struct slist *l, const char *obj,
		      unsigned kpct, unsigned vpct)
{
	const char *s = obj + 1;

	sb_c(b, '{');
	while (*s == '"') {
		const char *ke = strchr(s + 1, '"');
		const char *vs = ke + 3, *ve = strchr(vs, '"');
		char k[160], v[160];

		snprintf(k, sizeof(k), "%.*s", (int)(ke - s - 1), s + 1);
		snprintf(v, sizeof(v), "%.*s", (int)(ve - vs), vs);
		if (s != obj + 1)
			sb_c(b, ',');
		sb_q(b, pl(g, l, PS_KEY, k, kpct));
		sb_c(b, ':');
		sb_q(b, pl(g, l, PS_VALUE, v, vpct));
		s = ve + 1;
		if (*s == ',')
			s++;
	}
	sb_c(b, '}');
}

/* The process's own copy of its environment, ~3 values with a secret. */
static void plant_env(struct gen *g, struct proc *p)
{
	static const char key[] = "\"Value\":\"";
	const char *s = p->env->json, *v;
	uint32_t n = 0;
	struct sb b = { 0 };

	for (const char *q = s; (q = strstr(q, key)); q++)
		n++;
	while ((v = strstr(s, key))) {
		const char *e;
		char val[512];

		v += sizeof(key) - 2; /* the value's opening quote */
		sb_mem(&b, s, (size_t)(v - s));
		e = strchr(v + 1, '"');
		snprintf(val, sizeof(val), "%.*s", (int)(e - v - 1), v + 1);
		sb_q(&b, rb(&g->pr, n) < 3 ? plant(g, &p->env_sec, PS_VALUE, val) : val);
		s = e + 1;
	}
	sb_s(&b, s);
	p->own_env.n = b.n;
	p->own_env.json = sb_take(&b);
	p->env = &p->own_env;
}

static const char *user_name(unsigned uid)
{
	switch (uid) {
	case 0: return "root";
	case 101: return "nginx";
	case 999: return "postgres";
	case 1000: return "app";
	case 65532: return "nonroot";
	default: return "nobody";
	}
}

static void exec_id_for(struct gen *g, struct proc *p)
{
	struct sb b = { 0 }, o = { 0 };

	sb_s(&b, NODE ":");
	sb_u(&b, (uint64_t)(ts_ns(p->start) - ts_ns(g->boot)));
	sb_c(&b, ':');
	sb_u(&b, p->pid);
	b64(&o, (const unsigned char *)b.p, b.n);
	snprintf(p->exec_id, sizeof(p->exec_id), "%s", o.p);
	free(b.p);
	free(o.p);
}

static void env_services(struct rng *r, struct sb *b, const char *pfx, int n)
{
	static const char *w1[] = { "orders", "users", "billing", "search", "images", "cache",
				    "auth", "gateway", "inventory", "pricing", "reviews", "shipping",
				    "ledger", "notify", "profile", "session", "tax", "fraud",
				    "recommend", "mailer" };
	static const char *w2[] = { "api", "grpc", "worker", "db", "redis", "metrics", "admin",
				    "web", "internal", "v2" };

	for (int i = 0; i < n; i++) {
		char name[64], up[64], ip[24];
		unsigned port = 80 + 1000 * rb(r, 9) + rb(r, 3) * 443;

		snprintf(name, sizeof(name), "%s-%s", w1[(i * 7 + 3) % 20], w2[i % 10]);
		for (size_t k = 0; k <= strlen(name); k++)
			up[k] = name[k] == '-' ? '_' : (char)(name[k] >= 'a' && name[k] <= 'z'
							  ? name[k] - 32 : name[k]);
		snprintf(ip, sizeof(ip), "10.96.%u.%u", rb(r, 256), 1 + rb(r, 254));
		if (i >= 20) /* keep names unique after the word lists wrap */
			snprintf(up + strlen(up), sizeof(up) - strlen(up), "_%d", i);
		sb_f(b, "%s{\"Key\":\"%s_SERVICE_HOST\",\"Value\":\"%s\"}", pfx, up, ip);
		sb_f(b, ",{\"Key\":\"%s_SERVICE_PORT\",\"Value\":\"%u\"}", up, port);
		sb_f(b, ",{\"Key\":\"%s_SERVICE_PORT_HTTP\",\"Value\":\"%u\"}", up, port);
		sb_f(b, ",{\"Key\":\"%s_PORT\",\"Value\":\"tcp://%s:%u\"}", up, ip, port);
		sb_f(b, ",{\"Key\":\"%s_PORT_%u_TCP\",\"Value\":\"tcp://%s:%u\"}", up, port, ip, port);
		sb_f(b, ",{\"Key\":\"%s_PORT_%u_TCP_PROTO\",\"Value\":\"tcp\"}", up, port);
		sb_f(b, ",{\"Key\":\"%s_PORT_%u_TCP_PORT\",\"Value\":\"%u\"}", up, port, port);
		sb_f(b, ",{\"Key\":\"%s_PORT_%u_TCP_ADDR\",\"Value\":\"%s\"}", up, port, ip);
		pfx = ",";
	}
}

static void make_pod_env(struct gen *g, struct pod *pd)
{
	const struct app_def *a = &apps[pd->app];
	struct sb b = { 0 };

	sb_s(&b, ",\"environment_variables\":[");
	sb_f(&b, "{\"Key\":\"PATH\",\"Value\":\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"}");
	sb_f(&b, ",{\"Key\":\"HOSTNAME\",\"Value\":\"%s\"}", pd->name);
	sb_f(&b, ",{\"Key\":\"HOME\",\"Value\":\"%s\"}", a->uid ? "/home/app" : "/root");
	sb_f(&b, ",{\"Key\":\"APP_ENV\",\"Value\":\"production\"},{\"Key\":\"LOG_LEVEL\",\"Value\":\"info\"}");
	sb_f(&b, ",{\"Key\":\"OTEL_EXPORTER_OTLP_ENDPOINT\",\"Value\":\"http://otel-collector.monitoring:4317\"}");
	sb_f(&b, ",{\"Key\":\"OTEL_SERVICE_NAME\",\"Value\":\"%s\"}", a->name);
	sb_f(&b, ",{\"Key\":\"KUBERNETES_SERVICE_HOST\",\"Value\":\"10.96.0.1\"},{\"Key\":\"KUBERNETES_SERVICE_PORT\",\"Value\":\"443\"}");
	sb_f(&b, ",{\"Key\":\"KUBERNETES_PORT\",\"Value\":\"tcp://10.96.0.1:443\"}");
	/* env-heavy: as in tetragon#4637, every event > 16 KiB */
	env_services(&g->r, &b, ",", g->env_heavy && namespaces[pd->ns].services < 36
				     ? 36 : namespaces[pd->ns].services);
	sb_c(&b, ']');
	pd->env.n = b.n;
	pd->env.json = sb_take(&b);
}

static void render_proc(struct gen *g, struct proc *p, const char *args, const char *cwd,
			unsigned uid, const char *flags, unsigned cpid)
{
	struct sb b = { 0 };
	struct slist *l = &p->sec;
	const char *pa;

	if (g->plant) {
		const char *pb = pl(g, l, PS_PATH, p->binary, 20);

		if (pb != p->binary)
			snprintf(p->binary, sizeof(p->binary), "%s", pb);
	}
	exec_id_for(g, p);
	sb_s(&b, "{\"exec_id\":");
	sb_q(&b, p->exec_id);
	ku(&b, "pid", p->pid);
	ku(&b, "uid", uid);
	if (cwd)
		kq(&b, "cwd", pl(g, l, PS_PATH, cwd, 20));
	kq(&b, "binary", p->binary);
	pa = pl(g, l, PS_ARGS, args ? args : "", 30);
	if (*pa)
		kq(&b, "arguments", pa);
	kq(&b, "flags", flags);
	sb_s(&b, ",\"start_time\":");
	sb_time(&b, p->start);
	ku(&b, "auid", uid == 0 && p->pod < 0 && p->fam == F_BASH ? 1000 : 4294967295u);
	if (p->pod >= 0) {
		struct pod *pd = &g->pods[p->pod];
		const struct app_def *a = &apps[pd->app];
		char img[160];

		sb_s(&b, ",\"pod\":{\"namespace\":");
		sb_q(&b, pl(g, l, PS_NAME, namespaces[pd->ns].name, 15));
		kq(&b, "name", pl(g, l, PS_NAME, pd->name, 20));
		kq(&b, "uid", pd->uid);
		sb_f(&b, ",\"container\":{\"id\":\"containerd://%s\"", pd->cid);
		kq(&b, "name", pl(g, l, PS_NAME, a->name, 15));
		sb_f(&b, ",\"image\":{\"id\":\"%s@sha256:%s\"", a->repo, pd->image_digest);
		snprintf(img, sizeof(img), "%s:%s", a->repo, a->tag);
		kq(&b, "name", pl(g, l, PS_IMAGE, img, 20));
		sb_c(&b, '}');
		sb_s(&b, ",\"start_time\":");
		sb_time(&b, pd->cstart);
		ku(&b, "pid", cpid);
		sb_c(&b, '}');
		if (pd->labels) {
			sb_s(&b, ",\"pod_labels\":");
			if (g->plant)
				plant_obj(g, &b, l, pd->labels, 6, 12);
			else
				sb_s(&b, pd->labels);
		}
		if (strcmp(a->kind, "Pod")) {
			kq(&b, "workload", pl(g, l, PS_NAME, a->name, 15));
			kq(&b, "workload_kind", a->kind);
		}
		if (pd->annotations) {
			sb_s(&b, ",\"pod_annotations\":");
			if (g->plant)
				plant_obj(g, &b, l, pd->annotations, 0, 15);
			else
				sb_s(&b, pd->annotations);
		}
		sb_c(&b, '}');
		sb_f(&b, ",\"docker\":\"%.31s\"", pd->cid);
	}
	if (p->parent)
		kq(&b, "parent_exec_id", p->parent->exec_id);
	ku(&b, "refcnt", 1);
	ku(&b, "tid", p->pid);
	if (g->plant && rpct(&g->pr, 50)) {
		sb_s(&b, ",\"user\":{\"name\":");
		sb_q(&b, pl(g, l, PS_NAME, user_name(uid), 60));
		sb_c(&b, '}');
	}
	p->pre_n = b.n;
	p->pre = sb_take(&b);
	if (g->plant && p->env)
		plant_env(g, p);
}

static void proc_init(struct gen *g, struct proc *p, int pod, const struct bin_def *bd,
		      struct proc *parent, struct ts start, const char *cwd, unsigned uid,
		      const char *flags, unsigned cpid)
{
	free(p->pre);
	free(p->own_env.json);
	sl_free(&p->sec);
	sl_free(&p->env_sec);
	memset(p, 0, sizeof(*p));
	p->pid = g->next_pid++;
	if (g->next_pid > 4000000)
		g->next_pid = 3000;
	p->pod = pod;
	p->fam = bd->fam;
	p->mod = mod_by_id(bd->mod);
	p->parent = parent;
	p->start = start;
	p->aslr = 0x550000000000ULL + ((rnext(&g->r) & 0xffffffffULL) << 12);
	snprintf(p->binary, sizeof(p->binary), "%s", bd->binary);
	p->env = pod >= 0 ? &g->pods[pod].env : &g->host_env;
	render_proc(g, p, bd->args, cwd, uid, flags, cpid);
}

static const struct bin_def shim_bin = { "/usr/bin/containerd-shim-runc-v2", NULL, "SHIM", F_GO };
static const struct bin_def systemd_bin = { "/usr/lib/systemd/systemd", "--system --deserialize 31", "SHIM", F_GO };
static const struct bin_def sshd_bin = { "/usr/sbin/sshd", "-D", "SHIM", F_GO };

static void make_world(struct gen *g)
{
	struct sb b = { 0 };
	unsigned total = 0;

	g->boot = (struct ts){ days_from_civil(2026, 11, 17) * 86400 + 6 * 3600 + 12 * 60, 481516234 };
	g->now = (struct ts){ days_from_civil(2026, 11, 20) * 86400 + 10 * 3600, 0 };
	g->next_pid = 2400;

	sb_s(&b, ",\"environment_variables\":[{\"Key\":\"PATH\",\"Value\":\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"}");
	sb_s(&b, ",{\"Key\":\"LANG\",\"Value\":\"C.UTF-8\"},{\"Key\":\"INVOCATION_ID\",\"Value\":\"");
	{
		char h[33];

		hexs(&g->r, h, 32);
		sb_s(&b, h);
	}
	sb_s(&b, "\"},{\"Key\":\"JOURNAL_STREAM\",\"Value\":\"8:31337\"},{\"Key\":\"HOME\",\"Value\":\"/root\"}]");
	g->host_env.n = b.n;
	g->host_env.json = sb_take(&b);

	g->systemd.pid = 1;
	g->systemd.pod = -1;
	g->systemd.mod = mod_by_id("SHIM");
	g->systemd.start = ts_add(g->boot, 812345678);
	snprintf(g->systemd.binary, sizeof(g->systemd.binary), "%s", systemd_bin.binary);
	g->systemd.env = &g->host_env;
	render_proc(g, &g->systemd, systemd_bin.args, "/", 0, "procFS auid rootcwd", 0);
	g->next_pid = 812;
	proc_init(g, &g->sshd, -1, &sshd_bin, &g->systemd, ts_add(g->boot, 9000000000LL), "/", 0,
		  "procFS auid rootcwd", 0);
	g->next_pid = 5100;

	for (size_t i = 0; i < NAPPS; i++)
		total += apps[i].replicas;
	g->pods = calloc(total, sizeof(*g->pods));
	if (!g->pods)
		exit(1);
	for (size_t i = 0; i < NAPPS; i++) {
		const struct app_def *a = &apps[i];
		char hash[11], sfx[6], digest[65];

		hexs(&g->r, hash, 10);
		hexs(&g->r, digest, 64);
		for (unsigned k = 0; k < a->replicas; k++) {
			struct pod *pd = &g->pods[g->npods];
			char u[33];

			pd->app = (int)i;
			pd->ns = a->ns;
			alnum(&g->r, sfx, 5);
			if (!strcmp(a->kind, "StatefulSet"))
				snprintf(pd->name, sizeof(pd->name), "%s-%u", a->name, k);
			else if (!strcmp(a->kind, "Deployment"))
				snprintf(pd->name, sizeof(pd->name), "%s-%s-%s", a->name, hash, sfx);
			else if (!strcmp(a->kind, "Job"))
				snprintf(pd->name, sizeof(pd->name), "%s-29384750-%s", a->name, sfx);
			else if (!strcmp(a->kind, "Pod"))
				snprintf(pd->name, sizeof(pd->name), "%s", a->name);
			else
				snprintf(pd->name, sizeof(pd->name), "%s-%s", a->name, sfx);
			hexs(&g->r, u, 32);
			snprintf(pd->uid, sizeof(pd->uid), "%.8s-%.4s-4%.3s-a%.3s-%.12s", u, u + 8,
				 u + 12, u + 15, u + 18);
			hexs(&g->r, pd->cid, 64);
			memcpy(pd->image_digest, digest, sizeof(digest));
			pd->cstart = ts_add(g->boot, (int64_t)(60 + rb(&g->r, 200000)) * 1000000000LL);

			sb_f(&b, "{\"app\":\"%s\"", a->name);
			if (!strcmp(a->kind, "Deployment"))
				sb_f(&b, ",\"pod-template-hash\":\"%s\"", hash);
			sb_f(&b, ",\"app.kubernetes.io/name\":\"%s\",\"app.kubernetes.io/version\":\"%s\"",
			     a->name, a->tag);
			sb_f(&b, ",\"team\":\"%s\"", a->team);
			if (rpct(&g->r, 50))
				sb_f(&b, ",\"app.kubernetes.io/managed-by\":\"Helm\",\"helm.sh/chart\":\"%s-%s\","
				     "\"app.kubernetes.io/instance\":\"%s-prod\",\"app.kubernetes.io/part-of\":\"%s\"",
				     a->name, a->tag, a->name, namespaces[a->ns].name);
			sb_c(&b, '}');
			pd->labels = sb_take(&b);
			if (rpct(&g->r, 60)) {
				char ck[65];

				hexs(&g->r, ck, 64);
				sb_f(&b, "{\"checksum/config\":\"%s\",\"kubectl.kubernetes.io/restartedAt\":\"2026-11-1%uT0%u:%u1:07Z\","
				     "\"prometheus.io/port\":\"9%03u\",\"prometheus.io/scrape\":\"true\"",
				     ck, rb(&g->r, 9), rb(&g->r, 9), rb(&g->r, 6), rb(&g->r, 1000));
				if (rpct(&g->r, 40))
					sb_s(&b, ",\"vault.hashicorp.com/agent-inject\":\"true\","
					     "\"vault.hashicorp.com/role\":\"app\",\"vault.hashicorp.com/agent-inject-secret-db\":\"database/creds/app\"");
				sb_c(&b, '}');
				pd->annotations = sb_take(&b);
			}
			make_pod_env(g, pd);
			pd->shim = calloc(2, sizeof(struct proc));
			if (!pd->shim)
				exit(1);
			pd->main = pd->shim + 1;
			{
				char sargs[160];

				snprintf(sargs, sizeof(sargs), "-namespace k8s.io -id %s -address /run/containerd/containerd.sock", pd->cid);
				const struct bin_def sb2 = { shim_bin.binary, sargs, "SHIM", F_GO };

				proc_init(g, pd->shim, -1, &sb2, &g->systemd, ts_add(pd->cstart, -180000000), "/run/containerd/io.containerd.runtime.v2.task/k8s.io", 0, "execve clone", 0);
			}
			proc_init(g, pd->main, (int)g->npods, &a->main, pd->shim,
				  ts_add(pd->cstart, 3100000), a->cwd, a->uid, "execve clone", 1);
			g->npods++;
		}
	}
	g->npool = 2048;
	g->pool = calloc(g->npool, sizeof(*g->pool));
	if (!g->pool)
		exit(1);
}

/* A new process (pod child or host process), started shortly before now. */
static void new_proc(struct gen *g, struct proc *p, bool just_exec)
{
	struct ts st = just_exec ? ts_add(g->now, -(int64_t)rb(&g->r, 900000))
				 : ts_add(g->now, -(int64_t)rb(&g->r, 3600) * 1000000000LL - 7);
	const char *flags = just_exec ? "execve clone" : "procFS auid";

	if (!g->env_heavy && rpct(&g->r, 22)) {
		const struct bin_def *bd = &host_bins[rb(&g->r, NHOSTBINS)];
		struct proc *par = bd->fam == F_BASH || bd->fam == F_CURL ? &g->sshd : &g->systemd;

		proc_init(g, p, -1, bd, par, st, bd->fam == F_BASH ? "/home/alice" : "/", 0,
			  flags, 0);
		return;
	}
	unsigned tot = 0, pick;
	size_t ai;

	for (ai = 0; ai < NAPPS; ai++)
		tot += apps[ai].weight;
	pick = rb(&g->r, tot);
	for (ai = 0; ai < NAPPS && pick >= apps[ai].weight; ai++)
		pick -= apps[ai].weight;
	unsigned podi = 0;

	for (size_t k = 0; k < ai; k++)
		podi += apps[k].replicas;
	podi += rb(&g->r, apps[ai].replicas);
	const struct app_def *a = &apps[ai];
	const struct bin_def *bd = rpct(&g->r, 60) ? &a->main : &a->child;

	proc_init(g, p, (int)podi, bd, g->pods[podi].main, st, a->cwd, a->uid, flags,
		  2 + rb(&g->r, 400));
}

/* Hot processes dominate, as in real captures. */
static struct proc *pick_proc(struct gen *g)
{
	uint32_t x = rb(&g->r, g->npool);
	uint32_t i = (uint32_t)((uint64_t)x * x / g->npool);
	struct proc *p = &g->pool[i];

	if (!p->pre)
		new_proc(g, p, false);
	return p;
}

static struct proc *pick_fam(struct gen *g, unsigned mask)
{
	for (int i = 0; i < 200; i++) {
		struct proc *p = pick_proc(g);

		if (mask & (1u << p->fam))
			return p;
	}
	/* rare: refresh a slot until the family fits */
	for (;;) {
		struct proc *p = &g->pool[rb(&g->r, g->npool)];

		new_proc(g, p, false);
		if (mask & (1u << p->fam))
			return p;
	}
}

static void put_proc(struct gen *g, struct sb *b, struct proc *p, bool env)
{
	sb_mem(b, p->pre, p->pre_n);
	sl_move(&g->sec, &p->sec);
	if (env && p->env) {
		sb_mem(b, p->env->json, p->env->n);
		sl_move(&g->sec, &p->env_sec);
	}
	sb_c(b, '}');
}

/* "process":{...},"parent":{...} */
static void put_pp(struct gen *g, struct sb *b, struct proc *p, bool env)
{
	sb_s(b, "\"process\":");
	put_proc(g, b, p, env || g->env_heavy);
	if (p->parent) {
		sb_s(b, ",\"parent\":");
		put_proc(g, b, p->parent, env || g->env_heavy);
	}
}

/* ---------- kernel stacks ---------- */

#define SYSENTRY "x64_sys_call", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"
#define END NULL

/* Chains innermost first, from the hooked function to the entry point;
 * a chain ending with "+" continues with one of the softirq contexts. */
static const char *const k_connect4[] = { "tcp_connect", "tcp_v4_connect", "__inet_stream_connect", "inet_stream_connect", "__sys_connect_file", "__sys_connect", "__x64_sys_connect", SYSENTRY, END };
static const char *const k_connect6[] = { "tcp_connect", "tcp_v6_connect", "__inet_stream_connect", "inet_stream_connect", "__sys_connect_file", "__sys_connect", "__x64_sys_connect", SYSENTRY, END };
static const char *const k_udp_mmsg[] = { "udp_sendmsg", "inet_sendmsg", "sock_sendmsg", "____sys_sendmsg", "___sys_sendmsg", "__sys_sendmmsg", "__x64_sys_sendmmsg", SYSENTRY, END };
static const char *const k_send_write[] = { "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg", "sock_write_iter", "vfs_write", "ksys_write", "__x64_sys_write", SYSENTRY, END };
static const char *const k_send_msg[] = { "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg", "____sys_sendmsg", "___sys_sendmsg", "__sys_sendmsg", "__x64_sys_sendmsg", SYSENTRY, END };
static const char *const k_send_writev[] = { "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg", "sock_write_iter", "do_iter_readv_writev", "do_iter_write", "vfs_writev", "do_writev", "__x64_sys_writev", SYSENTRY, END };
static const char *const k_rx_lo[] = { "kfree_skb_reason", "tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "__netif_receive_skb_one_core", "process_backlog", "__napi_poll", "net_rx_action", "__do_softirq", "+" };
static const char *const k_rx_virtio[] = { "kfree_skb_reason", "tcp_v4_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_sublist_rcv_finish", "ip_sublist_rcv", "ip_list_rcv", "__netif_receive_skb_list_core", "netif_receive_skb_list_internal", "napi_complete_done", "virtnet_poll", "__napi_poll", "net_rx_action", "__do_softirq", "+" };
static const char *const k_rx_udp[] = { "kfree_skb_reason", "__udp4_lib_rcv", "ip_protocol_deliver_rcu", "ip_local_deliver_finish", "ip_local_deliver", "ip_rcv_finish", "ip_rcv", "__netif_receive_skb_one_core", "process_backlog", "__napi_poll", "net_rx_action", "__do_softirq", "+" };
static const char *const k_ctx_send[] = { "do_softirq", "__local_bh_enable_ip", "__dev_queue_xmit", "ip_finish_output2", "__ip_finish_output", "ip_finish_output", "ip_output", "ip_local_out", "__ip_queue_xmit", "__tcp_transmit_skb", "tcp_write_xmit", "__tcp_push_pending_frames", "tcp_sendmsg_locked", "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg", "sock_write_iter", "vfs_write", "ksys_write", "__x64_sys_write", SYSENTRY, END };
static const char *const k_ctx_sendv[] = { "do_softirq", "__local_bh_enable_ip", "__dev_queue_xmit", "ip_finish_output2", "__ip_finish_output", "ip_finish_output", "ip_output", "ip_local_out", "__ip_queue_xmit", "__tcp_transmit_skb", "tcp_write_xmit", "__tcp_push_pending_frames", "tcp_sendmsg_locked", "tcp_sendmsg", "inet_sendmsg", "sock_sendmsg", "sock_write_iter", "do_iter_readv_writev", "do_iter_write", "vfs_writev", "do_writev", "__x64_sys_writev", SYSENTRY, END };
static const char *const k_ctx_idle[] = { "irq_exit_rcu", "common_interrupt", "asm_common_interrupt", "cpuidle_enter_state", "cpuidle_enter", "do_idle", "cpu_startup_entry", "start_secondary", "secondary_startup_64_no_verify", END };
static const char *const k_ctx_user[] = { "irq_exit_rcu", "sysvec_apic_timer_interrupt", "asm_sysvec_apic_timer_interrupt", END };
static const char *const k_ctx_ksoftirqd[] = { "run_ksoftirqd", "smpboot_thread_fn", "kthread", "ret_from_fork", END };
static const char *const k_ra_read[] = { "page_cache_ra_unbounded", "filemap_get_pages", "filemap_read", "ext4_file_read_iter", "vfs_read", "ksys_read", "__x64_sys_read", SYSENTRY, END };
static const char *const k_ra_ovl[] = { "page_cache_ra_unbounded", "filemap_get_pages", "filemap_read", "ext4_file_read_iter", "do_iter_readv_writev", "do_iter_read", "vfs_iter_read", "ovl_read_iter", "vfs_read", "ksys_read", "__x64_sys_read", SYSENTRY, END };
static const char *const k_ra_fault[] = { "page_cache_ra_unbounded", "page_cache_ra_order", "filemap_fault", "__do_fault", "do_read_fault", "do_fault", "__handle_mm_fault", "handle_mm_fault", "do_user_addr_fault", "exc_page_fault", "asm_exc_page_fault", END };
static const char *const k_ra_pread[] = { "page_cache_ra_unbounded", "page_cache_sync_ra", "filemap_get_pages", "filemap_read", "ext4_file_read_iter", "vfs_read", "__x64_sys_pread64", SYSENTRY, END };
static const char *const k_perm_ovl_r[] = { "security_file_permission", "rw_verify_area", "do_iter_read", "vfs_iter_read", "ovl_read_iter", "vfs_read", "ksys_read", "__x64_sys_read", SYSENTRY, END };
static const char *const k_perm_ovl_w[] = { "security_file_permission", "rw_verify_area", "do_iter_write", "vfs_iter_write", "ovl_write_iter", "vfs_write", "ksys_write", "__x64_sys_write", SYSENTRY, END };
static const char *const k_perm_exec[] = { "security_file_permission", "rw_verify_area", "kernel_read", "search_binary_handler", "exec_binprm", "bprm_execve", "do_execveat_common.isra.0", "__x64_sys_execve", SYSENTRY, END };
static const char *const k_exec[] = { "begin_new_exec", "load_elf_binary", "search_binary_handler", "exec_binprm", "bprm_execve", "do_execveat_common.isra.0", "__x64_sys_execve", SYSENTRY, END };
static const char *const k_exec_at[] = { "begin_new_exec", "load_elf_binary", "search_binary_handler", "exec_binprm", "bprm_execve", "do_execveat_common.isra.0", "__x64_sys_execveat", SYSENTRY, END };
static const char *const k_open[] = { "security_file_open", "do_dentry_open", "vfs_open", "path_openat", "do_filp_open", "do_sys_openat2", "__x64_sys_openat", SYSENTRY, END };
static const char *const k_open_ovl[] = { "security_file_open", "do_dentry_open", "open_with_fake_path", "ovl_open_realfile", "ovl_open", "do_dentry_open", "vfs_open", "path_openat", "do_filp_open", "do_sys_openat2", "__x64_sys_openat", SYSENTRY, END };
static const char *const k_open_exec[] = { "security_file_open", "do_dentry_open", "path_openat", "do_filp_open", "do_open_execat", "bprm_execve", "do_execveat_common.isra.0", "__x64_sys_execve", SYSENTRY, END };

/* user-space side of a kernel chain */
enum ucls { U_NONE, U_ANY, U_CONNECT, U_SEND, U_DNS, U_READ, U_WRITE, U_OPEN, U_EXEC };

struct kvar { const char *const *chain; enum ucls cls; const char *libc; };

/* ---------- user stacks ---------- */

struct uframe { const struct gmod *m; const char *sym; uint32_t off; };
struct ustack { struct uframe f[64]; int n; };

static void u_sym(struct ustack *u, const char *mod, const char *name, unsigned key)
{
	const struct gmod *m = mod_by_id(mod);
	const struct gsym *s = sym_by_name(m, name);
	uint64_t h = fnv_u(fnv(fnv(FNV0, mod), name), key);
	uint32_t off;

	if (u->n >= 64)
		return;
	/* innermost frame: the syscall instruction; others: a call site */
	off = s->off + (s->size > 1 ? 1 + (uint32_t)(h % (s->size - 1)) : 0);
	u->f[u->n++] = (struct uframe){ m, s->name, off };
}

static void u_nosym_m(struct ustack *u, const struct gmod *m, unsigned key)
{
	uint64_t h = fnv_u(fnv(FNV0, m->path), key);
	const uint32_t *gap = m->gaps[h % m->ngaps];

	if (u->n >= 64)
		return;
	u->f[u->n++] = (struct uframe){ m, NULL, gap[0] + (uint32_t)((h >> 16) % (gap[1] - gap[0])) };
}

static void u_nosym(struct ustack *u, const char *mod, unsigned key)
{
	u_nosym_m(u, mod_by_id(mod), key);
}

static void u_libc_start(struct ustack *u, const struct gmod *bin)
{
	u_nosym(u, "LIBC", 9001);            /* __libc_start_call_main (static) */
	u_sym(u, "LIBC", "__libc_start_main", 1);
	if (bin->nsyms && !strcmp(bin->id, "PYTHON"))
		u_sym(u, "PYTHON", "_start", 1);
	else
		u_nosym_m(u, bin, 9002);        /* _start */
}

static void u_thread_start(struct ustack *u)
{
	u_nosym(u, "LIBC", 9003);            /* start_thread */
	u_sym(u, "LIBC", "__clone", 1);
}

static void u_tls_write(struct ustack *u, bool read)
{
	u_nosym(u, "LIBCRYPTO", read ? 7001 : 7002);
	u_nosym(u, "LIBCRYPTO", read ? 7003 : 7004);
	u_sym(u, "LIBCRYPTO", read ? "BIO_read" : "BIO_write", 1);
	u_nosym(u, "LIBSSL", read ? 7005 : 7006);
	u_nosym(u, "LIBSSL", read ? 7007 : 7008);
	u_sym(u, "LIBSSL", read ? "SSL_read_ex" : "SSL_write_ex", 1);
	u_sym(u, "LIBSSL", read ? "SSL_read" : "SSL_write", 1);
}

static void u_python_eval(struct gen *g, struct ustack *u, int budget)
{
	int reps = 2 + (int)rb(&g->r, 9);

	while (reps > 1 && u->n + reps * 2 + 10 > budget)
		reps--;
	for (int i = 0; i < reps; i++) {
		u_sym(u, "PYTHON", "_PyEval_EvalFrameDefault", (unsigned)rb(&g->r, 6));
		if (rpct(&g->r, 25))
			u_sym(u, "PYTHON", "_PyObject_MakeTpCall", 1);
		else
			u_sym(u, "PYTHON", "_PyFunction_Vectorcall", 1);
	}
	u_sym(u, "PYTHON", "_PyEval_EvalFrameDefault", 9);
	u_sym(u, "PYTHON", "PyEval_EvalCode", 1);
	u_nosym(u, "PYTHON", 8001);          /* run_eval_code_obj */
	u_nosym(u, "PYTHON", 8002);          /* run_mod */
	u_sym(u, "PYTHON", "_PyRun_SimpleFileObject", 1);
	u_sym(u, "PYTHON", "_PyRun_AnyFileObject", 1);
	u_sym(u, "PYTHON", "Py_RunMain", 1);
	u_sym(u, "PYTHON", "Py_BytesMain", 1);
	u_libc_start(u, mod_by_id("PYTHON"));
}

static void u_binary_frames(struct gen *g, struct ustack *u, const struct gmod *bin,
			    int n, unsigned cls)
{
	for (int i = 0; i < n; i++) {
		/* mostly the same call paths; now and then another one */
		unsigned v = rpct(&g->r, 15) ? rb(&g->r, 64) : 0;

		u_nosym_m(u, bin, cls * 1000 + (unsigned)i * 7 + v);
	}
}

static void build_ustack(struct gen *g, struct ustack *u, const struct proc *p,
			 enum ucls cls, const char *libc)
{
	const struct gmod *bin = p->mod;

	u->n = 0;
	if (cls == U_NONE)
		return;
	if (p->fam == F_GO) {
		/* Go makes its own syscalls: every frame is in the (stripped) binary */
		u_binary_frames(g, u, bin, 5 + (int)rb(&g->r, 21), cls);
		return;
	}
	if (cls != U_ANY && libc)
		u_sym(u, "LIBC", libc, 0);
	switch (p->fam) {
	case F_PY:
		if (cls == U_READ) {
			u_sym(u, "PYTHON", "_Py_read", 1);
			u_nosym(u, "PYTHON", 8101);
			u_sym(u, "PYTHON", "PyObject_VectorcallMethod", 1);
		} else if (cls == U_SEND && rpct(&g->r, 60)) {
			u_tls_write(u, false);
			u_nosym(u, "PYSSL", 8102);
			u_nosym(u, "PYSSL", 8103);
		} else if (cls == U_DNS) {
			u_nosym(u, "LIBC", 8104);
			u_nosym(u, "LIBC", 8105);
			u_sym(u, "LIBC", "getaddrinfo", 1);
			u_nosym(u, "PYTHON", 8106);
		} else if (cls == U_ANY && rpct(&g->r, 30)) {
			u_sym(u, "LIBZ", "inflate", 1);
			u_nosym(u, "PYTHON", 8107);
		} else {
			u_nosym(u, "PYTHON", 8108 + cls);
			u_nosym(u, "PYTHON", 8120 + cls);
		}
		u_sym(u, "PYTHON", "PyObject_Vectorcall", 1);
		u_python_eval(g, u, MAX_UFRAMES);
		break;
	case F_CURL:
		if (cls == U_DNS) {
			u_nosym(u, "LIBC", 8104);
			u_nosym(u, "LIBC", 8105);
			u_sym(u, "LIBC", "getaddrinfo", 1);
			u_nosym(u, "LIBCURL", 8201);
			u_nosym(u, "LIBCURL", 8202);
			u_thread_start(u);
			break;
		}
		if (cls == U_SEND) {
			u_tls_write(u, false);
			u_nosym(u, "LIBCURL", 8203);
			if (rpct(&g->r, 40)) {
				u_sym(u, "LIBNGHTTP2", "nghttp2_session_send", 1);
				u_nosym(u, "LIBCURL", 8210);
			}
		}
		for (int i = 0; i < 3; i++)
			u_nosym(u, "LIBCURL", 8220 + cls * 4 + (unsigned)i);
		u_sym(u, "LIBCURL", "curl_multi_perform", 1);
		u_nosym(u, "LIBCURL", 8240);
		u_sym(u, "LIBCURL", "curl_easy_perform", 1);
		u_binary_frames(g, u, mod_by_id("CURL"), 3, 82);
		u_libc_start(u, mod_by_id("CURL"));
		break;
	case F_NGINX:
		if (cls == U_SEND && rpct(&g->r, 70))
			u_tls_write(u, false);
		u_binary_frames(g, u, bin, 5 + (int)rb(&g->r, 8), cls);
		u_libc_start(u, bin);
		break;
	case F_PG:
		u_binary_frames(g, u, bin, 6 + (int)rb(&g->r, 15), cls);
		u_libc_start(u, bin);
		break;
	case F_CPP:
		if (cls == U_WRITE || cls == U_READ) {
			u_sym(u, "LIBSTDCXX", "_ZNSt12__basic_fileIcE8xsputn_2EPKclS2_l", 1);
			u_sym(u, "LIBSTDCXX", "_ZNSt13basic_filebufIcSt11char_traitsIcEE6xsputnEPKcl", 1);
			u_sym(u, "LIBSTDCXX", "_ZSt16__ostream_insertIcSt11char_traitsIcEERSt13basic_ostreamIT_T0_ES6_PKS3_l", 1);
		} else if (cls == U_SEND || cls == U_CONNECT) {
			u_nosym(u, "LIBPQ", 8301 + cls);
			u_nosym(u, "LIBPQ", 8310 + cls);
			u_sym(u, "LIBPQ", cls == U_SEND ? "PQexecParams" : "PQconnectPoll", 1);
			if (cls == U_CONNECT)
				u_sym(u, "LIBPQ", "PQconnectdb", 1);
		}
		u_binary_frames(g, u, bin, 4 + (int)rb(&g->r, 9), cls);
		if (rpct(&g->r, 50)) {
			u_nosym(u, "LIBSTDCXX", 8320); /* execute_native_thread_routine */
			u_thread_start(u);
		} else {
			u_libc_start(u, bin);
		}
		break;
	case F_BASH:
		if (cls == U_EXEC) {
			u_sym(u, "BASH", "shell_execve", 1);
			u_nosym(u, "BASH", 8401);
			u_nosym(u, "BASH", 8402);
		} else if (cls == U_READ) {
			u_nosym(u, "BASH", 8403);
			u_nosym(u, "BASH", 8404);
			u_sym(u, "BASH", "readline", 1);
			u_nosym(u, "BASH", 8405);
			u_nosym(u, "BASH", 8406);
			u_sym(u, "BASH", "parse_command", 1);
			u_sym(u, "BASH", "read_command", 1);
			goto bash_tail;
		} else {
			u_nosym(u, "BASH", 8410 + cls);
			u_nosym(u, "BASH", 8420 + cls);
		}
		for (int i = 0, n = 1 + (int)rb(&g->r, 3); i < n; i++) {
			u_sym(u, "BASH", "execute_command_internal", (unsigned)i);
			u_sym(u, "BASH", "execute_command", 1);
		}
bash_tail:
		u_sym(u, "BASH", "reader_loop", 1);
		u_sym(u, "BASH", "main", 1);
		u_libc_start(u, bin);
		break;
	case F_JOURNALD:
		u_binary_frames(g, u, bin, 3, cls);
		u_nosym(u, "LIBSYSTEMD", 8501);
		u_nosym(u, "LIBSYSTEMD", 8502);
		u_sym(u, "LIBSYSTEMD", "sd_event_dispatch", 1);
		u_sym(u, "LIBSYSTEMD", "sd_event_run", 1);
		u_sym(u, "LIBSYSTEMD", "sd_event_loop", 1);
		u_nosym_m(u, bin, 8503);
		u_libc_start(u, bin);
		break;
	default:
		u_binary_frames(g, u, bin, 5, cls);
		u_libc_start(u, bin);
		break;
	}
	if (u->n > MAX_UFRAMES) {
		/* keep the innermost frames and the entry frames, as a depth cap would */
		int cut = u->n - MAX_UFRAMES;

		memmove(&u->f[12], &u->f[12 + cut], sizeof(u->f[0]) * (size_t)(u->n - 12 - cut));
		u->n = MAX_UFRAMES;
	}
	while (u->n < 5)
		u_nosym_m(u, bin, 9100 + (unsigned)u->n);
}

static void put_ustack(struct gen *g, struct sb *b, const struct proc *p,
		       const struct ustack *u)
{
	sb_s(b, ",\"user_stack_trace\":[");
	for (int i = 0; i < u->n; i++) {
		const struct uframe *f = &u->f[i];

		sb_s(b, i ? ",{" : "{");
		if (g->addrs) {
			/* ASLR: per process and module */
			uint64_t base = (f->m == p->mod ? p->aslr
				: 0x7f0000000000ULL + ((fnv_u(fnv(FNV0, f->m->path), p->pid) & 0xffffffffULL) << 12));

			sb_s(b, "\"address\":");
			sb_qu(b, base + f->off);
			sb_c(b, ',');
		}
		sb_s(b, "\"offset\":");
		sb_qu(b, f->off);
		if (f->sym)
			kq(b, "symbol", PL(PS_SYMBOL, f->sym, 3));
		kq(b, "module", PL(PS_PATH, f->m->path, 3));
		sb_c(b, '}');
	}
	sb_c(b, ']');
}

static void put_kstack(struct gen *g, struct sb *b, const char *const *chain,
		       const char *const *ctx, unsigned first_off)
{
	const char *fr[MAX_KFRAMES + 8];
	int n = 0;

	for (const char *const *c = chain; *c && n < MAX_KFRAMES; c++) {
		if (!strcmp(*c, "+")) {
			for (const char *const *d = ctx; d && *d && n < MAX_KFRAMES; d++)
				fr[n++] = *d;
			break;
		}
		fr[n++] = *c;
	}
	/* the agent drops frames it cannot symbolize: now and then a gap */
	if (n > 12 && rpct(&g->r, 3)) {
		int at = 2 + (int)rb(&g->r, (uint32_t)n - 4);

		memmove(&fr[at], &fr[at + 1], sizeof(fr[0]) * (size_t)(n - at - 1));
		n--;
	}
	sb_s(b, ",\"kernel_stack_trace\":[");
	for (int i = 0; i < n; i++) {
		/* a call site is the same in every event: offset from (function, callee) */
		uint64_t h = fnv(fnv(FNV0, fr[i]), i ? fr[i - 1] : "");
		uint64_t off = i ? 5 + h % 0x2f0 : first_off;

		sb_s(b, i ? ",{" : "{");
		if (g->addrs) {
			sb_s(b, "\"address\":");
			sb_qu(b, 0xffffffff81000000ULL + 0x2a000000ULL + (fnv(FNV0, fr[i]) & 0xfffff0ULL) + off);
			sb_c(b, ',');
		}
		sb_s(b, "\"offset\":");
		sb_qu(b, off);
		kq(b, "symbol", PL(PS_SYMBOL, fr[i], 2));
		sb_c(b, '}');
	}
	sb_c(b, ']');
}

/* ---------- events ---------- */

enum kind {
	K_EXEC, K_EXIT, K_KPROBE, K_UPROBE, K_TRACEPOINT, K_LSM, K_USDT, K_LOADER,
	K_THROTTLE, K_RATE, K_CONNECT, K__N
};
static const char *const kind_names[K__N] = {
	"process_exec", "process_exit", "process_kprobe", "process_uprobe",
	"process_tracepoint", "process_lsm", "process_usdt", "process_loader",
	"process_throttle", "rate_limit_info", "process_connect",
};

#define FAM(x) (1u << (x))
#define ALLF 0xffffu

static void ip_pod(struct gen *g, char *o, size_t n)
{
	snprintf(o, n, "10.244.%u.%u", 1 + rb(&g->r, 6), 2 + rb(&g->r, 250));
}

static void put_sock(struct gen *g, struct sb *b, bool udp, unsigned dport, const char *state)
{
	char s[24], d[24];

	ip_pod(g, s, sizeof(s));
	if (udp)
		snprintf(d, sizeof(d), "10.96.0.10");
	else
		snprintf(d, sizeof(d), "10.96.%u.%u", rb(&g->r, 256), 1 + rb(&g->r, 254));
	sb_f(b, "{\"sock_arg\":{\"family\":\"AF_INET\",\"type\":\"%s\",\"protocol\":\"%s\"",
	     udp ? "SOCK_DGRAM" : "SOCK_STREAM", udp ? "IPPROTO_UDP" : "IPPROTO_TCP");
	sb_f(b, ",\"saddr\":\"%s\",\"daddr\":\"%s\",\"sport\":%u,\"dport\":%u,\"cookie\":\"%" PRIu64 "\"",
	     s, d, 32768 + rb(&g->r, 28000), dport,
	     (uint64_t)(18446623000000000000ULL + rnext(&g->r) % 1000000000000ULL));
	if (state)
		sb_f(b, ",\"state\":\"%s\"", state);
	sb_s(b, "}}");
}

static const char *const file_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt", "/etc/resolv.conf", "/etc/hosts",
	"/etc/nsswitch.conf", "/etc/passwd", "/var/lib/postgresql/data/base/16384/2619",
	"/srv/app/catalog/templates/product.html", "/usr/lib/python3.11/json/decoder.py",
	"/usr/share/zoneinfo/Europe/Berlin", "/proc/self/status", "/tmp/batch.ndjson",
	"/var/log/nginx/access.log", "/etc/checkout/config.yaml", "/usr/lib/x86_64-linux-gnu/libssl.so.3",
	"/var/lib/ledger/segments/000000000000002a.log", "/home/alice/.bash_history",
};
#define NPATHS (sizeof(file_paths) / sizeof(file_paths[0]))

static void put_file_arg(struct gen *g, struct sb *b, const char *path, const char *perm)
{
	sb_s(b, "{\"file_arg\":{");
	if (rpct(&g->r, 30)) {
		sb_s(b, "\"mount\":");
		sb_q(b, PL(PS_NAME, "overlay", 15));
		sb_c(b, ',');
	}
	sb_s(b, "\"path\":");
	sb_q(b, PL(PS_PATH, path ? path : file_paths[rb(&g->r, NPATHS)], 25));
	if (rpct(&g->r, 40))
		sb_s(b, ",\"flags\":\"O_RDONLY O_CLOEXEC\"");
	sb_f(b, ",\"permission\":\"%s\"}}", perm ? perm : "-rw-r--r--");
}

/* --plant-secrets: a policy message now and then, mostly with a secret */
static void put_message(struct gen *g, struct sb *b)
{
	static const char *const msgs[] = {
		"outbound connection with credentials", "sensitive file read",
		"process started with a secret on its command line", "policy match",
	};

	if (g->plant && rpct(&g->pr, 25))
		kq(b, "message", PL(PS_VALUE, msgs[rb(&g->pr, 4)], 70));
}

/* "tags": the policy's tag if any; with --plant-secrets, now and then a tag
 * with a secret in it. */
static void put_tags(struct gen *g, struct sb *b, const char *tag)
{
	if (!tag && !(g->plant && rpct(&g->pr, 10)))
		return;
	sb_s(b, ",\"tags\":[");
	sb_q(b, tag ? PL(PS_NAME, tag, 30) : plant(g, &g->sec, PS_NAME, "observability"));
	sb_c(b, ']');
}

struct hook {
	const char *policy, *fn;
	unsigned weight;
	bool ret;            /* event carries "return" */
	bool ustack;         /* the policy asks for user stacks */
	struct kvar var[4];
	unsigned nvar;
	unsigned first_off;
};

static const struct hook hooks[] = {
	{ "connect-stacks", "tcp_connect", 7, false, true,
	  { { k_connect4, U_CONNECT, "connect" }, { k_connect6, U_CONNECT, "connect" } }, 2, 5 },
	{ "connect-stacks", "udp_sendmsg", 5, false, true,
	  { { k_udp_mmsg, U_DNS, NULL } }, 1, 5 },
	{ "tcp-send", "tcp_sendmsg", 10, true, true,
	  { { k_send_write, U_SEND, "write" }, { k_send_msg, U_SEND, "sendmsg" }, { k_send_writev, U_SEND, "writev" } }, 3, 5 },
	{ "net-drops", "kfree_skb_reason", 11, false, false,
	  { { k_rx_lo, U_SEND, "write" }, { k_rx_virtio, U_SEND, "write" }, { k_rx_udp, U_SEND, "write" } }, 3, 5 },
	{ "exec-monitor", "begin_new_exec", 3, false, true,
	  { { k_exec, U_EXEC, "execve" }, { k_exec_at, U_EXEC, "execve" } }, 2, 5 },
	{ "file-open", "security_file_open", 6, false, true,
	  { { k_open, U_OPEN, "openat" }, { k_open_ovl, U_OPEN, "openat" }, { k_open_exec, U_EXEC, "execve" } }, 3, 5 },
	{ "read-stacks", "page_cache_ra_unbounded", 10, false, true,
	  { { k_ra_read, U_READ, "read" }, { k_ra_ovl, U_READ, "read" }, { k_ra_fault, U_ANY, NULL }, { k_ra_pread, U_READ, "pread64" } }, 4, 4 },
	{ "file-monitoring", "security_file_permission", 10, true, true,
	  { { k_perm_ovl_r, U_READ, "read" }, { k_perm_ovl_w, U_WRITE, "write" }, { k_perm_exec, U_EXEC, "execve" } }, 3, 4 },
};
#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

/* ---------- realistic call paths (--zipf-paths) ---------- */

static int zipf_init(struct gen *g, uint32_t n, double s)
{
	double tot = 0;

	g->zipf_cdf = malloc(sizeof(double) * n);
	if (!g->zipf_cdf)
		return -1;
	for (uint32_t k = 0; k < n; k++) {
		tot += 1.0 / pow((double)(k + 1), s);
		g->zipf_cdf[k] = tot;
	}
	for (uint32_t k = 0; k < n; k++)
		g->zipf_cdf[k] /= tot;
	g->zipf_n = n;
	return 0;
}

/* a rank in [0, n), Zipf-distributed, from the main PRNG */
static uint32_t zipf_rank(struct gen *g)
{
	double u = (double)(rnext(&g->r) >> 11) / 9007199254740992.0;
	uint32_t lo = 0, hi = g->zipf_n - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (g->zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The PRNG of call path k of p's image: the same path renders the same
 * stack every time. */
static void path_rng(struct gen *g, const struct proc *p, uint32_t k, struct rng *r)
{
	rng_seed(r, fnv(g->seed * 0x9e3779b97f4a7c15ULL + k, p->mod ? p->mod->path : p->binary));
}

/* swaps the main PRNG with the call path's (no-op without --zipf-paths) */
static void rng_swap(struct gen *g, struct rng *path)
{
	struct rng t;

	if (!g->zipf_n)
		return;
	t = g->r;
	g->r = *path;
	*path = t;
}

static void ev_kprobe(struct gen *g, struct sb *b)
{
	struct rng pathr = { { 0 } };
	unsigned tot = 0, pick;
	size_t hi;
	struct proc *p = NULL;
	const struct hook *h;
	const struct kvar *v;
	const char *const *ctx = NULL;
	enum ucls cls;

	if (g->zipf_n) {
		/* the process first: its image owns the population of paths */
		p = pick_proc(g);
		path_rng(g, p, zipf_rank(g), &pathr);
	}
	rng_swap(g, &pathr);
	for (hi = 0; hi < NHOOKS; hi++)
		tot += hooks[hi].weight;
	pick = rb(&g->r, tot);
	for (hi = 0; hi < NHOOKS && pick >= hooks[hi].weight; hi++)
		pick -= hooks[hi].weight;
	h = &hooks[hi];
	v = &h->var[rb(&g->r, h->nvar)];
	cls = v->cls;
	if (!strcmp(h->fn, "kfree_skb_reason")) {
		unsigned c = rb(&g->r, 10);

		ctx = c < 5 ? (rpct(&g->r, 30) ? k_ctx_sendv : k_ctx_send)
		    : c < 7 ? k_ctx_user : c < 9 ? k_ctx_idle : k_ctx_ksoftirqd;
		cls = c < 5 ? U_SEND : c < 7 ? U_ANY : U_NONE;
	}
	rng_swap(g, &pathr);
	if (!g->zipf_n)
		p = pick_proc(g);
	sb_s(b, "{\"process_kprobe\":{");
	put_pp(g, b, p, false);
	kq(b, "function_name", PL(PS_SYMBOL, h->fn, 8));
	sb_s(b, ",\"args\":[");
	if (!strcmp(h->fn, "tcp_connect")) {
		put_sock(g, b, false, rpct(&g->r, 50) ? 443 : 5432, "TCP_SYN_SENT");
	} else if (!strcmp(h->fn, "udp_sendmsg")) {
		put_sock(g, b, true, 53, NULL);
		sb_f(b, ",{\"size_arg\":\"%u\"}", 28 + rb(&g->r, 40));
	} else if (!strcmp(h->fn, "tcp_sendmsg")) {
		put_sock(g, b, false, rpct(&g->r, 50) ? 443 : 8080, "TCP_ESTABLISHED");
		sb_f(b, ",{\"size_arg\":\"%u\"}", 1 + rb(&g->r, 65536));
	} else if (!strcmp(h->fn, "kfree_skb_reason")) {
		char s[24], d[24];

		ip_pod(g, s, sizeof(s));
		ip_pod(g, d, sizeof(d));
		sb_f(b, "{\"skb_arg\":{\"hash\":%u,\"len\":%u,\"priority\":6,\"saddr\":\"%s\",\"daddr\":\"%s\","
		     "\"sport\":%u,\"dport\":%u,\"proto\":6,\"protocol\":\"ETH_P_IP\",\"family\":\"AF_INET\"}}",
		     (unsigned)(rnext(&g->r) & 0xffffffffu), 52 + rb(&g->r, 1400), s, d,
		     1024 + rb(&g->r, 60000), 8080);
		sb_f(b, ",{\"int_arg\":%u}", 2 + rb(&g->r, 6));
	} else if (!strcmp(h->fn, "begin_new_exec")) {
		sb_s(b, "{\"linux_binprm_arg\":{\"path\":");
		sb_q(b, PL(PS_PATH, p->binary, 25));
		sb_s(b, ",\"permission\":\"-rwxr-xr-x\"}}");
	} else if (!strcmp(h->fn, "security_file_open")) {
		put_file_arg(g, b, cls == U_EXEC ? p->binary : NULL,
			     cls == U_EXEC ? "-rwxr-xr-x" : NULL);
	} else if (!strcmp(h->fn, "page_cache_ra_unbounded")) {
		sb_f(b, "{\"size_arg\":\"%u\"}", 4u << rb(&g->r, 6));
	} else {
		put_file_arg(g, b, cls == U_EXEC ? p->binary : NULL, NULL);
		sb_f(b, ",{\"int_arg\":%u}", cls == U_WRITE ? 2 : 4);
	}
	sb_c(b, ']');
	if (h->ret)
		sb_f(b, ",\"return\":{\"int_arg\":%d}",
		     !strcmp(h->fn, "tcp_sendmsg") ? (int)rb(&g->r, 65536)
		     : rpct(&g->r, 3) ? -13 : 0);
	sb_s(b, ",\"action\":\"KPROBE_ACTION_POST\"");
	rng_swap(g, &pathr);
	put_kstack(g, b, v->chain, ctx, h->first_off);
	rng_swap(g, &pathr);
	kq(b, "policy_name", PL(PS_NAME, h->policy, 10));
	if (h->ret)
		sb_s(b, ",\"return_action\":\"KPROBE_ACTION_POST\"");
	put_message(g, b);
	put_tags(g, b, !strcmp(h->policy, "file-monitoring") ? "observability.filesystem" : NULL);
	/* user frames are lost when the process is gone before the agent reads its maps */
	rng_swap(g, &pathr);
	if (h->ustack && cls != U_NONE && !rpct(&g->r, 3)) {
		struct ustack u;

		build_ustack(g, &u, p, cls, v->libc);
		put_ustack(g, b, p, &u);
	}
	rng_swap(g, &pathr);
	sb_c(b, '}');
}

static void ev_exec(struct gen *g, struct sb *b)
{
	struct proc *p = &g->pool[rb(&g->r, g->npool)];

	new_proc(g, p, true);
	sb_s(b, "{\"process_exec\":{");
	put_pp(g, b, p, true);
	sb_c(b, '}');
}

static void ev_exit(struct gen *g, struct sb *b)
{
	struct proc *p = pick_proc(g);
	unsigned r = rb(&g->r, 100);

	sb_s(b, "{\"process_exit\":{");
	put_pp(g, b, p, true);
	if (r < 8)
		sb_s(b, ",\"signal\":\"SIGKILL\",\"status\":137");
	else if (r < 12)
		sb_s(b, ",\"signal\":\"SIGTERM\"");
	else if (r < 30)
		sb_f(b, ",\"status\":%u", 1 + rb(&g->r, 2));
	sb_s(b, ",\"time\":");
	sb_time(b, ts_add(g->now, -(int64_t)rb(&g->r, 2000000)));
	sb_c(b, '}');
	new_proc(g, p, false); /* the slot gets another process */
}

static void ev_uprobe(struct gen *g, struct sb *b)
{
	unsigned r = rb(&g->r, 100);
	struct proc *p;
	const char *path, *sym, *pol;

	if (r < 65) {
		p = pick_fam(g, FAM(F_CURL) | FAM(F_NGINX) | FAM(F_PY));
		path = mod_by_id("LIBSSL")->path;
		sym = rpct(&g->r, 55) ? "SSL_write" : "SSL_read";
		pol = "tls-uprobes";
	} else if (r < 88) {
		p = pick_fam(g, FAM(F_PY) | FAM(F_CURL));
		path = mod_by_id("LIBZ")->path;
		sym = "inflate";
		pol = "zlib-uretprobe";
	} else {
		p = pick_fam(g, FAM(F_BASH));
		path = "/usr/bin/bash";
		sym = "readline";
		pol = "bash-readline";
	}
	sb_s(b, "{\"process_uprobe\":{");
	put_pp(g, b, p, false);
	kq(b, "path", PL(PS_PATH, path, 30));
	kq(b, "symbol", PL(PS_SYMBOL, sym, 30));
	kq(b, "policy_name", PL(PS_NAME, pol, 10));
	put_message(g, b);
	if (!strcmp(sym, "readline")) {
		sb_s(b, ",\"args\":[{\"string_arg\":");
		sb_q(b, PL(PS_ARGS, "kubectl get pods -A", 60));
		sb_s(b, "}]");
	} else if (!strcmp(sym, "inflate"))
		sb_f(b, ",\"args\":[{\"int_arg\":%u}]", rpct(&g->r, 90) ? 0 : 1);
	else
		sb_f(b, ",\"args\":[{\"int_arg\":%u},{\"size_arg\":\"%u\"}]", 3 + rb(&g->r, 60),
		     16u << rb(&g->r, 10));
	put_tags(g, b, NULL);
	if (rpct(&g->r, 20)) {
		const struct gmod *m = mod_by_id(!strcmp(sym, "readline") ? "BASH"
					: !strcmp(sym, "inflate") ? "LIBZ" : "LIBSSL");

		sb_s(b, ",\"offset\":");
		sb_qu(b, sym_by_name(m, sym)->off);
	}
	sb_s(b, ",\"action\":\"KPROBE_ACTION_POST\"}");
}

static void ev_tracepoint(struct gen *g, struct sb *b)
{
	struct proc *p = pick_proc(g);

	sb_s(b, "{\"process_tracepoint\":{");
	put_pp(g, b, p, false);
	if (rpct(&g->r, 70)) {
		kq(b, "subsys", PL(PS_NAME, "syscalls", 30));
		kq(b, "event", PL(PS_NAME, "sys_enter_openat", 30));
		sb_s(b, ",\"args\":[{\"int_arg\":-100},{\"string_arg\":");
		sb_q(b, PL(PS_PATH, file_paths[rb(&g->r, NPATHS)], 40));
		sb_f(b, "},{\"int_arg\":%u}]", rpct(&g->r, 80) ? 524288 : 577);
		kq(b, "policy_name", PL(PS_NAME, "openat-tp", 10));
	} else {
		/* in the order the generator always drew them */
		uint64_t size = rnext(&g->r) >> 20;
		unsigned nr = rb(&g->r, 330);

		kq(b, "subsys", PL(PS_NAME, "raw_syscalls", 30));
		kq(b, "event", PL(PS_NAME, "sys_enter", 30));
		sb_f(b, ",\"args\":[{\"long_arg\":\"%u\"},{\"size_arg\":\"%" PRIu64 "\"}]", nr, size);
		kq(b, "policy_name", PL(PS_NAME, "raw-syscalls", 10));
	}
	sb_s(b, ",\"action\":\"KPROBE_ACTION_POST\"");
	put_message(g, b);
	put_tags(g, b, NULL);
	sb_c(b, '}');
}

static void ev_lsm(struct gen *g, struct sb *b)
{
	struct proc *p = pick_proc(g);
	unsigned r = rb(&g->r, 10);

	sb_s(b, "{\"process_lsm\":{");
	put_pp(g, b, p, false);
	if (r < 6) {
		kq(b, "function_name", PL(PS_SYMBOL, "file_open", 35));
		kq(b, "policy_name", PL(PS_NAME, "lsm-file-open", 10));
		put_message(g, b);
		sb_s(b, ",\"args\":[");
		put_file_arg(g, b, NULL, NULL);
		sb_s(b, "],\"action\":\"KPROBE_ACTION_POST\"");
		put_tags(g, b, NULL);
	} else if (r < 9) {
		char h[65];

		hexs(&g->r, h, 64);
		kq(b, "function_name", PL(PS_SYMBOL, "bprm_check_security", 35));
		kq(b, "policy_name", PL(PS_NAME, "lsm-exec-ima", 10));
		put_message(g, b);
		sb_s(b, ",\"args\":[{\"linux_binprm_arg\":{\"path\":");
		sb_q(b, PL(PS_PATH, p->binary, 25));
		sb_s(b, ",\"permission\":\"-rwxr-xr-x\"}}],\"action\":\"KPROBE_ACTION_POST\"");
		put_tags(g, b, NULL);
		sb_f(b, ",\"ima_hash\":\"sha256:%s\"", h);
	} else {
		kq(b, "function_name", PL(PS_SYMBOL, "socket_connect", 35));
		kq(b, "policy_name", PL(PS_NAME, "lsm-connect", 10));
		put_message(g, b);
		sb_s(b, ",\"args\":[");
		put_sock(g, b, false, 443, "TCP_CLOSE");
		sb_f(b, ",{\"sockaddr_arg\":{\"family\":\"AF_INET\",\"addr\":\"10.96.%u.%u\",\"port\":443}}]"
		     ",\"action\":\"KPROBE_ACTION_POST\"", rb(&g->r, 256), 1 + rb(&g->r, 254));
		put_tags(g, b, NULL);
	}
	sb_c(b, '}');
}

static void ev_usdt(struct gen *g, struct sb *b)
{
	struct proc *p = pick_fam(g, FAM(F_PY) | FAM(F_PG));
	static const char *const fns[] = { "handle_request", "get_product", "render", "refresh_prices", "_bulk_index" };

	sb_s(b, "{\"process_usdt\":{");
	put_pp(g, b, p, false);
	if (p->fam == F_PY) {
		/* in the order the generator always drew them */
		unsigned line = 10 + rb(&g->r, 400);
		const char *fn = fns[rb(&g->r, 5)];
		const char *probe = rpct(&g->r, 50) ? "function__entry" : "function__return";

		kq(b, "path", PL(PS_PATH, "/usr/bin/python3.11", 40));
		kq(b, "provider", PL(PS_NAME, "python", 40));
		kq(b, "name", PL(PS_NAME, probe, 40));
		kq(b, "policy_name", PL(PS_NAME, "python-usdt", 10));
		put_message(g, b);
		sb_s(b, ",\"args\":[{\"string_arg\":");
		sb_q(b, PL(PS_PATH, "/srv/app/catalog/views.py", 40));
		sb_s(b, "},{\"string_arg\":");
		sb_q(b, PL(PS_NAME, fn, 40));
		sb_f(b, "},{\"int_arg\":%u}]", line);
	} else {
		kq(b, "path", PL(PS_PATH, "/usr/lib/postgresql/15/bin/postgres", 40));
		kq(b, "provider", PL(PS_NAME, "postgresql", 40));
		kq(b, "name", PL(PS_NAME, "query__start", 40));
		kq(b, "policy_name", PL(PS_NAME, "postgres-usdt", 10));
		put_message(g, b);
		sb_s(b, ",\"args\":[{\"string_arg\":");
		sb_q(b, PL(PS_ARGS, "SELECT balance FROM accounts WHERE id = $1", 40));
		sb_s(b, "}]");
	}
	put_tags(g, b, NULL);
	sb_s(b, ",\"action\":\"KPROBE_ACTION_POST\"}");
}

static void ev_loader(struct gen *g, struct sb *b)
{
	struct proc *p = pick_fam(g, ~FAM(F_GO) & ALLF);
	static const char *const libs[] = { "LIBC", "LIBSSL", "LIBCRYPTO", "LIBZ", "LIBCURL",
					    "LIBPQ", "LIBSTDCXX", "LIBSYSTEMD", "LIBNGHTTP2", "PYSSL" };
	const struct gmod *m = mod_by_id(libs[rb(&g->r, 10)]);
	unsigned char id[20];

	for (int i = 0; i < 20; i++) {
		unsigned hi = (unsigned)(m->build_id[2 * i] <= '9' ? m->build_id[2 * i] - '0'
							 : m->build_id[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(m->build_id[2 * i + 1] <= '9' ? m->build_id[2 * i + 1] - '0'
							 : m->build_id[2 * i + 1] - 'a' + 10);

		id[i] = (unsigned char)(hi << 4 | lo);
	}
	sb_s(b, "{\"process_loader\":{\"process\":");
	put_proc(g, b, p, g->env_heavy);
	kq(b, "path", PL(PS_PATH, m->path, 25));
	sb_s(b, ",\"buildid\":\"");
	b64(b, id, sizeof(id));
	sb_c(b, '"');
	if (p->parent) {
		sb_s(b, ",\"parent\":");
		put_proc(g, b, p->parent, g->env_heavy);
	}
	sb_c(b, '}');
}

static void ev_throttle(struct gen *g, struct sb *b)
{
	const struct pod *pd = &g->pods[rb(&g->r, g->npods)];
	char u[40];

	snprintf(u, sizeof(u), "%s", pd->uid);
	for (char *c = u; *c; c++)
		if (*c == '-')
			*c = '_';
	g->throttle_on ^= 1;
	sb_f(b, "{\"process_throttle\":{\"type\":\"%s\",\"cgroup\":\"/kubepods.slice/kubepods-burstable.slice/"
	     "kubepods-burstable-pod%s.slice/cri-containerd-%s.scope\"}",
	     g->throttle_on ? "THROTTLE_START" : "THROTTLE_STOP", u, pd->cid);
}

static void ev_rate(struct gen *g, struct sb *b)
{
	sb_s(b, "{\"rate_limit_info\":{\"number_of_dropped_process_events\":");
	sb_qu(b, 1 + rb(&g->r, 5000));
	sb_c(b, '}');
}

/* process_connect: a kind of the old enterprise API that OSS Tetragon lacks */
static void ev_connect(struct gen *g, struct sb *b)
{
	struct proc *p = pick_proc(g);
	char s[24];

	ip_pod(g, s, sizeof(s));
	sb_s(b, "{\"process_connect\":{");
	put_pp(g, b, p, false);
	sb_f(b, ",\"source_ip\":\"%s\",\"source_port\":%u,\"destination_ip\":\"10.96.0.10\","
	     "\"destination_port\":53}", s, 32768 + rb(&g->r, 28000));
}

/* per 100000 events */
static const unsigned kind_weight[K__N] = {
	[K_EXEC] = 12000, [K_EXIT] = 11000, [K_KPROBE] = 62500, [K_UPROBE] = 4000,
	[K_TRACEPOINT] = 3000, [K_LSM] = 2500, [K_USDT] = 1500, [K_LOADER] = 3200,
	[K_THROTTLE] = 200, [K_RATE] = 50, [K_CONNECT] = 50,
};

static void one_event(struct gen *g, struct sb *b)
{
	uint32_t pick = rb(&g->r, 100000);
	int k;

	for (k = 0; k < K__N - 1 && pick >= kind_weight[k]; k++)
		pick -= kind_weight[k];
	/* events arrive ~every 40 us, with bursts */
	g->now = ts_add(g->now, rpct(&g->r, 20) ? rb(&g->r, 2000) : 1000 + rb(&g->r, 80000));
	switch (k) {
	case K_EXEC: ev_exec(g, b); break;
	case K_EXIT: ev_exit(g, b); break;
	case K_KPROBE: ev_kprobe(g, b); break;
	case K_UPROBE: ev_uprobe(g, b); break;
	case K_TRACEPOINT: ev_tracepoint(g, b); break;
	case K_LSM: ev_lsm(g, b); break;
	case K_USDT: ev_usdt(g, b); break;
	case K_LOADER: ev_loader(g, b); break;
	case K_THROTTLE: ev_throttle(g, b); break;
	case K_RATE: ev_rate(g, b); break;
	default: ev_connect(g, b); break;
	}
	sb_s(b, ",\"node_name\":");
	sb_q(b, PL(PS_NAME, NODE, 5));
	sb_s(b, ",\"time\":");
	sb_time(b, g->now);
	sb_s(b, ",\"cluster_name\":");
	sb_q(b, PL(PS_NAME, CLUSTER, 5));
	sb_s(b, "}\n");
	g->kind_count[k]++;
}

/* ---------- policies ---------- */

static const char policies_yaml[] =
	"# Generated by rti-gen (stella-rti bench): the TracingPolicies behind the\n"
	"# generated capture. They tell kprobe from fentry/fexit and uprobe from\n"
	"# uretprobe, which the events alone cannot.\n"
	"apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: connect-stacks\nspec:\n"
	"  kprobes:\n"
	"  - call: \"tcp_connect\"\n    syscall: false\n    args:\n    - index: 0\n      type: \"sock\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"  - call: \"udp_sendmsg\"\n    syscall: false\n    args:\n    - index: 0\n      type: \"sock\"\n    - index: 2\n      type: \"size_t\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tcp-send\nspec:\n"
	"  kprobes:\n"
	"  - call: \"tcp_sendmsg\"\n    syscall: false\n    return: true\n    args:\n    - index: 0\n      type: \"sock\"\n    - index: 2\n      type: \"size_t\"\n"
	"    returnArg:\n      index: 0\n      type: \"int\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: net-drops\nspec:\n"
	"  kprobes:\n"
	"  - call: \"kfree_skb_reason\"\n    syscall: false\n    args:\n    - index: 0\n      type: \"skb\"\n    - index: 1\n      type: \"int\"\n"
	"    selectors:\n    - matchArgs:\n      - index: 1\n        operator: \"GT\"\n        values:\n        - \"1\"\n"
	"      matchActions:\n      - action: Post\n        kernelStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: exec-monitor\nspec:\n"
	"  kprobes:\n"
	"  - call: \"begin_new_exec\"\n    syscall: false\n    args:\n    - index: 0\n      type: \"linux_binprm\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: file-open\nspec:\n"
	"  kprobes:\n"
	"  - call: \"security_file_open\"\n    syscall: false\n    args:\n    - index: 0\n      type: \"file\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: read-stacks\nspec:\n"
	"  fentries:\n"
	"  - call: \"page_cache_ra_unbounded\"\n    syscall: false\n    args:\n    - index: 1\n      type: \"size_t\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: file-monitoring\nspec:\n"
	"  fentries:\n"
	"  - call: \"security_file_permission\"\n    syscall: false\n    return: true\n    args:\n    - index: 0\n      type: \"file\"\n    - index: 1\n      type: \"int\"\n"
	"    returnArg:\n      index: 0\n      type: \"int\"\n"
	"    tags: [\"observability.filesystem\"]\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        kernelStackTrace: true\n        userStackTrace: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tls-uprobes\nspec:\n"
	"  uprobes:\n  - path: \"/usr/lib/x86_64-linux-gnu/libssl.so.3\"\n    symbols:\n    - \"SSL_write\"\n    - \"SSL_read\"\n"
	"    args:\n    - index: 0\n      type: \"int\"\n    - index: 2\n      type: \"size_t\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: zlib-uretprobe\nspec:\n"
	"  uprobes:\n  - path: \"/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\"\n    symbols:\n    - \"inflate\"\n    return: true\n"
	"    returnArg:\n      index: 0\n      type: \"int\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: bash-readline\nspec:\n"
	"  uprobes:\n  - path: \"/usr/bin/bash\"\n    symbols:\n    - \"readline\"\n    return: true\n"
	"    returnArg:\n      index: 0\n      type: \"string\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: openat-tp\nspec:\n"
	"  tracepoints:\n  - subsystem: \"syscalls\"\n    event: \"sys_enter_openat\"\n    args:\n    - index: 5\n    - index: 6\n    - index: 7\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: raw-syscalls\nspec:\n"
	"  tracepoints:\n  - subsystem: \"raw_syscalls\"\n    event: \"sys_enter\"\n    args:\n    - index: 4\n    - index: 5\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lsm-file-open\nspec:\n"
	"  lsmhooks:\n  - hook: \"file_open\"\n    args:\n    - index: 0\n      type: \"file\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lsm-exec-ima\nspec:\n"
	"  lsmhooks:\n  - hook: \"bprm_check_security\"\n    args:\n    - index: 0\n      type: \"linux_binprm\"\n"
	"    selectors:\n    - matchActions:\n      - action: Post\n        imaHash: true\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: lsm-connect\nspec:\n"
	"  lsmhooks:\n  - hook: \"socket_connect\"\n    args:\n    - index: 0\n      type: \"sock\"\n    - index: 1\n      type: \"sockaddr\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: python-usdt\nspec:\n"
	"  usdts:\n  - path: \"/usr/bin/python3.11\"\n    provider: \"python\"\n    name: \"function__entry\"\n"
	"  - path: \"/usr/bin/python3.11\"\n    provider: \"python\"\n    name: \"function__return\"\n"
	"---\napiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: postgres-usdt\nspec:\n"
	"  usdts:\n  - path: \"/usr/lib/postgresql/15/bin/postgres\"\n    provider: \"postgresql\"\n    name: \"query__start\"\n";

/* ---------- main ---------- */

static void usage(FILE *f)
{
	fputs("usage: rti-gen [--seed N] [--bytes N | --events N] [-o FILE] [--policies FILE]\n"
	      "               [--env-heavy] [--stack-addresses] [--quiet] [--version]\n"
	      "               [--plant-secrets [--secrets-out FILE]] [--zipf-paths N [--zipf-s S]]\n"
	      "Writes a realistic Tetragon JSON export (one GetEventsResponse per line).\n"
	      "  --bytes N          stop after the line that reaches N bytes (suffix k/M/G)\n"
	      "  --events N         write exactly N lines (default 1000)\n"
	      "  --policies FILE    write the matching TracingPolicies (multi-document YAML)\n"
	      "  --env-heavy        environment variables on every event, mostly > 16 KiB lines\n"
	      "  --stack-addresses  add frame addresses (agent run with --expose-stack-addresses)\n"
	      "  --plant-secrets    plant random credentials (AWS keys, JWTs, bearer tokens,\n"
	      "                     passwords, PEM keys, ...) into the events' free text\n"
	      "  --secrets-out FILE write the planted secret values, sorted, one per line\n"
	      "  --zipf-paths N     realistic corpus: kprobe call paths drawn from a fixed\n"
	      "                     population of N per image, Zipf-distributed\n"
	      "  --zipf-s S         the Zipf exponent (default 1.1)\n",
	      f);
}

static int bad_usage(void)
{
	usage(stderr);
	return 2;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The planted values that are in the output, sorted, without duplicates;
 * returns how many or -1. */
static long write_secrets(struct slist *l, const char *path)
{
	FILE *f = fopen(path, "w");
	long n = 0;

	if (!f)
		return -1;
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_str);
	for (size_t i = 0; i < l->n; i++) {
		if (i && !strcmp(l->v[i], l->v[i - 1]))
			continue;
		if (fputs(l->v[i], f) < 0 || fputc('\n', f) == EOF) {
			fclose(f);
			return -1;
		}
		n++;
	}
	if (fclose(f))
		return -1;
	return n;
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'M')
		v <<= 20, end++;
	else if (*end == 'G')
		v <<= 30, end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_SEED = 256, O_BYTES, O_EVENTS, O_POL, O_ENV, O_ADDR, O_QUIET, O_VERSION,
	       O_PLANT, O_SECRETS, O_ZIPF_N, O_ZIPF_S };
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "bytes", required_argument, NULL, O_BYTES },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "output", required_argument, NULL, 'o' },
		{ "policies", required_argument, NULL, O_POL },
		{ "env-heavy", no_argument, NULL, O_ENV },
		{ "stack-addresses", no_argument, NULL, O_ADDR },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "version", no_argument, NULL, O_VERSION },
		{ "plant-secrets", no_argument, NULL, O_PLANT },
		{ "secrets-out", required_argument, NULL, O_SECRETS },
		{ "zipf-paths", required_argument, NULL, O_ZIPF_N },
		{ "zipf-s", required_argument, NULL, O_ZIPF_S },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct gen g;
	uint64_t seed = 1, max_bytes = 0, max_events = 0, bytes = 0, lines = 0;
	const char *out = NULL, *pol = NULL, *secrets_out = NULL;
	bool quiet = false;
	uint64_t zipf_n = 0;
	double zipf_s = 1.1;
	char *end;
	struct sb b = { 0 };
	FILE *f = stdout;
	int c;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case O_SEED:
			if (parse_size(optarg, &seed))
				return bad_usage();
			break;
		case O_BYTES:
			if (parse_size(optarg, &max_bytes) || !max_bytes)
				return bad_usage();
			break;
		case O_EVENTS:
			if (parse_size(optarg, &max_events) || !max_events)
				return bad_usage();
			break;
		case 'o': out = optarg; break;
		case O_POL: pol = optarg; break;
		case O_ENV: g.env_heavy = true; break;
		case O_ADDR: g.addrs = true; break;
		case O_QUIET: quiet = true; break;
		case O_PLANT: g.plant = true; break;
		case O_SECRETS: secrets_out = optarg; break;
		case O_ZIPF_N:
			if (parse_size(optarg, &zipf_n) || !zipf_n || zipf_n > 10000000)
				return bad_usage();
			break;
		case O_ZIPF_S:
			zipf_s = strtod(optarg, &end);
			if (end == optarg || *end || !(zipf_s > 0 && zipf_s < 10))
				return bad_usage();
			break;
		case O_VERSION: puts("rti-gen " GEN_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default:
			return bad_usage();
		}
	}
	if (optind != argc || (max_bytes && max_events))
		return bad_usage();
	if (secrets_out && !g.plant) {
		fputs("rti-gen: --secrets-out needs --plant-secrets\n", stderr);
		return 2;
	}
	if (!max_bytes && !max_events)
		max_events = 1000;
	if (pol) {
		FILE *pf = fopen(pol, "w");

		if (!pf || fputs(policies_yaml, pf) < 0 || fclose(pf)) {
			fprintf(stderr, "rti-gen: %s: %s\n", pol, strerror(errno));
			return 1;
		}
	}
	if (out && strcmp(out, "-") && !(f = fopen(out, "w"))) {
		fprintf(stderr, "rti-gen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	rng_seed(&g.r, seed);
	rng_seed(&g.pr, seed ^ 0x5ec2e75ca11a2d1eULL);
	g.seed = seed;
	if (zipf_n && zipf_init(&g, (uint32_t)zipf_n, zipf_s)) {
		fputs("rti-gen: out of memory\n", stderr);
		return 1;
	}
	make_world(&g);
	while (max_events ? lines < max_events : bytes < max_bytes) {
		b.n = 0;
		one_event(&g, &b);
		if (fwrite(b.p, 1, b.n, f) != b.n) {
			fprintf(stderr, "rti-gen: write: %s\n", strerror(errno));
			return 1;
		}
		bytes += b.n;
		lines++;
		if (b.n > 16384)
			g.big_lines++;
		if (b.n > g.max_line)
			g.max_line = b.n;
	}
	if (fflush(f) || (f != stdout && fclose(f))) {
		fprintf(stderr, "rti-gen: write: %s\n", strerror(errno));
		return 1;
	}
	if (secrets_out) {
		long ns = write_secrets(&g.sec, secrets_out);

		if (ns < 0) {
			fprintf(stderr, "rti-gen: %s: %s\n", secrets_out, strerror(errno));
			return 1;
		}
		if (!quiet)
			fprintf(stderr, "rti-gen: %ld planted secret values in %s\n", ns, secrets_out);
	}
	if (!quiet) {
		fprintf(stderr, "rti-gen: seed %" PRIu64 ": %" PRIu64 " lines, %" PRIu64
			" bytes, %" PRIu64 " lines > 16 KiB, longest %" PRIu64 " bytes\n",
			seed, lines, bytes, g.big_lines, g.max_line);
		for (int k = 0; k < K__N; k++)
			fprintf(stderr, "  %-20s %" PRIu64 "\n", kind_names[k], g.kind_count[k]);
	}
	sl_free(&g.sec);
	free(g.zipf_cdf);
	free(b.p);
	return 0;
}
