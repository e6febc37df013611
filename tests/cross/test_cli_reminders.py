"""`python -m bot reminders run`, and a school calendar file that stops start-up."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

import bot.__main__ as cli
from bot.app.settings import load_settings
from bot.cli import reminders
from storage.db import Database
from storage.reminders import ReminderSent
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Workspace
from tests.conftest import BackendDatabase
from tests.support.cli import run_bot
from tests.support.clock import FakeClock
from tests.support.emulator import SlackEmulator
from tests.support.people import AMY, BEN, LONDON, SIGNING_SECRET


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase) -> SlackEmulator:
    monkeypatch.setenv("SLACK_BOT_TOKEN", emulator.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.chdir(Path("/"))  # no stray .env
    emulator.add_user(AMY, "amy", real_name="Amy Mentor")
    emulator.add_user(BEN, "ben", real_name="Ben Trainee")
    return emulator


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


def test_reminders_run_sends_what_is_due_now_once(
    env: SlackEmulator, db: Database, mentorship: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(env_file=None)
    evening = FakeClock(datetime(2026, 11, 25, 19, 0, tzinfo=LONDON))  # out of hours: an operator's run still sends

    reminders.run(settings, "T0001", clock=evening)
    reminders.run(settings, None, clock=evening)

    assert capsys.readouterr().out.splitlines() == ["Sent 1 meeting reminders.", "Sent 0 meeting reminders."]
    [reminder] = env.messages_to(AMY)
    assert "Log meeting" in str(reminder["blocks"])
    with db.unit_of_work() as session:
        assert len(session.scalars(select(ReminderSent)).all()) == 1


def test_reminders_run_on_a_non_school_day_sends_nothing(
    env: SlackEmulator, db: Database, mentorship: None, capsys: pytest.CaptureFixture[str]
) -> None:
    reminders.run(load_settings(env_file=None), "T0001", clock=FakeClock(datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)))

    assert "isn't a school day" in capsys.readouterr().out
    assert env.messages_to(AMY) == []


def test_reminders_run_refuses_another_workspace(env: SlackEmulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reminders", "run", "--team", "T9999"]) == 1
    assert "belongs to workspace T0001, not T9999" in capsys.readouterr().err


def test_a_malformed_school_calendar_stops_start_up_naming_file_and_line(tmp_path: Path) -> None:
    calendar = tmp_path / "our-school.toml"
    calendar.write_text(
        'name = "Our school"\ntimezone = "Europe/London"\n\n[[terms]]\nname = "Autumn"\nstart = 2026-09-02\n'
        "end = 2026-07-18\n",
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SCHOOL_CALENDAR": str(calendar)}

    result = run_bot("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 2 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert f"SCHOOL_CALENDAR is wrong ({calendar}, line 7: term “Autumn” ends (2026-07-18) before it starts" in line
