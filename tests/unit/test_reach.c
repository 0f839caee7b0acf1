/* reach: name keys (spec reachability.md §2), OSV SEMVER ranges against
 * Go build information, the .go.buildinfo parser, advisory input errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rti/gobuildinfo.h"
#include "rti/reach.h"
#include "reach/reach_int.h"
#include "tap.h"

static const char *key(char lang, const char *s)
{
	static char out[4096];

	return rti_reach_symbol_key(lang, s, out, sizeof(out)) < 0 ? "(none)" : out;
}

static int ndiag;
static char last[1024];

static void diag(void *arg, const char *msg)
{
	(void)arg;
	ndiag++;
	snprintf(last, sizeof(last), "%s", msg);
}

static void keys(void)
{
	is_str(key('c', "inflateGetHeader@@ZLIB_1.2.2"), "c:inflateGetHeader", "C: @@VERSION dropped");
	is_str(key('C', "inflate.part.0"), "c:inflate", "C: GCC clone suffix dropped");
	is_str(key('C', "ns::Parser::parse(char const*, unsigned long) const"), "c:ns::Parser::parse",
	       "C++: parameters dropped");
	is_str(key('C', "f(int) [clone .cold]"), "c:f", "C++: [clone .cold] dropped");
	is_str(key('g', "net/http.(*Server).Serve"), "g:net/http.Server.Serve", "Go: (*T).M -> T.M");
	is_str(key('g', "example.com/m/p.Map[go.shape.int].Get"), "g:example.com/m/p.Map.Get",
	       "Go: type arguments dropped");
	is_str(key('g', "gopkg.in/yaml.v2.Unmarshal"), "g:gopkg.in/yaml.v2.Unmarshal",
	       "Go: a dot in the last path element");
	is_str(key('r', "smallvec::SmallVec::insert_many::h0123456789abcdef"),
	       "r:smallvec::SmallVec::insert_many", "Rust: legacy hash dropped");
	is_str(key('r', "<smallvec::SmallVec<A> as core::ops::Drop>::drop"), "r:smallvec::SmallVec::drop",
	       "Rust: <T as Trait>::m -> T::m, generics dropped");
	is_str(key('r', "<&mut smallvec::SmallVec<A>>::insert_many"),
	       "r:smallvec::SmallVec::insert_many", "Rust: reference in a qualified path");
	is_str(key('r', "plain"), "(none)", "Rust: a name without a path has no key");
	is_str(key('g', "main"), "(none)", "Go: a name without a package has no key");
}

static void semver(void)
{
	ok(reach_semver_cmp("1.19.8", "1.19.10") < 0, "1.19.8 < 1.19.10");
	ok(reach_semver_cmp("v1.2.3", "1.2.3") == 0, "a leading v is ignored");
	ok(reach_semver_cmp("1.21.0-0", "1.21.0") < 0, "a prerelease sorts first");
	ok(reach_semver_cmp("1.21", "1.21.0") == 0, "missing parts are 0");
	ok(reach_semver_cmp("0.0.0-20220722155237-a158d28d115b", "0.0.0-20220906165146-f3363e06e74c") < 0,
	   "pseudo-versions by time");
	ok(reach_semver_cmp("1.0.0-alpha.10", "1.0.0-alpha.9") > 0, "numeric identifiers numerically");
	ok(reach_semver_cmp("1.0.0-alpha", "1.0.0-alpha.1") < 0, "fewer identifiers first");
}

static const char *status_of(struct rti_reach *r, const char *info)
{
	static const char *names[] = { "unknown", "not_affected", "affected" };
	char v[64];

	return names[reach_version_eval(r, &r->adv[0], info, v)];
}

static void ranges(void)
{
	static const char rec[] =
		"{\"id\":\"GO-T\",\"affected\":[{\"package\":{\"name\":\"stdlib\",\"ecosystem\":\"Go\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.18.6\"},"
		"{\"introduced\":\"1.19.0\"},{\"fixed\":\"1.19.1\"}]}],"
		"\"ecosystem_specific\":{\"imports\":[{\"path\":\"net/http\",\"symbols\":[\"Serve\"]}]}},"
		"{\"package\":{\"name\":\"golang.org/x/net\",\"ecosystem\":\"Go\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0.1.0\"},{\"last_affected\":\"0.3.0\"}]}],"
		"\"ecosystem_specific\":{\"imports\":[{\"path\":\"golang.org/x/net/http2\"}]}}]}";
	struct rti_reach_opts o = { .sz = sizeof(o), .diag = diag };
	struct rti_reach *r = rti_reach_new(&o);

	ok(r && !rti_reach_load_mem(r, "t.json", rec, strlen(rec)) && r->nadv == 1, "record loaded");
	is_str(status_of(r, "go\tgo1.18.5\n"), "affected", "1.18.5 < fixed 1.18.6: affected");
	is_str(status_of(r, "go\tgo1.18.6\n"), "not_affected", "1.18.6: fixed");
	is_str(status_of(r, "go\tgo1.19.0\n"), "affected", "1.19.0: introduced again");
	is_str(status_of(r, "go\tgo1.19.8\n"), "not_affected", "1.19.8: fixed in 1.19.1");
	is_str(status_of(r, "go\tgo1.19.8\nmod\tgolang.org/x/net\tv0.3.0\n"), "affected",
	       "a module at last_affected: affected");
	is_str(status_of(r, "go\tgo1.19.8\nmod\tgolang.org/x/net\tv0.3.1\n"), "not_affected",
	       "a module after last_affected: not affected");
	is_str(status_of(r, "no build information"), "unknown", "no version: unknown");
	rti_reach_free(r);
}

static void buildinfo(void)
{
	static const char mod[] = "0123456789abcdefpath\tx/app\nmod\tx/app\t(devel)\t\n"
				  "dep\tgolang.org/x/net\tv0.1.0\th1:a\n=>\tgolang.org/x/net\tv0.17.0\th1:b\n"
				  "build\t-compiler=gc\n0123456789abcdef";
	unsigned char sec[512];
	char out[512];
	size_t n = 0;
	long len;

	memset(sec, 0, sizeof(sec));
	memcpy(sec, "\xff Go buildinf:", 14);
	sec[14] = 8;
	sec[15] = 2;
	n = 32;
	sec[n++] = 8;
	memcpy(sec + n, "go1.19.8", 8);
	n += 8;
	/* uvarint length: 7 bits a byte */
	sec[n++] = (unsigned char)(((sizeof(mod) - 1) & 0x7f) | 0x80);
	sec[n++] = (unsigned char)((sizeof(mod) - 1) >> 7);
	memcpy(sec + n, mod, sizeof(mod) - 1);
	n += sizeof(mod) - 1;
	len = rti_go_buildinfo_parse(sec, n, out, sizeof(out));
	ok(len > 0, "a Go >= 1.18 section is parsed");
	is_str(len > 0 ? out : "", "go\tgo1.19.8\nmod\tx/app\t(devel)\nmod\tgolang.org/x/net\tv0.17.0\n",
	       "Go version, modules, a replacement's version");
	sec[15] = 0;
	ok(rti_go_buildinfo_parse(sec, n, out, sizeof(out)) == -ENOENT, "the pre-1.18 layout: none");
	sec[15] = 2;
	ok(rti_go_buildinfo_parse(sec, 40, out, sizeof(out)) < 0, "a truncated section: none");
	ok(rti_go_buildinfo_parse(sec, n, out, 8) == -ENOBUFS, "a small buffer: -ENOBUFS");
}

