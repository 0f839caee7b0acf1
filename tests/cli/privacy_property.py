#!/usr/bin/python3
"""Property test of the privacy stage: every string an event carries is
allowed by the profile (as `stella-rti privacy explain --json` prints it),
transformed as its rule says, or a fixed vocabulary / derived value.

usage: privacy_property.py EXPLAIN.json FILE.ndjson...
"""
import json
import re
import sys

rules = json.load(open(sys.argv[1]))
fields = rules["fields"]
prefixes = rules["prefixes"]
HMAC = re.compile(r"^hmac:[0-9a-f]{32}$")
HEX = re.compile(r"^0x(0|[1-9a-f][0-9a-f]*)$")
TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$")
ENUM = re.compile(r"^[A-Z][A-Z0-9_]*$")
CODE_ID = re.compile(r"^(gnu-build-id:[0-9a-f]+|file-sha256:[0-9a-f]{64}|kernel)$")
VOCAB = {
    "probe.type": {"kprobe", "kretprobe", "uprobe", "uretprobe", "tracepoint", "usdt",
                   "fentry", "fexit", "lsm", "process_exec", "process_exit"},
    "source.agent": {"tetragon"},
    "source.kind": {"process_exec", "process_exit", "process_kprobe", "process_tracepoint",
                    "process_uprobe", "process_lsm", "process_usdt"},
    "stack.space": {"kernel", "user"},
    "stack.resolved_by": {"agent", "symtab", "dynsym", "debuginfo", "kallsyms", "none"},
    "probe.args.type": {"int", "sock", "file", "string"},
    "schema": {"stellaops.runtime-call-event.v1"},
}
MASK = "[REDACTED]"


def normal_path(p):
    parts = p.split("/")
    return p.startswith("/") and all(c not in ("", ".", "..") for c in parts[1:])


def path_ok(rule, v):
    """A value of a path field: kept whole only under a prefix."""
    if v.startswith("[") and "/" not in v:
        return True  # pseudo paths: [vdso], [kernel]
    a = rule["action"]
    if a == "hash":
        return bool(HMAC.match(v))
    if a == "basename":
        return "/" not in v
    if a == "redact":
        return True  # the user's pattern, checked by the secret scan
    if a != "keep":
        return False
    if normal_path(v.replace(MASK, "x")) and any(v.startswith(p) for p in prefixes):
        return True
    o = rule.get("otherwise")
    return (o == "basename" and "/" not in v) or (o == "hash" and bool(HMAC.match(v)))


def value_ok(field, v, key=None):
    rule = fields.get(field)
    if rule is None:
        return "no rule for %s" % field
    kind, a = rule["kind"], rule["action"]
    if kind == "withheld":
        return "%s is always withheld but was emitted" % field
    if a == "drop" and kind != "scanned":
        return "%s is dropped by the profile but was emitted" % field
    if kind == "map":
        allow = rule.get("allow", [])
        if not any(key == k or (k.endswith("*") and key.startswith(k[:-1])) for k in allow):
            return "%s key %r not in the allowlist" % (field, key)
    if kind == "path":
        return None if path_ok(rule, v) else "%s value outside the path rules" % field
    if a == "hash" and not HMAC.match(v):
        return "%s should be an hmac token" % field
    if a == "basename" and "/" in v:
        return "%s should be a basename" % field
    return None


