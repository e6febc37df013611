"""Home tabs built and published by helper processes (HOME_BUILD_PROCESSES, bot/app/home_processes.py): the same
Homes, from the same database, and never one lost when a helper dies or its web process is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.app.home_processes import HomeHelpers
from bot.app.settings import Settings
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer
from handlers.home.publishing import HomePublisher
from handlers.slack.directory import SlackDirectory
from storage.db import Database
from tests.home.test_home import (  # the Home scenarios, run again below with the Homes built in a helper
    add_meeting,
    open_home,
    school,
    test_a_leaders_home_shows_a_meeting_logged_after_another_leader_opened_theirs,
    test_a_leaders_home_shows_what_another_process_wrote,
    test_logging_a_meeting_from_the_home_republishes_the_mentees_and_mentors_homes,
    test_the_lead_mentor_sees_the_cohort_needing_attention_first_and_the_same_actions,
    test_the_mentors_home_shows_each_mentee_most_in_need_first_with_one_click_actions,
    text_of,
)
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.people import AMY, BEN, LEO, SIGNING_SECRET

__all__ = [
    "school",
    "test_a_leaders_home_shows_a_meeting_logged_after_another_leader_opened_theirs",
    "test_a_leaders_home_shows_what_another_process_wrote",
    "test_logging_a_meeting_from_the_home_republishes_the_mentees_and_mentors_homes",
    "test_the_lead_mentor_sees_the_cohort_needing_attention_first_and_the_same_actions",
    "test_the_mentors_home_shows_each_mentee_most_in_need_first_with_one_click_actions",
]


@pytest.fixture
def home_helpers(deps: Deps, settings: Settings) -> Iterator[HomeHelpers]:
    helpers = HomeHelpers(settings, processes=1, wait_seconds=60)  # a slow machine still uses the helper
    yield helpers
    helpers.close()


@pytest.fixture
def slack(deps: Deps, emulator: Any, home_helpers: HomeHelpers) -> Iterator[SlackDriver]:
    """As tests/conftest.py's, with every Home built by a helper process (overrides it for this module)."""
    listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bolt-listener")
    app = create_app(deps, listener_executor=listeners, home_helpers=home_helpers)
    server = BackgroundServer(app, signing_secret=SIGNING_SECRET).start()
    yield SlackDriver(server.url, SIGNING_SECRET, emulator)
    server.stop()


def helper_pids(views: HomeHelpers) -> set[int]:
    pool = views._pool
    return set() if pool is None else {process.pid for process in (pool._processes or {}).values() if process.pid}


def published_views(emulator: Any, user_id: str) -> list[dict[str, Any]]:
    return [call.params["view"] for call in emulator.calls_to("views.publish") if call.params["user_id"] == user_id]


def test_a_helper_publishes_the_very_home_the_web_process_would(
    slack: SlackDriver, deps: Deps, clock: FakeClock, db: Database, emulator: Any, home_helpers: HomeHelpers
) -> None:
    add_meeting(db, BEN, date(2026, 11, 24), "Planned the fractions unit.")
    client = deps.slack.client
    here = HomePublisher(deps.roster, deps.home)  # no helpers: in this thread
    for user in (LEO, AMY, BEN):
        assert home_helpers.publish(client, "T0001", user, clock()) is True
        assert here.publish(client, SlackDirectory(client), "T0001", user, clock()) is True

        from_helper, from_here = published_views(emulator, user)[-2:]
        assert from_helper == from_here
    assert helper_pids(home_helpers), "the Homes were published by a helper process"
    assert os.getpid() not in helper_pids(home_helpers)


def test_a_helper_killed_mid_term_loses_no_home_and_is_replaced(
    slack: SlackDriver, deps: Deps, clock: FakeClock, home_helpers: HomeHelpers
) -> None:
    assert "Your cohort" in text_of(open_home(slack, LEO))
    first = helper_pids(home_helpers)
    assert first
    for pid in first:
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: all(not _alive(pid) for pid in first), what="the helper to die")

    assert "Your cohort" in text_of(open_home(slack, LEO))  # built in the web process this once
    assert "Your cohort" in text_of(open_home(slack, LEO))  # and by a new helper again

    assert helper_pids(home_helpers) and not helper_pids(home_helpers) & first


def test_an_in_memory_database_builds_homes_in_the_web_process(deps: Deps, settings: Settings) -> None:
    in_memory = settings.model_copy(update={"database_url": "sqlite://"})

    views = HomeHelpers(in_memory, processes=2)

    assert views.processes == 0


def test_after_the_server_stops_homes_are_built_in_the_web_process(
    slack: SlackDriver, deps: Deps, clock: FakeClock, home_helpers: HomeHelpers
) -> None:
    home_helpers.start()
    home_helpers.close()

    assert home_helpers.publish(deps.slack.client, "T0001", LEO, clock()) is None  # so the web process publishes
    assert "Your cohort" in text_of(open_home(slack, LEO))
    assert home_helpers._pool is None


def test_helpers_stop_when_their_web_process_is_killed_outright(settings: Settings, tmp_path: Path) -> None:
    """A web process killed with SIGKILL can't stop its helpers: they notice and exit themselves."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from bot.app.bootstrap import bootstrap
        from bot.app.home_processes import HomeHelpers
        from bot.app.settings import Settings

        settings = Settings(_env_file=None, **{_settings_values(settings)!r})
        views = HomeHelpers(settings, processes=1)
        views.start()
        while not views._pool._processes:
            time.sleep(0.05)
        print(*[p.pid for p in views._pool._processes.values()], flush=True)
        time.sleep(600)
        """
    )
    web = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2]
    )
    try:
        assert web.stdout is not None
        helpers = [int(pid) for pid in web.stdout.readline().split()]
        assert helpers and all(_alive(pid) for pid in helpers)
    finally:
        web.kill()
        web.wait()

    wait_until(lambda: not any(_alive(pid) for pid in helpers), timeout=30, what="the helpers to exit")


def _settings_values(settings: Settings) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else "",
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret.get_secret_value(),
        "DATABASE_URL": settings.database_url,
        "SLACK_API_URL": settings.slack_api_url or "",
    }


def _alive(pid: int) -> bool:
    """Running, and not a zombie waiting for its parent to collect it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False
