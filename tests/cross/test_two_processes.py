"""Two web processes and two workers on one PostgreSQL database: nothing stored, DMed or digested twice.

Two `python -m bot serve` processes (SCHEDULER=off) answer signed load: observations and a meeting, each
form opened through one process and submitted through the other, and the same submission delivered to both
at once (a retry landing on the other process). Then two `python -m bot worker --once` run at the same moment
for a digest week (Friday after the send time, twice) and for a reminder day. Every message the emulator
accepted is compared: no two are the same message to the same place.

Then two long-running `python -m bot worker` side by side, running every job every second
(JOBS_EVERY_SECONDS=1), through a digest week and a reminder day: again nothing twice, and both stop on SIGTERM.

PostgreSQL only (SQLite serves one process): on a run without TEST_DATABASE_URL this module has no tests.
"""

from __future__ import annotations

import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from storage.digests import DeliveryStatus, DigestDelivery
from storage.meetings import Meeting
from storage.observations import Observation
from storage.reminders import ReminderSent
from tests.conftest import BACKENDS
from tests.cross.school import seed_school
from tests.support import meetings
from tests.support.bot_process import CLOCK_FILE, BotProcess, free_port, set_clock
from tests.support.cli import ROOT, SETTING_NAMES
from tests.support.clock import FakeClock
from tests.support.driver import HttpResult, SlackDriver, state_for, wait_until
from tests.support.emulator import Call, SlackEmulator
from tests.support.observations import full_answers
from tests.support.people import LONDON, NOW, SIGNING_SECRET
from tests.support.slack import mention, modal_on_screen, modals_opened

FRIDAY_AFTER_SEND = datetime(2026, 11, 27, 15, 5, tzinfo=LONDON)  # the digests go at 15:00 on Fridays
NEXT_TICK = datetime(2026, 11, 27, 15, 40, tzinfo=LONDON)
JSON_KEYS = {"time", "level", "logger", "message", "request_id", "team_id"}
REMINDER_DAY = datetime(2026, 12, 9, 10, 0, tzinfo=LONDON)  # a Wednesday: weekly meetings are overdue


class Cluster:
    """The emulator, the database, the shared clock file and the environment every bot process gets."""

    def __init__(self, emulator: SlackEmulator, url: str, tmp: Path) -> None:
        self.emulator = emulator
        self.tmp = tmp
        self.clock_path = tmp / "now.txt"
        set_clock(self.clock_path, NOW)
        clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
        self.env = {
            **clean,
            "PYTHONPATH": str(ROOT),
            CLOCK_FILE: str(self.clock_path),
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": emulator.api_url,
            "DATABASE_URL": url,
            "HOST": "127.0.0.1",
            "SCHEDULER": "off",
            "LOG_FORMAT": "json",
        }
        self.processes: list[BotProcess] = []

    def deps(self) -> Deps:
        """The test's own services on the cluster's database, to seed it and read it back."""
        values: dict[str, Any] = {
            "SLACK_BOT_TOKEN": self.emulator.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": self.emulator.api_url,
            "DATABASE_URL": self.env["DATABASE_URL"],
        }
        return bootstrap(Settings(_env_file=None, **values), clock=FakeClock(NOW))  # type: ignore[call-arg]

    def web(self, name: str) -> BotProcess:
        process = BotProcess("serve", env={**self.env, "PORT": str(free_port())}, cwd=self.tmp, name=name)
        self.processes.append(process)
        return process

    def two_workers_at_once(self, now: datetime) -> list[str]:
        """Two `worker --once` started together at `now` (school time); their output once both are done."""
        set_clock(self.clock_path, now)
        workers = [BotProcess("worker", "--once", env=self.env, cwd=self.tmp, name=f"worker-{n}") for n in (1, 2)]
        self.processes.extend(workers)
        codes = [worker.wait() for worker in workers]
        outputs = [worker.output() for worker in workers]
        assert codes == [0, 0], outputs
        return outputs

    def long_running_workers(self) -> list[BotProcess]:
        """Two `worker` processes side by side, running every job every second; DEBUG logs each job's run."""
        env = {**self.env, "JOBS_EVERY_SECONDS": "1", "LOG_LEVEL": "DEBUG"}
        workers = [BotProcess("worker", env=env, cwd=self.tmp, name=f"long-worker-{n}") for n in (1, 2)]
        self.processes.extend(workers)
        return workers

    def stop(self) -> None:
        for process in self.processes:
            if process.process.poll() is None:
                process.stop()


