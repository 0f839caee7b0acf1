#!/usr/bin/python3
"""Independent facts about an ELF file from binutils, for the stack tests.

  elfsym.py FILE NAME...    "NAME OFFSET SIZE": file offset of the function's
                            middle and its size (readelf -sW, readelf -lW)
  elfsym.py --build-id FILE the GNU build id (readelf -n)
  elfsym.py --demangled FILE RAW   the name `nm -C` gives RAW
"""
import re
import subprocess
import sys


def out(*a):
    return subprocess.run(a, capture_output=True, text=True, check=True).stdout


if sys.argv[1] == "--build-id":
    m = re.search(r"Build ID: ([0-9a-f]+)", out("readelf", "-n", sys.argv[2]))
    print(m.group(1) if m else "")
    sys.exit(0)
if sys.argv[1] == "--demangled":
    for line in out("nm", "-C", "--defined-only", sys.argv[2]).splitlines():
        pass
    raw = out("nm", "--defined-only", sys.argv[2]).splitlines()
    dem = out("nm", "-C", "--defined-only", sys.argv[2]).splitlines()
    for r, d in zip(raw, dem):
        if r.split(" ", 2)[2] == sys.argv[3]:
            print(d.split(" ", 2)[2])
            sys.exit(0)
    sys.exit(1)
path, names = sys.argv[1], sys.argv[2:]
segs = []
for line in out("readelf", "-lW", path).splitlines():
    p = line.split()
    if p and p[0] == "LOAD":
        segs.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
syms = {}
for line in out("readelf", "-sW", path).splitlines():
    p = line.split()
    if len(p) >= 8 and p[3] in ("FUNC", "IFUNC") and p[6] != "UND":
        size = int(p[2], 16) if p[2].startswith("0x") else int(p[2])
        syms.setdefault(p[7].split("@")[0], (int(p[1], 16), size))
for n in names:
    if n not in syms:
        print(f"{n} missing")
        continue
    va, size = syms[n]
    mid = va + size // 2
    for off, vaddr, filesz in segs:
        if vaddr <= mid < vaddr + filesz:
            print(f"{n} 0x{mid - vaddr + off:x} {size}")
            break
    else:
        print(f"{n} unmapped")
