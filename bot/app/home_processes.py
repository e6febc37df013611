"""Home tabs built and published by helper processes, so that work never slows the web process's acks.

A Home tab is the heaviest thing the web process would do (a lead mentor's shows the whole cohort). Python runs
one thread at a time, so while a listener thread works out who is asking, builds a Home and sends it to Slack,
every new request's ack waits its turn for the interpreter, and under load acks fell well behind bare Bolt's
(README: Performance). With `HOME_BUILD_PROCESSES` above 0 the web process hands the whole of it (the request's
team, person, time and bot token) to a helper process, which looks the person up, builds the Home and publishes
it with its own Web API client; the helpers run at a lower priority (nice), so the operating system gives an ack
the CPU first.

A helper works from its own connections to the same database, with its own shared reads (both exact across
processes: bot/home/shared_reads.py). If the helpers are gone (killed, out of memory) or don't answer in time,
the Home is published from the web process as before, and a broken pool is replaced. An in-memory SQLite
database can't be reached from another process, so with one the Homes are always published here.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.engine import make_url

from bot.app.logging_setup import REQUEST_ID, log_context
from bot.app.settings import Settings
from bot.app.slack_client import client_for_token, secrets
from handlers.home.pages import Pages
from handlers.home.publishing import HomePublisher
from handlers.slack.directory import SlackDirectory

log = logging.getLogger(__name__)

# Below the web process, so the scheduler runs an ack before a Home build whenever both want a CPU.
HELPER_NICENESS = 10
# A Home a helper has not published by then is published here: a person waiting on the tab sees it either way.
HELPER_WAIT_SECONDS = 5.0
PARENT_CHECK_SECONDS = 1.0

# In a helper process: what it publishes Homes with (set once, when the helper starts).
_helper_publisher: HomePublisher | None = None


def _start_helper(settings: Settings, web_process: int) -> None:
    global _helper_publisher
    from bot.app.bootstrap import bootstrap  # the helper builds its own services, connections included
    from bot.app.logging_setup import configure_logging
    from bot.app.web import freeze_startup_objects

    configure_logging(settings.log_level, secrets(settings), log_format=settings.log_format)
    with contextlib.suppress(OSError):  # not allowed here: the helper still takes the work off the web process
        os.nice(HELPER_NICENESS)
    deps = bootstrap(settings)
    _helper_publisher = HomePublisher(deps.roster, deps.home)
    freeze_startup_objects()
    threading.Thread(target=_exit_with, args=(web_process,), name="web-process-watch", daemon=True).start()


def _exit_with(web_process: int) -> None:
    """A helper waits on a queue it holds both ends of, so it would outlive a web process killed outright."""
    while os.getppid() == web_process:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def _ready() -> bool:
    return _helper_publisher is not None


def _publish_in_helper(
    request_id: str | None,
    token: str | None,
    base_url: str,
    team_id: str,
    user_id: str,
    now: datetime,
    pages: Pages | None,
) -> bool:
    assert _helper_publisher is not None, "the helper was not started with _start_helper"
    client = client_for_token(token, base_url)
    with log_context(request_id=request_id, team_id=team_id):  # its log lines name the request, as the web's do
        return _helper_publisher.publish(client, SlackDirectory(client), team_id, user_id, now, pages)


def reachable_from_another_process(database_url: str) -> bool:
    url = make_url(database_url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


class HomeHelpers:
    """Publishes Home tabs from `processes` helper processes (HomePublisher's `elsewhere`); none: never.

    The helpers start on first use, so a web process forked after this object was made starts its own."""

    def __init__(self, settings: Settings, processes: int, *, wait_seconds: float = HELPER_WAIT_SECONDS) -> None:
        self.settings = settings
        self.wait_seconds = wait_seconds
        if processes and not reachable_from_another_process(settings.database_url):
            log.info("Homes are built in the web process: an in-memory database can't be shared with helpers")
            processes = 0
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        """Start the helpers now, rather than on the first Home (whose person would wait for them)."""
        if self.processes:
            self._submit(_ready)  # nobody waits for the answer

    def publish(
        self, client: WebClient, team_id: str, user_id: str, now: datetime, pages: Pages | None = None
    ) -> bool | None:
        """Have a helper publish the person's Home: True/False as HomePublisher.publish; None when no helper
        could (none, stopped, or too slow), so the caller publishes it itself."""
        if not self.processes:
            return None
        # The request's own token and API address: in OAuth mode each workspace has its own token.
        submitted = self._submit(
            _publish_in_helper, REQUEST_ID.get(), client.token, client.base_url, team_id, user_id, now, pages
        )
        if submitted is None:
            return None
        pool, future = submitted
        try:
            published: bool = future.result(timeout=self.wait_seconds)
            return published
        except BrokenProcessPool:
            log.warning("A Home helper process stopped; publishing this Home here and starting new helpers")
            self._discard(pool)
        except FutureTimeout:
            log.warning("A Home helper took over %.1f s; publishing this Home here", self.wait_seconds)
        return None

    def _submit(self, task: Callable[..., Any], *args: Any) -> tuple[ProcessPoolExecutor, Future[Any]] | None:
        pool = self._current_pool()
        if pool is None:
            return None
        try:
            return pool, pool.submit(task, *args)
        except (BrokenProcessPool, RuntimeError):  # broken, or shut down by another thread
            self._discard(pool)
            return None
        except Exception:  # helpers can't be started here at all: stop trying
            log.exception("Could not start Home helper processes; Homes are built in the web process from now on")
            self.processes = 0
            self._discard(pool)
            return None

    def _current_pool(self) -> ProcessPoolExecutor | None:
        with self._lock:
            if self._closed:
                return None
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.processes,
                    # Not fork: the web process has threads and open connections a forked child must not share.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_helper,
                    initargs=(self.settings, os.getpid()),
                )
            return self._pool

    def _discard(self, broken: ProcessPoolExecutor) -> None:
        """Forget a broken pool (once, however many threads found it broken); the next Home starts new helpers."""
        with self._lock:
            if self._pool is broken:
                self._pool = None
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the helpers (the server is stopping): a Home asked for after this is built here."""
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
