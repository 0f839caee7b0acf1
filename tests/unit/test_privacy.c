/* The privacy stage on its own: the vocabulary, profile parsing and its
 * errors, every action, path rules, maps, typed arguments, keyed hashing,
 * secret detection inside kept values, the key file checks. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privacy/filter.h"
#include "tap.h"

static char err[512];

static struct rti_privacy *parse(const char *yaml)
{
	err[0] = '\0';
	return rti_privacy_parse_yaml("p.yaml", yaml, strlen(yaml), err, sizeof(err));
}

/* The profile error message starts with want (FILE:LINE:COL). */
static void parse_fails(const char *yaml, const char *want, const char *name)
{
	struct rti_privacy *p = parse(yaml);

	ok(!p && !strncmp(err, want, strlen(want)), "%s: %s", name, err);
	rti_privacy_free(p);
}

struct world {
	struct rti_arena a;
	uint64_t secrets[RTI_SECRET__COUNT];
	struct rti_privacy_run run;
};

static void world_init(struct world *w, const struct rti_privacy *p)
{
	memset(w, 0, sizeof(*w));
	rti_arena_init(&w->a, 4096, 1 << 20);
	w->run.profile = p;
	w->run.arena = &w->a;
	w->run.secrets = w->secrets;
}

static bool marked(const struct world *w, enum rti_field r)
{
	return w->run.redacted & ((uint64_t)1 << r);
}

static void test_vocabulary(void)
{
	bool sorted = true;

	ok(RTI_FIELD__COUNT <= 64, "the redaction vocabulary fits the 64-bit set (%d)", RTI_FIELD__COUNT);
	for (int i = 1; i < RTI_FIELD__COUNT; i++)
		if (strcmp(rti_field_path((enum rti_field)(i - 1)),
			   rti_field_path((enum rti_field)i)) >= 0)
			sorted = false;
	ok(sorted, "the vocabulary is listed in byte order (privacy.redacted is canonical)");
}

static void test_parse_errors(void)
{
	parse_fails("profile: x\nfields:\n  process.cwdd: keep\n", "p.yaml:3:3:",
		    "unknown field path names its line and column");
	parse_fails("profile: x\nfields:\n  process.cwd: keepp\n", "p.yaml:3:16:",
		    "unknown action");
	parse_fails("profile: x\nfields:\n  process.arguments: \"redact(([a)\"\n", "p.yaml:3:22:",
		    "bad regular expression");
	parse_fails("profile: x\nfields:\n  container.pod.labels: keep\n", "p.yaml:3:25:",
		    "a map rule without an allowlist is refused");
	parse_fails("profile: x\nfields:\n  probe.args: keep\n", "p.yaml:3:15:",
		    "typed arguments without types: is refused");
	parse_fails("profile: x\nfields:\n  process.capabilities: keep\n", "p.yaml:3:3:",
		    "an always-withheld field cannot be kept");
	parse_fails("profile: x\nfields:\n  process.arguments: basename\n", "p.yaml:3:22:",
		    "basename on free text is refused");
	parse_fails("profile: x\nbase: lax\n", "p.yaml:2:7:", "unknown base");
	parse_fails("fields: {}\n", "p.yaml:1:1:", "missing profile name");
	parse_fails("profile: strict\n", "p.yaml:1:10:", "a built-in name is refused");
	parse_fails("profile: x\ncolour: red\n", "p.yaml:2:1:", "unknown top-level key");
	parse_fails("profile: x\npaths:\n  prefixes: [/usr/../home/]\n", "p.yaml:3:14:",
		    "a prefix with .. is refused");
	parse_fails("profile: x\n  bad: [\n", "p.yaml:", "YAML syntax error has a position");
	parse_fails("profile: x\n---\nprofile: y\n", "p.yaml:3:1:", "a second document is refused");
	parse_fails("profile: x\nfields:\n  process.cwd: keep\n  process.cwd: drop\n",
		    "p.yaml:4:3:", "a field given twice");
	parse_fails("profile: x\nfields:\n  process.cwd: {action: keep, allow: [a]}\n",
		    "p.yaml:3:31:", "allow: on a path field is misplaced");
	parse_fails("profile: x\nfields:\n  process.arguments: \"redact(a*)\"\n", "p.yaml:3:22:",
		    "a pattern matching the empty string is refused");
	parse_fails("profile: x\nfields:\n  process.arguments: {action: \"redact(x)\", action: drop}\n",
		    "p.yaml:3:44:", "a key given twice in a rule is refused");
	parse_fails("profile: x\npaths:\n  otherwise: drop\n  otherwise: hash\n", "p.yaml:4:3:",
		    "a key given twice under paths is refused");
	parse_fails("profile: x\nbase: off\n", "p.yaml:2:7:", "base off is refused in files");
	{
		char deep[4096];
		size_t n = (size_t)snprintf(deep, sizeof(deep), "profile: x\nfields: ");

		memset(deep + n, '[', 3000);
		deep[n + 3000] = '\0';
		parse_fails(deep, "p.yaml:2:", "deep nesting is refused before loading");
	}
}

