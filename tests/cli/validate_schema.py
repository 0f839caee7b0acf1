#!/usr/bin/python3
"""Validates every line of NDJSON files against the RuntimeCallEvent schema,
and checks what JSON Schema cannot: canonical form (RFC 8785 key order, no
whitespace) and that event_id / frame_id are the hashes the spec defines."""
import hashlib
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
bad = 0
n = 0
for path in sys.argv[2:]:
    for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
        n += 1
        ev = json.loads(line)
        errs = list(validator.iter_errors(ev))
        canon = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
        body = dict(ev)
        eid = body.pop("event_id", "")
        want_id = "sha256:" + hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()
        problems = [e.message for e in errs]
        if canon != line:
            problems.append("not canonical JSON")
        if eid != want_id:
            problems.append("event_id %s != %s" % (eid, want_id))
        for f in ev.get("stack", []):
            ident = (f["code_id"] + "@" + f["offset"]) if f["space"] == "user" else \
                ("kernel!" + f.get("symbol", "") + "+" + f["offset"])
            if f["frame_id"] != "sha256:" + hashlib.sha256(ident.encode()).hexdigest()[:32]:
                problems.append("frame_id of %s" % ident)
        if problems:
            bad += 1
            print("%s:%d: %s" % (path, lineno, "; ".join(problems[:3])))
print("validated %d lines, %d bad" % (n, bad))
sys.exit(1 if bad or n == 0 else 0)
