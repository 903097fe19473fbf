#!/usr/bin/env python3
"""A sample Coperniq webhook receiver (Python standard library only).

After each webhook about a project it fetches the project from the REST API
(GET /projects/{id}: the payload does not carry the phases) and stores the
project's status and phases in a JSON file. Its API client sends the
x-api-key, honours 429 Retry-After and retries 5xx with backoff.

    python3 receiver.py --port 8080 --api http://127.0.0.1:8081 \
        --key coperniq-mock-key --state state.json

It prints "listening on PORT" once it accepts webhooks (--port 0 picks one).
"""
import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
state = {"projects": {}, "fetches": []}


def api_get(base, key, path, attempts=6):
    delay = 0.05
    for attempt in range(attempts):
        req = urllib.request.Request(base + path, headers={"x-api-key": key})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            if e.code == 429:
                time.sleep(float(e.headers.get("Retry-After", "1")))
            elif e.code >= 500 and attempt + 1 < attempts:
                time.sleep(delay)
                delay *= 2
            else:
                raise
    raise RuntimeError("gave up on GET " + path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--api", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--state", required=True)
    args = ap.parse_args()

    class Hook(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                payload = json.loads(body)
                record = payload.get("record") or {}
                if record.get("type") == "PROJECT":
                    project = api_get(args.api, args.key, "/projects/%d" % record["id"])
                    phases = [{"id": p["id"], "name": p["name"], "status": p["status"]}
                              for p in project.get("phaseInstances", [])]
                    with lock:
                        state["projects"][str(project["id"])] = {
                            "number": project["number"],
                            "status": project.get("status"),
                            "phases": phases,
                        }
                        state["fetches"].append({"eventId": payload["event"]["eventId"],
                                                 "trigger": payload["event"]["triggerKey"],
                                                 "phases": phases})
                        with open(args.state, "w") as f:
                            json.dump(state, f)
            except Exception as e:  # not stored: answer 500 so it is retried
                sys.stderr.write("receiver: %r\n" % e)
                self.send_response(500)
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()

    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Hook)
    print("listening on %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
