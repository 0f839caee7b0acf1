#!/usr/bin/env python3
"""A delivery receiver for the tests (tests/delivery/t_*.sh): a real HTTP(S)
server (http.server, ThreadingHTTPServer) that checks every header of the
contract (spec agent.md §5), gunzips, parses the NDJSON and records what it
accepted:

  DIR/events.txt    one line per event accepted: "<event_id> <idempotency key>"
  DIR/batches.txt   one line per batch accepted: "<key> <sha256 of the body> <lines> <time>"
  DIR/requests.txt  one line per request: "<time> <status> <key> <path>"
  DIR/errors.txt    contract violations (a test wants it empty)
  DIR/signals.json  Signals: hitCount summed per "<imageDigest> <symbolId>", a key
                    counted once (callgraphId is optional: require_callgraph false)

The answer is switched at run time by the control file DIR/control (read on
every request; absent or "ok" = 200):
  500 | 503 | 400 | 408      that status
  429 N  /  503 N            that status with Retry-After: N
  stall N                    wait N seconds, then 200
  close                      read half of the body, then close the connection
  once <answer>              <answer> for the next request, then ok again

Usage: receiver.py --dir DIR --port-file FILE [--token-file F] [--tenant T]
                   [--cert C --key K [--client-ca CA]] [--fast]
"""
import argparse
import gzip
import hashlib
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
SIGNAL_KEYS = set()
SIGNALS = {}


def append(name, line):
    with LOCK:
        with open(os.path.join(ARGS.dir, name), 'a') as f:
            f.write(line + '\n')


def control():
    path = os.path.join(ARGS.dir, 'control')
    try:
        with open(path) as f:
            words = f.read().split()
    except FileNotFoundError:
        return ['ok']
    if words[:1] == ['once']:
        with LOCK:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        words = words[1:]
    return words or ['ok']


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, body=b'', headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def violation(self, why):
        append('errors.txt', '%.3f %s %s %s' % (time.time(), self.headers.get('Idempotency-Key'), self.path, why))

    def check_headers(self):
        h = self.headers
        key = h.get('Idempotency-Key', '')
        want = {
            'Content-Type': 'application/x-ndjson',
            'Content-Encoding': 'gzip',
        }
        for k, v in want.items():
            if h.get(k) != v:
                self.violation('%s: %r, want %r' % (k, h.get(k), v))
        if not key:
            self.violation('no Idempotency-Key')
        if not (h.get('User-Agent') or '').startswith('stella-rti/'):
            self.violation('User-Agent: %r' % h.get('User-Agent'))
        if ARGS.token_file:
            with open(ARGS.token_file) as f:
                tok = f.read().strip()
            if h.get('Authorization') != 'Bearer ' + tok:
                self.violation('Authorization: %r' % h.get('Authorization'))
        elif 'Authorization' in h:
            self.violation('unexpected Authorization')
        if ARGS.tenant and h.get('X-Stella-Tenant') != ARGS.tenant:
            self.violation('X-Stella-Tenant: %r' % h.get('X-Stella-Tenant'))
        return key

    def do_GET(self):
        self.answer(200 if self.path == '/healthz' else 404, b'ok\n')

    def do_POST(self):
        if ARGS.fast:  # benchmarks: take the bytes, count them, answer
            n = int(self.headers.get('Content-Length', '0'))
            self.rfile.read(n)
            self.answer(200, b'{}\n')
            return
        ctl = control()
        length = int(self.headers.get('Content-Length', '0'))
        key = self.headers.get('Idempotency-Key', '')
        if ctl[0] == 'close':
            self.rfile.read(length // 2)
            append('requests.txt', '%.3f close %s %s' % (time.time(), key, self.path))
            self.close_connection = True
            self.connection.shutdown(2)
            return
        raw = self.rfile.read(length)
        if ctl[0] in ('ok', 'stall'):
            key = self.check_headers()  # as it arrived (a stalled request ends later)
        if ctl[0] == 'stall':
            time.sleep(float(ctl[1]) if len(ctl) > 1 else 3600)
        elif ctl[0] != 'ok':
            status = int(ctl[0])
            hdrs = [('Retry-After', ctl[1])] if len(ctl) > 1 else []
            append('requests.txt', '%.3f %d %s %s' % (time.time(), status, key, self.path))
            self.answer(status, b'{"error":"told to"}\n', hdrs)
            return
        try:
            body = gzip.decompress(raw)
            lines = body.decode('utf-8').splitlines()
            docs = [json.loads(l) for l in lines]
        except Exception as e:  # noqa: BLE001 - any bad body is a violation
            self.violation('body: %s' % e)
            self.answer(400, b'bad body\n')
            return
        digest = hashlib.sha256(body).hexdigest()
        url = urllib.parse.urlsplit(self.path)
        if url.path.endswith('/signals/runtime-facts/ndjson'):
            self.signals(key, url, docs)
        else:
            if key != digest:
                self.violation('Idempotency-Key %s is not the SHA-256 of the batch %s' % (key, digest))
            with LOCK:
                with open(os.path.join(ARGS.dir, 'events.txt'), 'a') as f:
                    for d in docs:
                        f.write('%s %s\n' % (d.get('event_id'), key))
        append('batches.txt', '%s %s %d %.3f' % (key, digest, len(docs), time.time()))
        append('requests.txt', '%.3f 200 %s %s' % (time.time(), key, self.path))
        self.answer(200, b'{"accepted":true}\n', [('Content-Type', 'application/json')])

    def signals(self, key, url, docs):
        q = urllib.parse.parse_qs(url.query)
        for k in ('imageDigest', 'source'):
            if k not in q:
                self.violation('signals: no %s in the query' % k)
        digest = q.get('imageDigest', [''])[0]
        with LOCK:
            if key in SIGNAL_KEYS:
                return
            SIGNAL_KEYS.add(key)
            # per image and symbol: Signals keeps an image's facts apart
            for d in docs:
                sym = '%s %s' % (digest, d.get('symbolId'))
                SIGNALS[sym] = SIGNALS.get(sym, 0) + int(d.get('hitCount', 0))
            tmp = os.path.join(ARGS.dir, 'signals.json.tmp')
            with open(tmp, 'w') as f:
                json.dump(SIGNALS, f, sort_keys=True)
            os.replace(tmp, os.path.join(ARGS.dir, 'signals.json'))


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument('--dir', required=True)
    p.add_argument('--port-file', required=True)
    p.add_argument('--token-file')
    p.add_argument('--tenant')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--client-ca')
    p.add_argument('--fast', action='store_true', help='answer 200 unread (benchmarks)')
    ARGS = p.parse_args()
    os.makedirs(ARGS.dir, exist_ok=True)
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    if ARGS.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(ARGS.cert, ARGS.key)
        if ARGS.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(ARGS.client_ca)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = ARGS.port_file + '.tmp'
    with open(tmp, 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.replace(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
