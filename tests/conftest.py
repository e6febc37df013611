"""Shared fixtures: a database per backend, the Slack emulator, and the bot served over real HTTP."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer
from storage.db import Database
from storage.schema import Base
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import NOW, SIGNING_SECRET

# SQLite always; PostgreSQL too when TEST_DATABASE_URL points at a server (CI sets it).
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@dataclass
class BackendDatabase:
    url: str
    db: Database


class _Databases:
    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.made: dict[str, BackendDatabase] = {}
        self.schema = f"mentorbot_test_{uuid.uuid4().hex[:10]}"

    def get(self, backend: str) -> BackendDatabase:
        if backend not in self.made:
            if backend == "sqlite":
                url = f"sqlite:///{self.tmp_dir / 'test.db'}"
            else:
                base = make_url(os.environ["TEST_DATABASE_URL"])
                admin = Database.from_url(base.render_as_string(hide_password=False))
                with admin.engine.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
                admin.engine.dispose()
                url = base.update_query_dict({"options": f"-csearch_path={self.schema}"}).render_as_string(
                    hide_password=False
                )
            database = Database.from_url(url)
            database.migrate()
            self.made[backend] = BackendDatabase(url, database)
        return self.made[backend]

    def close(self) -> None:
        for backend, made in self.made.items():
            made.db.dispose()
            if backend == "postgresql":
                admin = Database.from_url(os.environ["TEST_DATABASE_URL"])
                with admin.engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
                admin.engine.dispose()


@pytest.fixture(scope="session")
def _databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    databases = _Databases(tmp_path_factory.mktemp("db"))
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, _databases: _Databases) -> BackendDatabase:
    """A migrated, empty database on each backend in turn."""
    made = _databases.get(request.param)
    with made.db.unit_of_work() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))
    return made


@pytest.fixture
def db(backend: BackendDatabase) -> Database:
    return backend.db


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emu = SlackEmulator(team_id="T0001").start()
    yield emu
    emu.stop()
    assert emu.block_errors == [], f"Slack would have rejected: {emu.block_errors}"


@pytest.fixture
def settings(backend: BackendDatabase, emulator: SlackEmulator) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": backend.url,
        "SLACK_API_URL": emulator.api_url,
        # Generous: a slow test machine must not turn a quick refusal into a placeholder's notice modal.
        # tests/cross/test_modal_first.py shortens it to see placeholders.
        "MODAL_PLACEHOLDER_SECONDS": "30",
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def deps(settings: Settings, db: Database, clock: FakeClock) -> Deps:
    return bootstrap(settings, clock=clock, db=db)


@pytest.fixture
def slack(deps: Deps, emulator: SlackEmulator) -> Iterator[SlackDriver]:
    """The bot served over real HTTP, and a driver that talks to it as Slack does."""
    # Our own pool for Bolt's listeners, so work finishing after an ack can't spill into the next test.
    listeners = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bolt-listener")
    server = BackgroundServer(create_app(deps, listener_executor=listeners), signing_secret=SIGNING_SECRET).start()
    yield SlackDriver(server.url, SIGNING_SECRET, emulator)
    server.stop()
    listeners.shutdown(wait=True)
