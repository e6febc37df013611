"""Only requests signed by Slack, within five minutes, get in; nothing is stored otherwise."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.roster import Mentorship, Person
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator

ASSIGN = "assign <@UAMY0001|amy> <@UBEN0001|ben>"


@pytest.fixture(autouse=True)
def people(emulator: SlackEmulator) -> None:
    emulator.add_user("UADMIN01", "head", is_admin=True)
    emulator.add_user("UAMY0001", "amy")
    emulator.add_user("UBEN0001", "ben")


def stored_rows(db: Database) -> int:
    with db.unit_of_work() as session:
        people = session.scalar(select(func.count()).select_from(Person)) or 0
        mentorships = session.scalar(select(func.count()).select_from(Mentorship)) or 0
    return people + mentorships


@pytest.mark.parametrize(
    "tamper",
    [
        {"signature": "v0=" + "0" * 64},
        {"signature": ""},
        {"age": 6 * 60},  # replayed: signed six minutes ago, outside the five-minute window
        {"age": -6 * 60},  # signed six minutes from now
    ],
    ids=["bad-signature", "no-signature", "stale", "future"],
)
def test_forged_or_stale_requests_get_401_and_store_nothing(
    slack: SlackDriver, db: Database, emulator: SlackEmulator, tamper: dict[str, Any]
) -> None:
    if "age" in tamper:  # the timestamp is taken when the request is built, however long the suite has run
        tamper = {"timestamp": int(time.time()) - tamper["age"]}
    result = slack.command("/mentor", ASSIGN, user="UADMIN01", **tamper)

    assert result.status == 401
    time.sleep(0.2)  # give a wrongly accepted request time to do damage
    assert stored_rows(db) == 0
    assert emulator.calls_to("users.info") == []


def test_a_request_signed_with_another_secret_is_refused(slack: SlackDriver, db: Database) -> None:
    other = SlackDriver(slack.url.removesuffix("/slack/events"), "not-our-secret", slack.emulator)
    assert other.command("/mentor", ASSIGN, user="UADMIN01").status == 401
    assert stored_rows(db) == 0


def test_oversized_and_non_utf8_bodies_are_refused(slack: SlackDriver) -> None:
    big = slack.post(b"x" * 1_100_000, "application/x-www-form-urlencoded")
    junk = slack.post(b"\xff\xfe\x00payload", "application/x-www-form-urlencoded")
    assert big.status == 413
    assert junk.status == 400
    assert slack.command("/mentor", "help", user="UADMIN01").status == 200  # still serving