/* dpkg's ordering, checked against `dpkg --compare-versions` itself on
 * every ordered pair of these versions (epochs, revisions, tildes,
 * letters, leading zeros, dots and pluses) */
static void dpkg_versions(void)
{
	static const char *const v[] = {
		"0", "1", "1.0", "1.0-1", "1.0-1.1", "1.0~rc1", "1.0~rc1-1", "1.0~~", "1.0~",
		"1.0a", "1.0+b1", "1.0.1", "1.00", "1.2.13.dfsg-1", "1:1.2.13.dfsg-1",
		"1:1.2.11.dfsg-2+deb11u2", "1:1.2.13.dfsg-1ubuntu1", "2:0.1", "1.2.3-0ubuntu0.22.04.1",
		"3.0.11-1~deb12u2", "3.0.11-1", "3.0.11-1+deb12u1", "3.0.2-0ubuntu1.10", "9", "10",
		"1.0-0", "1.0.", "1.0-0.0", "1:1.0", "0:1.0", "1.0-1a", "1.0-1~",
		"2.36-9+deb12u4", "2.36-9+deb12u14",
	};
	size_t n = sizeof(v) / sizeof(v[0]), bad = 0, checked = 0;
	char cmd[256];

	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < n; k++) {
			int mine = reach_dpkg_cmp(v[i], v[k]), want;
			FILE *p;

			snprintf(cmd, sizeof(cmd),
				 "dpkg --compare-versions '%s' lt '%s' 2>/dev/null && echo -1 || "
				 "{ dpkg --compare-versions '%s' eq '%s' 2>/dev/null && echo 0 || echo 1; }",
				 v[i], v[k], v[i], v[k]);
			p = popen(cmd, "r");
			if (!p || fscanf(p, "%d", &want) != 1)
				want = 99;
			if (p)
				pclose(p);
			checked++;
			if ((mine > 0) - (mine < 0) != want) {
				bad++;
				printf("# %s vs %s: %d, dpkg %d\n", v[i], v[k], mine, want);
			}
		}
	}
	ok(bad == 0 && checked == n * n, "dpkg ordering = dpkg --compare-versions on %zu pairs", checked);
}

