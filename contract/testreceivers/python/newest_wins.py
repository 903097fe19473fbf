#!/usr/bin/env python3
"""A correct Coperniq webhook receiver in another language, standard library
only, that converges whatever the arrival order: it acknowledges at once,
applies each event once (by eventId) in a worker thread behind a queue, and
keeps, per record and per work order, the version with the newest
record.updatedAt / workOrder.modifiedAt.

    python3 newest_wins.py PORT

It prints "listening on PORT" once it accepts connections (PORT 0 picks one)
and serves the inspect protocol (GET /_state/events/{eventId}: 200
{"applied": N} or 404) and the state protocol (GET /_state/records/{recordId}:
200 {"record": {...}, "workOrders": {...}} or 404).
"""
import json
import queue
import sys
import threading
from datetime import datetime

import _receiver

lock = threading.Lock()
applied = {}  # eventId -> count
records = {}  # recordId -> {"status", "stage", "updatedAt", "workOrders": {id: (status, modifiedAt)}}
work = queue.Queue()


def when(s):
    # RFC 3339 with a Z; Python before 3.11 does not read the Z.
    return datetime.fromisoformat(s.replace("Z", "+00:00")) if s else datetime.min.replace(tzinfo=None)


def apply(p):
    ev = p.get("event") or {}
    with lock:
        eid = ev.get("eventId")
        if applied.get(eid):
            return
        applied[eid] = 1
        rec = p.get("record")
        if not rec:
            return
        kept = records.setdefault(rec["id"], {"updatedAt": None, "workOrders": {}})
        at = when(rec.get("updatedAt"))
        if kept["updatedAt"] is None or at > kept["updatedAt"]:
            kept.update(status=rec.get("status"), stage=rec.get("stage"), updatedAt=at)
        wo = p.get("workOrder")
        if wo:
            prev = kept["workOrders"].get(wo["id"])
            mod = when(wo.get("modifiedAt"))
            if prev is None or mod > prev[1]:
                kept["workOrders"][wo["id"]] = (wo.get("status"), mod)


def worker():
    while True:
        apply(work.get())


class Handler(_receiver.Handler):
    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) != 3 or parts[0] != "_state" or not parts[2].isdigit():
            return self.answer(404)
        key = int(parts[2])
        with lock:
            if parts[1] == "events" and applied.get(key):
                return self.answer(200, json.dumps({"applied": applied[key]}).encode())
            if parts[1] == "records" and key in records:
                r = records[key]
                body = {"record": {"status": r.get("status"), "stage": r.get("stage")},
                        "workOrders": {str(k): {"status": v[0]} for k, v in r["workOrders"].items()}}
                return self.answer(200, json.dumps(body).encode())
        self.answer(404)

    def do_POST(self):
        try:
            p = json.loads(self.read_body())
        except ValueError:
            return self.answer(400, b'{"error":"not JSON"}')
        work.put(p)
        self.answer(204)


_receiver.serve(Handler, sys.argv[1], worker=worker)
