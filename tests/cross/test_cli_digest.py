"""`python -m bot digest preview|send|status`: operators see, send and check the week's digests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import bot.__main__ as cli
from storage.digests import DeliveryKind, DeliveryStatus, DigestDelivery, DigestRepository
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
    assert "LEAD MENTOR DIGEST (to @Leo Lead)" in out and "Your mentoring digest: week of 23 November" in out
    assert "SLT SUMMARY (to #slt)" in out and "School mentoring summary" in out
    assert emulator.calls_to("chat.postMessage") == []


@pytest.mark.usefixtures("school")
def test_preview_shows_names_and_plain_symbols_not_slack_codes(
    operator_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["digest", "preview", "--team", "T0001", "--week", "2026-W48"]) == 0

    out = capsys.readouterr().out
    assert "*@Cal Early* (mentor @Amy Mentor) · ⚠ not on track, concern" in out
    assert "@Amy Mentor: no meeting logged on cadence with @Cal Early" in out
    assert "✓ 1 on track · ⚠ 2 need you · ⌛ 1 mentor" in out
    assert "<@" not in out and "<#" not in out and not re.search(r":[a-z_]+:", out)
    assert LEO not in out and SLT_CHANNEL not in out


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


class _Killed(BaseException):
    """The worker process dying (kill -9): nothing after this point runs, no `except Exception` sees it."""


@pytest.mark.usefixtures("school")
def test_a_worker_killed_after_posting_is_not_repeated_by_the_next_send(
    operator_env: None,
    emulator: SlackEmulator,
    backend: BackendDatabase,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first `digest send` dies after Slack accepted the lead's digest, before it could record it as sent.
    real_finish = DigestRepository.finish

    def die_before_recording_sent(self: DigestRepository, delivery_id: int, worker: str, status: Any, **v: Any) -> None:
        if status is DeliveryStatus.SENT:
            raise _Killed
        real_finish(self, delivery_id, worker, status, **v)

    monkeypatch.setattr(DigestRepository, "finish", die_before_recording_sent)
    with pytest.raises(_Killed):
        cli.main(["digest", "send", "--team", "T0001", "--week", "2026-W48"])
    monkeypatch.setattr(DigestRepository, "finish", real_finish)
    assert len(emulator.messages_to(LEO)) == 1  # it reached Slack
    with backend.db.unit_of_work() as session:  # the dead worker's claim ages past the lease
        [claim] = session.scalars(select(DigestDelivery).where(DigestDelivery.kind == DeliveryKind.LEAD)).all()
        assert claim.status is DeliveryStatus.SENDING
        claim.claimed_at = datetime.now(UTC) - timedelta(minutes=11)

    assert cli.main(["digest", "send", "--team", "T0001", "--week", "2026-W48"]) == 0

    assert len(emulator.messages_to(LEO)) == 1  # one copy, found in the DM's history
    assert len(emulator.messages_to(SLT_CHANNEL)) == 1
    with backend.db.unit_of_work() as session:
        rows = session.scalars(select(DigestDelivery)).all()
        assert {(row.kind, row.status) for row in rows} == {
            (DeliveryKind.LEAD, DeliveryStatus.SENT),
            (DeliveryKind.SLT, DeliveryStatus.SENT),
        }


@pytest.mark.usefixtures("school")
@pytest.mark.parametrize("action", ["preview", "send", "status"])
def test_a_team_that_is_not_the_tokens_workspace_is_refused(
    action: str, operator_env: None, emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["digest", action, "--team", "T9999", "--week", "2026-W48"]) == 1

    captured = capsys.readouterr()
    assert "SLACK_BOT_TOKEN belongs to workspace T0001, not T9999: check --team." in captured.err
    assert "T9999" not in captured.out and "No digest deliveries" not in captured.out
    assert emulator.calls_to("chat.postMessage") == []


@pytest.mark.usefixtures("school")
def test_team_defaults_to_the_tokens_workspace(
    operator_env: None, emulator: SlackEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["digest", "preview", "--week", "2026-W48"]) == 0
    assert cli.main(["digest", "send", "--week", "2026-W48"]) == 0
    assert cli.main(["digest", "status", "--week", "2026-W48"]) == 0

    out = capsys.readouterr().out
    assert "workspace T0001" in out and "Week 2026-W48: sent 2" in out and out.count("attempts 1") == 2
    assert len(emulator.messages_to(LEO)) == 1