static void test_builtin_strict(void)
{
	struct rti_privacy *p = rti_privacy_open("strict", NULL, err, sizeof(err));
	struct rti_kv labels[] = { { "app", "x" } };
	struct rti_event in, out;
	struct world w;

	ok(p != NULL, "strict opens");
	world_init(&w, p);
	memset(&in, 0, sizeof(in));
	in.kind = RTI_KIND_EXEC;
	in.process.present = true;
	in.process.binary = "/home/alice/bin/tool";
	in.process.cwd = "/usr/src";
	in.process.arguments = "--x";
	in.process.has_pod = true;
	in.process.pod.name = "web-1";
	in.process.pod.labels = labels;
	in.process.pod.n_labels = 1;
	ok(rti_privacy_filter_event(&w.run, &in, &out) == 0, "apply");
	ok(!out.process.binary && marked(&w, RTI_FIELD_PROCESS_BINARY), "private binary withheld");
	ok(!out.process.cwd && marked(&w, RTI_FIELD_PROCESS_CWD), "cwd withheld even under /usr/");
	ok(!out.process.arguments && marked(&w, RTI_FIELD_PROCESS_ARGUMENTS), "arguments withheld");
	ok(!out.process.pod.n_labels && marked(&w, RTI_FIELD_POD_LABELS), "labels withheld");
	is_str(out.process.pod.name, "web-1", "pod name kept");
	ok(!marked(&w, RTI_FIELD_POD_NAME), "a kept clean value is not listed");
	is_str(rti_privacy_name(p), "strict", "profile name");
	rti_arena_release(&w.a);
	rti_privacy_free(p);
}

