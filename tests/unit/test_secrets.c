/* Secret detection: every detector with exact spans, the identity values
 * that must never be reported, merging, truncation, linear time. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "privacy/secrets.h"
#include "tap.h"

#define MAXSP 16

static void show(const char *s, const struct rti_secret_span *sp, size_t k)
{
	for (size_t i = 0; i < k && i < MAXSP; i++)
		printf("#   span %zu: %s at %zu+%zu \"%.*s\"\n", i, rti_secret_kind_name(sp[i].kind),
		       sp[i].off, sp[i].len, (int)(sp[i].len > 60 ? 60 : sp[i].len), s + sp[i].off);
}

/* expect(s, name, text1, kind1, text2, kind2, ..., NULL): exactly these
 * spans, each the first occurrence of its text in s. */
static void expect(const char *s, const char *name, ...)
{
	struct rti_secret_span sp[MAXSP];
	size_t k = rti_secret_scan(s, strlen(s), sp, MAXSP), i = 0;
	int good = 1;
	va_list ap;
	const char *w;

	va_start(ap, name);
	while ((w = va_arg(ap, const char *))) {
		enum rti_secret_kind kind = (enum rti_secret_kind)va_arg(ap, int);
		const char *at = strstr(s, w);

		if (!at || i >= k || sp[i].off != (size_t)(at - s) || sp[i].len != strlen(w) ||
		    sp[i].kind != kind) {
			good = 0;
			printf("#   want %s \"%s\" at %zd\n", rti_secret_kind_name(kind), w,
			       at ? (ssize_t)(at - s) : (ssize_t)-1);
		}
		i++;
	}
	va_end(ap);
	if (k != i)
		good = 0;
	ok(good, "%s", name);
	if (!good)
		show(s, sp, k);
}

