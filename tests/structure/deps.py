#!/usr/bin/env python3
"""Module dependency checks on the built objects.

A module is one .c file of src/ (its object file). A -> B when A's object
uses a symbol that B's object defines (nm), which is what an include of B's
header is for. This sees a dependency however the header is reached.

  deps.py OBJDIR cycles    modules that depend on each other, directly or not
  deps.py OBJDIR folders   src/ folders that depend on each other
Prints what it finds and exits 1 if anything was found.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph import sccs  # noqa: E402


def objects(objdir):
    for d, _, names in os.walk(os.path.join(objdir, 'src')):
        for n in sorted(names):
            if n.endswith('.o') and not n.endswith('.pb-c.o'):
                yield os.path.join(d, n)


def graph(objdir):
    defs, uses = {}, {}
    for o in objects(objdir):
        m = os.path.relpath(o, objdir)[:-2]
        out = subprocess.run(['nm', '--defined-only', '-g', o], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3:
                defs.setdefault(parts[2], m)
        out = subprocess.run(['nm', '-u', o], capture_output=True, text=True,
                             check=True).stdout
        uses[m] = {line.split()[-1] for line in out.splitlines() if line.strip()}
    g = {m: set() for m in uses}
    for m, syms in uses.items():
        for s in syms:
            d = defs.get(s)
            if d and d != m:
                g[m].add(d)
    return g




def main():
    objdir, what = sys.argv[1], sys.argv[2]
    g = graph(objdir)
    if what == 'folders':
        fg = {}
        for a, bs in g.items():
            for b in bs:
                fa, fb = a.split(os.sep)[1], b.split(os.sep)[1]
                if fa != fb:
                    fg.setdefault(fa, set()).add(fb)
        g = fg
    elif what == 'edges':
        for a in sorted(g):
            for b in sorted(g[a]):
                print(a, '->', b)
        return 0
    found = [' <-> '.join(c) for c in sccs(g)]
    for f in found:
        print(f)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