static void test_balanced(void)
{
	struct rti_privacy *p = rti_privacy_open("balanced", NULL, err, sizeof(err));
	struct rti_kv labels[] = {
		{ "tier", "web" }, { "app", "shop" }, { "owner", "alice" }, { "app", "shop2" },
	};
	struct rti_arg args[] = {
		{ .type = RTI_ARG_SOCK, .family = "AF_INET", .protocol = "IPPROTO_TCP", .dport = 443 },
		{ .type = RTI_ARG_STRING, .text = "hello" },
		{ .type = RTI_ARG_INT, .ival = -2 },
		{ .type = RTI_ARG_FILE, .text = "/usr/lib/x.so" },
	};
	struct rti_event in, out;
	struct world w;

	ok(p != NULL, "balanced opens");
	world_init(&w, p);
	memset(&in, 0, sizeof(in));
	in.kind = RTI_KIND_KPROBE;
	in.process.present = true;
	in.process.binary = "/home/alice/bin/tool";
	in.process.cwd = "/usr/src";
	in.parent.present = true;
	in.parent.binary = "/usr/bin/bash";
	in.parent.cwd = "/home/alice";
	in.process.has_pod = true;
	in.process.pod.labels = labels;
	in.process.pod.n_labels = 4;
	in.args = args;
	in.n_args = 4;
	ok(rti_privacy_filter_event(&w.run, &in, &out) == 0, "apply");
	is_str(out.process.binary, "tool", "a private binary becomes its basename");
	ok(marked(&w, RTI_FIELD_PROCESS_BINARY), "... and is listed as transformed");
	is_str(out.parent.binary, "/usr/bin/bash", "a system binary is kept whole");
	is_str(out.process.cwd, "/usr/src", "cwd under a prefix kept");
	ok(!out.parent.cwd && marked(&w, RTI_FIELD_PARENT_CWD), "cwd elsewhere withheld");
	ok(out.process.pod.n_labels == 2, "only allowlisted labels, duplicates merged");
	is_str(out.process.pod.labels[0].key, "app", "labels sorted");
	is_str(out.process.pod.labels[0].value, "shop2", "the last duplicate wins");
	is_str(out.process.pod.labels[1].key, "tier", "second label");
	ok(marked(&w, RTI_FIELD_POD_LABELS), "a dropped label is listed");
	ok(out.n_args == 4, "argument positions kept");
	ok(out.args[0].type == RTI_ARG_SOCK && out.args[0].dport == 443, "socket argument kept");
	ok(out.args[1].type == RTI_ARG_WITHHELD, "string argument withheld");
	ok(out.args[2].type == RTI_ARG_INT && out.args[2].ival == -2, "integer argument kept");
	ok(out.args[3].type == RTI_ARG_WITHHELD, "file argument withheld (not opted in)");
	ok(marked(&w, RTI_FIELD_PROBE_ARGS), "probe.args listed");
	rti_arena_release(&w.a);
	rti_privacy_free(p);
}

static int write_key(const char *path, const char *key, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, key, strlen(key)) != (ssize_t)strlen(key)) {
		close(fd);
		return -1;
	}
	close(fd);
	return chmod(path, mode);
}

