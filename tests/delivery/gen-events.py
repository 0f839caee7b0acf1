#!/usr/bin/env python3
"""Writes N distinct Tetragon JSON events for the delivery tests: the
fixture's events in turn, each with its own "time" (base + i ms), so every
canonical event has its own event_id. Usage: gen-events.py FIXTURE N FIRST OUT"""
import datetime
import json
import sys

fixture, n, first, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
src = [json.loads(l) for l in open(fixture) if l.strip()]
base = datetime.datetime(2026, 11, 21, 8, 0, 0, tzinfo=datetime.timezone.utc)
with open(out, 'w') as f:
    for i in range(first, first + n):
        ev = dict(src[i % len(src)])
        t = base + datetime.timedelta(milliseconds=i)
        ev['time'] = t.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
        f.write(json.dumps(ev, separators=(',', ':')) + '\n')
