"""`python -m bot`: clear start-up errors, migrations, the roster import, and serving for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

import bot.__main__ as cli
from storage.db import Database
from storage.roster import MenteeKind, Mentorship
from tests.conftest import BackendDatabase
from tests.support.cli import ROOT, SETTING_NAMES, run_bot
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import SIGNING_SECRET


def test_missing_settings_stop_start_up_with_one_clear_line(tmp_path: Path) -> None:
    result = run_bot(env={}, cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "SLACK_BOT_TOKEN is not set" in lines[0] and "SLACK_SIGNING_SECRET is not set" in lines[0]


def test_malformed_settings_name_the_setting_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxp-user-token\nSLACK_SIGNING_SECRET=abc\nPORT=eighty\n")

    result = run_bot("migrate", env={"SCHOOL_TIMEZONE": "Europe/Londres"}, cwd=tmp_path)

    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "SLACK_BOT_TOKEN must start with xoxb-" in result.stderr
    assert "PORT" in result.stderr and "SCHOOL_TIMEZONE is not a known time zone" in result.stderr
    assert "xoxp-user-token" not in result.stderr


def test_migrate_creates_the_sqlite_database_on_first_run(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET}

    first = run_bot("migrate", env=env, cwd=tmp_path)
    second = run_bot("migrate", env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    assert second.returncode == 0 and "up to date" in second.stdout
    engine = Database.from_url(f"sqlite:///{tmp_path / 'mentor_bot.db'}").engine
    assert {"mentorships", "people", "role_grants", "workspaces", "audit_log"} <= set(inspect(engine).get_table_names())


def test_an_unreachable_database_is_reported_clearly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("DATABASE_URL", f"postgresql://mentor:secret-pw@127.0.0.1:{closed_port}/school")
    monkeypatch.setattr("storage.db.time.sleep", lambda seconds: None)

    code = cli.main(["migrate"])

    err = capsys.readouterr().err
    assert code == 1
    assert "Cannot reach the database at postgresql+psycopg://mentor:***@127.0.0.1" in err
    assert "secret-pw" not in err and "Check DATABASE_URL" in err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_python_m_bot_serves_signed_slack_requests_over_http(
    tmp_path: Path, emulator: SlackEmulator, backend: BackendDatabase
) -> None:
    emulator.add_user("UHEAD001", "head", is_admin=True)
    port = _free_port()
    env = {
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "DATABASE_URL": backend.url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        slack = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, emulator)
        deadline = time.monotonic() + 30
        while True:
            try:
                result = slack.command("/mentor", "help", user="UHEAD001")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the bot did not start listening"
                time.sleep(0.1)
        assert result.status == 200
        reply = wait_until(lambda: emulator.responses, what="the help reply")[0]
        assert "mentor-bot help" in reply["text"]
        assert slack.command("/mentor", "help", user="UHEAD001", signature="v0=bad").status == 401
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert emulator.bot_token not in output and SIGNING_SECRET not in output


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def roster_env(monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase) -> SlackEmulator:
    monkeypatch.setenv("SLACK_BOT_TOKEN", emulator.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.chdir(Path("/"))  # no stray .env
    for user, email in (
        ("UAMY0001", "amy@school.test"),
        ("UBEN0001", "ben@school.test"),
        ("UCAT0001", "cat@school.test"),
    ):
        emulator.add_user(user, email.split("@")[0], email=email)
    return emulator


def test_roster_import_stores_every_row(
    roster_env: SlackEmulator, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(
        tmp_path / "roster.csv",
        "mentor email,mentee email,mentee kind,start date\n"
        "amy@school.test,ben@school.test,trainee,2026-09-01\n"
        "Amy@School.test,cat@school.test,ECT,01/09/2026\n",
    )

    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 0
    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 0  # idempotent

    out = capsys.readouterr().out
    assert "Imported 2 mentorships" in out and "Imported 0 mentorships (2 already there" in out
    with db.unit_of_work() as session:
        rows = [
            (m.mentor_id, m.mentee_id, m.mentee_kind, str(m.start_date)) for m in session.scalars(select(Mentorship))
        ]
    assert sorted(rows) == [
        ("UAMY0001", "UBEN0001", MenteeKind.TRAINEE, "2026-09-01"),
        ("UAMY0001", "UCAT0001", MenteeKind.ECT, "2026-09-01"),
    ]
    assert len(roster_env.calls_to("users.lookupByEmail")) == 6  # 3 people per run, each looked up once


def test_roster_import_reports_bad_rows_by_line_and_stores_nothing(
    roster_env: SlackEmulator, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(
        tmp_path / "roster.csv",
        "mentor email,mentee email,mentee kind,start date\n"
        "amy@school.test,ben@school.test,trainee,2026-09-01\n"
        "amy@school.test,nobody@school.test,ect,2026-09-01\n"
        "amy@school.test,cat@school.test,pupil,31/02/2026\n",
    )

    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 1

    err = capsys.readouterr().err
    assert "line 4: the kind “pupil” must be trainee, ect or staff; the start date “31/02/2026”" in err
    with db.unit_of_work() as session:
        assert session.scalars(select(Mentorship)).all() == []
    # Fix the file's format problems: the unknown email on line 3 is then reported, and still nothing is stored.
    write_csv(csv, csv.read_text().replace("pupil,31/02/2026", "ect,2026-09-01"))
    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 1
    assert "line 3: no active Slack user has the email nobody@school.test" in capsys.readouterr().err
    with db.unit_of_work() as session:
        assert session.scalars(select(Mentorship)).all() == []


def test_roster_import_refuses_a_token_from_another_workspace(
    roster_env: SlackEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(tmp_path / "r.csv", "amy@school.test,ben@school.test,ect,2026-09-01\n")
    assert cli.main(["roster", "import", str(csv), "--team", "T9999"]) == 1
    assert "belongs to workspace T0001, not T9999" in capsys.readouterr().err


def test_a_malformed_observation_form_stops_start_up_naming_file_and_line(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "pe.toml").write_text(
        'key = "pe"\nname = "PE"\n\n[[fields]]\nkey = "warm_up"\nkind = "score"\nlabel = "Warm-up"\n'
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "OBSERVATION_FORMS_DIR": str(forms)}

    result = run_bot(env=env, cwd=tmp_path)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{forms / 'pe.toml'}, line 6: field “warm_up”: kind must be rating, text or yes_no" in result.stderr


def test_with_an_app_token_the_bot_connects_in_socket_mode(
    monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase
) -> None:
    import slack_bolt.adapter.socket_mode as socket_mode

    started: list[tuple[object, str]] = []

    class RecordingHandler:
        def __init__(self, app: object, app_token: str) -> None:
            self.app, self.app_token = app, app_token

        def start(self) -> None:
            started.append((self.app, self.app_token))

    monkeypatch.setattr(socket_mode, "SocketModeHandler", RecordingHandler)
    monkeypatch.setenv("SLACK_BOT_TOKEN", emulator.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0001-socket")
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.chdir(Path("/"))

    assert cli.main(["serve"]) == 0

    [(app, token)] = started
    assert token == "xapp-1-A0001-socket"
    assert type(app).__name__ == "App"
