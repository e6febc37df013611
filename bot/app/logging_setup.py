"""Logging that never prints a token or a signing secret, even by accident, and never floods."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

# Slack's tokens: bot, user, app-level, and the refresh tokens of token rotation (xoxe-…).
_SECRET = re.compile(r"\b(xox[abposre]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


class RedactSecrets(logging.Filter):
    def __init__(self, extra_secrets: list[str] | None = None) -> None:
        super().__init__()
        self.extra = [s for s in (extra_secrets or []) if len(s) >= 8]  # short values would mangle words

    def redact(self, text: str) -> str:
        text = _SECRET.sub("[redacted]", text)
        for secret in self.extra:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RepeatLimit(logging.Filter):
    """Lets the same line through at most `limit` times per `interval` seconds, then says how many it held back.

    A fault that repeats on every request or every accept() (the process out of file descriptors, say) would
    otherwise write the same line thousands of times a second and fill the disk. "The same" means the same
    logger, level and finished message. When a held-back line's interval ends, the next record that passes this
    filter is preceded by one "suppressed K" line for it.
    """

    def __init__(
        self,
        handler: logging.Handler,
        *,
        limit: int = 5,
        interval: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.limit = limit
        self.interval = interval
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, int, str], list[float | int]] = {}  # key -> [window start, seen]

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_repeat_summary", False):
            return True
        key = (record.name, record.levelno, record.getMessage())
        now = self.monotonic()
        with self._lock:
            ended = self._end_windows(now)
            window = self._windows.setdefault(key, [now, 0])
            window[1] += 1
            allowed = window[1] <= self.limit
        for name, level, message, suppressed in ended:
            self._summarise(name, level, message, suppressed)
        return allowed

    def _end_windows(self, now: float) -> list[tuple[str, int, str, int]]:
        ended = []
        for key, (start, seen) in list(self._windows.items()):
            if now - start >= self.interval:
                del self._windows[key]
                if seen > self.limit:
                    ended.append((*key, int(seen - self.limit)))
        return ended

    def _summarise(self, name: str, level: int, message: str, suppressed: int) -> None:
        summary = logging.LogRecord(
            name, level, __file__, 0, "suppressed %d repeats of: %s", (suppressed, message[:200]), None
        )
        summary._repeat_summary = True
        self.handler.handle(summary)


# Which Slack request (or scheduled job) a log line belongs to: set by the web server per request and by the
# scheduler per workspace; copied into Bolt's listener threads (bot/app/slack_app.py).
REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
TEAM_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("team_id", default=None)


@contextmanager
def log_context(*, request_id: str | None = None, team_id: str | None = None) -> Iterator[None]:
    """Lines logged inside the block carry this request id and team id (JSON logs)."""
    tokens = [REQUEST_ID.set(request_id), TEAM_ID.set(team_id)]
    try:
        yield
    finally:
        TEAM_ID.reset(tokens[1])
        REQUEST_ID.reset(tokens[0])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, team_id (and a traceback, if any).

    Only the message the code wrote (already redacted by RedactSecrets) goes out: never a payload.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
            "team_id": TEAM_ID.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is logged (not when the handler was made), as the standard
    library's last-resort handler does: a test capturing stderr sees every line."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str, secrets: list[str], *, log_format: str = "text") -> None:
    handler = StderrHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(RepeatLimit(handler))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # At DEBUG these libraries print request bodies, which hold people's notes: keep them at INFO or above.
    for noisy in ("slack_bolt", "slack_sdk", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, logging.getLevelName(level)))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # "Adding job", "Running job" at every tick
