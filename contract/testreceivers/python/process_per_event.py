#!/usr/bin/env python3
"""A correct Coperniq webhook receiver in another language, standard library
only, that applies every event in a process of its own: it acknowledges at
once and spawns `sh` to apply the event, idempotently by eventId (an atomic
mkdir), as a receiver that hands each event to a job runner does.

    python3 process_per_event.py PORT STATE_DIR [TOKEN_NAME=VALUE]

It prints "listening on PORT" once it accepts connections (PORT 0 picks one)
and serves the inspect protocol: GET /_state/events/{eventId} answers 200
{"applied": N} or 404.
"""
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse

STATE = sys.argv[2]
TOKEN = sys.argv[3].split("=", 1) if len(sys.argv) > 3 and sys.argv[3] else None
# The child: the mkdir is the idempotency key; only the process that made it
# records the application.
APPLY = 'mkdir "$STATE/$ID.applied" 2>/dev/null && echo 1 >> "$STATE/$ID.count"; exit 0'


def apply(event_id):
    subprocess.run(["sh", "-c", APPLY], env={"STATE": STATE, "ID": str(event_id), "PATH": os.environ.get("PATH", "/bin:/usr/bin")})


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
        # Acknowledge first, then apply in a process of its own.
        self.answer(202, b'{"accepted":true}')
        threading.Thread(target=apply, args=(event_id,), daemon=True).start()

    def do_GET(self):
        prefix = "/_state/events/"
        if not self.path.startswith(prefix):
            return self.answer(404, b"{}")
        try:
            event_id = int(self.path[len(prefix):])
        except ValueError:
            return self.answer(400, b'{"error":"eventId is not an integer"}')
        try:
            with open(os.path.join(STATE, "%d.count" % event_id)) as f:
                n = len(f.read().split())
        except FileNotFoundError:
            return self.answer(404, b'{"applied":0}')
        self.answer(200, json.dumps({"applied": n}).encode())


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
print("listening on %d" % server.server_address[1], flush=True)
server.serve_forever()
