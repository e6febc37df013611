"""GET /healthz: 200 {"status": "ok"} only when the database answers and its schema is at the latest migration;
otherwise 503 with a short reason a person can act on, never a traceback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer, HealthCheck
from storage.db import Database
from tests.support.people import SIGNING_SECRET


@pytest.fixture
def serve(deps: Deps) -> Iterator[Any]:
    servers: list[BackgroundServer] = []

    def start(check: HealthCheck) -> str:
        server = BackgroundServer(create_app(deps), signing_secret=SIGNING_SECRET, health_check=check).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def get(url: str) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_healthy_when_the_database_answers_at_the_latest_migration(serve: Any, db: Database) -> None:
    assert get(serve(db.health_problem)) == (200, {"status": "ok"})


def test_unavailable_when_the_database_does_not_answer(serve: Any) -> None:
    gone = Database.from_url("postgresql://mentor@127.0.0.1:1/nowhere")  # nothing listens on port 1

    status, body = get(serve(gone.health_problem))

    assert status == 503 and body["status"] == "unavailable"
    assert body["reason"].startswith("database unreachable") and len(body["reason"]) < 200
    assert "Traceback" not in body["reason"]


def test_unavailable_when_migrations_are_pending(serve: Any, tmp_path: Path) -> None:
    empty = Database.from_url(f"sqlite:///{tmp_path / 'new.db'}")  # reachable, never migrated

    status, body = get(serve(empty.health_problem))

    assert (status, body) == (
        503,
        {"status": "unavailable", "reason": "database schema not at the latest migration: run `python -m bot migrate`"},
    )


def test_a_broken_check_is_a_short_503_not_a_traceback(serve: Any) -> None:
    def broken() -> str | None:
        raise RuntimeError("secret internals")

    status, body = get(serve(broken))

    assert (status, body) == (503, {"status": "unavailable", "reason": "health check failed (RuntimeError)"})
