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
import sys
import threading
import time

import _receiver

DELAY = float(sys.argv[2])
LOCK = threading.Lock()
APPLIED = {}


class Handler(_receiver.EventHandler):
    token = _receiver.token_arg(sys.argv, 3)

    def receive(self, event_id):
        time.sleep(DELAY)
        with LOCK:
            # Applied once per eventId: a duplicate is acknowledged, not
            # applied again.
            APPLIED.setdefault(event_id, 1)
        self.answer(200, b'{"ok":true}')

    def applied(self, event_id):
        with LOCK:
            return APPLIED.get(event_id)


# The accept backlog of a production server: the default of 5 resets
# connections in a burst of concurrent deliveries.
_receiver.serve(Handler, sys.argv[1], backlog=256)
