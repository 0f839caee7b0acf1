#!/usr/bin/env python3
"""What Signals would hold after receiving the batches in DIR... (files
<id>.ndjson and <id>.path written by signals-check), deduplicated by batch
id (the Idempotency-Key, the file name), compared with the hot index's
counts (EXPORT: `hot export --format signals-ndjson`).

  signals_sums.py --export EXPORT [--map MAP]... [--require] [--mapped DIR]... DIR...

Checks every batch too: lines sorted by symbolId (byte order), one scope
per batch, the path's imageDigest = the scope's digest, source=stella-rti;
for the batches of a --mapped DIR, callgraphId = one of the maps' ids of
the digest (absent when no map has it). Exits 0 when Signals' per-symbol
sums equal the index's counts for every image scope (with --require: every
image scope some map names)."""
import glob
import json
import os
import re
import sys
from urllib.parse import parse_qs, urlsplit

IMAGE = re.compile(r'^image:(sha256:[0-9a-f]{64})$')


def fail(msg):
    print(msg)
    sys.exit(1)


def load_map(path):
    m = {}
    for line in open(path):
        line = line.split('#')[0].strip()
        if line:
            k, v = line.rsplit(': ', 1)
            v = v.strip()
            m[k.strip()] = json.loads(v) if v.startswith('"') else v
    return m


def main():
    args = sys.argv[1:]
    export, cmap, require, dirs, mapped = None, {}, False, [], set()
    while args:
        a = args.pop(0)
        if a == '--export':
            export = args.pop(0)
        elif a == '--map':
            for k, v in load_map(args.pop(0)).items():
                cmap.setdefault(k, set()).add(v)
        elif a == '--mapped':
            d = args.pop(0)
            mapped.add(d)
            dirs.append(d)
        elif a == '--require':
            require = True
        else:
            dirs.append(a)
    got, seen = {}, set()
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, '*.ndjson'))):
            bid = os.path.basename(f)
            if bid in seen:
                continue
            seen.add(bid)
            body = open(f, 'rb').read()
            lines = body.split(b'\n')
            if lines[-1] != b'':
                fail(f'{bid}: body does not end with a newline')
            recs = [json.loads(x) for x in lines[:-1]]
            ids = [r['symbolId'].encode() for r in recs]
            if ids != sorted(ids):
                fail(f'{bid}: lines not sorted by symbolId')
            scopes = {r['metadata']['scope'] for r in recs}
            if len(scopes) != 1:
                fail(f'{bid}: {len(scopes)} scopes in one batch')
            scope = scopes.pop()
            m = IMAGE.match(scope)
            if not m:
                fail(f'{bid}: not an image scope: {scope}')
            path = open(f[:-7] + '.path').read()
            u = urlsplit(path)
            q = parse_qs(u.query)
            if u.path != '/signals/runtime-facts/ndjson' or q.get('imageDigest') != [m.group(1)] \
                    or q.get('source') != ['stella-rti']:
                fail(f'{bid}: bad path {path}')
            want_cg = cmap.get(m.group(1), {None})
            if d in mapped and q.get('callgraphId', [None])[0] not in want_cg:
                fail(f'{bid}: callgraphId {q.get("callgraphId")} not in {want_cg}')
            for r in recs:
                k = (scope, r['symbolId'])
                got[k] = got.get(k, 0) + r['hitCount']
    want = {}
    for line in open(export):
        r = json.loads(line)
        scope = r['metadata']['scope']
        m = IMAGE.match(scope)
        if not m or (require and m.group(1) not in cmap):
            continue
        k = (scope, r['symbolId'])
        want[k] = want.get(k, 0) + r['hitCount']
    bad = [k for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
    for k in bad[:10]:
        print(f'# {k}: signals {got.get(k)} index {want.get(k)}')
    if bad:
        fail(f'{len(bad)} symbols differ')
    print(f'{len(seen)} batches, {len(want)} symbols, {sum(want.values())} hits: equal')


main()
