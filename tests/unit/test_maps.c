/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/<pid>/maps lines, good and odd. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stack/maps.h"
#include "tap.h"

static int line(const char *s, struct rti_map *m, char *buf, size_t cap)
{
	char err[128];
	size_t n = strlen(s);

	if (n + 1 > cap)
		return -1;
	memcpy(buf, s, n + 1);
	return rti_maps_parse_line(buf, n, m, err, sizeof(err));
}

int main(void)
{
	static char buf[8192];
	struct rti_map m;
	struct rti_maps all;
	char err[256];
	static const char *const bad[] = {
		"",
		"garbage",
		"7f00-7e00 r-xp 00000000 08:01 1 /lib/x",     /* end < start */
		"7f00-7f10 r-x 00000000 08:01 1 /lib/x",      /* short perms */
		"7f00-7f10 rzxp 00000000 08:01 1 /lib/x",     /* bad perm char */
		"7f00-7f10 r-xp 0000000g 08:01 1 /lib/x",
		"7f00-7f10 r-xp 00000000 0801 1 /lib/x",      /* no ':' */
		"7f00-7f10 r-xp 00000000 08:01 x /lib/x",
		"7f00-7f10 r-xp 00000000 08:01 1x /lib/x",
		"11111111111111111-7f10 r-xp 0 08:01 1 /x",   /* 17 hex digits: overflow */
		"7f00-7f10 r-xp 0 08:01 99999999999999999999 /x",
		"7f00-7f10",
		"-7f10 r-xp 0 08:01 1 /x",
	};

	ok(!line("55d0c2a00000-55d0c2a21000 r-xp 00002000 fd:01 1311789    /usr/bin/sleep", &m,
		 buf, sizeof(buf)), "ordinary line");
	ok(m.start == 0x55d0c2a00000 && m.end == 0x55d0c2a21000 && m.offset == 0x2000 &&
		   m.dev_major == 0xfd && m.dev_minor == 1 && m.inode == 1311789 &&
		   !strcmp(m.perms, "r-xp") && !strcmp(m.path, "/usr/bin/sleep") && !m.deleted,
	   "fields");
	ok(!line("7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ", &m, buf, sizeof(buf)) &&
		   !strcmp(m.path, ""), "anonymous");
	ok(!line("7f0000000000-7f0000001000 rw-p 00000000 00:00 0", &m, buf, sizeof(buf)) &&
		   !strcmp(m.path, ""), "anonymous without trailing space");
	ok(!line("7ffc1000-7ffc3000 r-xp 00000000 00:00 0                          [vdso]", &m,
		 buf, sizeof(buf)) && !strcmp(m.path, "[vdso]"), "[vdso]");
	ok(!line("7f00-7f10 r-xp 00001000 08:01 42 /opt/my app/lib x.so", &m, buf, sizeof(buf)) &&
		   !strcmp(m.path, "/opt/my app/lib x.so"), "spaces in the path");
	ok(!line("7f00-7f10 r-xp 00001000 08:01 42 /usr/lib/libfoo.so (deleted)", &m, buf,
		 sizeof(buf)) && !strcmp(m.path, "/usr/lib/libfoo.so") && m.deleted, "(deleted)");
	ok(!line("7f00-7f10 r-xp 00001000 08:01 42 /usr/lib/libfoo.so\n", &m, buf, sizeof(buf)) &&
		   !strcmp(m.path, "/usr/lib/libfoo.so"), "trailing newline");
	ok(!line("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]", &m, buf,
		 sizeof(buf)) && m.end == 0xffffffffff601000ULL, "64-bit addresses");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(line(bad[i], &m, buf, sizeof(buf)) == -22, "rejected: '%s'", bad[i]);
	{
		static const char text[] =
			"1000-2000 r-xp 00000000 08:01 1 /bin/a\n"
			"3000-4000 r--p 00001000 08:01 1 /bin/a\n"
			"\n"
			"5000-6000 rw-p 00000000 00:00 0\n";
		ok(!rti_maps_parse(text, sizeof(text) - 1, &all, err, sizeof(err)) && all.n == 3,
		   "whole file");
		ok(rti_maps_find(&all, 0x1fff) && !strcmp(rti_maps_find(&all, 0x1fff)->path, "/bin/a"),
		   "find");
		ok(!rti_maps_find(&all, 0x2000) && !rti_maps_find(&all, 0x0), "no mapping");
		rti_maps_release(&all);
		ok(rti_maps_parse("1000-2000 r-xp 0 08:01 1 /a\nbad line\n", 38, &all, err,
				  sizeof(err)) == -22 && strstr(err, "line 2"), "bad line named: %s",
		   err);
	}
	{
		const struct rti_map *self;
		uint64_t here = (uint64_t)(uintptr_t)&main;

		ok(!rti_maps_read("/proc", (uint32_t)getpid(), &all, err, sizeof(err)) && all.n > 3,
		   "own maps");
		self = rti_maps_find(&all, here);
		ok(self && self->perms[2] == 'x' && self->path[0] == '/', "main is in an executable mapping of a file");
		rti_maps_release(&all);
		ok(rti_maps_read("/proc", 0, &all, err, sizeof(err)) < 0 && err[0],
		   "no such process: %s", err);
	}
	return done_testing();
}