def check(ev, rel):
    errs = []
    name = rules["profile"]

    def bad(why):
        errs.append(why)

    for k in ("schema",):
        if ev.get(k) not in VOCAB[k]:
            bad("schema")
    if not TIME.match(ev["time"]):
        bad("time")
    pr = ev["privacy"]
    if pr["profile"] != name:
        bad("privacy.profile")
    for r in pr.get("redacted", []):
        if r not in fields:
            bad("privacy.redacted %r not in the vocabulary" % r)
    for k in ("agent", "kind"):
        if ev["source"][k] not in VOCAB["source." + k]:
            bad("source." + k)
    for k in ("cluster", "node", "policy"):
        if k in ev:
            w = value_ok(k, ev[k])
            w and bad(w)
    for who in ("process", "parent"):
        p = ev.get(who, {})
        for k, v in p.items():
            if k in ("pid", "tid", "uid"):
                continue
            if k == "start_time":
                TIME.match(v) or bad("start_time")
                continue
            f = "%s.%s" % (who, k)
            if k == "environment":
                for ek, evv in v.items():
                    w = value_ok(f, evv, ek)
                    w and bad(w)
                continue
            w = value_ok(f, v)
            w and bad(w)
    c = ev.get("container", {})
    for k in ("id", "name"):
        if k in c:
            w = value_ok("container." + k, c[k])
            w and bad(w)
    img = c.get("image", {})
    if "name" in img:
        w = value_ok("container.image.name", img["name"])
        w and bad(w)
    if "digest" in img and not re.match(r"^sha256:[0-9a-f]{64}$", img["digest"]):
        bad("image digest")
    pod = c.get("pod", {})
    for k, v in pod.items():
        f = "container.pod." + k
        if k in ("labels", "annotations"):
            for lk, lv in v.items():
                w = value_ok(f, lv, lk)
                w and bad(w)
        else:
            w = value_ok(f, v)
            w and bad(w)
    probe = ev["probe"]
    for k, v in probe.items():
        if k == "type":
            v in VOCAB["probe.type"] or bad("probe.type")
        elif k == "offset":
            HEX.match(v) or bad("probe.offset")
        elif k == "code_id":
            if not CODE_ID.match(v) and not (v.startswith("path:") and (
                    v[5:] in ("[private]", "[anon]") or v[5:] == probe.get("module"))):
                bad("probe.code_id %r not derived" % v)
        elif k == "args":
            for a in v:
                a["type"] in VOCAB["probe.args.type"] or bad("probe.args type")
                for ak, av in a.items():
                    if ak in ("index", "type", "sport", "dport") or (ak == "value" and a["type"] == "int"):
                        continue
                    if ak in ("family", "protocol", "sock_type"):
                        (ENUM.match(av) or MASK in av) or bad("probe.args %s %r" % (ak, av))
                        continue
                    w = value_ok("probe.args", av)
                    w and bad(w)
                    if ak == "path" and not path_ok(dict(fields["probe.args"], action=
                            "keep" if fields["probe.args"]["action"] == "keep" else
                            fields["probe.args"]["action"]), av):
                        bad("probe.args path outside the path rules")
        else:
            w = value_ok("probe." + k, v)
            w and bad(w)
    for f in ev.get("stack", []):
        f["space"] in VOCAB["stack.space"] or bad("stack.space")
        f["resolved_by"] in VOCAB["stack.resolved_by"] or bad("stack.resolved_by")
        HEX.match(f["offset"]) or bad("stack.offset")
        if "module" in f and f["space"] == "user":
            w = value_ok("stack.module", f["module"])
            w and bad(w)
        cid = f["code_id"]
        if not CODE_ID.match(cid) and not (cid.startswith("path:") and (
                cid[5:] in ("[private]", "[anon]") or cid[5:] == f.get("module"))):
            bad("stack.code_id %r not derived" % cid)
    ex = ev.get("exit", {})
    if "signal" in ex:
        (ENUM.match(ex["signal"]) or MASK in ex["signal"]) or bad("exit.signal")
    return errs


n = 0
bad_lines = 0
for path in sys.argv[2:]:
    for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
        n += 1
        errs = check(json.loads(line), path)
        if errs:
            bad_lines += 1
            if bad_lines <= 20:
                print("%s:%d: %s" % (path, lineno, "; ".join(sorted(set(errs))[:4])))
print("checked %d events under %s, %d violate the profile" % (n, rules["profile"], bad_lines))
sys.exit(1 if bad_lines or n == 0 else 0)
