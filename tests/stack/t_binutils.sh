#!/usr/bin/env bash
# Differential test against binutils on real system libraries: thousands
# of random file offsets (and every kind of function boundary) through
# `stella-rti symbolize --elf`, compared with readelf's symbol tables of
# the file and of its installed debug file, and with addr2line -f -i -C
# where no inlining is involved (tests/stack/binutils_diff.py).
. "$RTI_ROOT/tests/lib.sh"
L=/usr/lib/x86_64-linux-gnu
libs=()
for f in $L/libc.so.6 $L/libssl.so.3 $L/libstdc++.so.6 /usr/bin/python3.11 $L/libz.so.1; do
  [ -e "$f" ] && libs+=("$(readlink -f "$f")")
done
[ ${#libs[@]} -ge 3 ] && ok "${#libs[@]} system libraries to compare" || not_ok "system libraries present"
# a fixed seed: the same offsets every run, and a failure can be replayed
out=$("$PY" "$RTI_ROOT/tests/stack/binutils_diff.py" "$RTI" 20261125 1200 "${libs[@]}")
while read -r line; do
  case $line in
  "ok "*) ok "${line#ok * - }" ;;
  "not ok "*) not_ok "${line#not ok * - }" ;;
  "#"*) echo "$line" ;;
  esac
done <<<"$out"
done_testing
