"""`python -m bot worker` (the scheduled jobs without the web server) and `python -m bot serve --workers N`.

Each runs as an operator runs it, in a subprocess against the emulator; the worker's clock is set by the test
(tests/support/bot_process.py).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.app.scheduler import build_scheduler
from storage.db import Database
from storage.reminders import ReminderSent
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Workspace
from tests.conftest import BACKENDS, BackendDatabase
from tests.support.bot_process import CLOCK_FILE, BotProcess, free_port, set_clock
from tests.support.cli import ROOT, SETTING_NAMES, run_bot
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import AMY, BEN, LONDON, SIGNING_SECRET

SCHOOL_MORNING = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)  # Wednesday: Amy's weekly meeting is overdue


@pytest.fixture
def env(emulator: SlackEmulator, backend: BackendDatabase, tmp_path: Path) -> dict[str, str]:
    emulator.add_user(AMY, "amy", real_name="Amy Mentor")
    emulator.add_user(BEN, "ben", real_name="Ben Trainee")
    clock = tmp_path / "now.txt"
    set_clock(clock, SCHOOL_MORNING)
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return {
        **clean,
        "PYTHONPATH": str(ROOT),
        CLOCK_FILE: str(clock),
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": backend.url,
        "HOST": "127.0.0.1",
    }


@pytest.fixture
def mentorship(db: Database) -> None:
    at = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id="T0001", created_at=at, updated_at=at))
        session.flush()
        session.add(
            Mentorship(
                team_id="T0001",
                mentor_id=AMY,
                mentee_id=BEN,
                mentee_kind=MenteeKind.ECT,
                start_date=date(2026, 11, 2),
                end_date=date(2027, 7, 21),
                meeting_cadence=MeetingCadence.WEEKLY,
                created_by="test",
                created_at=at,
            )
        )


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for process in started:
        if process.process.poll() is None:
            process.stop()


def test_worker_once_runs_every_job_now_and_sends_each_reminder_once(
    env: dict[str, str], emulator: SlackEmulator, db: Database, deps: Deps, mentorship: None, tmp_path: Path
) -> None:
    first = BotProcess("worker", "--once", env=env, cwd=tmp_path, name="first")
    assert first.wait() == 0, first.output()
    second = BotProcess("worker", "--once", env=env, cwd=tmp_path, name="second")
    assert second.wait() == 0, second.output()

    every_job = [job.name for job in build_scheduler(deps).get_jobs()]
    assert f"Ran {len(every_job)} scheduled jobs once: {', '.join(every_job)}." in first.output()
    [reminder] = emulator.messages_to(AMY)
    assert reminder["text"] == f"Reminder: log your meeting with <@{BEN}>."
    with db.unit_of_work() as session:
        assert len(session.scalars(select(ReminderSent)).all()) == 1


def test_the_worker_runs_until_sigterm_then_stops_cleanly(
    env: dict[str, str], tmp_path: Path, processes: list[BotProcess]
) -> None:
    worker = BotProcess("worker", env=env, cwd=tmp_path, name="worker")
    processes.append(worker)
    wait_until(lambda: "Worker running" in worker.output(), what="the worker to start", timeout=60)

    assert worker.stop(timeout=20) == 0
    assert "Worker stopped" in worker.output() and "Traceback" not in worker.output()


def test_several_web_processes_on_sqlite_are_refused_with_one_line(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET}

    result = run_bot("serve", "--workers", "2", env=env, cwd=tmp_path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert "--workers 2 needs PostgreSQL" in line and "postgresql://" in line


def test_workers_must_be_a_positive_number(tmp_path: Path) -> None:
    result = run_bot("serve", "--workers", "0", env={}, cwd=tmp_path)

    assert result.returncode == 2 and "must be a whole number, 1 or more" in result.stderr


if "postgresql" in BACKENDS:

    @pytest.fixture
    def postgres_env(env: dict[str, str], _databases: object) -> dict[str, str]:
        made = _databases.get("postgresql")  # type: ignore[attr-defined]
        return {**env, "DATABASE_URL": made.url}

    def test_serve_with_two_workers_answers_from_two_processes_and_stops_on_sigterm(
        postgres_env: dict[str, str], tmp_path: Path, processes: list[BotProcess]
    ) -> None:
        env = {**postgres_env, "PORT": str(free_port()), "SCHEDULER": "on"}
        web = BotProcess("serve", "--workers", "2", env=env, cwd=tmp_path, name="web")
        processes.append(web)
        web.wait_healthy()

        children: list[int] = wait_until(lambda: _children(web.process.pid, 2), what="two web processes")
        assert "web process 1 of 2 runs reminders" in web.output()
        os.kill(web.process.pid, signal.SIGTERM)
        assert web.process.wait(timeout=30) == 0, web.output()
        time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)], "a web process outlived the parent"


def _children(pid: int, expected: int) -> list[int]:
    """The process's children once there are `expected` of them (else an empty list)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(child) for child in path.read_text().split()] if path.exists() else []
    return found if len(found) == expected else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_serve_builds_homes_in_a_lower_priority_helper_and_stops_it_on_sigterm(
    env: dict[str, str], mentorship: None, emulator: SlackEmulator, tmp_path: Path, processes: list[BotProcess]
) -> None:
    server = BotProcess("serve", env={**env, "PORT": str(free_port()), "SCHEDULER": "off"}, cwd=tmp_path, name="web")
    processes.append(server)
    server.wait_healthy()
    helpers = wait_until(lambda: _niced_children(server.process.pid), timeout=60, what="the Home helper to start")

    SlackDriver(server.url, SIGNING_SECRET, emulator).open_home(AMY)

    published = wait_until(lambda: emulator.calls_to("views.publish"), timeout=30, what="Amy's Home")
    assert published[-1].params["user_id"] == AMY
    assert f"<@{BEN}>" in json.dumps(published[-1].params["view"])  # her mentee, built by the helper
    # uvicorn stops gracefully, then dies of the SIGTERM it caught, as a server stopped by systemd should
    assert server.stop() == -signal.SIGTERM
    assert "Traceback" not in server.output()
    assert not any(Path(f"/proc/{pid}").exists() for pid in helpers), "the helper stopped with the server"


def _niced_children(parent: int) -> list[int]:
    """The processes `parent` started that run below normal priority (nice above 0)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, nice = int(fields[1]), int(fields[16])
        if ppid == parent and nice > 0:
            found.append(int(stat.parent.name))
    return found
