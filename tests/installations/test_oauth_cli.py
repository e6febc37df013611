"""OAuth mode from the command line: its settings, `serve` with the install pages, and `--team` picking the
installation a command acts in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Installation

import bot.__main__ as cli
from bot.app.settings import load_settings
from bot.cli import reminders
from storage.db import Database
from storage.installations import InstallationStore
from tests.conftest import BackendDatabase
from tests.installations.test_oauth_install import T1, T2
from tests.support.cli import ROOT, SETTING_NAMES, run_bot
from tests.support.clock import FakeClock
from tests.support.driver import SlackDriver, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.installs import Browser, authorize_query, overdue_mentorship
from tests.support.people import LONDON, SIGNING_SECRET


def test_oauth_settings_that_do_not_make_one_mode_say_which_to_fix_in_one_line(tmp_path: Path) -> None:
    half = run_bot("migrate", env={"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CLIENT_ID": "123.456"}, cwd=tmp_path)
    both = run_bot(
        "migrate",
        env={
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_CLIENT_ID": "123.456",
            "SLACK_CLIENT_SECRET": "client-secret-value",
            "SLACK_BOT_TOKEN": "xoxb-1",
        },
        cwd=tmp_path,
    )

    for result in (half, both):
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert "SLACK_CLIENT_SECRET is not set but SLACK_CLIENT_ID is (OAuth mode needs both)" in half.stderr
    assert "SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID: choose one mode" in both.stderr
    assert "client-secret-value" not in both.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_python_m_bot_serves_the_install_and_then_the_installed_workspace(
    tmp_path: Path, emulator: SlackEmulator, backend: BackendDatabase
) -> None:
    emulator.add_user("UHEAD001", "head", is_admin=True)
    port = _free_port()
    env = {
        "SLACK_CLIENT_ID": emulator.client_id,
        "SLACK_CLIENT_SECRET": emulator.client_secret,
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
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                page = browser.get("/slack/install")
                break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the bot did not start listening"
                time.sleep(0.1)
        assert page.status == 200 and "Add to Slack" in page.text
        code = emulator.authorize(T1, "Kestrel Primary", user_id="UHEAD001")
        done = browser.get("/slack/oauth_redirect", code=code, state=authorize_query(page)["state"])
        assert done.status == 200 and "mentor-bot is in Kestrel Primary" in done.text

        slack = SlackDriver(f"http://127.0.0.1:{port}", SIGNING_SECRET, emulator)
        assert slack.command("/mentor", "help", user="UHEAD001").status == 200
        reply = wait_until(lambda: emulator.responses, what="the help reply")[0]
        assert "mentor-bot help" in reply["text"]
        assert {c.token for c in emulator.calls_to("users.info")} == {emulator.token_for(T1)}
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=15)
    assert "OAuth mode: schools install mentor-bot at" in output
    assert emulator.client_secret not in output and emulator.token_for(T1) not in output and code not in output


@pytest.fixture
def installed_env(
    monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase, db: Database
) -> dict[str, str]:
    """OAuth settings in the environment, and two workspaces installed, each with an overdue mentorship."""
    monkeypatch.setenv("SLACK_CLIENT_ID", emulator.client_id)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", emulator.client_secret)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.chdir(Path("/"))  # no stray .env
    store = InstallationStore(emulator.client_id, db.engine)
    tokens = {}
    for team, mentor, mentee in ((T1, "UAMY00001", "UBEN00001"), (T2, "UAMY00002", "UBEN00002")):
        emulator.add_user(mentor, "amy", real_name="Amy Mentor", team_id=team)
        emulator.add_user(mentee, "ben", real_name="Ben Teacher", team_id=team)
        overdue_mentorship(db, team, mentor, mentee)
        tokens[team] = emulator.add_workspace(team, f"School {team}")
        store.save(
            Installation(
                app_id="A0001",
                team_id=team,
                team_name=f"School {team}",
                bot_token=tokens[team],
                bot_id="B1",
                bot_user_id="UBOT",
                bot_scopes="chat:write",
                user_id="UINSTALLER",
            )
        )
    return tokens


def test_team_picks_the_installation_a_command_acts_in(
    installed_env: dict[str, str],
    emulator: SlackEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    evening = FakeClock(datetime(2026, 11, 25, 19, 0, tzinfo=LONDON))  # an operator's run sends out of hours too

    reminders.run(load_settings(env_file=None), T2, clock=evening)

    assert capsys.readouterr().out.splitlines() == ["Sent 1 meeting reminders."]
    [sent] = [c for c in emulator.calls_to("chat.postMessage") if (c.response or {}).get("ok")]
    assert sent.token == installed_env[T2] and sent.params["channel"] == "UAMY00002"
    assert emulator.messages_to("UAMY00001") == []

    assert cli.main(["reminders", "run"]) == 1
    assert "installed in 2 workspaces: name one with --team (T0001, T0002)" in capsys.readouterr().err
    assert cli.main(["reminders", "run", "--team", "T0009"]) == 1
    assert "mentor-bot is not installed in workspace T0009" in capsys.readouterr().err
