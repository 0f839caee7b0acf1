#!/usr/bin/python3
"""Differential test of `stella-rti symbolize --elf` against binutils.

For each library: random file offsets, mostly in executable segments. The
reference is built only from binutils output: `readelf -lW` (segments),
`readelf -nW` (build id), `readelf -sW` and `readelf -sW -C` (symbols and
their demangled names, of the file and of its installed debug file), with
the symbol choice of docs/stacks.md implemented here independently. Every
name, symbol offset, source and code id must agree. Where `addr2line -f -i
-C` names a single (not inlined) function, its name must be one of the
names binutils lists for the chosen function (aliases: addr2line may pick
__GI_malloc where we pick malloc), GCC clone suffixes aside: addr2line
names foo.part.0 by the DWARF name of its origin, foo.

Prints TAP lines (one per library and check). Usage:
  binutils_diff.py RTI_BINARY SEED COUNT LIB...
"""
import json
import os
import random
import re
import subprocess
import sys

RTI, SEED, COUNT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
LIBS = sys.argv[4:]
n_ok = 0
n_fail = 0


def tap(ok, name, diag=()):
    global n_ok, n_fail
    if ok:
        n_ok += 1
        print(f"ok {n_ok + n_fail} - {name}")
    else:
        n_fail += 1
        print(f"not ok {n_ok + n_fail} - {name}")
        for d in list(diag)[:12]:
            print(f"#   {d}")


def run(*args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True,
                          check=False).stdout


def segments(path):
    segs = []
    for line in run("readelf", "-lW", path).splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            off, vaddr, filesz = int(p[1], 16), int(p[2], 16), int(p[4], 16)
            flags = " ".join(p[6:-1])
            if filesz:
                segs.append((off, filesz, vaddr, "E" in flags))
    return segs


def off2addr(segs, off):
    for want_exec in (True, False):
        for o, sz, va, ex in segs:
            if ex == want_exec and o <= off < o + sz:
                return off - o + va
    return None


def build_id(path):
    m = re.search(r"Build ID: ([0-9a-f]+)", run("readelf", "-nW", path))
    return m.group(1) if m else None


SYM_RE = re.compile(r"^\s*(\d+):\s+([0-9a-f]+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*))?$")


def symbols(path, allowed):
    """{table: [(value, size, type, bind, vis, ndx, raw, demangled)]} from readelf."""
    out = {}
    for demangle in (False, True):
        table = None
        args = ["readelf", "-sW"] + (["-C"] if demangle else []) + [path]
        rows = {}
        for line in run(*args).splitlines():
            m = re.match(r"Symbol table '(\S+)'", line)
            if m:
                table = m.group(1)
                rows.setdefault(table, [])
                continue
            m = SYM_RE.match(line)
            if not m or table not in allowed:
                continue
            rows[table].append(m.groups())
        for t, lst in rows.items():
            if not demangle:
                out[t] = [list(r) for r in lst]
            else:
                for i, r in enumerate(lst):
                    out[t][i].append(r[7] or "")
    res = {}
    for t, lst in out.items():
        res[t] = []
        for r in lst:
            num, value, size, typ, bind, vis, ndx, raw, dem = r
            raw = raw or ""
            size = int(size, 16) if size.startswith("0x") else int(size)
            res[t].append((int(value, 16), size, typ, bind, vis, ndx, raw, dem))
    return res


def plain(name):
    # versions: "memcpy@@GLIBC_2.14" (readelf adds them to .dynsym names),
    # "memcpy@GLIBC_2.2.5" (literal in .symtab)
    i = name.find("@")
    return name[:i] if i > 0 else name


CLONE = re.compile(r"(\.(part|constprop|isra|cold|lto_priv|localalias)(\.\d+)?)+$"
                   r"|( \[clone \.[a-z_]+(\.\d+)?\])+$")
BIND = {"GLOBAL": 0, "UNIQUE": 0, "WEAK": 1}
SRC = {"dynsym": 1, "symtab": 2, "debuginfo": 3}


def reference(path):
    tabs = []
    syms = symbols(path, {".symtab", ".dynsym"})
    for t, lst in syms.items():
        tabs.append(("symtab" if t == ".symtab" else "dynsym", lst))
    bid = build_id(path)
    debug = None
    if bid:
        d = f"/usr/lib/debug/.build-id/{bid[:2]}/{bid[2:]}.debug"
        if os.path.exists(d):
            debug = d
            for t, lst in symbols(d, {".symtab"}).items():
                tabs.append(("debuginfo", lst))
    entries = []
    for src, lst in tabs:
        for value, size, typ, bind, vis, ndx, raw, dem in lst:
            if typ not in ("FUNC", "IFUNC") or ndx == "UND" or size == 0:
                continue
            raw = plain(raw)
            if not raw:
                continue
            dem = plain(dem) if dem else raw
            b = BIND.get(bind, 2)
            entries.append({"start": value, "end": value + size, "raw": raw, "dem": dem,
                            "bind": b,
                            "exported": b < 2 and vis not in ("HIDDEN", "INTERNAL"),
                            "src": src})
    rows = {}
    for e in entries:
        rows.setdefault((e["start"], e["end"]), []).append(e)
    table = []
    for (start, end), al in rows.items():
        # docs/stacks.md: exported, fewest leading underscores, global
        # before weak, shortest, bytes; then the best source
        al.sort(key=lambda e: (not e["exported"], len(e["raw"]) - len(e["raw"].lstrip("_")),
                               e["bind"], len(e["raw"]), e["raw"].encode(), -SRC[e["src"]]))
        table.append((start, end, al))
    table.sort(key=lambda r: (r[0], -r[1]))
    return table, bid, debug


