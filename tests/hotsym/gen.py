#!/usr/bin/python3
# Writes Tetragon JSON export lines for the hot symbol index tests:
#   gen.py SEED MIN_OBSERVATIONS OUT
# kprobe events with kernel and user stacks (repeated symbols, recursion)
# and uprobe events, in three container images and on two hosts. User
# modules live under /opt/rti-nonexistent so that their code_id is "path:..." on
# any machine (spec §6: the file cannot be read), under a prefix the
# strict privacy profile shows. The observation count is
# an estimate (§7 dedup happens in expected.py).
import hashlib
import json
import random
import sys
import time

seed, want, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)

KPATHS = [
    ["tcp_connect", "tcp_v4_connect", "__inet_stream_connect", "inet_stream_connect",
     "__sys_connect", "__x64_sys_connect", "do_syscall_64", "entry_SYSCALL_64_after_hwframe"],
    ["vfs_read", "ksys_read", "__x64_sys_read", "do_syscall_64"],
    ["security_file_permission", "vfs_write", "ksys_write", "__x64_sys_write", "do_syscall_64"],
    ["commit_creds", "__sys_setresuid", "__x64_sys_setresuid", "do_syscall_64"],
    ["do_filp_open", "do_sys_openat2", "__x64_sys_openat", "do_syscall_64"],
]
MODULES = ["/opt/rti-nonexistent/lib/libc.so.6", "/opt/rti-nonexistent/lib/libssl.so.3",
           "/opt/rti-nonexistent/app/server", "/opt/rti-nonexistent/lib/lib with space.so",
           "/opt/rti-nonexistent/lib/libbang!.so"]
USYMS = ["main", "run_loop", "handle_request", "SSL_write", "SSL_read", "read", "write",
         "__libc_start_main", "malloc", "parse_json", "ns::Class::method()", "operator!=",
         "tail_call", "épée_ünïcode"] + ["fn_%03d" % i for i in range(120)]
IMAGES = ["registry.example.com/shop/app@sha256:" + hashlib.sha256(b"%d-%d" % (seed % 2, i)).hexdigest()
          for i in range(3)]
NODES = ["node-a.example.internal", "node-b.example.internal"]


def proc(pid):
    p = {"exec_id": "ZXhlYzo%d" % pid, "pid": pid, "uid": 0, "binary": "/opt/rti-nonexistent/app/server",
         "start_time": "2026-11-20T10:00:00Z", "tid": pid}
    img = rnd.randrange(len(IMAGES) + 1)
    if img < len(IMAGES):
        p["pod"] = {"namespace": "shop", "name": "app-1",
                    "container": {"id": "containerd://" + "%064x" % (img + 7), "name": "app",
                                  "image": {"id": IMAGES[img], "name": "registry.example.com/shop/app:1"}}}
    return p


def ustack():
    frames = []
    for _ in range(rnd.randrange(0, 7)):
        f = {"offset": str(rnd.randrange(1, 1 << 20)), "module": rnd.choice(MODULES)}
        if rnd.random() < 0.9:
            f["symbol"] = rnd.choice(USYMS)
        frames.append(f)
    if frames and rnd.random() < 0.1:
        frames.append(dict(frames[0]))  # recursion: counted once per event
    return frames


t = 1795000000 + seed * 100000
n = 0
with open(out, "w") as o:
    while n < want:
        t += rnd.randrange(1, 3)
        ns = rnd.randrange(10**9)
        ev = {"node_name": rnd.choice(NODES),
              "time": "%s.%09dZ" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)), ns)}
        if rnd.random() < 0.85:
            path = rnd.choice(KPATHS)
            k = {"process": proc(rnd.randrange(100, 200)), "function_name": path[0],
                 "action": "KPROBE_ACTION_POST", "policy_name": "gen",
                 "kernel_stack_trace": [{"offset": str(rnd.randrange(1, 400)), "symbol": s} for s in path],
                 "user_stack_trace": ustack()}
            if not k["user_stack_trace"]:
                del k["user_stack_trace"]
            ev["process_kprobe"] = k
            n += len(path) + len(k.get("user_stack_trace", []))
        else:
            ev["process_uprobe"] = {"process": proc(rnd.randrange(100, 200)),
                                    "path": rnd.choice(MODULES[:3]), "symbol": rnd.choice(USYMS[:8]),
                                    "policy_name": "gen"}
            n += 1
        o.write(json.dumps(ev) + "\n")
