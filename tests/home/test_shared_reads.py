"""Reads leaders' Homes share: built once while the database's data version stands still, built again after any
committed write (from this process or another), one build at a time for the same read."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, update

from bot.home.shared_reads import MAX_ENTRIES, SharedReads
from storage.db import Database
from storage.roster import Person
from tests.conftest import BackendDatabase
from tests.support.people import AMY, NOW, TEAM
from tests.support.school import seed_roster


class Versions:
    """A data version the test moves by hand."""

    def __init__(self) -> None:
        self.value = 1

    def __call__(self) -> str:
        return str(self.value)


class Builds:
    """A build that counts its calls and returns a new object each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> list[int]:
        self.calls += 1
        return [self.calls]


def test_a_read_is_built_once_while_nothing_changes() -> None:
    shared, build = SharedReads(Versions(), max_age=60), Builds()

    first = shared.get(("school week", TEAM), build)

    assert shared.get(("school week", TEAM), build) is first
    assert build.calls == 1


def test_a_committed_write_means_the_next_read_is_built_again() -> None:
    version = Versions()
    shared, build = SharedReads(version, max_age=60), Builds()
    shared.get("week", build)

    version.value += 1

    assert shared.get("week", build) == [2]
    assert shared.get("week", build) == [2]


def test_each_key_is_its_own_read() -> None:
    shared, build = SharedReads(Versions(), max_age=60), Builds()

    assert shared.get(("week", "T1"), build) == [1]
    assert shared.get(("week", "T2"), build) == [2]
    assert shared.get(("week", "T1"), build) == [1]


def test_an_entry_older_than_its_max_age_is_built_again() -> None:
    now = [100.0]
    shared, build = SharedReads(Versions(), max_age=30, clock=lambda: now[0]), Builds()
    shared.get("week", build)

    now[0] += 30
    assert shared.get("week", build) == [1]
    now[0] += 0.5
    assert shared.get("week", build) == [2]


def test_a_max_age_of_zero_shares_nothing() -> None:
    shared, build = SharedReads(Versions(), max_age=0), Builds()

    shared.get("week", build)
    shared.get("week", build)

    assert build.calls == 2


def test_the_oldest_entries_are_forgotten_beyond_the_limit() -> None:
    shared, build = SharedReads(Versions(), max_age=60), Builds()
    for n in range(MAX_ENTRIES + 1):
        shared.get(n, build)

    shared.get(MAX_ENTRIES, build)  # the newest: kept
    assert build.calls == MAX_ENTRIES + 1
    shared.get(0, build)  # the oldest: forgotten
    assert build.calls == MAX_ENTRIES + 2


def test_callers_asking_during_a_build_wait_for_it_instead_of_building_again() -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_build() -> list[str]:
        calls.append("built")
        started.set()
        release.wait(5)
        return ["the week"]

    shared = SharedReads(Versions(), max_age=60)
    results: list[list[str]] = []
    first = threading.Thread(target=lambda: results.append(shared.get("week", slow_build)))
    first.start()
    assert started.wait(5)
    waiters = [threading.Thread(target=lambda: results.append(shared.get("week", slow_build))) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    release.set()
    for thread in [first, *waiters]:
        thread.join(5)

    assert calls == ["built"]
    assert len(results) == 4 and all(result is results[0] for result in results)


def test_when_the_build_fails_its_caller_sees_the_error_and_a_waiter_builds_for_itself() -> None:
    started, release = threading.Event(), threading.Event()

    def failing_build() -> list[str]:
        started.set()
        release.wait(5)
        raise RuntimeError("database went away")

    shared = SharedReads(Versions(), max_age=60)
    errors: list[Exception] = []
    waited: list[list[str]] = []

    def first_caller() -> None:
        try:
            shared.get("week", failing_build)
        except RuntimeError as exc:
            errors.append(exc)

    first = threading.Thread(target=first_caller)
    first.start()
    assert started.wait(5)
    waiter = threading.Thread(target=lambda: waited.append(shared.get("week", lambda: ["built again"])))
    waiter.start()
    release.set()
    first.join(5)
    waiter.join(5)

    assert [str(e) for e in errors] == ["database went away"]
    assert waited == [["built again"]]


# --- the database's data version ----------------------------------------------------------------------------------


def rename(db: Database, name: str) -> None:
    with db.unit_of_work() as session:
        session.execute(update(Person).where(Person.user_id == AMY).values(real_name=name))


def test_the_data_version_stands_still_while_only_reads_happen(db: Database) -> None:
    seed_roster(db, at=NOW, people=[AMY])
    before = db.data_version()

    with db.unit_of_work() as session:
        session.scalars(select(Person)).all()

    assert db.data_version() == before


@pytest.mark.parametrize("writer", ["this process", "another process"])
def test_the_data_version_moves_with_every_committed_write(backend: BackendDatabase, writer: str) -> None:
    db = backend.db
    seed_roster(db, at=NOW, people=[AMY])
    before = db.data_version()
    other = Database.from_url(backend.url) if writer == "another process" else db
    try:
        rename(other, "Amy Renamed")
    finally:
        if other is not db:
            other.dispose()

    assert db.data_version() != before


def test_a_build_that_raced_a_write_is_not_shared(db: Database) -> None:
    """The version is read before building: a write committed during the build makes it unshareable."""
    seed_roster(db, at=NOW, people=[AMY])
    shared = SharedReads(db.data_version, max_age=60)

    def build_during_a_write() -> str:
        rename(db, "Amy during the build")
        return "read before the write landed"

    assert shared.get("names", build_during_a_write) == "read before the write landed"
    assert shared.get("names", lambda: "read again") == "read again"
