#!/usr/bin/env python3
"""A correct Coperniq webhook receiver that is slow: it does its work before
answering, and the work takes DELAY seconds (a slow database, a call to
another service), under the sender's deadline. It applies each eventId once,
in memory, then answers 200; a receiver like this is right, and verify must
pass it without taking the better part of an hour.

    python3 slow_answer.py PORT DELAY [TOKEN_NAME=VALUE]

It prints "listening on PORT" once it accepts connections (PORT 0 picks one)
and serves the inspect protocol: GET /_state/events/{eventId} answers 200
{"applied": N} or 404.
"""
import http.server
import json
import sys
import threading
import time
import urllib.parse

DELAY = float(sys.argv[2])
TOKEN = sys.argv[3].split("=", 1) if len(sys.argv) > 3 and sys.argv[3] else None
LOCK = threading.Lock()
APPLIED = {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if TOKEN and urllib.parse.parse_qs(url.query).get(TOKEN[0]) != [TOKEN[1]]:
            return self.answer(401, b'{"error":"unknown sender"}')
        try:
            event_id = int(json.loads(body)["event"]["eventId"])
        except (ValueError, KeyError, TypeError):
            return self.answer(400, b'{"error":"no event.eventId"}')
        time.sleep(DELAY)
        with LOCK:
            # Applied once per eventId: a duplicate is acknowledged, not
            # applied again.
            APPLIED.setdefault(event_id, 1)
        self.answer(200, b'{"ok":true}')

    def do_GET(self):
        prefix = "/_state/events/"
        if not self.path.startswith(prefix):
            return self.answer(404, b"{}")
        try:
            event_id = int(self.path[len(prefix):])
        except ValueError:
            return self.answer(400, b'{"error":"eventId is not an integer"}')
        with LOCK:
            n = APPLIED.get(event_id, 0)
        if n == 0:
            return self.answer(404, b'{"applied":0}')
        self.answer(200, json.dumps({"applied": n}).encode())


class Server(http.server.ThreadingHTTPServer):
    # The accept backlog of a production server: the default of 5 resets
    # connections in a burst of concurrent deliveries.
    request_queue_size = 256
    daemon_threads = True


server = Server(("127.0.0.1", int(sys.argv[1])), Handler)
print("listening on %d" % server.server_address[1], flush=True)
server.serve_forever()
