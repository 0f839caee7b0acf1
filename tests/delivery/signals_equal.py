#!/usr/bin/env python3
"""Signals' totals (the receiver's DIR/signals.json: hitCount summed per
"<imageDigest> <symbolId>", each Idempotency-Key once) against the hot
index (EXPORT: `hot export --format signals-ndjson`), image scopes only
(host scopes are never pushed). With --only FILE: just the digests listed.

  signals_equal.py SIGNALS_JSON EXPORT [--only FILE] [--quiet]

Exits 0 when they are equal, printing the totals; else 1 and a few
differences (as '# ' lines unless --quiet)."""
import json
import os
import re
import sys

IMAGE = re.compile(r'^image:(sha256:[0-9a-f]{64})$')
args = sys.argv[1:]
quiet = '--quiet' in args
only = None
if '--only' in args:
    i = args.index('--only')
    only = set(open(args[i + 1]).read().split())
    del args[i:i + 2]
args = [a for a in args if a != '--quiet']
got = json.load(open(args[0])) if os.path.exists(args[0]) else {}
want = {}
for line in open(args[1]):
    if not line.strip():
        continue
    r = json.loads(line)
    m = IMAGE.match(r['metadata']['scope'])
    if not m or (only is not None and m.group(1) not in only):
        continue
    k = '%s %s' % (m.group(1), r['symbolId'])
    want[k] = want.get(k, 0) + r['hitCount']
if only is not None:
    got = {k: v for k, v in got.items() if k.split(' ', 1)[0] in only}
bad = [k for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
if bad:
    if not quiet:
        for k in bad[:5]:
            print('#   %s: signals %s, index %s' % (k, got.get(k), want.get(k)))
        print('#   %d of %d symbols differ' % (len(bad), len(set(got) | set(want))))
    sys.exit(1)
if not quiet:
    print('# equal: %d symbols, %d hits' % (len(want), sum(want.values())))
sys.exit(0 if want else 1)