static void test_hash_and_redact(void)
{
	const char *yaml = "profile: h\n"
			   "fields:\n"
			   "  process.user: hash\n"
			   "  process.arguments: \"redact(--pin=[0-9]+)\"\n"
			   "  container.pod.name: basename\n";
	char kpath[] = "/tmp/rti-test-key-XXXXXX";
	char kpath2[] = "/tmp/rti-test-key2-XXXXXX";
	struct rti_privacy_opts o = { sizeof(o), kpath, false, false };
	struct rti_privacy *p, *p2;
	const char *t1, *t2, *t3;
	char pf[] = "/tmp/rti-test-prof-XXXXXX.yaml";
	struct world w;
	int fd;

	fd = mkstemp(kpath);
	close(fd);
	fd = mkstemp(kpath2);
	close(fd);
	fd = mkstemps(pf, 5);
	ok(fd >= 0 && write(fd, yaml, strlen(yaml)) == (ssize_t)strlen(yaml), "profile written");
	close(fd);
	o.key_file = NULL;
	p = rti_privacy_open(pf, &o, err, sizeof(err));
	ok(!p && errno == EACCES && strstr(err, "no key"), "hash rules without a key: refused (%s)", err);
	rti_privacy_free(p);

	write_key(kpath, "0123456789abcdef-key-one\n", 0644);
	o.key_file = kpath;
	p = rti_privacy_open(pf, &o, err, sizeof(err));
	ok(!p && strstr(err, "chmod 600"), "a key readable by others: refused (%s)", err);
	rti_privacy_free(p);
	write_key(kpath, "short", 0600);
	p = rti_privacy_open(pf, &o, err, sizeof(err));
	ok(!p && strstr(err, "at least 16"), "a short key: refused (%s)", err);
	rti_privacy_free(p);

	{
		char big[2100];

		memset(big, 'k', sizeof(big) - 2);
		big[sizeof(big) - 2] = '\n';
		big[sizeof(big) - 1] = '\0';
		write_key(kpath, big, 0600);
		p = rti_privacy_open(pf, &o, err, sizeof(err));
		ok(!p && strstr(err, "at most"), "a key file over 1 KiB: refused (%s)", err);
		rti_privacy_free(p);
	}
	{
		char fifo[] = "/tmp/rti-test-fifo-XXXXXX";
		int fd2 = mkstemp(fifo);

		close(fd2);
		unlink(fifo);
		if (mkfifo(fifo, 0600) == 0) {
			o.key_file = fifo;
			p = rti_privacy_open(pf, &o, err, sizeof(err));
			ok(!p && strstr(err, "not a regular file"), "a FIFO as key: refused at once (%s)", err);
			rti_privacy_free(p);
			unlink(fifo);
			o.key_file = kpath;
		}
	}
	write_key(kpath, "0123456789abcdef-key-one\n", 0600);
	write_key(kpath2, "0123456789abcdef-key-two\n", 0600);
	p = rti_privacy_open(pf, &o, err, sizeof(err));
	ok(p != NULL, "the profile opens with a key (%s)", err);
	o.key_file = kpath2;
	p2 = rti_privacy_open(pf, &o, err, sizeof(err));
	ok(p2 != NULL, "and with another key");
	if (!p || !p2)
		return;
	world_init(&w, p);
	t1 = rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_USER, "alice");
	t2 = rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_USER, "alice");
	t3 = rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_USER, "bob");
	ok(t1 && !strncmp(t1, "hmac:", 5) && strlen(t1) == RTI_HMAC_TOKEN_LEN,
	   "hash gives hmac:<32 hex> (%s)", t1 ? t1 : "(null)");
	is_str(t2, t1, "same value, same key: same token");
	ok(t3 && strcmp(t3, t1), "another value: another token");
	ok(marked(&w, RTI_FIELD_PROCESS_USER), "hashed field listed");
	w.run.profile = p2;
	t2 = rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_USER, "alice");
	ok(t2 && strcmp(t2, t1), "another key: another token");
	w.run.profile = p;
	is_str(rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_ARGUMENTS,
					"run --pin=1234 --pin=99 now"),
	       "run [REDACTED] [REDACTED] now", "redact(pattern) replaces every match");
	is_str(rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_ARGUMENTS, "run now"), "run now",
	       "redact(pattern) without a match keeps the value");
	is_str(rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_ARGUMENTS, "--pin=1"), "[REDACTED]",
	       "redact(pattern) matching the whole value");
	is_str(rti_privacy_filter_field(&w.run, RTI_FIELD_POD_NAME, "ns/web"), "web",
	       "basename on an identity");
	/* secret detection runs after keep and redact(pattern) */
	{
		const char *s = rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_ARGUMENTS,
						  "x AKIAIOSFODNN7EXAMPLE y");

		ok(s && !strstr(s, "AKIAIOSFODNN7EXAMPLE") && strstr(s, "[REDACTED]"),
		   "an AWS key inside a kept value is redacted (%s)", s ? s : "(null)");
		ok(w.secrets[RTI_SECRET_AWS_KEY] >= 1, "and counted");
	}
	rti_arena_release(&w.a);
	rti_privacy_free(p);
	rti_privacy_free(p2);
	unlink(kpath);
	unlink(kpath2);
	unlink(pf);
}

