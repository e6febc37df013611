"""Work after the ack takes turns, so that acks never wait for it.

Slack wants every request acknowledged within 3 s. Bolt runs a listener, its `ack()` included, on one of its
listener threads, and what a listener does after acknowledging (opening a modal after reading the roster,
saving, telling people, building a Home) runs on that thread too. With as many threads as requests in flight,
no ack waits for a free thread; but Python runs one thread at a time, so forty threads all building views and
holding database transactions slow each other (and SQLite's single writer) down until work misses Slack's
deadlines. So the work after an ack takes one of a few `AfterAck` slots, in turn; a new request's ack needs
none and goes ahead at once.

`answers` and `modal_submission` (handlers/slack/answers.py) take the slot for a listener as soon as it has
acknowledged, and give it back when the listener ends; events, which Bolt acknowledges before the listener
runs, take it with `with after_ack.slot():`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack

# Python runs one thread at a time, so more turns don't do more work: they only add threads for an ack to wait
# behind for the interpreter. Two keep one turn busy while the other waits on Slack or the database; with
# more, bench/ack.py measured Home acks at 1.5–2.5× bare Bolt's p99, with two at or below it (README:
# Performance). The price: under heavy load a modal waits its turn a little longer after the ack.
AFTER_ACK_SLOTS = 2


class AfterAck:
    """The slots that work after an ack takes turns for (one per app)."""

    def __init__(self, slots: int = AFTER_ACK_SLOTS) -> None:
        self._slots = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        self._slots.acquire()
        try:
            yield
        finally:
            self._slots.release()

    def turn(self) -> Turn:
        return Turn(self._slots)


class Turn:
    """One listener's turn: taken once, when it acknowledges; `end()` gives it back (if it was taken)."""

    def __init__(self, slots: threading.BoundedSemaphore) -> None:
        self._slots = slots
        self._taken = False

    def take(self) -> None:
        if not self._taken:
            self._slots.acquire()
            self._taken = True

    def end(self) -> None:
        if self._taken:
            self._taken = False
            self._slots.release()


class PacedAck:
    """Bolt's `ack`, which, once Slack has its answer, waits for the listener's turn to go on."""

    def __init__(self, ack: Ack, turn: Turn) -> None:
        self._ack = ack
        self._turn = turn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        answered = self._ack(*args, **kwargs)
        self._turn.take()
        return answered

    def __getattr__(self, name: str) -> Any:  # `response` and the rest, as Bolt's Ack has them
        return getattr(self._ack, name)
