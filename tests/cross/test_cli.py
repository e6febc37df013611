"""`python -m bot`: clear start-up errors, migrations, the roster import, and serving for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

import bot.__main__ as cli
from bot.core.school_calendar import default_calendar_path, load_calendar
from bot.reviews.service import ReviewService
from storage.db import Database
from storage.reviews import Induction
from storage.roster import MenteeKind, Mentorship
from tests.conftest import BackendDatabase
from tests.support.cli import ROOT, SETTING_NAMES, run_bot
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import LONDON, SIGNING_SECRET


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
        ("UTIA0001", "tia@school.test"),
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
    assert cli.main(["roster", "import", str(csv)]) == 0  # idempotent; --team defaults to the token's workspace

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


def test_roster_import_counts_in_plain_english(
    roster_env: SlackEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(tmp_path / "one.csv", "amy@school.test,ben@school.test,ect,2026-09-01\n")
    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 0
    assert "Imported 1 mentorship (0 already there" in capsys.readouterr().out


def test_roster_import_reports_every_bad_row_at_once_and_stores_nothing(
    roster_env: SlackEmulator, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(
        tmp_path / "roster.csv",
        "mentor email,mentee email,mentee kind,start date\n"
        "amy@school.test,ben@school.test,trainee,2026-09-01\n"
        "amy@school.test,nobody@school.test,ect,2026-09-01\n"
        "amy@school.test,cat@school.test,pupil,31/02/2026\n"
        "AMY@school.test,Ben@School.test,ect,2026-09-01\n"
        "amy@school.test,ghost@school.test,teacher,2026-09-01\n"
        "amy@school.test,cat@school.test\n",
    )

    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 1

    # Format problems, unknown emails and duplicates together: one run finds them all.
    err = capsys.readouterr().err
    assert "line 2:" not in err
    assert "line 3: no active Slack user has the email nobody@school.test" in err
    assert "line 4: the kind “pupil” must be trainee, ect or staff; the start date “31/02/2026”" in err
    assert "line 5: the same pair is already on line 2" in err
    assert (
        "line 6: the kind “teacher” must be trainee, ect or staff; no active Slack user has the email ghost@school.test"
        in err
    )
    assert "line 7: expected 4 columns" in err
    with db.unit_of_work() as session:
        assert session.scalars(select(Mentorship)).all() == []


def test_roster_import_sets_induction_details_and_the_schedule_follows(
    roster_env: SlackEmulator, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(
        tmp_path / "roster.csv",
        "mentor email,mentee email,kind,start,probation end,induction start,FTE,appropriate body,tutor email,TRN\n"
        "amy@school.test,ben@school.test,trainee,2026-09-01\n"
        "amy@school.test,cat@school.test,ect,2026-09-01,,01/09/2026,0.6,North Teaching School Hub,"
        "tia@school.test,1234567\n",
    )

    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 0

    out = capsys.readouterr().out
    assert "Imported 2 mentorships" in out and "Induction details set for 1 ECT" in out
    with db.unit_of_work() as session:
        [induction] = session.scalars(select(Induction)).all()
        cat = session.scalars(select(Mentorship).where(Mentorship.mentee_id == "UCAT0001")).one()
        details = (induction.mentee_id, induction.start_date, induction.fte_percent, induction.appropriate_body)
        assert details == ("UCAT0001", date(2026, 9, 1), 60, "North Teaching School Hub")
        assert (induction.tutor_id, induction.trn, induction.days_absent) == ("UTIA0001", "1234567", 0)
        assert cat.end_date == date(2029, 12, 20)  # ten terms part time, as the modal works it out
        [schedule] = ReviewService(db, load_calendar(default_calendar_path()), LONDON).schedules_in(
            session, "T0001", date(2026, 9, 1), {"UCAT0001"}
        )
    titles = [(state.item.title, state.item.due_on) for state in schedule.items]
    assert len(titles) == 10 and titles[0] == ("Progress review — term 1", date(2026, 12, 18))
    assert ("Formal assessment 1 — term 5", date(2028, 3, 31)) in titles  # a review every other term
    assert titles[-1][0] == "Formal assessment 2 (final) — term 10" and titles[-1][1] == date(2029, 12, 20)

    # Read again with another FTE: the details follow, the mentorship is left as it was.
    write_csv(csv, "amy@school.test,cat@school.test,ect,2026-09-01,,2026-09-01,1,,tia@school.test\n")
    assert cli.main(["roster", "import", str(csv)]) == 0
    assert "Imported 0 mentorships (1 already there" in capsys.readouterr().out
    with db.unit_of_work() as session:
        induction = session.scalars(select(Induction)).one()
        assert (induction.fte_percent, induction.trn, induction.appropriate_body) == (100, None, None)
        assert session.get(Mentorship, cat.id).end_date == date(2028, 7, 21)  # type: ignore[union-attr]

    # A pair already mentored as a trainee can't be given induction details: the whole file fails.
    write_csv(
        csv,
        "amy@school.test,cat@school.test,ect,2026-09-01,,2026-09-01,0.6,,tia@school.test\n"
        "amy@school.test,ben@school.test,ect,2026-09-01,,2026-09-01,1\n",
    )
    assert cli.main(["roster", "import", str(csv)]) == 1
    assert "line 2: this pair is already mentored as trainee" in capsys.readouterr().err
    with db.unit_of_work() as session:
        assert [i.fte_percent for i in session.scalars(select(Induction))] == [100]  # line 1 rolled back too


def test_roster_import_reports_every_bad_induction_column_at_once_and_stores_nothing(
    roster_env: SlackEmulator, db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = write_csv(
        tmp_path / "roster.csv",
        "amy@school.test,cat@school.test,ect,2026-09-01,,2026-09-01,1,Hub,tia@school.test,1234567\n"
        "amy@school.test,ben@school.test,ect,2026-09-01,,2026-09-01,1.5,,nobody@school.test,12\n"
        "tia@school.test,ben@school.test,trainee,2026-09-01,,2026-09-01\n"
        "tia@school.test,cat@school.test,ect,2026-09-01,,,0.6\n"
        "ben@school.test,amy@school.test,ect,2026-09-01,,31/02/2026,,,tia\n"
        "ben@school.test,tia@school.test,ect,2026-09-01,,2031-09-01\n",
    )

    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 1

    err = capsys.readouterr().err
    assert "line 1:" not in err
    assert (
        "line 2: no active Slack user has the induction tutor's email nobody@school.test; "
        "FTE “1.5”: give full time as 1, or the part-time fraction from 0.1 to 1.0 (e.g. 0.6 or 60%); "
        "teacher reference number “12”: a teacher reference number is 7 digits" in err
    )
    assert "line 3: induction details are for ECTs, and this row's kind is trainee" in err
    assert "line 4: the induction start date is needed with the other induction columns" in err
    assert (
        "line 5: the induction start date “31/02/2026” must look like 2026-09-01 or 01/09/2026; "
        "the induction tutor's email “tia” is not an email address" in err
    )
    assert "line 6: induction start date “2031-09-01”: that's beyond next term" in err
    with db.unit_of_work() as session:
        assert session.scalars(select(Mentorship)).all() == []
        assert session.scalars(select(Induction)).all() == []


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

    import bot.cli.serve as serve

    started: list[tuple[object, str]] = []

    class ConnectedClient:
        def __init__(self) -> None:
            self.on_error_listeners: list[object] = []

        def is_connected(self) -> bool:
            return True

    class RecordingHandler:
        def __init__(self, app: object, app_token: str) -> None:
            self.app, self.app_token, self.client = app, app_token, ConnectedClient()

        def connect(self) -> None:
            started.append((self.app, self.app_token))

    monkeypatch.setattr(socket_mode, "SocketModeHandler", RecordingHandler)
    monkeypatch.setattr(serve, "block_until_stopped", lambda: None)
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


# --- start-up failures: one line naming the setting and the fix, exit code 1 ------------------------------------


def _error_lines(stderr: str) -> list[str]:
    """What the operator reads besides the INFO lines of a normal start (the database migrated, say)."""
    return [line for line in stderr.strip().splitlines() if " INFO " not in line]


def test_slack_unreachable_stops_start_up_with_one_line_naming_slack_api_url(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{_free_port()}/api/"
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": closed}

    result = run_bot("serve", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = _error_lines(result.stderr)
    assert line.startswith("mentor-bot: Could not reach Slack at " + closed)
    assert "SLACK_API_URL" in line and "Connection refused" in line


def test_a_bad_app_token_stops_socket_mode_start_up_naming_slack_app_token(
    tmp_path: Path, emulator: SlackEmulator
) -> None:
    env = {
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "SLACK_APP_TOKEN": "xapp-1-A0001-revoked",
    }

    result = run_bot("serve", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Bolt app is running" not in result.stderr + result.stdout
    [line] = [line for line in _error_lines(result.stderr) if "As you gave `client`" not in line]
    assert line.startswith("mentor-bot: Slack did not accept SLACK_APP_TOKEN (invalid_auth)")
    assert "App-Level Token" in line and "xapp-1-A0001-revoked" not in result.stderr


def test_socket_mode_says_it_is_not_connected_and_why(tmp_path: Path, emulator: SlackEmulator) -> None:
    emulator.socket_url = f"wss://127.0.0.1:{_free_port()}/link"  # nothing listens there
    env = {
        "SLACK_BOT_TOKEN": emulator.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.api_url,
        "SLACK_APP_TOKEN": emulator.app_token,
    }
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while not any("Not connected to Slack" in line for line in lines):
            assert time.monotonic() < deadline and process.poll() is None, "".join(lines)
            lines.append(process.stdout.readline())
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=15)
    output = "".join(lines) + rest
    assert "Bolt app is running" not in output
    [warning] = [line for line in lines if "Not connected to Slack" in line]
    assert "ConnectionRefusedError" in warning and "retrying every 10 seconds" in warning
    assert emulator.app_token not in output


@pytest.mark.parametrize(
    ("command", "described"),
    [
        ("serve", "Serve Slack: the slash commands, buttons, forms and Home tabs, and the scheduled jobs"),
        ("migrate", "Bring the database at DATABASE_URL up to date"),
        ("worker", "Run the scheduled jobs (meeting and review reminders, the weekly digests"),
    ],
)
def test_serve_and_migrate_describe_themselves_in_help(
    command: str, described: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])

    assert exited.value.code == 0
    assert " ".join(capsys.readouterr().out.split()).count(described) == 1
