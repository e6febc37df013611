"""A wrong signing secret or a wrong clock refuses every request: the operator is told, once a minute at most.

Without a warning the bot answers Slack with 401s in silence and nobody knows why nothing works.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app.bootstrap import Deps
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer, SignatureFailures
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import SIGNING_SECRET

ADMIN = "UADMIN01"
HINT = "Is SLACK_SIGNING_SECRET the app's Signing Secret? Is the clock right?"


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
def server(deps: Deps, emulator: SlackEmulator, ticker: Ticker) -> Iterator[BackgroundServer]:
    emulator.add_user(ADMIN, "head", is_admin=True)
    listeners = ThreadPoolExecutor(max_workers=4)
    failures = SignatureFailures(monotonic=ticker)
    started = BackgroundServer(
        create_app(deps, listener_executor=listeners), signing_secret=SIGNING_SECRET, signature_failures=failures
    ).start()
    yield started
    started.stop()
    listeners.shutdown(wait=True)


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "signature" in r.getMessage()]


def test_a_wrong_secret_is_reported_at_once_then_at_most_once_a_minute_with_the_count(
    server: BackgroundServer, emulator: SlackEmulator, ticker: Ticker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    wrong = SlackDriver(server.url, "the-bot-token-pasted-by-mistake", emulator)

    assert wrong.command("/mentor", "help", user=ADMIN).status == 401
    assert len(warnings(caplog)) == 1
    first = warnings(caplog)[0]
    assert "failing signature checks" in first and HINT in first and "1 refused" in first

    for _ in range(6):
        ticker.now += 5
        assert wrong.command("/mentor", "zebra-crossing", user=ADMIN).status == 401
    assert len(warnings(caplog)) == 1  # 30 s later: still the one warning

    ticker.now += 31
    assert wrong.command("/mentor", "zebra-crossing", user=ADMIN).status == 401
    assert len(warnings(caplog)) == 2
    assert "7 refused since the last warning" in warnings(caplog)[1]
    # Counts only: never the body (the command's text) or a signature.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/mentor" not in logged and "v0=" not in logged and "zebra" not in logged


def test_a_clock_out_by_more_than_five_minutes_is_named(
    server: BackgroundServer, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    right = SlackDriver(server.url, SIGNING_SECRET, emulator)

    assert right.command("/mentor", "help", user=ADMIN, timestamp=int(time.time()) - 7 * 60).status == 401

    [warning] = warnings(caplog)
    assert "1 refused" in warning and "1 with a timestamp more than five minutes from this server's clock" in warning


def test_genuine_requests_log_no_warning(
    server: BackgroundServer, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    right = SlackDriver(server.url, SIGNING_SECRET, emulator)
    for _ in range(3):
        assert right.command("/mentor", "help", user=ADMIN).status == 200
    assert warnings(caplog) == []