static void none(const char *s, const char *name)
{
	struct rti_secret_span sp[MAXSP];
	size_t k = rti_secret_scan(s, strlen(s), sp, MAXSP);

	ok(k == 0, "not a secret: %s", name);
	if (k)
		show(s, sp, k);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------- detectors ---------- */

static void test_aws(void)
{
	expect("key AKIAIOSFODNN7EXAMPLE here", "AWS access key id",
	       "AKIAIOSFODNN7EXAMPLE", RTI_SECRET_AWS_KEY, NULL);
	expect("ASIAY34FZKBOKMUTVV7A", "AWS temporary key id (ASIA), whole string",
	       "ASIAY34FZKBOKMUTVV7A", RTI_SECRET_AWS_KEY, NULL);
	expect("{\"Key\":\"AWS_ACCESS_KEY_ID\",\"Value\":\"AROAE205660090B1306D\"}",
	       "AWS role id inside JSON text", "AROAE205660090B1306D", RTI_SECRET_AWS_KEY, NULL);
	none("XAKIAIOSFODNN7EXAMPLE", "AKIA inside a longer token");
	none("AKIAIOSFODNN7EXAMPL", "AKIA + 15");
	none("AKIAiosfodnn7example", "AKIA + lower case");
	none("ABCDIOSFODNN7EXAMPLE", "unknown prefix");
}

static void test_jwt(void)
{
	const char *jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
			  "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
	char buf[512];

	snprintf(buf, sizeof(buf), "jwt=%s;", jwt);
	expect(buf, "JWT after a key: the whole token (a pair too, merged)", jwt, RTI_SECRET_JWT,
	       NULL);
	snprintf(buf, sizeof(buf), "session %s end", jwt);
	expect(buf, "JWT in text", jwt, RTI_SECRET_JWT, NULL);
	expect("x eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0. y", "unsigned JWT (empty signature)",
	       "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", RTI_SECRET_JWT, NULL);
	expect("checkout-eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln", "JWT after a name and '-'",
	       "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln", RTI_SECRET_JWT, NULL);
	none("eyJ.eyJ.eyJ", "eyJ without bodies");
	none("keyJava.eyJx", "eyJ inside a word, one dot");
	none("eyJhbGciOiJub25lIn0 and eyJzdWIiOiIxIn0", "two headers without dots");
}

static void test_bearer(void)
{
	expect("Authorization: Bearer mF_9.B5f-4.1JqM", "bearer token",
	       "mF_9.B5f-4.1JqM", RTI_SECRET_BEARER, NULL);
	expect("authorization: bearer   Zm9vYmFyYmF6cXV4MTIz", "case-insensitive, several spaces",
	       "Zm9vYmFyYmF6cXV4MTIz", RTI_SECRET_BEARER, NULL);
	expect("-H 'Authorization: Basic dXNlcjpwYXNzd29yZA=='", "basic credentials (user:password)",
	       "dXNlcjpwYXNzd29yZA==", RTI_SECRET_BEARER, NULL);
	none("Bearer tokens are described in RFC 6750", "bearer followed by a word");
	none("uses Basic Authentication for the admin UI", "basic followed by a word");
	none("Basic aGVsbG8gd29ybGQ=", "basic with base64 of text without a colon");
	none("Bearer abc123", "bearer with a short token");
	none("Bearer [REDACTED]", "bearer with our mask");
	none("Bearer ${TOKEN}", "bearer with a reference");
	none("std::basic_string<char>", "basic_ in a C++ name");
}

static void test_pairs(void)
{
	expect("--config /etc/app.yaml --password=pw-4aef0a7e --token tok-d77687f327cef5bb",
	       "flags: --password=X and --token X", "pw-4aef0a7e", RTI_SECRET_PAIR,
	       "tok-d77687f327cef5bb", RTI_SECRET_PAIR, NULL);
	expect("DB_PASSWORD=hunter2", "environment assignment", "hunter2", RTI_SECRET_PAIR, NULL);
	expect("token: abc", "key: value", "abc", RTI_SECRET_PAIR, NULL);
	expect("{\"password\":\"x\",\"user\":\"bob\"}", "JSON text", "x", RTI_SECRET_PAIR, NULL);
	expect("{\\\"client_secret\\\": \\\"s3kr1t\\\"}", "escaped JSON text", "s3kr1t",
	       RTI_SECRET_PAIR, NULL);
	expect("GET /cb?code=1&access_token=ya29Abc&x=1", "URL query", "ya29Abc",
	       RTI_SECRET_PAIR, NULL);
	expect("api-key: 'k3yk3y'", "quoted value", "k3yk3y", RTI_SECRET_PAIR, NULL);
	expect("X-Api-Key=abc;next", "api-key, value ends at ;", "abc", RTI_SECRET_PAIR, NULL);
	expect("MYSQL_PWD=s3cret", "pwd as a word", "s3cret", RTI_SECRET_PAIR, NULL);
	expect("aws_secret_access_key = wJalrX", "spaces around =", "wJalrX", RTI_SECRET_PAIR, NULL);
	expect("--private-key \"my key\"", "flag with a quoted value", "my key", RTI_SECRET_PAIR,
	       NULL);
	expect("tool---password Zq81", "a flag glued to a word", "Zq81", RTI_SECRET_PAIR, NULL);
	expect("realm=x; passphrase=open sesame", "passphrase", "open", RTI_SECRET_PAIR, NULL);
	expect("https://user:pass@host/", "URL userinfo password", "pass", RTI_SECRET_PAIR, NULL);
	expect("git clone https://x-access-token:ghs_16C7e42F292c6912E7710c8@github.com/o/r",
	       "URL userinfo token", "ghs_16C7e42F292c6912E7710c8", RTI_SECRET_PAIR, NULL);
	expect("curl --user carol:hunter2-own https://x", "curl --user USER:PASSWORD",
	       "hunter2-own", RTI_SECRET_PAIR, NULL);
	expect("curl -u bob:s3cr3t https://x", "curl -u USER:PASSWORD", "s3cr3t",
	       RTI_SECRET_PAIR, NULL);
	expect("oauth_token=abc&author=me", "oauth, not author", "abc", RTI_SECRET_PAIR, NULL);
	expect("password=abc, token=def", "two pairs", "abc", RTI_SECRET_PAIR, "def",
	       RTI_SECRET_PAIR, NULL);
	none("PWD=/home/alice OLDPWD=/root", "the shell's working directory");
	none("author=alice authority: ca.example.com", "author, authority");
	none("password=[REDACTED] --token [REDACTED]", "our own mask");
	none("password=${DB_PASSWORD} token=$(cat /run/secrets/t)", "references");
	none("password: ******** token=xxxx", "placeholders");
	none("--password-file /run/secrets/db --token-path ./tok", "paths to secrets");
	none("vault.hashicorp.com/agent-inject-secret-db: database/creds/app", "Vault path");
	none("secret: true, auth=none, token: null", "booleans and nulls");
	none("--password -v", "flag followed by another flag");
	none("Token::parse(std::string const&) Auth::login", "C++ scopes");
	none("if (password == x)", "comparison");
	none("password:", "key without a value");
	none("AUTH_V2_SERVICE_HOST=10.96.134.24 AUTH_V2_PORT_7966_TCP_ADDR=10.96.134.24",
	     "Kubernetes service links");
	none("docker run -u 1000:1000 img", "uid:gid");
	none("sudo -u root ls", "-u without a password");
	none("cvs://:pserver:anoncvs@sources.redhat.com:/cvs/src", "URL with an empty user");
	none("https://example.com/path?q=1", "URL without userinfo");
}

static void test_pem(void)
{
	const char *key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Xz\n"
			  "-----END RSA PRIVATE KEY-----";
	char buf[256];

	snprintf(buf, sizeof(buf), "key:\n%s\ntrailer", key);
	expect(buf, "PEM block up to its END line", key, RTI_SECRET_PEM, NULL);
	expect("x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA",
	       "PEM without END: to the end of the string",
	       "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", RTI_SECRET_PEM, NULL);
	expect("-----BEGIN PRIVATE KEY-----\npassword=abc token=def AKIAIOSFODNN7EXAMPLE",
	       "PEM swallows what is inside it",
	       "-----BEGIN PRIVATE KEY-----\npassword=abc token=def AKIAIOSFODNN7EXAMPLE",
	       RTI_SECRET_PEM, NULL);
	expect("-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----",
	       "encrypted PKCS#8",
	       "-----BEGIN ENCRYPTED PRIVATE KEY-----\nabc\n-----END ENCRYPTED PRIVATE KEY-----",
	       RTI_SECRET_PEM, NULL);
	expect("-----BEGIN EC PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----",
	       "a mismatched END does not end it",
	       "-----BEGIN EC PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----", RTI_SECRET_PEM,
	       NULL);
	expect("VzNFJXYT\n-----END RSA PRIVATE KEY----- tail",
	       "the end of a key cut out of one (END before any BEGIN)",
	       "VzNFJXYT\n-----END RSA PRIVATE KEY-----", RTI_SECRET_PEM, NULL);
	none("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "certificate");
	none("x -----END CERTIFICATE----- y", "the end of a certificate");
	none("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", "public key");
}

static void test_entropy(void)
{
	expect("AWS_SECRET=+04CpQh57lWA44wRu6Fr92aqh0wkMr14640aShoE done",
	       "40-char base64 (also a pair, merged: the more specific kind wins)",
	       "+04CpQh57lWA44wRu6Fr92aqh0wkMr14640aShoE", RTI_SECRET_PAIR, NULL);
	expect("deploy with ghp_R7mXc2Lq9TzV4nB8kP1sWd6FhJ3yGt5aQe0u now",
	       "GitHub-style token", "ghp_R7mXc2Lq9TzV4nB8kP1sWd6FhJ3yGt5aQe0u",
	       RTI_SECRET_ENTROPY, NULL);
	expect("/tmp/Xk93hQw2LpZr7VbN4cMt8YsD1fGj6eRa/run.sh", "a random path segment",
	       "Xk93hQw2LpZr7VbN4cMt8YsD1fGj6eRa", RTI_SECRET_ENTROPY, NULL);
	expect("checkout-Xk93hQw2LpZr7VbN4cMt8YsD1fGj6eRa", "a key after a name: the whole token",
	       "checkout-Xk93hQw2LpZr7VbN4cMt8YsD1fGj6eRa", RTI_SECRET_ENTROPY, NULL);
	expect("__dev_queue_xmit-2IEWBJP9TLcMXryPC7tHl1DRvHDbLPF5A", "a key glued to a symbol",
	       "__dev_queue_xmit-2IEWBJP9TLcMXryPC7tHl1DRvHDbLPF5A", RTI_SECRET_ENTROPY, NULL);
	expect("security_file_permission-GA9EZI75E59RIpXs9LN4lJ9Jab8IcIH6TmfPJXW",
	       "a key the words around it would hide: the words stay",
	       "GA9EZI75E59RIpXs9LN4lJ9Jab8IcIH6TmfPJXW", RTI_SECRET_ENTROPY, NULL);
	expect("/tmp/+/4YjnnaCCeJ7VCUMVmakPlYEEcTi/hf/XQvX8Ne/nginx",
	       "a base64 key with '/' inside a path (and short segments next to it)",
	       "/tmp/+/4YjnnaCCeJ7VCUMVmakPlYEEcTi/hf/XQvX8Ne/", RTI_SECRET_ENTROPY, NULL);
}

/* Identity values of Tetragon events and of our output: random-looking by
 * design, never secrets. */
static void test_identities(void)
{
	static const char *const ids[] = {
		"bm9kZS1hLmV4YW1wbGUuaW50ZXJuYWw6MTM5NzgyMDA5MTM3Nzo0MjQy",
		"d29ya2VyLTMucHJvZC1ldS0xLmV4YW1wbGUuaW50ZXJuYWw6MjcxNjI1NTE4NDg1NDExOjUxNTA=",
		"OjEzMTg4MTM4MjY2ODQyOjgyMDIy",         /* exec id, empty node name */
		"bWluaWt1YmU6NDczMzc5NjIyNTA5MDo1Mzc2Nwf", /* exec id with a stray tail */
		"b3duLW5vZGU6MTAwMDoxMDAw1004",
		"sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c",
		"containerd://53392a3d41cd97444916ccca12702b520fb1c21e58800b9bc49ef9e09a31231b",
		"docker://86eb9e29a77d432afc7a15b424db1d24a382f3caae26f860ab22df8cb5e96054",
		"060ea9b92f3f8c02347cc73ef068aa4",
		"5b6a0f6e-1111-2222-3333-444455556666",
		"bb84cc73-d048-462f-a191-13278b216be0",
		"gnu-build-id:93ac61ec0b1e6ed2c6e3a9f1ccbb5bd36e7a1f04",
		"registry.example.com/shop/checkout@sha256:46f2291e2725ac55df44d8713d9a6498e91dc2bb27f9694ee9654ae5e993a96c",
		"registry.example.com/shop/checkout:1.4.2",
		"quay.io/isovalent/jobs-app-elasticsearch:latest",
		"checkout-7d9f8b6c4-x2x9z",
		"elasticsearch-56f8fc6988-pb8c7",
		"report-builder-7665806946-4rk2x",
		"gke-john-632-default-pool-7041cac0-9s95",
		"node-a.example.internal",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod23afc920_3f45_457e_a384_9576019f5439.slice/cri-containerd-b893010fdabda7ccc9f218431625ed03e8e2a098bb954e6be5975734843a719d.scope",
		"/run/containerd/io.containerd.runtime.v2.task/moby/85f791fd8dfa740a3b1c177e8f68e8fdb4803a7c8fa0e957a5ec38460ce047ef/log.json",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30",
		"/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so",
		"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so",
		"_ZNSt13basic_filebufIcSt11char_traitsIcEE6xsputnEPKcl",
		"_ZSt16__ostream_insertIcSt11char_traitsIcEERSt13basic_ostreamIT_T0_ES6_PKS3_l",
		"_ZN4core3fmt9Formatter3pad17h7c8a3b1e9f2d4c6aE",
		"_RNvNtCs1234abcd_7mycrate3foo3bar",
		"std::basic_ostream<char, std::char_traits<char> >& std::__ostream_insert<char, std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char const*, long)",
		"<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop::h0123456789abcdef",
		"github.com/acme/checkout/internal/server.(*Server).handleConn",
		"LLVMInitializeAArch64AsmParser",
		"I422ToARGBRow_Any_AVX2",
		"entry_SYSCALL_64_after_hwframe",
		"secondary_startup_64_no_verify",
		"pg_try_advisory_xact_lock_shared_int8",
		"INVENTORY_METRICS_35_PORT_8966_TCP_ADDR",
		"__x64_sys_execve",
		"do_execveat_common.isra.0",
		"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
		"ZGFlbW9uOng6MjoyOmRhZW1vbjovc2Jpbjovc2Jpbi9ub2xvZ2luCmFkbTp4OjM6NDphZG06L3Zhcg==",
		"0x7ffde4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7",
		"2026-11-20T10:00:00.123456789Z",
		"--config /etc/checkout/config.yaml --listen :8080",
		"-m gunicorn catalog.wsgi:application --workers 4 --bind 0.0.0.0:8000",
		"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"tcp://10.96.134.24:7966",
	};

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		none(ids[i], ids[i]);
	none("The client sends its password and a token obtained from the authorization "
	     "server; a secret is never logged. Basic authentication is deprecated, and "
	     "bearer credentials expire after 3600 seconds.",
	     "English text about credentials");
	none("", "empty string");
}

/* ---------- the contract ---------- */

static void test_key_names(void)
{
	static const char *const yes[] = {
		"password", "DB_PASSWORD", "passwd", "client_secret", "AWS_SECRET_ACCESS_KEY",
		"github-token", "apiKey", "x-api-key", "API_KEY", "aws_access_key_id",
		"access-key", "private_key", "credentials", "Authorization", "auth", "OAUTH_TOKEN",
		"MYSQL_PWD", "pwd", "vault.hashicorp.com/token", "passphrase",
	};
	static const char *const no[] = {
		"PWD", "OLDPWD", "author", "authority", "AUTHOR_NAME", "HOME", "PATH",
		"pod-template-hash", "app.kubernetes.io/name", "exec_id", "cwd",
		"AUTH_SERVICE_HOST", "AUTH_V2_PORT_7966_TCP_ADDR", "TOKEN_SERVICE_PORT_HTTP",
		"AUTH_PORT", "",
	};

	/* "pwd" alone is the shell's variable only when that is the whole name */
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(yes[i], "pwd"))
			continue;
		ok(rti_secret_key_name(yes[i], strlen(yes[i])), "key name says secret: %s", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!rti_secret_key_name(no[i], strlen(no[i])), "key name is not secret: \"%s\"", no[i]);
	ok(!rti_secret_key_name("pwd", 3), "pwd alone is the working directory");
	ok(rti_secret_key_name("password=x", 8), "only n bytes are read");
}

static void test_kind_names(void)
{
	is_str(rti_secret_kind_name(RTI_SECRET_AWS_KEY), "aws-key", "kind name aws-key");
	is_str(rti_secret_kind_name(RTI_SECRET_JWT), "jwt", "kind name jwt");
	is_str(rti_secret_kind_name(RTI_SECRET_BEARER), "bearer", "kind name bearer");
	is_str(rti_secret_kind_name(RTI_SECRET_PAIR), "secret-pair", "kind name secret-pair");
	is_str(rti_secret_kind_name(RTI_SECRET_PEM), "pem-private-key", "kind name pem");
	is_str(rti_secret_kind_name(RTI_SECRET_ENTROPY), "high-entropy", "kind name entropy");
	ok(rti_secret_kind_name(RTI_SECRET__COUNT) == NULL, "invalid kind: NULL");
	ok(rti_secret_kind_name((enum rti_secret_kind)-1) == NULL, "negative kind: NULL");
}

static void test_merge_and_max(void)
{
	const char *s = "password=AKIAIOSFODNN7EXAMPLE";
	const char *many = "password=a1 token=b2 secret=c3 db_pwd=d4 apikey=e5 "
			   "credential=f6 passwd=g7 auth=h8 api_key=i9 access_key=j0";
	struct rti_secret_span sp[4];
	size_t k;

	expect(s, "pair and AWS key on the same bytes: one span, the AWS kind",
	       "AKIAIOSFODNN7EXAMPLE", RTI_SECRET_AWS_KEY, NULL);
	expect("Authorization: Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln",
	       "bearer and JWT overlap: one span, the JWT kind",
	       "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln", RTI_SECRET_JWT, NULL);
	k = rti_secret_scan(many, strlen(many), NULL, 0);
	ok(k == 10, "ten pairs counted without storage (%zu)", k);
	memset(sp, 0x5a, sizeof(sp));
	k = rti_secret_scan(many, strlen(many), sp, 3);
	ok(k == 10, "the count exceeds max (%zu)", k);
	ok(sp[0].off == 9 && sp[0].len == 2 && sp[1].off == 18 && sp[2].off == 28,
	   "the first max spans are stored, sorted");
	ok(sp[3].off == 0x5a5a5a5a5a5a5a5aULL, "nothing is written past max");
}

/* Random concatenations of fragments: the span invariants always hold. */
static void test_invariants(void)
{
	static const char *const frag[] = {
		"password=", "token: ", "--token ", "AKIA", "IOSFODNN7EXAMPLE", "eyJ", "eyJhbGc",
		".", "Bearer ", "Basic ", "dXNlcjpwYXNz", "-----BEGIN RSA PRIVATE KEY-----",
		"-----END RSA PRIVATE KEY-----", "\n", "://", "u:p@", "/", "-", "_", "=", " ",
		"\"", "'", "\\", "Xk93hQw2LpZr7VbN4cMt", "8YsD1fGj6eRa", "+", "abc", "0123",
		"--user ", "a:b", "${X}", "\xc3\xa9", "\xff",
	};
	uint64_t x = 88172645463325252ULL;
	int bad = 0;

	for (int round = 0; round < 5000 && !bad; round++) {
		char s[512];
		size_t n = 0, k, k2;
		struct rti_secret_span sp[64], one[1];
		int parts;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		parts = (int)(x % 24);
		for (int p = 0; p < parts; p++) {
			const char *f;
			size_t l;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			f = frag[x % (sizeof(frag) / sizeof(frag[0]))];
			l = strlen(f);
			if (n + l >= sizeof(s))
				break;
			memcpy(s + n, f, l);
			n += l;
		}
		k = rti_secret_scan(s, n, sp, 64);
		k2 = rti_secret_scan(s, n, NULL, 0);
		if (k != k2)
			bad = 1;
		for (size_t i = 0; i < k && i < 64; i++) {
			if (!sp[i].len || sp[i].off + sp[i].len > n || !rti_secret_kind_name(sp[i].kind))
				bad = 2;
			if (i && sp[i].off <= sp[i - 1].off + sp[i - 1].len)
				bad = 3; /* sorted, apart (touching spans are merged) */
		}
		if (k && (rti_secret_scan(s, n, one, 1) != k || one[0].off != sp[0].off ||
			  one[0].len != sp[0].len))
			bad = 4;
		if (bad)
			printf("#   round %d: \"%.*s\"\n", round, (int)n, s);
	}
	ok(!bad, "5000 random strings: spans in bounds, sorted, apart; counts agree (%d)", bad);
}

static void test_linear(void)
{
	static const char *const pat[] = {
		"password=", "eyJ.", "-----BEGIN ", "eyJa.eyJb.", "--password ", "Bearer ",
		"Basic ", "://a:", "AKIA", "a-", "/a", "token:", "passwordpassword",
		"-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "-----END ",
		"\\\"password\\\":\\\"", "--user a:", "aB3+", "kcjzGljmeF2X4bqsL+7YP7/dRB0-",
		"a_B-c/D", "eyJhbGciOiJub25lIn0", "a",
	};
	const size_t n = (size_t)4 << 20;
	char *s = malloc(n);
	double worst = 0, limit = 1.0;
	const char *worst_pat = "";

#if defined(__SANITIZE_ADDRESS__)
	limit = 4.0; /* ASan+UBSan: ~10x slower, still linear */
#endif
	if (!s) {
		ok(0, "4 MiB for the linear-time test");
		return;
	}
	for (size_t p = 0; p <= sizeof(pat) / sizeof(pat[0]); p++) {
		double t;

		if (p < sizeof(pat) / sizeof(pat[0])) {
			size_t l = strlen(pat[p]);

			for (size_t i = 0; i < n; i++)
				s[i] = pat[p][i % l];
		} else {
			static const char b64[] =
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
			uint64_t x = 2463534242ULL;

			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				s[i] = b64[x & 63];
			}
		}
		t = now();
		(void)rti_secret_scan(s, n, NULL, 0);
		t = now() - t;
		if (t > worst) {
			worst = t;
			worst_pat = p < sizeof(pat) / sizeof(pat[0]) ? pat[p] : "random base64";
		}
	}
	ok(worst < limit, "4 MiB of adversarial repeats: slowest %.3f s (\"%s\"), limit %.0f s",
	   worst, worst_pat, limit);
	free(s);
}

