"""`python -m bot digest preview|send|status`: operators see, send and check the week's digests."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.__main__ as cli
from tests.conftest import BackendDatabase
from tests.support.digests import seed_digest_school
from tests.support.emulator import SlackEmulator
from tests.support.people import LEO, SIGNING_SECRET, SLT_CHANNEL


@pytest.fixture
def school(backend: BackendDatabase, emulator: SlackEmulator) -> None:
    seed_digest_school(backend.db, emulator)


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", emulator.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.chdir(Path("/"))


@pytest.mark.usefixtures("school")
def test_preview_prints_both_digests_and_sends_nothing(
    operator_env: None,
    emulator: SlackEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["digest", "preview", "--team", "T0001", "--week", "2026-W48"]) == 0

    out = capsys.readouterr().out
    assert "Week 2026-W48 (23 Nov – 29 Nov 2026)" in out
    assert f"LEAD MENTOR DIGEST (to {LEO})" in out and "Your mentoring digest: week of 23 November" in out
    assert f"SLT SUMMARY (to {SLT_CHANNEL})" in out and "School mentoring summary" in out
    assert emulator.calls_to("chat.postMessage") == []


@pytest.mark.usefixtures("school")
def test_send_then_status_shows_each_delivery(
    operator_env: None,
    emulator: SlackEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["digest", "send", "--team", "T0001", "--week", "2026-W48"]) == 0
    assert cli.main(["digest", "send", "--team", "T0001", "--week", "2026-W48"]) == 0
    assert cli.main(["digest", "status", "--team", "T0001", "--week", "2026-W48"]) == 0

    out = capsys.readouterr().out
    assert "Week 2026-W48: sent 2, already sent 0" in out and "Week 2026-W48: sent 0, already sent 2" in out
    assert f"lead          {LEO}" in out and f"slt           {SLT_CHANNEL}" in out
    assert out.count("sent           attempts 1") == 2
    assert len(emulator.messages_to(LEO)) == 1


def test_a_malformed_week_is_explained(operator_env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["digest", "preview", "--team", "T0001", "--week", "48"]) == 2
    assert "“48” isn't a week: write it like 2026-W48." in capsys.readouterr().err
