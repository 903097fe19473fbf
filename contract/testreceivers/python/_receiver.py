"""The HTTP skeleton the Python test receivers share, standard library only,
so that each receiver file holds only what makes it the receiver it is.

It gives a handler that answers JSON and keeps quiet; a handler for
receivers that key deliveries by eventId, with the sender-token check and the
inspect protocol (GET /_state/events/{eventId}); and serve(), which prints
the start-up line testreceivers.StartPython waits for: "listening on PORT".

Each receiver imports it from its own folder (python3 puts the script's
folder first on the module path).
"""
import http.server
import json
import threading
import urllib.parse

EVENTS_PREFIX = "/_state/events/"


def token_arg(argv, i):
    """The optional TOKEN_NAME=VALUE argument at argv[i] as [name, value];
    None when it is absent or empty (the receiver takes any sender)."""
    return argv[i].split("=", 1) if len(argv) > i and argv[i] else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # [name, value] a delivery's query string must carry, or None.
    token = None

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # a sender that gave up waiting hung up: it sends again

    def read_body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))


class EventHandler(Handler):
    """A receiver that keys deliveries by eventId. A subclass defines
    receive(event_id), which applies the event and answers the delivery, and
    applied(event_id), how many times it applied the event or None when it
    never saw it, which serves the inspect protocol."""

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if self.token and urllib.parse.parse_qs(url.query).get(self.token[0]) != [self.token[1]]:
            return self.answer(401, b'{"error":"unknown sender"}')
        try:
            event_id = int(json.loads(body)["event"]["eventId"])
        except (ValueError, KeyError, TypeError):
            return self.answer(400, b'{"error":"no event.eventId"}')
        self.receive(event_id)

    def do_GET(self):
        if not self.path.startswith(EVENTS_PREFIX):
            return self.answer(404, b"{}")
        try:
            event_id = int(self.path[len(EVENTS_PREFIX):])
        except ValueError:
            return self.answer(400, b'{"error":"eventId is not an integer"}')
        n = self.applied(event_id)
        if n is None:
            return self.answer(404, b'{"applied":0}')
        self.answer(200, json.dumps({"applied": n}).encode())


def serve(handler, port, worker=None, backlog=5):
    """Serves handler on 127.0.0.1:port (0 picks one), a thread a connection,
    with worker running in a thread of its own when given; backlog is the
    accept queue (Python's default is 5)."""

    class Server(http.server.ThreadingHTTPServer):
        request_queue_size = backlog
        daemon_threads = True

    server = Server(("127.0.0.1", int(port)), handler)
    if worker is not None:
        threading.Thread(target=worker, daemon=True).start()
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
