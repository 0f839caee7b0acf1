#!/usr/bin/python3
# The hot symbol index that canonical RuntimeCallEvent lines must give
# (spec §7), computed independently of the C code: reads NDJSON from the
# files given (`stella-rti convert` output), writes what
# `stella-rti hot top --limit 0 --format json` must print.
import json
import sys

idx = {}
for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        ev = json.loads(line)
        probe = ev["probe"]
        ptype = probe["type"]
        img = ev.get("container", {}).get("image", {}).get("digest")
        scope = "image:" + img if img else "host:" + ev.get("node", "unknown")
        obs = {}

        def put(k, m):
            # once per event; the smallest module name wins (order-free)
            if k not in obs or (m is not None and (obs[k] is None or m < obs[k])):
                obs[k] = m

        for f in ev.get("stack", []):
            if "symbol" not in f:
                continue
            if f["space"] == "kernel":
                put(("kernel", f["symbol"]), f.get("module"))
            elif "code_id" in f:
                put((f["code_id"], f["symbol"]), f.get("module"))
        if ptype in ("uprobe", "uretprobe") and "symbol" in probe and "code_id" in probe:
            put((probe["code_id"], probe["symbol"]), probe.get("module"))
        if ptype in ("kprobe", "kretprobe", "fentry", "fexit", "lsm") and "symbol" in probe:
            put(("kernel", probe["symbol"]), "[kernel]")
        for (code_id, sym), module in obs.items():
            key = (scope, code_id, sym)
            e = idx.get(key)
            if not e:
                e = idx[key] = {"scope": scope, "code_id": code_id, "symbol": sym,
                                "symbol_id": code_id + "!" + sym, "hit_count": 0,
                                "first_seen": ev["time"], "last_seen": ev["time"],
                                "probe_types": set(), "module": module}
            e["hit_count"] += 1
            e["first_seen"] = min(e["first_seen"], ev["time"])
            e["last_seen"] = max(e["last_seen"], ev["time"])
            e["probe_types"].add(ptype)
            if module and (e["module"] is None or module < e["module"]):
                e["module"] = module

rows = []
for e in idx.values():
    e["probe_types"] = sorted(e["probe_types"])
    if e["module"] is None:
        del e["module"]
    rows.append(e)
rows.sort(key=lambda e: (-e["hit_count"], e["scope"].encode(), e["code_id"].encode(),
                         e["symbol"].encode()))
sys.stdout.write(json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
