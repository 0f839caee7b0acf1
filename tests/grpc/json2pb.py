#!/usr/bin/python3
# Converts Tetragon JSON (export lines or pretty-printed samples) to binary
# GetEventsResponse messages with google.protobuf.json_format and the _pb2
# modules generated from OUR protos, written as a capture file
# (docs/capture-format.md). The JSON records that were converted are also
# written, one per line, for `stella-rti convert`, so that both paths see
# the same records.
#
# Records json_format cannot represent are skipped and listed on stderr:
# event kinds that are not in the OSS API (process_connect, ...), which
# ignore_unknown_fields would turn into a message without any event.
#
#   json2pb.py --pb DIR --out CAPTURE --kept JSONL FILE...
import argparse
import json
import struct
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--pb", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--kept", required=True)
ap.add_argument("--roundtrip", action="store_true",
                help="write the kept records as protojson of the parsed message (what "
                     "Tetragon would export for it) instead of the input text")
ap.add_argument("files", nargs="+")
args = ap.parse_args()
sys.path.insert(0, args.pb)
from google.protobuf import json_format  # noqa: E402
from tetragon import events_pb2  # noqa: E402


def records(text):
    dec = json.JSONDecoder()
    i = 0
    n = len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return
        obj, i = dec.raw_decode(text, i)
        yield obj


kept = skipped = 0
with open(args.out, "wb") as out, open(args.kept, "w") as kf:
    out.write(b"\x89RTICAP\n" + struct.pack(">HHI", 1, 16, 0))
    for path in args.files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for obj in records(text):
            msg = events_pb2.GetEventsResponse()
            try:
                json_format.ParseDict(obj, msg, ignore_unknown_fields=True)
            except json_format.ParseError as e:
                print("json2pb: %s: skipped: %s" % (path, e), file=sys.stderr)
                skipped += 1
                continue
            if msg.WhichOneof("event") is None:
                print("json2pb: %s: skipped: no OSS event kind in %s" %
                      (path, sorted(obj.keys())), file=sys.stderr)
                skipped += 1
                continue
            body = msg.SerializeToString()
            out.write(struct.pack(">IBBHQ", len(body), 1, 0, 0, 0) + body)
            if args.roundtrip:
                obj = json_format.MessageToDict(msg, preserving_proto_field_name=True)
            kf.write(json.dumps(obj, separators=(",", ":")) + "\n")
            kept += 1
print("json2pb: %d converted, %d skipped" % (kept, skipped), file=sys.stderr)
