"""`python -m bot privacy …`: export, erase and retention, run in-process as an operator would."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

import bot.__main__ as cli
from storage.db import Database
from storage.observations import Observation
from storage.roster import AuditEntry, Person
from tests.conftest import BackendDatabase
from tests.support.people import BEN, SIGNING_SECRET, TEAM
from tests.support.privacy import REFLECTION, STRENGTHS, rows_holding, seed_retention, seed_school


@pytest.fixture
def operator(monkeypatch: pytest.MonkeyPatch, backend: BackendDatabase, tmp_path: Path) -> Path:
    """The environment an operator runs the CLI in; no Slack needed. Returns a folder to work in."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-operator-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path


def test_export_writes_json_csv_and_pdf_readable_only_by_the_operator(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_school(db)
    out = operator / "exports"

    assert cli.main(["privacy", "export", "--team", TEAM, "--user", BEN, "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    files = sorted(out.iterdir())
    assert [f.suffix for f in files] == [".csv", ".json", ".pdf"]
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        assert str(file.resolve()) in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    document = json.loads(next(f for f in files if f.suffix == ".json").read_text())
    assert (document["export"]["team_id"], document["export"]["user_id"]) == (TEAM, BEN)
    assert document["person"]["real_name"] == "Ben Trainee"
    [observation] = document["tables"]["observations"]
    assert observation["reflection"] == REFLECTION and observation["_mentions"] == ["teacher_id"]
    assert STRENGTHS in {e["text"] for e in document["tables"]["observation_entries"]}
    assert document["tables"]["targets"][0]["standards"] == ["2", "6"]
    assert next(f for f in files if f.suffix == ".pdf").read_bytes().startswith(b"%PDF")
    csv_text = next(f for f in files if f.suffix == ".csv").read_text(encoding="utf-8-sig")
    assert csv_text.startswith("table,record_id,mentions,column,value") and REFLECTION in csv_text
    with db.unit_of_work() as session:
        exports = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.export")).all()
    assert [(e.actor_id, e.subject_id) for e in exports] == [("privacy-cli", BEN)]


def test_export_of_someone_unknown_says_so_and_writes_nothing(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_school(db)

    assert cli.main(["privacy", "export", "--team", TEAM, "--user", "UNOBODY01", "--out", str(operator)]) == 1
    assert cli.main(["privacy", "export", "--team", TEAM, "--user", "ben", "--out", str(operator)]) == 2

    err = capsys.readouterr().err
    assert "Nothing is held about UNOBODY01 in workspace T0001" in err
    assert "--user 'ben' isn't a Slack user id" in err
    assert list(operator.iterdir()) == []


def test_erase_with_yes_erases_and_prints_only_the_pseudonym(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_school(db)

    assert cli.main(["privacy", "erase", "--team", TEAM, "--user", BEN, "--yes"]) == 0

    printed = capsys.readouterr().out
    assert "Erased. Their records now carry the pseudonym UERASED" in printed
    assert "observations: blank focus, reflection, reflection_next_steps, teacher_message_channel" in printed
    assert BEN not in printed
    assert rows_holding(db, BEN) == [] and rows_holding(db, STRENGTHS) == []
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 1
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.erase")).one()
    assert entry.actor_id == "privacy-cli" and entry.subject_id is not None and entry.subject_id in printed


def test_erase_without_yes_shows_the_plan_and_changes_nothing_unless_confirmed(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_school(db)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    assert cli.main(["privacy", "erase", "--team", TEAM, "--user", BEN]) == 1

    captured = capsys.readouterr()
    assert "Erasing UBEN0001 in workspace T0001 will:" in captured.out
    assert "role_grants: delete 1 row" in captured.out and "Nothing was changed." in captured.err
    assert rows_holding(db, STRENGTHS) != []

    monkeypatch.setattr("builtins.input", lambda prompt: "ERASE")
    assert cli.main(["privacy", "erase", "--team", TEAM, "--user", BEN]) == 0
    assert rows_holding(db, STRENGTHS) == []


def test_erase_of_someone_unknown_changes_nothing(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_school(db)
    assert cli.main(["privacy", "erase", "--team", TEAM, "--user", "UNOBODY01", "--yes"]) == 1
    assert "Nothing is held about UNOBODY01" in capsys.readouterr().err
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).where(AuditEntry.action == "privacy.erase")) == 0


def test_retention_runs_now_with_the_configured_period(
    operator: Path, db: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_retention(db)
    monkeypatch.setattr("bot.core.clock.datetime", _FixedDatetime)

    assert cli.main(["privacy", "retention", "--team", TEAM, "--dry-run"]) == 0
    assert "Would erase 2 people whose last mentorship ended before 26 November 2019" in capsys.readouterr().out
    assert cli.main(["privacy", "retention"]) == 0
    assert "Erased 2 people" in capsys.readouterr().out
    with db.unit_of_work() as session:
        left = set(session.scalars(select(Person.user_id)))
    assert "UOLD0001" not in left and "URECENT1" in left

    monkeypatch.setenv("RETENTION_DAYS", "0")
    assert cli.main(["privacy", "retention"]) == 0
    assert "kept for ever" in capsys.readouterr().out
    monkeypatch.setenv("RETENTION_DAYS", "-1")
    assert cli.main(["privacy", "retention"]) == 2
    assert "RETENTION_DAYS" in capsys.readouterr().err


class _FixedDatetime(datetime):
    """`system_clock` reads datetime.now: the tests' "now" is 24 November 2026."""

    @classmethod
    def now(cls, tz: object = None) -> _FixedDatetime:
        return cls(2026, 11, 24, 10, 0, tzinfo=UTC)
