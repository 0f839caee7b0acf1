#!/usr/bin/env bash
# stella-rti symbolize --elf on ELF files built here: C and C++ (mangled
# names), PIE and non-PIE, a shared library stripped to .dynsym, with and
# without build id, with debug links and build-id debug files, and files
# that are not ELF or are broken. Expected values come from binutils
# (tests/stack/elfsym.py), never from stella-rti itself. Processes are
# batched: one symbolize and one awk per file.
. "$RTI_ROOT/tests/lib.sh"
H="$PY $RTI_ROOT/tests/stack/elfsym.py"
cd "$T"

cat >prog.c <<'EOF'
#include <stdio.h>
__attribute__((noinline)) int stk_leaf(int x) { return x * 3 + 1; }
static __attribute__((noinline)) int stk_static(int x) { return stk_leaf(x) + 2; }
int __stk_impl(int x) { return stk_static(x) - 1; }
extern int stk_public(int x) __attribute__((alias("__stk_impl")));
int main(int argc, char **argv) { (void)argv; printf("%d\n", stk_public(argc)); return 0; }
EOF
cat >lib.c <<'EOF'
static __attribute__((noinline)) int lib_hidden(int x) { return x * 7; }
int lib_exported(int x) { return lib_hidden(x) + 1; }
EOF
cat >prog.cc <<'EOF'
#include <cstdio>
#include <vector>
namespace shop { namespace pay {
struct Card { int n; int charge(int cents) const; };
__attribute__((noinline)) int Card::charge(int cents) const { return n + cents; }
template <typename T> __attribute__((noinline)) T total(const std::vector<T> &v) {
  T s = 0; for (auto x : v) s += x; return s; }
__attribute__((noinline)) int refund(int a) { return -a; }
__attribute__((noinline)) double refund(double a) { return -a; }
} }
int main() {
  shop::pay::Card c{1};
  std::vector<long> v{1, 2, 3};
  std::printf("%d %ld %d %f\n", c.charge(2), shop::pay::total(v), shop::pay::refund(3), shop::pay::refund(2.5));
}
EOF

gcc -O1 -g -fPIE -pie -o pie prog.c &&
gcc -O1 -g -fno-pie -no-pie -o nopie prog.c &&
gcc -O1 -g -Wl,--build-id=none -o nobid prog.c &&
gcc -O1 -g -fPIC -shared -o libstk.so lib.c &&
g++ -O1 -g -o cxx prog.cc || { not_ok "test programs build"; done_testing; exit; }
ok "test programs build (gcc, g++)"

# verdicts: "ok NAME" / "not_ok NAME" / "# DIAG" lines -> TAP
verdicts() {
  local w rest
  while read -r w rest; do
    case $w in ok) ok "$rest" ;; not_ok) not_ok "$rest" ;; *) echo "#   $w $rest" ;; esac
  done
}

# check_frames FILE [symbolize options] <WANTS: lines
#   OFFSET <TAB> FIELD=VALUE[ && FIELD=VALUE...] <TAB> NAME
# one symbolize run for all, each field compared with the frame's. Never
# at the end of a pipe: ok/not_ok must run in this shell.
check_frames() {
  local f=$1; shift
  cat >"$f.want"
  cut -f1 "$f.want" | "$RTI" symbolize "$@" --elf "$f" >"$f.got"
  awk -F'\t' -v f="$f" '
    NR == FNR { want[FNR] = $2; name[FNR] = $3; n = FNR; next }
    {
      line = $0; ok = 1; diag = ""
      k = split(want[FNR], pairs, " && ")
      for (i = 1; i <= k; i++) {
        eq = index(pairs[i], "="); key = substr(pairs[i], 1, eq - 1); val = substr(pairs[i], eq + 1)
        pat = "\"" key "\":\"" val "\""
        if (!index(line, pat)) { ok = 0; diag = diag " want " pat }
      }
      print (ok ? "ok " : "not_ok ") f ": " name[FNR]
      if (!ok) print "#" diag " in " line
      seen++
    }
    END { if (seen != n) print "not_ok " f ": " n " frames wanted, " seen " printed" }
  ' "$f.want" "$f.got" >"$f.verdicts"
  verdicts <"$f.verdicts"
}

# offsets of function middles, from binutils: "NAME OFFSET SIZE"
$H pie stk_leaf stk_static __stk_impl main >pie.syms
$H nopie stk_leaf stk_static __stk_impl main >nopie.syms
$H nobid stk_leaf >nobid.syms
CXX_SYMS="_ZNK4shop3pay4Card6chargeEi _ZN4shop3pay5totalIlEET_RKSt6vectorIS2_SaIS2_EE _ZN4shop3pay6refundEi _ZN4shop3pay6refundEd"
$H cxx $CXX_SYMS >cxx.syms
$H libstk.so lib_hidden lib_exported >libstk.so.syms
# want FILE NAME SYMBOL SOURCE: a check_frames line for NAME's middle
want() {
  awk -v n="$2" -v s="$3" -v src="$4" '$1 == n {
    printf "%s\tsymbol=%s && resolved_by=%s && symbol_offset=0x%x\t%s -> %s (%s)\n", $2, s, src, int($3 / 2), n, s, src }' "$1.syms"
}

