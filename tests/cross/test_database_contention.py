"""A locked database never makes Slack show its own error: the wait is bounded well inside Slack's 3 s,
then the form stays open with what was typed and says so beside the field, and a command answers in words.

The lock is held from another connection, as a long transaction (a migration, a backup, a CLI import)
would hold it: SQLite's write lock by BEGIN IMMEDIATE on the same file; on PostgreSQL, LOCK TABLE.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.observations import full_answers, observations, open_form
from tests.support.slack import mention, reply_to

ADMIN, AMY, BEN = "UADMIN01", "UAMY0001", "UBEN0001"
SLACK_PATIENCE = 3.0  # seconds Slack waits for an answer


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    emulator.add_user(ADMIN, "head", real_name="Hana Head", is_admin=True)
    emulator.add_user(AMY, "amy", real_name="Amy Mentor")
    emulator.add_user(BEN, "ben", real_name="Ben Trainee")
    started = clock.now
    clock.now = started - timedelta(days=22)
    reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(BEN)} trainee", user=ADMIN)
    clock.now = started


@contextmanager
def locked(backend: BackendDatabase, *tables: str) -> Iterator[None]:
    """Another connection holds a lock for the length of the block."""
    url = make_url(backend.url)
    if url.get_backend_name() == "sqlite":
        raw = sqlite3.connect(url.database or "", isolation_level=None)
        raw.execute("BEGIN IMMEDIATE")  # the write lock: every other writer waits
        try:
            yield
        finally:
            raw.execute("ROLLBACK")
            raw.close()
    else:
        engine = create_engine(url.set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            connection.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
            try:
                yield
            finally:
                connection.rollback()
        engine.dispose()


def test_a_modal_saved_while_the_database_is_locked_stays_open_with_a_message(
    slack: SlackDriver, backend: BackendDatabase
) -> None:
    view = open_form(slack, mention(BEN))
    answers = full_answers()

    with locked(backend, "observations"):
        started = time.monotonic()
        result = slack.submit(view, state_for(view, answers), user=AMY)
        waited = time.monotonic() - started

    assert result.status == 200 and waited < SLACK_PATIENCE - 0.5, (result.status, waited)
    answer = result.json
    assert answer["response_action"] == "errors"
    assert any("couldn't save that just now" in message for message in answer["errors"].values())
    assert observations(backend.db) == []

    # The form was kept, so pressing Save again works once the lock has gone.
    again = slack.submit(view, state_for(view, answers), user=AMY)
    assert again.status == 200 and not again.body
    assert len(observations(backend.db)) == 1


def test_a_command_while_the_database_is_locked_answers_in_words(
    slack: SlackDriver, backend: BackendDatabase, emulator: SlackEmulator
) -> None:
    emulator.add_user("UCAT0001", "cat", real_name="Cat Colleague")
    before = len(emulator.responses)
    with locked(backend, "people", "mentorships"):
        started = time.monotonic()
        result = slack.command("/mentor", f"assign {mention(AMY)} {mention('UCAT0001')} staff", user=ADMIN)
        waited = time.monotonic() - started
        replies = wait_until(lambda: emulator.responses[before:], timeout=SLACK_PATIENCE + 2, what="a reply")

    assert result.status == 200 and waited < SLACK_PATIENCE - 0.5, (result.status, waited)
    [reply] = replies
    assert reply["response_type"] == "ephemeral"
    assert "try again" in reply["text"]
