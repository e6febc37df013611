"""One signed request, captured once and sent again byte for byte: as a double-click's twins, Slack's
retries or an attacker replaying it inside Slack's five-minute window would deliver it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.driver import HttpResult, SlackDriver


def captured(slack: SlackDriver, act: Callable[[], Any]) -> Callable[[], HttpResult]:
    """What `act` would send (not sent yet), as a function sending exactly those bytes, signature and time."""
    seen: dict[str, Any] = {}

    def capture(body: bytes, content_type: str, *, timestamp: int | None = None, **_: Any) -> HttpResult:
        seen.update(body=body, content_type=content_type, ts=int(time.time()) if timestamp is None else timestamp)
        return HttpResult(200, b"", {})

    slack.post = capture  # type: ignore[method-assign]
    try:
        act()
    finally:
        del slack.post
    body, content_type, ts = seen["body"], seen["content_type"], seen["ts"]
    signature = slack.verifier.generate_signature(timestamp=str(ts), body=body.decode("utf-8")) or ""
    return lambda: slack.post(body, content_type, timestamp=ts, signature=signature)


def at_once(*sends: Callable[[], HttpResult]) -> list[HttpResult]:
    """Each of `sends` from its own thread, all released at the same moment."""
    start = threading.Barrier(len(sends))

    def one(send: Callable[[], HttpResult]) -> HttpResult:
        start.wait()
        return send()

    with ThreadPoolExecutor(len(sends)) as pool:
        return list(pool.map(one, sends))
