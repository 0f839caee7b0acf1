#!/usr/bin/python3
# Deterministic Tetragon-like process_kprobe events with kernel and user
# stacks, in the JSON export format (protojson), for bench/grpc/run.sh.
# stella-rti replay encodes them to GetEventsResponse messages. Stacks come
# from a pool of call paths (hot code repeats in real workloads); process,
# pod, time and ids vary per event.
#
#   gen-kprobe.py [--events N] [--seed S] > events.jsonl
import argparse
import base64
import json
import random

ap = argparse.ArgumentParser()
ap.add_argument("--events", type=int, default=4096)
ap.add_argument("--seed", type=int, default=42)
args = ap.parse_args()
rnd = random.Random(args.seed)

HOOKS = [
    ("tcp_connect", ["tcp_v4_connect", "__inet_stream_connect", "inet_stream_connect",
                     "__sys_connect", "__x64_sys_connect"]),
    ("security_file_permission", ["rw_verify_area", "vfs_read", "ksys_read", "__x64_sys_read"]),
    ("security_bprm_check", ["search_binary_handler", "exec_binprm", "bprm_execve",
                             "do_execveat_common", "__x64_sys_execve"]),
    ("tcp_sendmsg", ["inet_sendmsg", "sock_sendmsg", "__sys_sendto", "__x64_sys_sendto"]),
    ("__x64_sys_openat", ["do_syscall_64"]),
]
LIBS = [
    ("/usr/lib/x86_64-linux-gnu/libc.so.6", ["__libc_start_call_main", "__connect", "__read",
                                             "__libc_write", "malloc", "__GI___poll"]),
    ("/usr/lib/x86_64-linux-gnu/libssl.so.3", ["SSL_write", "SSL_read", "ssl3_write_bytes"]),
    ("/usr/lib/x86_64-linux-gnu/libcrypto.so.3", ["EVP_EncryptUpdate", "BIO_write"]),
    ("/app/bin/server", ["main", "handle_request", "serve_conn", "db_query"]),
]
APPS = ["checkout", "payments", "frontend", "cart", "search"]


def call_path(prng):
    hook, callers = HOOKS[prng.randrange(len(HOOKS))]
    kstack = [{"offset": str(prng.randrange(1, 600)), "symbol": hook}]
    for c in callers:
        kstack.append({"offset": str(prng.randrange(1, 600)), "symbol": c})
    kstack += [{"offset": str(prng.randrange(1, 300)), "symbol": "do_syscall_64"},
               {"offset": "118", "symbol": "entry_SYSCALL_64_after_hwframe"}]
    ustack = []
    for _ in range(6 + prng.randrange(6)):
        mod, syms = LIBS[prng.randrange(len(LIBS))]
        ustack.append({"address": str(0x7f0000000000 + prng.randrange(1 << 30)),
                       "offset": str(prng.randrange(0x1000, 0x200000)),
                       "symbol": syms[prng.randrange(len(syms))], "module": mod})
    return hook, kstack, ustack


PATHS = [call_path(rnd) for _ in range(256)]


def exec_id(node, ktime, pid):
    return base64.b64encode(("%s:%d:%d" % (node, ktime, pid)).encode()).decode()


t0 = 1763460400
for i in range(args.events):
    node = "node-%d.example.internal" % (i % 3)
    app = APPS[i % len(APPS)]
    pid = 1000 + rnd.randrange(60000)
    ppid = pid - 1 - rnd.randrange(50)
    hook, kstack, ustack = PATHS[rnd.randrange(len(PATHS))]
    digest = "%064x" % rnd.getrandbits(256)
    proc = {
        "exec_id": exec_id(node, 10000000000 + i, pid), "pid": pid, "uid": 1000,
        "cwd": "/app", "binary": "/app/bin/server", "arguments": "--port 8080",
        "flags": "execve clone", "start_time": "2026-11-18T10:00:00.%09dZ" % (i * 7919 % 10**9),
        "auid": 4294967295,
        "pod": {"namespace": app, "name": "%s-7d9f8b6c4-%05d" % (app, i % 97),
                "container": {"id": "containerd://" + digest, "name": app,
                              "image": {"id": "registry.example.com/%s@sha256:%s" % (app, digest),
                                        "name": "registry.example.com/%s:1.4.2" % app},
                              "start_time": "2026-11-18T09:59:58Z", "pid": 16},
                "pod_labels": {"app": app}, "workload": app, "workload_kind": "Deployment"},
        "docker": digest[:31], "parent_exec_id": exec_id(node, 9000000000 + i, ppid),
        "tid": pid,
    }
    ev = {"process_kprobe": {
        "process": proc,
        "parent": {"exec_id": exec_id(node, 9000000000 + i, ppid), "pid": ppid, "uid": 1000,
                   "binary": "/usr/bin/bash", "start_time": "2026-11-18T09:59:59Z"},
        "function_name": hook,
        "args": [{"sock_arg": {"family": "AF_INET", "type": "SOCK_STREAM",
                               "protocol": "IPPROTO_TCP", "saddr": "10.0.0.12",
                               "daddr": "10.0.0.99", "sport": 40000 + i % 20000,
                               "dport": 5432}}],
        "action": "KPROBE_ACTION_POST", "policy_name": "connect-stacks",
        "kernel_stack_trace": kstack, "user_stack_trace": ustack},
        "node_name": node,
        "time": "2026-11-18T11:%02d:%02d.%09dZ" % (i // 3600 % 60, i // 60 % 60, i * 104729 % 10**9),
        "cluster_name": "prod-eu-1"}
    print(json.dumps(ev, separators=(",", ":")))
