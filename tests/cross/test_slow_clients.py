"""Slow and silent clients are cut off at a deadline, and never starve a genuine request or flood the log.

A real server on a free port; the slow clients are raw sockets that send a byte at a time.
"""

from __future__ import annotations

import io
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.app.bootstrap import Deps
from bot.app.logging_setup import RepeatLimit, configure_logging
from bot.app.slack_app import create_app
from bot.app.web import SLACK_PATH, BackgroundServer
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import SIGNING_SECRET

ADMIN = "UADMIN01"
DEADLINE = 1.0  # the test server's header and body deadlines (production: 5 s)
SLOW_CLIENTS = 60


@pytest.fixture
def server(deps: Deps, emulator: SlackEmulator) -> Iterator[BackgroundServer]:
    emulator.add_user(ADMIN, "head", is_admin=True)
    listeners = ThreadPoolExecutor(max_workers=4)
    started = BackgroundServer(
        create_app(deps, listener_executor=listeners),
        signing_secret=SIGNING_SECRET,
        header_timeout=DEADLINE,
        body_timeout=DEADLINE,
    ).start()
    yield started
    started.stop()
    listeners.shutdown(wait=True)


class Trickler:
    """Holds connections open by sending one byte per connection every 0.2 s, as a slowloris attack does."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self.sockets: list[socket.socket] = []
        self.pending: dict[socket.socket, bytes] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def open(self, count: int) -> None:
        for n in range(count):
            sock = socket.create_connection(self.address, timeout=5)
            if n % 2:  # headers that never end
                sock.sendall(f"POST {SLACK_PATH} HTTP/1.1\r\nHost: bot\r\n".encode())
                self.pending[sock] = b"X-Slow: " + b"a" * 10_000
            else:  # complete headers, then a body that never ends
                sock.sendall(
                    f"POST {SLACK_PATH} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    f"X-Slack-Request-Timestamp: {int(time.time())}\r\nX-Slack-Signature: v0={'0' * 64}\r\n"
                    "Content-Length: 5000\r\n\r\n".encode()
                )
                self.pending[sock] = b"payload=" + b"a" * 4992
            self.sockets.append(sock)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.2):
            for sock, rest in list(self.pending.items()):
                try:
                    sock.send(rest[:1])
                    self.pending[sock] = rest[1:]
                except OSError:
                    del self.pending[sock]

    def closed_by_server(self) -> int:
        """How many of the connections the server has closed (having answered, or not), looked at all at once."""
        closed = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                while data := sock.recv(65536):
                    del data
                closed += 1  # end of stream
            except BlockingIOError:
                pass  # open, nothing to read
            except OSError:
                closed += 1  # reset
        return closed

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def test_slow_clients_do_not_starve_a_signed_request_and_are_cut_off_at_the_deadline(
    server: BackgroundServer, emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    url = urllib.parse.urlsplit(server.url)
    trickler = Trickler((url.hostname or "127.0.0.1", url.port or 80))
    try:
        trickler.open(SLOW_CLIENTS)
        started = time.monotonic()

        genuine = SlackDriver(server.url, SIGNING_SECRET, emulator).command("/mentor", "help", user=ADMIN)

        assert genuine.status == 200
        assert time.monotonic() - started < DEADLINE  # answered while every slow client was still connected
        assert trickler.closed_by_server() == 0
        time.sleep(DEADLINE * 2.5)
        assert trickler.closed_by_server() == SLOW_CLIENTS  # still sending, yet cut off
    finally:
        trickler.close()
    # Sixty connections cut off: a handful of lines at most, never one per byte or per connection.
    assert len(caplog.records) <= 5, [r.getMessage() for r in caplog.records]


class Ticker:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_same_line_is_logged_at_most_five_times_a_minute_then_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    ticker = Ticker()
    handler.addFilter(RepeatLimit(handler, limit=5, interval=60, monotonic=ticker))
    log = logging.getLogger("tests.flood")
    log.addHandler(handler)
    log.propagate = False
    try:
        for _ in range(10_000):
            log.error("socket.accept() out of system resource: [Errno 24] Too many open files")
        log.warning("something else")
        ticker.now += 61
        log.error("socket.accept() out of system resource: [Errno 24] Too many open files")
    finally:
        log.removeHandler(handler)
        log.propagate = True

    lines = stream.getvalue().splitlines()
    assert lines == [
        *["socket.accept() out of system resource: [Errno 24] Too many open files"] * 5,
        "something else",
        "suppressed 9995 repeats of: socket.accept() out of system resource: [Errno 24] Too many open files",
        "socket.accept() out of system resource: [Errno 24] Too many open files",
    ]


def test_the_bots_own_logging_holds_back_a_flood(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", [])
        for n in range(1000):
            logging.getLogger("uvicorn.error").error("Too many open files")
            if n % 100 == 0:
                logging.getLogger("bot").info("tick %d", n)  # different lines are never held back
    finally:
        root.handlers[:], root.level = saved
    printed = capsys.readouterr().err.splitlines()
    assert sum("Too many open files" in line for line in printed) == 5
    assert sum("tick" in line for line in printed) == 10