def lookup(table, starts, addr):
    import bisect
    i = bisect.bisect_right(starts, addr) - 1
    best = None
    # the innermost covering range: greatest start, then smallest end
    while i >= 0:
        s, e, al = table[i]
        if s <= addr < e:
            if best is None or (s, -e) > (best[0], -best[1]):
                best = table[i]
        if best is not None and s < best[0]:
            break
        if addr - s > (1 << 24):  # far below: no function is that large here
            break
        i -= 1
    return best


def check_lib(lib, rnd):
    segs = segments(lib)
    table, bid, debug = reference(lib)
    starts = [r[0] for r in table]
    exec_segs = [s for s in segs if s[3]]
    offs = []
    for _ in range(COUNT):
        if rnd.random() < 0.9 and exec_segs:
            o, sz, _, _ = rnd.choice(exec_segs)
        else:
            o, sz, _, _ = rnd.choice(segs)
        offs.append(o + rnd.randrange(sz))
    # function starts and last bytes: the boundaries
    for s, e, al in rnd.sample(table, min(len(table), COUNT // 10)):
        for va in (s, e - 1, e):
            for o, sz, v, ex in segs:
                if v <= va < v + sz:
                    offs.append(va - v + o)
    out = run(RTI, "symbolize", "--elf", lib, stdin="".join(f"0x{o:x}\n" for o in offs))
    frames = [json.loads(l) for l in out.splitlines()]
    name = os.path.basename(lib)
    tap(len(frames) == len(offs), f"{name}: one frame per offset ({len(offs)})")
    if len(frames) != len(offs):
        return
    bad, cid_bad, named = [], [], 0
    want_cid = f"gnu-build-id:{bid}" if bid else None
    a2l_q = []
    for off, f in zip(offs, frames):
        if want_cid and f["code_id"] != want_cid:
            cid_bad.append(f"{off:#x}: code_id {f['code_id']}")
        addr = off2addr(segs, off)
        row = lookup(table, starts, addr) if addr is not None else None
        if row is None:
            if "symbol" in f:
                bad.append(f"{off:#x}: we say {f['symbol']!r}, binutils: no covering function")
            continue
        s, e, al = row
        best = al[0]
        named += 1
        got = (f.get("symbol"), f.get("symbol_offset"), f.get("resolved_by"))
        want = (best["dem"], hex(addr - s), best["src"])
        if got != want:
            bad.append(f"{off:#x} (vaddr {addr:#x}): got {got}, want {want}")
        a2l_q.append((addr, {a["dem"] for a in al} | {a["raw"] for a in al}))
    tap(not cid_bad, f"{name}: code_id {want_cid}", cid_bad)
    tap(not bad, f"{name}: {named} symbols agree with readelf"
        f"{' + ' + os.path.basename(debug) if debug else ''}", bad)
    # addr2line, where it names exactly one function
    out = run("addr2line", "-a", "-f", "-i", "-C", "-e", lib,
              stdin="".join(f"{a:#x}\n" for a, _ in a2l_q))
    groups, cur = [], None
    for line in out.splitlines():
        if re.match(r"^0x[0-9a-f]+$", line):
            cur = []
            groups.append(cur)
        elif cur is not None:
            cur.append(line)
    a2l_bad, compared = [], 0
    for (addr, names), g in zip(a2l_q, groups):
        funcs = g[0::2]
        if len(funcs) != 1 or funcs[0] == "??":
            continue  # inlined, or no name
        compared += 1
        fn = funcs[0]
        # addr2line names a GCC clone (foo.part.0, foo.constprop.0, ...)
        # by its origin's DWARF name: we keep the symbol table's name
        bases = names | {CLONE.sub("", n) for n in names}
        if fn not in bases:
            a2l_bad.append(f"{addr:#x}: addr2line {fn!r} not among {sorted(names)[:4]}")
    tap(len(groups) == len(a2l_q) and not a2l_bad,
        f"{name}: addr2line agrees on {compared} non-inlined addresses", a2l_bad)


rnd = random.Random(SEED)
for lib in LIBS:
    if os.path.exists(lib):
        check_lib(lib, rnd)
print(f"1..{n_ok + n_fail}")
sys.exit(1 if n_fail else 0)
