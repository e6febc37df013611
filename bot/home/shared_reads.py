"""Reads that many Home tabs share, built once while nothing in the database has changed.

Every lead mentor's and SLT member's Home shows the same cohort week, and every leader's the same review schedules:
at 32 leaders opening their Homes at once, the school's week was being built 32 times over, and the threads
building it slowed every other request's ack (Python runs one thread at a time). `SharedReads` keeps the last
build of each such read with the database's data version at the moment it started (`Database.data_version`):
while the version is the same, nothing anywhere has been committed since, so the stored build is exactly what a
new one would read. A build asked for while the same one is under way waits for it rather than doing it again.

Values handed out are shared between requests: callers must treat them as read-only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

# Enough for every workspace's today's reads; older entries go first.
MAX_ENTRIES = 512


@dataclass
class _Entry:
    version: str
    made_at: float
    value: Any


@dataclass
class _Flight:
    """One build under way, for those who asked for the same read meanwhile."""

    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    failed: bool = False


class SharedReads:
    """`get(key, build)`: the value `build()` returned for `key`, unless something was written since.

    `max_age` (seconds) bounds how long an entry is kept even so; 0 turns sharing off (every call builds).
    """

    def __init__(
        self, data_version: Callable[[], str], *, max_age: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._data_version = data_version
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry] = {}
        self._flights: dict[tuple[Hashable, str], _Flight] = {}

    def version(self) -> str | None:
        """The data version to pass to several `get`s made for one request (one read of it, not one each);
        None when sharing is off."""
        return self._data_version() if self._max_age > 0 else None

    def get(self, key: Hashable, build: Callable[[], T], *, version: str | None = None) -> T:
        if self._max_age <= 0:
            return build()
        # Read before building: a write committed meanwhile makes the build unshareable.
        version = version or self._data_version()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version and self._clock() - entry.made_at <= self._max_age:
                value: T = entry.value
                return value
            flight = self._flights.get((key, version))
            building = flight is None
            if flight is None:
                flight = self._flights[(key, version)] = _Flight()
        if not building:
            flight.done.wait()
            if flight.failed:  # the builder's error is theirs to report; this caller tries on its own
                return build()
            shared: T = flight.value
            return shared
        try:
            value = build()
        except BaseException:
            flight.failed = True
            raise
        else:
            flight.value = value
            with self._lock:
                self._entries.pop(key, None)  # re-inserted last: the oldest are forgotten first
                self._entries[key] = _Entry(version, self._clock(), value)
                self._forget_oldest()
            return value
        finally:
            with self._lock:
                del self._flights[(key, version)]
            flight.done.set()

    def _forget_oldest(self) -> None:
        while len(self._entries) > MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