static void bad_input(void)
{
	struct rti_reach_opts o = { .sz = sizeof(o), .diag = diag };
	struct rti_reach *r = rti_reach_new(&o);
	static const char bad[] = "{\"format\":\"stella-vulnfn/v1\",\"entries\":[{\"vuln_id\":\"X\","
				  "\"symbols\":[{\"name\":\"f\",\"role\":\"leaf\"}]}]}";

	ndiag = 0;
	rti_reach_load_mem(r, "v.json", bad, strlen(bad));
	ok(ndiag == 1 && strstr(last, "v.json: $.entries[0].symbols[0].role: expected root, derived"),
	   "a bad role is reported at FILE: json.path (%s)", last);
	ok(rti_reach_counts(r)->bad_input == 1 && rti_reach_counts(r)->functions == 1,
	   "counted, and the function is still loaded");
	rti_reach_load_mem(r, "e.json", "[1]", 3);
	ok(strstr(last, "e.json: $[0]: expected an object") != NULL, "an array element: %s", last);
	rti_reach_free(r);
}

/* the converted stella-vulnfn/v1 document of r, read back into memory */
static char *converted(struct rti_reach *r, size_t *len)
{
	FILE *f = tmpfile();
	char *p = NULL;
	long n;

	if (!f || rti_reach_write_vulnfn(r, fileno(f)) || fseek(f, 0, SEEK_END) ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) || !(p = calloc(1, (size_t)n + 1)) ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		p = NULL;
		n = 0;
	}
	if (f)
		fclose(f);
	*len = (size_t)n;
	return p;
}

/* convert-advisories: the converted document loads back into the same
 * model (same ranges, same functions of every platform), a fixed point. */
static void round_trip(void)
{
	static const char rec[] =
		"{\"id\":\"GO-T\",\"aliases\":[\"CVE-1\"],\"affected\":[{\"package\":{\"name\":\"stdlib\","
		"\"ecosystem\":\"Go\"},\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
		"{\"fixed\":\"1.18.6\"}]}],\"ecosystem_specific\":{\"imports\":[{\"path\":\"net/http\","
		"\"symbols\":[\"Serve\"]},{\"path\":\"os\",\"goos\":[\"windows\"],\"symbols\":[\"Open\"]},"
		"{\"path\":\"crypto/tls\"}]}}]}";
	struct rti_reach_opts o = { .sz = sizeof(o), .diag = diag, .all_platforms = true };
	struct rti_reach_opts lo = { .sz = sizeof(o), .diag = diag };
	struct rti_reach *r = rti_reach_new(&o), *r2 = rti_reach_new(&o), *l = rti_reach_new(&lo);
	size_t n1 = 0, n2 = 0;
	char *c1, *c2;

	ok(r && r2 && l && !rti_reach_load_mem(r, "t.json", rec, strlen(rec)), "record loaded");
	c1 = converted(r, &n1);
	ok(c1 && strstr(c1, "\"goos\":[\"windows\"],\"name\":\"Open\"") &&
		   strstr(c1, "\"whole_package\":true") && strstr(c1, "\"scheme\":\"go\""),
	   "converted: the other platform's function, the whole package, the ranges");
	ok(c1 && !rti_reach_load_mem(r2, "c.json", c1, n1) && !rti_reach_load_mem(l, "c.json", c1, n1),
	   "the converted document loads");
	c2 = converted(r2, &n2);
	ok(c1 && c2 && n1 == n2 && !memcmp(c1, c2, n1), "converting it again: the same bytes");
	ok(l && l->nfn == 2 && rti_reach_counts(l)->other_platform == 1, "read for linux: 2 functions, 1 left out");
	is_str(status_of(l, "go\tgo1.18.5\n"), "affected", "its ranges: 1.18.5 affected");
	is_str(status_of(l, "go\tgo1.18.6\n"), "not_affected", "its ranges: 1.18.6 fixed");
	free(c1);
	free(c2);
	rti_reach_free(r);
	rti_reach_free(r2);
	rti_reach_free(l);
}

int main(void)
{
	keys();
	semver();
	ranges();
	buildinfo();
	dpkg_versions();
	bad_input();
	round_trip();
	return done_testing();
}
