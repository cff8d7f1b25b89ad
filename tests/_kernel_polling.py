"""Kernel-client waits in short polls, for the notebook harness and the Voila server of the
browser tests.

pyzmq's asyncio poll can miss the wake-up of a message that has arrived (ZMQ's file descriptor
is edge-triggered); the poll then returns only at its timeout, when it polls the socket once
more and finds the message. nbclient waits for each cell's reply with the cell timeout, so such
a miss cost 300 s: CI saw 01's interact cell take 300 s from request to reply (the kernel had
sent it within a second). Voila's executor waits with no timeout at all, so there a miss is a
page that stays at "Executing k of n" for good. Waiting in polls of at most :data:`POLL_S`
bounds the cost of a miss to POLL_S.
"""

import time
from queue import Empty

POLL_S = 1.0  # s; the longest single wait for a kernel message


def in_steps(wait):
    """``get_msg(timeout=None)`` that calls the async ``wait(timeout=...)`` (a kernel-client
    channel's ``get_msg``) with at most :data:`POLL_S` at a time, however long ``timeout``
    (None: forever) is; ``queue.Empty`` only when the whole timeout has passed."""

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            try:
                return await wait(timeout=POLL_S if left is None else min(POLL_S, left))
            except Empty:
                if left is not None and left <= POLL_S:
                    raise

    return get_msg
