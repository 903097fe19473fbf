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
import os
import subprocess
import sys
import threading

import _receiver

STATE = sys.argv[2]
# The child: the mkdir is the idempotency key; only the process that made it
# records the application.
APPLY = 'mkdir "$STATE/$ID.applied" 2>/dev/null && echo 1 >> "$STATE/$ID.count"; exit 0'


def apply(event_id):
    subprocess.run(["sh", "-c", APPLY], env={"STATE": STATE, "ID": str(event_id), "PATH": os.environ.get("PATH", "/bin:/usr/bin")})


class Handler(_receiver.EventHandler):
    token = _receiver.token_arg(sys.argv, 3)

    def receive(self, event_id):
        # Acknowledge first, then apply in a process of its own.
        self.answer(202, b'{"accepted":true}')
        threading.Thread(target=apply, args=(event_id,), daemon=True).start()

    def applied(self, event_id):
        try:
            with open(os.path.join(STATE, "%d.count" % event_id)) as f:
                return len(f.read().split())
        except FileNotFoundError:
            return None


_receiver.serve(Handler, sys.argv[1])
