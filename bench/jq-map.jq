# Benchmark anchor, not product code: the field mapping of `stella-rti
# convert` done with `jq -c`, as a baseline. It maps what convert maps
# (probe type from the event kind, process, parent, container, node, time,
# stack frames to {space, module, offset, symbol} with hex offsets) but
# without policies, privacy paths, canonical key order or event ids.
def hex: if . < 16 then "0123456789abcdef"[.:. + 1]
         else ((. / 16 | floor) | hex) + ("0123456789abcdef"[(. % 16):(. % 16) + 1]) end;
def h: "0x" + (tonumber | hex);
def kinds: ["process_exec", "process_exit", "process_kprobe", "process_uprobe",
            "process_tracepoint", "process_lsm", "process_usdt"];
def clean: with_entries(select(.value != null and .value != "" and .value != [] and .value != {}));

. as $e
| (kinds | map(select($e[.] != null)) | .[0]) as $kind
| select($kind != null)
| $e[$kind] as $b
| {
    schema: "stellaops.runtime-call-event.v1",
    time: $e.time,
    node: $e.node_name,
    cluster: $e.cluster_name,
    probe: ({
      type: (if $kind == "process_kprobe" then (if $b.return then "kretprobe" else "kprobe" end)
             elif $kind == "process_uprobe" then "uprobe"
             elif $kind == "process_tracepoint" then "tracepoint"
             elif $kind == "process_lsm" then "lsm"
             elif $kind == "process_usdt" then "usdt"
             else $kind end),
      symbol: ($b.function_name // $b.symbol),
      module: $b.path,
      subsystem: $b.subsys,
      event: $b.event,
      provider: $b.provider,
      name: $b.name,
      action: ($b.action // "" | ascii_downcase | ltrimstr("kprobe_action_"))
    } | clean),
    process: ($b.process // {} | {exec_id, pid, tid, uid, binary, start_time, parent_exec_id} | clean),
    parent: ($b.parent // {} | {exec_id, binary} | clean),
    container: ($b.process.pod // null
      | if . == null then null else {
          id: .container.id,
          name: .container.name,
          image: {name: .container.image.name,
                  digest: (.container.image.id // "" | split("@") | .[1])},
          pod: ({namespace, name, workload, workload_kind} | clean)
        } | clean end),
    stack: ((($b.kernel_stack_trace // $b.stack_trace // [])
             | map({space: "kernel", module: "[kernel]", offset: (.offset // "0" | h), symbol} | clean))
          + (($b.user_stack_trace // [])
             | map({space: "user", module: .module, offset: (.offset // "0" | h), symbol} | clean))),
    exit: (if $kind == "process_exit" then ({status: ($b.status // 0), signal: $b.signal} | clean) else null end),
    policy: $b.policy_name,
    source: {agent: "tetragon", kind: $kind}
  }
| clean
