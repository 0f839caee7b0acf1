#!/usr/bin/env bash
# `make install` (issue #13 item 6, spec agent.md §6): into a temporary
# DESTDIR, the binary, the unit, the man page, the library, its headers and
# stella-rti.pc; a tiny program built against the installed library with
# `pkg-config --cflags --libs --static` converts events as the CLI does;
# the man page renders without a warning; uninstall removes it all.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
MK=(make -C "$RTI_ROOT" -s --no-print-directory V="$RTI_V" BUILD="$(dirname "$RTI_BUILD")")
R=$T/root
P=$R/usr/local
"${MK[@]}" install DESTDIR="$R" >"$T/make.out" 2>&1 || { not_ok "make install"; sed 's/^/#   /' "$T/make.out"; }
mode() { stat -c %a "$1" 2>/dev/null; }
check "binary, mode 755" test "$(mode "$P/bin/stella-rti")" = 755
check "static library" test "$(mode "$P/lib/libstella-rti.a")" = 644
check "systemd unit" test "$(mode "$P/lib/systemd/system/stella-rti.service")" = 644
check "man page" test "$(mode "$P/share/man/man1/stella-rti.1")" = 644
check "pkg-config file" test "$(mode "$P/lib/pkgconfig/stella-rti.pc")" = 644
n_src=$(ls "$RTI_ROOT"/include/rti/*.h | wc -l)
check "every public header under include/rti/ ($n_src)" test "$(ls "$P"/include/rti/*.h | wc -l)" -eq "$n_src"
check "nothing outside PREFIX" test "$(find "$R" -mindepth 1 -maxdepth 2 | sort | tr '\n' ' ')" = "$R/usr $R/usr/local "
check "the unit runs the installed binary" grep -qx "ExecStart=/usr/local/bin/stella-rti agent --config /etc/stella-rti/config.yaml" \
  "$P/lib/systemd/system/stella-rti.service"

# pkg-config, through the DESTDIR as a sysroot (the .pc names /usr/local)
export PKG_CONFIG_PATH=$P/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
check "pkg-config validates the .pc" pkg-config --validate stella-rti
check "pkg-config: version" test -n "$(pkg-config --modversion stella-rti)"
flags=$(pkg-config --cflags --libs --static stella-rti)
echo "# $flags"
if cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$T/tiny" "$RTI_ROOT/tests/deploy/tiny.c" $flags 2>"$T/cc.err"; then
  ok "a program builds against the installed library (pkg-config --static)"
else
  not_ok "a program builds against the installed library (pkg-config --static)"; sed 's/^/#   /' "$T/cc.err" | head -20
fi
IN=$RTI_ROOT/tests/fixtures/every-kind.jsonl
"$T/tiny" "$IN" "$T/tiny.ndjson" >"$T/tiny.out"
check "it runs, no record malformed" grep -qx "malformed=0" "$T/tiny.out"
"$P/bin/stella-rti" convert --quiet "$IN" -o "$T/cli.ndjson"
check "its events are the installed CLI's, byte for byte" cmp -s "$T/tiny.ndjson" "$T/cli.ndjson"
check "and there are some" test -s "$T/cli.ndjson"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# the man page
check "man finds the installed page" test "$(MANPATH="$P/share/man" man -w stella-rti)" = "$P/share/man/man1/stella-rti.1"
LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$P/share/man/man1/stella-rti.1" 2>"$T/groff.err"
check "groff renders it without a warning" test ! -s "$T/groff.err"
sed 's/^/#   /' "$T/groff.err" | head
MANWIDTH=80 man -l "$P/share/man/man1/stella-rti.1" >"$T/man.txt" 2>"$T/man.err"
for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES SIGNALS "EXIT STATUS"; do
  check "man -l: section $s" grep -qx "$s" "$T/man.txt"
done
for c in agent validate convert run replay hot symbolize privacy; do
  check "man page: command $c" grep -q "stella-rti $c" "$T/man.txt"
done

# PREFIX moves everything, the unit's paths too
"${MK[@]}" install DESTDIR="$T/opt" PREFIX=/opt/stella >/dev/null 2>&1
check "PREFIX=/opt/stella: binary" test -x "$T/opt/opt/stella/bin/stella-rti"
check "PREFIX=/opt/stella: the unit's paths follow" grep -qx "ExecStart=/opt/stella/bin/stella-rti agent --config /etc/stella-rti/config.yaml" \
  "$T/opt/opt/stella/lib/systemd/system/stella-rti.service"
check "PREFIX=/opt/stella: the .pc's too" grep -qx "includedir=/opt/stella/include" "$T/opt/opt/stella/lib/pkgconfig/stella-rti.pc"

"${MK[@]}" uninstall DESTDIR="$R" >/dev/null 2>&1
check "uninstall removes every file" test -z "$(find "$R" -type f)"
done_testing