static void test_paths(void)
{
	struct rti_privacy *p = rti_privacy_open("strict", NULL, err, sizeof(err));

	ok(rti_privacy_path_allowed(p, "/usr/lib/libc.so.6"), "system path");
	ok(!rti_privacy_path_allowed(p, "/usr/../home/alice/x"), "'..' defeats no prefix");
	ok(!rti_privacy_path_allowed(p, "/usr//x"), "empty component refused");
	ok(!rti_privacy_path_allowed(p, "/usr/./x"), "'.' component refused");
	ok(!rti_privacy_path_allowed(p, "usr/lib/x"), "relative path refused");
	{
		struct world w;

		world_init(&w, p);
		is_str(rti_privacy_filter_field(&w.run, RTI_FIELD_STACK_MODULE, "[vdso]"), "[vdso]",
		       "a pseudo mapping is kept as a module");
		ok(!rti_privacy_filter_field(&w.run, RTI_FIELD_STACK_MODULE, "[alice-notes]"),
		   "an unknown bracketed name is not a pseudo mapping");
		ok(!rti_privacy_filter_field(&w.run, RTI_FIELD_PROCESS_BINARY, "[vdso]"),
		   "pseudo mappings count only for module fields");
		rti_arena_release(&w.a);
	}
	rti_privacy_free(p);
}

static void test_off(void)
{
	struct rti_privacy_opts o = { sizeof(o), NULL, false, false };
	struct rti_privacy *p = rti_privacy_open("off", &o, err, sizeof(err));

	ok(!p && errno == EPERM, "off refused without allow_off");
	o.allow_off = true;
	p = rti_privacy_open("off", &o, err, sizeof(err));
	ok(p && rti_privacy_is_off(p), "off with allow_off");
	rti_privacy_free(p);
	p = rti_privacy_open("nonesuch", NULL, err, sizeof(err));
	ok(!p && errno == ENOENT && strstr(err, "unknown privacy profile"), "unknown name");
	rti_privacy_free(p);
}

static void test_user_profile_maps(void)
{
	struct rti_privacy *p = parse("profile: m\n"
				      "fields:\n"
				      "  container.pod.annotations: {action: keep, allow: [\"team.example.com/*\", api-token]}\n"
				      "  process.environment: {action: keep, allow: [LANG]}\n");
	struct rti_kv ann[] = {
		{ "team.example.com/owner", "payments" },
		{ "api-token", "tok-123" },
		{ "other", "x" },
	};
	struct rti_kv env[] = { { "LANG", "C.UTF-8" }, { "HOME", "/home/alice" } };
	struct rti_event in, out;
	struct world w;

	ok(p != NULL, "map profile parses (%s)", err);
	if (!p)
		return;
	world_init(&w, p);
	memset(&in, 0, sizeof(in));
	in.kind = RTI_KIND_EXEC;
	in.process.present = true;
	in.process.has_pod = true;
	in.process.pod.annotations = ann;
	in.process.pod.n_annotations = 3;
	in.process.env = env;
	in.process.n_env = 2;
	ok(rti_privacy_filter_event(&w.run, &in, &out) == 0, "apply");
	ok(out.process.pod.n_annotations == 2, "prefix and exact allowlist entries");
	is_str(out.process.pod.annotations[0].key, "api-token", "sorted");
	is_str(out.process.pod.annotations[0].value, RTI_SECRET_MASK,
	       "a value under a key that names a secret is redacted even when allowed");
	is_str(out.process.pod.annotations[1].value, "payments", "allowed value kept");
	ok(out.process.n_env == 1, "environment allowlist");
	is_str(out.process.env[0].value, "C.UTF-8", "allowed variable kept");
	ok(marked(&w, RTI_FIELD_PROCESS_ENVIRONMENT) && marked(&w, RTI_FIELD_POD_ANNOTATIONS),
	   "dropped entries listed");
	rti_arena_release(&w.a);
	rti_privacy_free(p);
}

int main(void)
{
	test_vocabulary();
	test_parse_errors();
	test_builtin_strict();
	test_balanced();
	test_hash_and_redact();
	test_paths();
	test_off();
	test_user_profile_maps();
	return done_testing();
}
