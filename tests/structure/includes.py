#!/usr/bin/env python3
"""Include checks over src/, include/ and cmd/.

  includes.py cycles   headers that include each other, directly or not
  includes.py cmd      private (non include/rti/) headers included from cmd/

Dependency cycles between .c modules are checked on the objects by deps.py
(a header can be reached many ways; what an object uses is exact).
Prints what it finds and exits 1 if anything was found.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from graph import sccs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def files():
    for top in ('src', 'include', 'cmd'):
        for d, _, names in os.walk(os.path.join(ROOT, top)):
            for n in sorted(names):
                if n.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(d, n), ROOT)


def resolve(frm, name):
    for cand in (os.path.join(os.path.dirname(frm), name), os.path.join('src', name),
                 os.path.join('include', name)):
        if os.path.exists(os.path.join(ROOT, cand)):
            return os.path.normpath(cand)
    return None


def includes():
    g = {}
    for f in files():
        text = open(os.path.join(ROOT, f), encoding='utf-8', errors='replace').read()
        g[f] = {r for r in (resolve(f, n) for n in INC.findall(text)) if r}
    return g




def main():
    what = sys.argv[1] if len(sys.argv) > 1 else 'cycles'
    g = includes()
    found = []
    if what == 'cycles':
        hg = {a: {b for b in bs if b.endswith('.h')} for a, bs in g.items() if a.endswith('.h')}
        found = [' <-> '.join(c) for c in sccs(hg)]
    elif what == 'cmd':
        for a, bs in sorted(g.items()):
            if a.startswith('cmd' + os.sep):
                for b in sorted(bs):
                    if not b.startswith(('cmd' + os.sep, 'include' + os.sep)):
                        found.append(f'{a} includes {b}')
    else:
        print(__doc__)
        return 2
    for f in found:
        print(f)
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
