#!/usr/bin/python3
"""Validates every line of NDJSON files against the RuntimeCallEvent schema,
and checks what JSON Schema cannot: canonical form (RFC 8785 key order, no
whitespace) and that event_id / frame_id are the hashes the spec defines.

--ext: also accepts the fields that privacy profiles other than strict may
emit and the v1 schema does not declare yet (docs/privacy.md, "Where kept
fields go"): process/parent arguments, cwd, environment, user; pod labels
and annotations; typed probe.args elements."""
import hashlib
import json
import sys

import jsonschema

args = sys.argv[1:]
ext = args[:1] == ["--ext"]
if ext:
    args = args[1:]
schema = json.load(open(args[0]))
if ext:
    text = {"type": "string", "minLength": 1}
    smap = {"type": "object", "minProperties": 1, "additionalProperties": text}
    extra = {"arguments": text, "cwd": text, "environment": smap, "user": text}
    schema["$defs"]["proc"]["properties"].update(extra)
    schema["properties"]["parent"]["properties"].update(extra)
    pod = schema["properties"]["container"]["properties"]["pod"]["properties"]
    pod.update({"labels": smap, "annotations": smap})
    arg = {"type": "object", "additionalProperties": False, "required": ["index", "type"],
           "properties": {"index": {"type": "integer", "minimum": 0},
                          "type": {"enum": ["int", "sock", "file", "string"]},
                          "value": {"type": ["integer", "string"]},
                          "path": text, "family": text, "protocol": text, "sock_type": text,
                          "sport": {"type": "integer", "minimum": 1, "maximum": 65535},
                          "dport": {"type": "integer", "minimum": 1, "maximum": 65535}}}
    schema["properties"]["probe"]["properties"]["args"]["items"] = arg
validator = jsonschema.Draft202012Validator(schema)
bad = 0
n = 0
for path in args[1:]:
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
