"""A clock the test moves by hand: the bot reads `now` from it (Deps.clock)."""

from __future__ import annotations

from datetime import datetime


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