/* ---------- code identifiers (symbols) ---------- */

static bool code_flags(const char *s)
{
	struct rti_secret_span sp[4];

	return rti_secret_scan_code(s, strlen(s), sp, 4) > 0;
}

static void test_code_names(void)
{
	static const char *const names[] = {
		"sqlite3VdbeIdxKeyCompare", "sqlite3VdbeLinkSubProgram",
		"sqlite3WalkWinDefnDummyCallback", "I422ToARGBRow_Any_AVX2",
		"std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int const&)",
		"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::operator+=(char const*)",
		"std::_Sp_counted_ptr_inplace<A, std::allocator<A>, (__gnu_cxx::_Lock_policy)2>::_M_dispose()",
		"non-virtual thunk to std::basic_iostream<char, std::char_traits<char> >::~basic_iostream()",
		"std::integral_constant<int, -1>::value", "operator delete[](void*)", "memcpy@@GLIBC_2.14",
		"crypto/internal/nistec/fiat.(*P256Element).Mul", "type:.eq.[2]interface {}",
		"vendor/golang.org/x/net/dns/dnsmessage.(*Builder).AAAAResource",
		"encoding/json.(*encodeState).marshal.func1", "crypto/x509.(*Certificate).Verify-fm",
		"<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop::h0a1b2c3d4e5f6789",
		"core::ptr::drop_in_place<&alloc::boxed::Box<dyn std::error::Error+core::marker::Send+core::marker::Sync>>",
		"hello::main::{{closure}}",
	};
	static const char *const not_names[] = {
		"qL3+hT9/zX2pW8kR5mN1vB7cY4dF6gJ0sA2eU8iO", /* base64 */
		"Zm9vYmFy-X3Qx_9kLmNoPqRsTuVwXyZ012345abcd", /* base64url with '-' */
		"tok=c2VjcmV0LXZhbHVlLXRoYXQ", "name\"quoted", "tab\there",
		"pkg.Zm9vYmFy-X3Qx_9kLmNoPqRsTuVwXyZ012345", /* '-' outside Go's suffixes */
		"dyn Zm9v+YmFyX3Qx9kLmNoPqRsTuVwXyZ012345", /* '+' not between traits */
		"f(x)/K7MDENG/bPxRfiCYEXAMPLEKEY.y", /* '/' after a '(' */
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(rti_secret_code_shaped(names[i], strlen(names[i])) && !code_flags(names[i]),
		   "code name, not a secret: %.60s", names[i]);
	for (size_t i = 0; i < sizeof(not_names) / sizeof(not_names[0]); i++)
		ok(!rti_secret_code_shaped(not_names[i], strlen(not_names[i])),
		   "not the shape of a name: %s", not_names[i]);
	/* full scan on what is not a name: base64 keys are still caught */
	ok(code_flags("qL3+hT9/zX2pW8kR5mN1vB7cY4dF6gJ0sA2eU8iO"),
	   "a base64 key in a symbol field is caught (entropy)");
	ok(code_flags("tcp_connect-Zm9vYmFy-X3Qx_9kLmNoPqRsTuVwXyZ012345"),
	   "name-<base64url token>: caught");
	/* the signature detectors apply to names too */
	ok(code_flags("AKIAIOSFODNN7EXAMPLE"), "AWS key id in a symbol: caught");
	ok(code_flags("handler password=hunter2hunter2"), "password= pair in a symbol: caught");
	ok(code_flags("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
	   "JWT in a symbol: caught");
}

int main(void)
{
	test_kind_names();
	test_key_names();
	test_aws();
	test_jwt();
	test_bearer();
	test_pairs();
	test_pem();
	test_entropy();
	test_identities();
	test_merge_and_max();
	test_invariants();
	test_linear();
	test_code_names();
	return done_testing();
}
