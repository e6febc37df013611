"""A school set up only from the CLI (a roster import, no lead mentor, no SLT channel): the admins are told at
the bot's first tick what the digests are missing, once, in the same words of advice the digest gives."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

import bot.__main__ as cli
from bot.app.bootstrap import Deps
from bot.app.scheduler import DIGEST_JOB, build_scheduler
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAL, HANDLES, LONDON, NAMES, SIGNING_SECRET, SLT_CHANNEL

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


@pytest.fixture
def imported_from_the_cli(
    monkeypatch: pytest.MonkeyPatch, emulator: SlackEmulator, backend: BackendDatabase, tmp_path: Path
) -> None:
    """Amy mentors Ben and Cal, imported by the IT lead; Hana, the workspace admin, has never used the bot."""
    for user in (AMY, BEN, CAL, ADMIN):
        email = f"{HANDLES[user]}@school.test"
        emulator.add_user(user, HANDLES[user], real_name=NAMES[user], email=email, is_admin=user == ADMIN)
    monkeypatch.setenv("SLACK_BOT_TOKEN", emulator.bot_token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", emulator.api_url)
    monkeypatch.setenv("DATABASE_URL", backend.url)
    monkeypatch.chdir(Path("/"))
    csv = tmp_path / "roster.csv"
    csv.write_text(
        "mentor email,mentee email,mentee kind,start date\n"
        "amy@school.test,ben@school.test,trainee,2026-11-02\n"
        "amy@school.test,cal@school.test,ect,2026-11-02\n"
    )
    assert cli.main(["roster", "import", str(csv), "--team", "T0001"]) == 0


def tick(deps: Deps) -> None:
    job = build_scheduler(deps).get_job(DIGEST_JOB)
    assert job is not None
    job.func(*job.args)


def notices_to(emulator: SlackEmulator, user: str) -> list[str]:
    return [m["text"] for m in emulator.messages_to(user)]


@pytest.mark.usefixtures("imported_from_the_cli")
def test_the_admins_are_told_at_the_first_tick_that_no_lead_mentor_and_no_slt_channel_are_set(
    emulator: SlackEmulator, deps: Deps, clock: FakeClock
) -> None:
    clock.now = TUESDAY  # days before the first digest

    tick(deps)
    clock.now += timedelta(minutes=5)
    tick(deps)  # the next tick tells nobody again

    told = notices_to(emulator, ADMIN)
    assert len(told) == 2
    assert "No lead mentor is set, so the weekly mentoring digest has nobody to go to." in told[0]
    assert "`/mentor role add @person lead`" in told[0]
    assert "No SLT channel is set" in told[1] and "`/mentor slt-channel #channel`" in told[1]
    assert notices_to(emulator, AMY) == []


@pytest.mark.usefixtures("imported_from_the_cli")
def test_once_the_admin_sets_both_nobody_is_told(emulator: SlackEmulator, deps: Deps, clock: FakeClock) -> None:
    from storage.roster import Role, RoleGrant, WorkspaceRepository

    clock.now = TUESDAY
    with deps.db.unit_of_work() as session:
        WorkspaceRepository(session).ensure("T0001", TUESDAY).slt_channel_id = SLT_CHANNEL
        session.add(RoleGrant(team_id="T0001", user_id=AMY, role=Role.LEAD, granted_by=ADMIN, granted_at=TUESDAY))

    tick(deps)

    assert notices_to(emulator, ADMIN) == []