if "postgresql" in BACKENDS:

    @pytest.fixture
    def cluster(_databases: Any, emulator: SlackEmulator, tmp_path: Path) -> Iterator[Cluster]:
        made = _databases.get("postgresql")
        from storage.schema import Base

        with made.db.unit_of_work() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(table.delete())
        started = Cluster(emulator, made.url, tmp_path)
        yield started
        started.stop()

    def test_two_web_processes_and_two_workers_never_store_or_send_twice(cluster: Cluster) -> None:
        emulator = cluster.emulator
        deps = cluster.deps()
        school = seed_school(deps, emulator)
        p = school.people
        one, two = cluster.web("web-1"), cluster.web("web-2")
        one.wait_healthy()
        two.wait_healthy()
        a, b = SlackDriver(one.url, SIGNING_SECRET, emulator), SlackDriver(two.url, SIGNING_SECRET, emulator)

        # Load on both: each observation opened through one process and saved through the other…
        for opener, saver in ((a, b), (b, a), (a, b)):
            view = opened(opener, "/observe", mention(p.mentee), user=p.mentor)
            assert saver.submit(view, state_for(view, full_answers()), user=p.mentor).status == 200
        # …and one delivered to both processes at the same moment, as a retry can be.
        view = opened(a, "/observe", mention(p.other_mentee), user=p.other_mentor)
        at_once(lambda d: d.submit(view, state_for(view, full_answers()), user=p.other_mentor), a, b)
        # A meeting saved through both at once.
        view = opened(b, "/meeting", mention(p.mentee), user=p.mentor)
        at_once(lambda d: d.submit(view, state_for(view, meetings.answers(view)), user=p.mentor), a, b)

        wait_until(lambda: count(deps, Observation) == 5, what="four new observations", timeout=30)
        wait_until(lambda: count(deps, Meeting, Meeting.author_id == p.mentor) == 1, what="the meeting", timeout=30)
        wait_until(lambda: len(emulator.messages_to(p.other_mentee)) >= 1, what="the teacher's DM", timeout=30)
        for web in (one, two):  # LOG_FORMAT=json: every line a JSON object
            lines = [json.loads(line) for line in web.output().splitlines()]
            assert lines and all(set(line) >= JSON_KEYS for line in lines)

        phases = [len(emulator.calls)]
        # A digest week: two workers at once after Friday's send time, and again at the next tick.
        cluster.two_workers_at_once(FRIDAY_AFTER_SEND)
        phases.append(len(emulator.calls))
        cluster.two_workers_at_once(NEXT_TICK)
        phases.append(len(emulator.calls))
        # A reminder day: two workers at once.
        cluster.two_workers_at_once(REMINDER_DAY)
        phases.append(len(emulator.calls))

        assert count(deps, Observation) == 5  # the seeded one and four saved through the two processes
        assert count(deps, Meeting, Meeting.author_id == p.mentor) == 1
        assert len(emulator.messages_to(p.lead)) >= 1 and len(emulator.messages_to(school.slt_channel)) >= 1
        with deps.db.unit_of_work() as session:
            deliveries = session.scalars(select(DigestDelivery)).all()
            assert deliveries and all(d.status is DeliveryStatus.SENT and d.attempts == 1 for d in deliveries)
            reminders = session.scalars(select(ReminderSent)).all()
        assert {r.recipient_id for r in reminders} >= {p.other_mentor}, "the reminder day sent no reminders"
        # One DM per reminder claimed (a mentor missing two meetings gets two reminders, on different days)…
        for mentor in {r.recipient_id for r in reminders}:
            sent = [m for m in emulator.messages_to(mentor) if str(m.get("text", "")).startswith("Reminder: log")]
            assert len(sent) == len([r for r in reminders if r.recipient_id == mentor]), mentor
        # …and within the load and each workers' run, no message twice to the same place.
        for first, last in zip([0, *phases], [*phases, len(emulator.calls)], strict=True):
            assert_no_message_twice(emulator, emulator.calls[first:last])
        assert len(posted(emulator.calls)) >= 8, "too few messages for the test to mean anything"

    def test_two_long_running_workers_send_nothing_twice_and_stop_on_sigterm(cluster: Cluster) -> None:
        emulator = cluster.emulator
        deps = cluster.deps()
        school = seed_school(deps, emulator)
        p = school.people
        set_clock(cluster.clock_path, FRIDAY_AFTER_SEND)
        workers = cluster.long_running_workers()

        # A digest week: both workers tick through Friday after the send time, then through the next tick.
        both_ran_at(workers, "digest", FRIDAY_AFTER_SEND)
        set_clock(cluster.clock_path, NEXT_TICK)
        both_ran_at(workers, "digest", NEXT_TICK)
        # A reminder day.
        set_clock(cluster.clock_path, REMINDER_DAY)
        both_ran_at(workers, "meeting reminder", REMINDER_DAY)
        codes = [worker.stop() for worker in workers]

        outputs = [worker.output() for worker in workers]
        assert codes == [0, 0], outputs
        assert all("Worker stopped" in output for output in outputs)
        with deps.db.unit_of_work() as session:
            deliveries = session.scalars(select(DigestDelivery)).all()
            reminders = session.scalars(select(ReminderSent)).all()
        assert deliveries and all(d.status is DeliveryStatus.SENT and d.attempts == 1 for d in deliveries)
        assert {r.recipient_id for r in reminders} >= {p.other_mentor}, "the reminder day sent no reminders"
        assert len(emulator.messages_to(p.lead)) >= 1
        # One DM per reminder claimed (a mentor missing two meetings is reminded of each, on different days)…
        for mentor in {r.recipient_id for r in reminders}:
            sent = [m for m in emulator.messages_to(mentor) if str(m.get("text", "")).startswith("Reminder: log")]
            assert len(sent) == len([r for r in reminders if r.recipient_id == mentor]), mentor
        # …and no other message twice to the same place, across the whole run.
        others = [c for c in emulator.calls if not str(c.params.get("text", "")).startswith("Reminder: log")]
        assert_no_message_twice(emulator, others)
        assert len(posted(others)) >= 4, "too few messages for the test to mean anything"

    def job_runs(worker: BotProcess, what: str, at: datetime) -> int:
        """The runs of a job the worker finished at school time `at` (its DEBUG line for each run)."""
        lines = [json.loads(line) for line in worker.output().splitlines() if line.startswith("{")]
        started = f"The {what} job at {at:%Y-%m-%d %H:%M} school time: "
        return sum(1 for line in lines if str(line.get("message", "")).startswith(started))

    def both_ran_at(workers: list[BotProcess], what: str, at: datetime) -> None:
        """Each worker finished two runs of the job at school time `at`: the second began after the clock moved."""
        for worker in workers:
            assert worker.process.poll() is None, worker.output()
            wait_until(lambda: job_runs(worker, what, at) >= 2, what=f"two {what} runs at {at}", timeout=60)  # noqa: B023

    def opened(driver: SlackDriver, command: str, text: str, *, user: str) -> dict[str, Any]:
        before = modals_opened(driver.emulator)
        result = driver.command(command, text, user=user)
        assert result.status == 200 and not result.body, result.text
        # The form as the person sees it: on a busy machine an "Opening …" placeholder may come first.
        return modal_on_screen(driver.emulator, opened_before=before, what=f"{command}'s modal", timeout=20)

    def at_once(send: Any, *drivers: SlackDriver) -> list[HttpResult]:
        start = threading.Barrier(len(drivers))
        results: list[HttpResult] = []

        def go(driver: SlackDriver) -> None:
            start.wait()
            results.append(send(driver))

        threads = [threading.Thread(target=go, args=(driver,)) for driver in drivers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert [r.status for r in results] == [200] * len(drivers)
        assert all(request_id(r) for r in results)
        return results

    def request_id(result: HttpResult) -> str:
        return next((v for k, v in result.headers.items() if k.lower() == "x-request-id"), "")

    def count(deps: Any, model: Any, *where: Any) -> int:
        with deps.db.unit_of_work() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    def posted(calls: list[Call]) -> list[dict[str, Any]]:
        return [
            c.params
            for c in calls
            if c.method == "chat.postMessage" and c.response is not None and c.response.get("ok")
        ]

    def assert_no_message_twice(emulator: SlackEmulator, calls: list[Call]) -> None:
        seen = Counter(
            (emulator._canonical(str(m.get("channel"))), m.get("text"), json.dumps(m.get("blocks"), sort_keys=True))
            for m in posted(calls)
        )
        twice = [(where, text) for (where, text, _), n in seen.items() if n > 1]
        assert not twice, f"sent twice: {twice}"