for f in pie nopie; do
  bid=$($H --build-id $f)
  { want $f stk_leaf stk_leaf symtab
    want $f stk_static stk_static symtab
    want $f __stk_impl stk_public symtab # alias: the public name
    want $f main main symtab
    printf '0x1\tcode_id=gnu-build-id:%s\tcode_id is the build id\n' "$bid"
    printf '0x7fffffff\tunresolved=offset_not_mapped && resolved_by=none\tbeyond the segments\n'
  } >w.txt
  check_frames $f <w.txt
done
check "nopie is ET_EXEC, pie is ET_DYN" sh -c 'readelf -h nopie | grep -q "EXEC " && readelf -h pie | grep -q "DYN "'

# C++: names as nm -C prints them
nm --defined-only cxx >cxx.nm; nm -C --defined-only cxx >cxx.nmc
for raw in $CXX_SYMS; do
  dem=$(paste -d'\n' cxx.nm cxx.nmc | awk -v r="$raw" 'NR % 2 { hit = (substr($0, index($0, $3)) == r); next } hit { sub(/^[^ ]+ [^ ]+ /, ""); print; exit }')
  want cxx "$raw" "$dem" symtab
done >w.txt
check_frames cxx <w.txt

# no build id: the digest of the file
{ printf '0x1\tcode_id=file-sha256:%s\tcode_id is the file digest\n' "$(sha256sum nobid | cut -d' ' -f1)"
  want nobid stk_leaf stk_leaf symtab; } >w.txt
check_frames nobid <w.txt

# a shared library stripped to .dynsym
strip --strip-all libstk.so
check "stripped library has no .symtab" sh -c '! readelf -S libstk.so | grep -q "\.symtab"'
{ want libstk.so lib_exported lib_exported dynsym
  awk '$1 == "lib_hidden" { printf "%s\tunresolved=no_symbol_covers_offset\ta static function is not covered\n", $2 }' libstk.so.syms
} >w.txt
check_frames libstk.so <w.txt
cp pie pie.stripped && strip --strip-all pie.stripped
printf '0x1100\tunresolved=stripped\texecutable stripped bare\n' >w.txt
check_frames pie.stripped <w.txt

# debug link beside the file, in .debug/, by build id, by CRC
for v in beside dotdebug buildid nobid-crc; do
  mkdir -p "dbg-$v" && cd "dbg-$v" || exit 1
  if [ $v = nobid-crc ]; then cp ../nobid prog; cp ../nobid.syms prog.syms; else cp ../pie prog; cp ../pie.syms prog.syms; fi
  objcopy --only-keep-debug prog prog.debug && strip --strip-all prog
  opts=()
  case $v in
  beside | nobid-crc) objcopy --add-gnu-debuglink=prog.debug prog ;;
  dotdebug) objcopy --add-gnu-debuglink=prog.debug prog && mkdir .debug && mv prog.debug .debug/ ;;
  buildid) b=$($H --build-id prog); mkdir -p "d/.build-id/${b:0:2}"
           mv prog.debug "d/.build-id/${b:0:2}/${b:2}.debug"; opts=(--debug-dir "$T/dbg-$v/d") ;;
  esac
  want prog stk_leaf stk_leaf debuginfo | sed "s/\t\([^\t]*\)$/\tdebug file ($v): \1/" >w.txt
  check_frames prog "${opts[@]}" <w.txt
  cd "$T" || exit 1
done
# a debug link whose CRC does not match is not used (no build id to vouch)
cd dbg-nobid-crc && printf 'x' | dd of=prog.debug bs=1 seek=100 conv=notrunc 2>/dev/null
awk '$1 == "stk_leaf" { printf "%s\tunresolved=stripped\tdebug link with a bad CRC is ignored\n", $2 }' prog.syms >w.txt
check_frames prog <w.txt
cd "$T" || exit 1

# not ELF, broken, missing, a directory
printf 'hello\n' >text.txt
printf '0x1\tunresolved=not_elf && code_id=file-sha256:%s\tnot ELF\n' "$(sha256sum text.txt | cut -d' ' -f1)" >w.txt
check_frames text.txt <w.txt
: >empty
printf '0x0\tunresolved=not_elf\tempty file\n' >w.txt
check_frames empty <w.txt
head -c 100 pie >trunc
printf '0x10\tresolved_by=none\ttruncated ELF: no crash, a reason\n' >w.txt
check_frames trunc <w.txt
head -c 3000 pie >trunc2
printf '0x1000\tresolved_by=none\ttruncated after the headers: no crash\n' >w.txt
check_frames trunc2 <w.txt
printf '0x0\tunresolved=module_not_found\tmissing file\n' >w.txt
check_frames nosuch <w.txt
mkdir adir
printf '0x0\tunresolved=module_unreadable\ta directory\n' >w.txt
check_frames adir <w.txt

# input forms
"$RTI" symbolize --elf pie 12abc 2>err.txt >/dev/null; rc=$?
check "a bad number: exit 1 with a message" sh -c "[ $rc -eq 1 ] && grep -q 'not a number' err.txt"
"$RTI" symbolize --text --elf pie 0x1100 >text.out
check "--text" grep -q 'gnu-build-id:' text.out
"$RTI" symbolize 2>/dev/null; check "no mode: usage error" test $? -eq 2
a=$("$RTI" symbolize --elf cxx 0x1100 0x1180 0x1200); b=$("$RTI" symbolize --elf cxx 0x1100 0x1180 0x1200)
check "deterministic" test "$a" = "$b"
done_testing
