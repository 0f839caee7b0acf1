#!/usr/bin/python3
# An independent gRPC server for stella-rti's client tests: grpcio (the
# Python binding of gRPC core, Debian's python3-grpcio) serving
# tetragon.FineGuidanceSensors/GetEvents with messages from a capture file
# (docs/capture-format.md) or built here. It is the peer the C client is
# tested against; it shares no code with stella-rti.
#
#   peer.py --pb DIR --listen unix:PATH|HOST:PORT [--capture FILE] ...
#
# DIR holds the _pb2 modules generated from proto/ by grpc_tools.protoc.
import argparse
import os
import signal
import struct
import sys
import threading
import time
from concurrent import futures

ap = argparse.ArgumentParser()
ap.add_argument("--pb", required=True)
ap.add_argument("--listen", required=True)
ap.add_argument("--ready", help="file written (with the address) once serving")
ap.add_argument("--capture", help="messages to serve (capture format)")
ap.add_argument("--repeat", type=int, default=1)
ap.add_argument("--after", default="hold",
                help="when the messages are sent: hold | end | stop | kill | cancel | abort:CODE:MSG")
ap.add_argument("--trailers-only", help="CODE:MSG: fail every call before any message")
ap.add_argument("--gzip", action="store_true", help="compress responses")
ap.add_argument("--big", type=int, default=0, help="first send one event of this many bytes")
ap.add_argument("--delay", type=float, default=0.0, help="seconds between messages")
ap.add_argument("--request-out", help="write the received GetEventsRequest (JSON) here")
ap.add_argument("--ping-strikes", type=int, default=-1,
                help="grpc.http2.max_ping_strikes (default: grpc's own policy)")
ap.add_argument("--max-calls", type=int, default=0, help="exit after this many calls ended")
args = ap.parse_args()

sys.path.insert(0, args.pb)
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from tetragon import events_pb2  # noqa: E402

MAGIC = b"\x89RTICAP\n"


def read_capture(path):
    msgs = []
    with open(path, "rb") as f:
        hdr = f.read(16)
        if hdr[:8] != MAGIC:
            sys.exit("peer: %s: not a capture file" % path)
        hl = struct.unpack(">H", hdr[10:12])[0]
        f.seek(hl)
        while True:
            h = f.read(16)
            if not h:
                break
            n, typ = struct.unpack(">IB", h[:5])
            body = f.read(n)
            if typ == 1:
                msgs.append(body)
    return msgs


msgs = read_capture(args.capture) if args.capture else []
if args.big:
    big = events_pb2.GetEventsResponse()
    big.node_name = "peer"
    big.time.FromJsonString("2026-11-20T10:00:00.5Z")
    k = big.process_kprobe
    k.function_name = "big_event"
    k.process.binary = "/usr/bin/big"
    k.process.arguments = "x" * args.big
    msgs.insert(0, big.SerializeToString())

calls_ended = 0
lock = threading.Lock()
stop_event = threading.Event()


def ended():
    global calls_ended
    with lock:
        calls_ended += 1
        if args.max_calls and calls_ended >= args.max_calls:
            stop_event.set()


def get_events(request, context):
    if args.request_out:
        with open(args.request_out, "w") as f:
            f.write(json_format.MessageToJson(request, preserving_proto_field_name=True,
                                              sort_keys=True))
    if args.trailers_only:
        code, msg = args.trailers_only.split(":", 1)
        ended()
        context.abort(grpc.StatusCode[code], msg)
    try:
        for _ in range(args.repeat):
            for m in msgs:
                if not context.is_active():
                    return
                yield m
                if args.delay:
                    time.sleep(args.delay)
        act = args.after
        if act == "end":
            return
        if act.startswith("abort:"):
            _, code, msg = act.split(":", 2)
            context.abort(grpc.StatusCode[code], msg)
        if act == "cancel":
            # the server side cancels the call: status CANCELLED
            context.cancel()
            return
        if act == "stop":
            stop_event.set()
        if act == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        while context.is_active() and not stop_event.is_set():
            time.sleep(0.05)
    finally:
        ended()


def main():
    opts = [("grpc.so_reuseport", 0)]
    if args.ping_strikes >= 0:
        opts.append(("grpc.http2.max_ping_strikes", args.ping_strikes))
    comp = grpc.Compression.Gzip if args.gzip else grpc.Compression.NoCompression
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), options=opts,
                         compression=comp, maximum_concurrent_rpcs=None)
    handler = grpc.method_handlers_generic_handler(
        "tetragon.FineGuidanceSensors",
        {"GetEvents": grpc.unary_stream_rpc_method_handler(
            get_events,
            request_deserializer=events_pb2.GetEventsRequest.FromString,
            response_serializer=lambda b: b)})
    server.add_generic_rpc_handlers((handler,))
    if args.listen.startswith("unix:"):
        server.add_insecure_port(args.listen)
        addr = "unix://" + args.listen[5:] if args.listen[5:].startswith("/") else args.listen
    else:
        host = args.listen.rsplit(":", 1)[0]
        port = server.add_insecure_port(args.listen)
        addr = "%s:%d" % (host, port)
    server.start()
    if args.ready:
        with open(args.ready + ".tmp", "w") as f:
            f.write(addr + "\n")
        os.rename(args.ready + ".tmp", args.ready)
    signal.signal(signal.SIGTERM, lambda *a: stop_event.set())
    signal.signal(signal.SIGINT, lambda *a: stop_event.set())
    while not stop_event.is_set():
        stop_event.wait(0.1)
    server.stop(0).wait(2)


main()
