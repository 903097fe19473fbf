#!/usr/bin/env python3
"""A Coperniq webhook receiver in another language, standard library only,
that calls the REST API back: it acknowledges each webhook at once and, from
a worker thread behind a queue, fetches the event's record
(GET /projects/{id}, /opportunities/{id} or /accounts/{id}) with the
x-api-key, waiting the Retry-After of a 429 before trying again.

    python3 api_fetch.py PORT API_BASE KEY

It prints "listening on PORT" once it accepts connections (PORT 0 picks one).
"""
import json
import queue
import sys
import time
import urllib.error
import urllib.request

import _receiver

API_BASE, KEY = sys.argv[2].rstrip("/"), sys.argv[3]
PATHS = {"PROJECT": "/projects/", "DEAL": "/opportunities/", "ACCOUNT": "/accounts/"}
work = queue.Queue()
records = {}  # recordId -> the API's answer


def fetch(path):
    for _ in range(4):
        req = urllib.request.Request(API_BASE + path, headers={"x-api-key": KEY})
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            if e.code != 429:
                return None  # 404: deleted since, or not ours; move on
            time.sleep(int(e.headers.get("Retry-After") or 1))
        except (urllib.error.URLError, OSError):
            return None
    return None


def worker():
    while True:
        rec = work.get().get("record") or {}
        path = PATHS.get(rec.get("type"))
        if path:
            got = fetch(path + str(rec["id"]))
            if got is not None:
                records[rec["id"]] = got


class Handler(_receiver.Handler):
    def do_POST(self):
        body = self.read_body()
        try:
            work.put(json.loads(body))
            status = 204
        except ValueError:
            status = 400
        self.answer(status, content_type=None)


_receiver.serve(Handler, sys.argv[1], worker=worker)
