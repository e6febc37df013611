"""Token rotation: a workspace installed with an expiring bot token and a refresh token has it refreshed before a
scheduled job uses it, and the new token is kept in the installation store for the next run and the next worker.

The emulator plays Slack's rotation: a token lasts `token_lifetime` seconds and then answers `token_expired`, and
`oauth.v2.access` with grant_type=refresh_token takes each refresh token once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.app.bootstrap import bootstrap
from bot.app.scheduler import for_each_workspace, send_due_reminders
from storage.installations import bots, installations
from tests.conftest import BackendDatabase
from tests.support.clock import FakeClock
from tests.support.emulator import Call, SlackEmulator
from tests.support.installs import OAuthStack, oauth_settings, overdue_mentorship, stored
from tests.support.people import LONDON

T1, T2 = "T0001", "T0002"
MENTORS = {T1: "UAMY00001", T2: "UAMY00002"}
SOON = 600  # seconds: within the two hours before expiry in which a token is refreshed
EVERY = timedelta(minutes=30)


@pytest.fixture
def rotating(oauth: OAuthStack, clock: FakeClock) -> Iterator[OAuthStack]:
    """Two schools installed with token rotation on, each with a meeting reminder due; tokens that expire soon."""
    oauth.emulator.token_rotation = True
    oauth.emulator.token_lifetime = SOON
    for team, mentor in MENTORS.items():
        mentee = "UBEN" + mentor[4:]
        oauth.emulator.add_user(mentor, "amy", real_name="Amy Mentor", team_id=team)
        oauth.emulator.add_user(mentee, "ben", real_name="Ben Teacher", team_id=team)
        overdue_mentorship(oauth.deps.db, team, mentor, mentee)
        assert oauth.install(team, f"School {team}").status == 200
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    oauth.emulator.token_lifetime = 43_200  # what Slack gives a refreshed token
    oauth.emulator.reset()
    yield oauth


def _refreshes(emulator: SlackEmulator) -> list[Call]:
    return [c for c in emulator.calls_to("oauth.v2.access") if c.params.get("grant_type") == "refresh_token"]


def _bot_row(oauth: OAuthStack, team: str) -> dict[str, object]:
    [row] = [row for row in stored(oauth.deps, bots) if row["team_id"] == team]
    return row


def _reminder_tokens(emulator: SlackEmulator, team: str) -> list[str | None]:
    return [
        c.token
        for c in emulator.calls_to("chat.postMessage")
        if (c.response or {}).get("ok") and c.params.get("channel") == MENTORS[team]
    ]


def test_an_install_with_rotation_keeps_the_refresh_token_and_when_the_token_expires(rotating: OAuthStack) -> None:
    row = _bot_row(rotating, T1)

    assert row["bot_token"] == rotating.emulator.token_for(T1)
    assert row["bot_refresh_token"] == rotating.emulator.refresh_token_for(T1)
    expires = row["bot_token_expires_at"]
    assert isinstance(expires, datetime)
    assert abs(expires.replace(tzinfo=UTC).timestamp() - (time.time() + SOON)) < 60


@pytest.mark.parametrize("already_expired", [False, True], ids=["expiring-soon", "expired"])
def test_a_job_refreshes_an_expiring_token_first_and_keeps_the_new_one(
    rotating: OAuthStack, already_expired: bool
) -> None:
    emulator = rotating.emulator
    old_token, old_refresh = emulator.token_for(T1), emulator.refresh_token_for(T1)
    if already_expired:
        emulator.expire(old_token)  # without a refresh, every call of the job would answer token_expired

    run = for_each_workspace(rotating.deps, send_due_reminders, "meeting reminder", EVERY)

    assert run.failed == {} and sorted(run.done) == [T1, T2]
    new_token = emulator.token_for(T1)
    assert new_token != old_token
    assert _reminder_tokens(emulator, T1) == [new_token]  # the reminder went with the refreshed token
    assert [c.params["refresh_token"] for c in _refreshes(emulator) if old_refresh == c.params["refresh_token"]] == [
        old_refresh
    ]
    row = _bot_row(rotating, T1)
    assert (row["bot_token"], row["bot_refresh_token"]) == (new_token, emulator.refresh_token_for(T1))
    [installation] = [r for r in stored(rotating.deps, installations) if r["team_id"] == T1]
    assert installation["bot_token"] == new_token  # no row keeps the old token
    expires = row["bot_token_expires_at"]
    assert isinstance(expires, datetime)
    assert expires.replace(tzinfo=UTC).timestamp() > time.time() + 11 * 3600

    # The next run, and a second worker process, use the kept token without refreshing again.
    emulator.reset()
    other_worker = bootstrap(rotating.deps.settings, clock=rotating.deps.clock, db=rotating.deps.db)
    for deps in (rotating.deps, other_worker):
        client = deps.slack.for_team(T1)
        assert client.token == new_token and client.auth_test()["team_id"] == T1
    assert _refreshes(emulator) == []


def test_a_token_far_from_expiry_is_used_as_it_is(oauth: OAuthStack, clock: FakeClock) -> None:
    oauth.emulator.token_rotation = True  # twelve hours left
    assert oauth.install(T1, "Kestrel Primary").status == 200
    token = oauth.emulator.token_for(T1)
    oauth.emulator.reset()

    client = oauth.deps.slack.for_team(T1)

    assert client.token == token and _refreshes(oauth.emulator) == []


@pytest.mark.usefixtures("bot_logging")
def test_a_refresh_slack_refuses_is_reported_and_the_other_school_still_gets_its_reminder(
    rotating: OAuthStack, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator = rotating.emulator
    refused = emulator.refresh_token_for(T2)
    # The refresh token was already used elsewhere (say, a restored backup of the database): Slack won't take it.
    spent = WebClient(base_url=emulator.api_url).oauth_v2_access(
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        grant_type="refresh_token",
        refresh_token=refused,
    )
    emulator.expire(emulator.token_for(T2))
    emulator.reset()

    run = for_each_workspace(rotating.deps, send_due_reminders, "meeting reminder", EVERY)

    assert run.done == [T1] and run.failed == {T2: "invalid_refresh_token"}
    assert len(_reminder_tokens(emulator, T1)) == 1 and _reminder_tokens(emulator, T2) == []
    printed = capsys.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records) + printed.out + printed.err
    assert "Slack would not refresh the bot's expiring token for workspace T0002 (invalid_refresh_token)" in logged
    secrets = [refused, spent["access_token"], spent["refresh_token"], emulator.token_for(T1), emulator.client_secret]
    assert not [secret for secret in secrets if secret in logged]


def test_two_workers_refreshing_at_once_refresh_once_and_send_each_reminder_once(
    rotating: OAuthStack, backend: BackendDatabase
) -> None:
    emulator = rotating.emulator
    emulator.delay_next("oauth.v2.access", 0.5)  # the first refresh is slow: the other worker arrives meanwhile
    workers = [
        bootstrap(oauth_settings(emulator, backend.url), clock=rotating.deps.clock, db=rotating.deps.db)
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    runs = []

    def work(n: int) -> None:
        start.wait()
        runs.append(for_each_workspace(workers[n], send_due_reminders, "meeting reminder", EVERY))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [run.failed for run in runs] == [{}, {}]
    assert len(_refreshes(emulator)) == 2  # one per school, never the same refresh token twice
    assert all((c.response or {}).get("ok") for c in _refreshes(emulator))
    for team in (T1, T2):
        assert _reminder_tokens(emulator, team) == [emulator.token_for(team)]
