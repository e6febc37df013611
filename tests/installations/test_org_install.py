"""Enterprise Grid org-wide installs: one installation with no team id serves every workspace of the org.

Each job run asks Slack which workspaces of the org have approved the app (auth.teams.list, with the org's token)
and serves each of them that has records, with that token; a workspace added to the org is served from the next
run; an org uninstall stops the jobs in all of them. A school installed on its own is served beside the org.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app.scheduler import for_each_workspace, send_due_reminders
from storage.installations import bots
from storage.roster import Mentorship
from tests.support.clock import FakeClock
from tests.support.driver import wait_until
from tests.support.emulator import SlackEmulator
from tests.support.installs import OAuthStack, install_org, overdue_mentorship, stored
from tests.support.people import LONDON

ORG = "E0001"
T1, TA, TB, TC = "T0001", "TORGA0001", "TORGB0001", "TORGC0001"  # T0001 installed on its own; the rest in the org
MENTORS = {T1: "UAMY00001", TA: "UAMY000A1", TB: "UAMY000B1", TC: "UAMY000C1"}
EVERY = timedelta(minutes=30)


def _reminders_due(oauth: OAuthStack, teams: list[str]) -> None:
    for team in teams:
        mentor = MENTORS[team]
        mentee = "UBEN" + mentor[4:]
        oauth.emulator.add_user(mentor, "amy", real_name="Amy Mentor", team_id=team)
        oauth.emulator.add_user(mentee, "ben", real_name="Ben Teacher", team_id=team)
        overdue_mentorship(oauth.deps.db, team, mentor, mentee)


@pytest.fixture
def org(oauth: OAuthStack, clock: FakeClock) -> str:
    """The org installed org-wide for two of its workspaces (a third, TC, joins later), and T0001 on its own;
    a meeting reminder is due in every one of them."""
    _reminders_due(oauth, [T1, TA, TB, TC])
    assert oauth.install(T1, "Kestrel Primary").status == 200
    token = install_org(oauth.deps.db, oauth.emulator, ORG, [TA, TB])
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    oauth.emulator.reset()
    return token


def _reminded(emulator: SlackEmulator, team: str) -> list[str | None]:
    """The tokens the meeting reminders to the workspace's mentor went with."""
    return [
        c.token
        for c in emulator.calls_to("chat.postMessage")
        if (c.response or {}).get("ok") and c.params.get("channel") == MENTORS[team]
    ]


def test_each_workspace_of_the_org_gets_its_jobs_with_the_org_token_beside_a_school_installed_alone(
    oauth: OAuthStack, org: str
) -> None:
    emulator = oauth.emulator

    run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)

    assert sorted(run.done) == [T1, TA, TB] and run.failed == {}  # TC is not approved in the org yet
    assert _reminded(emulator, TA) == [org] and _reminded(emulator, TB) == [org]
    assert _reminded(emulator, T1) == [emulator.token_for(T1)]
    assert _reminded(emulator, TC) == []
    assert [c.token for c in emulator.calls_to("auth.teams.list")] == [org]  # once for the run


def test_a_workspace_the_org_adds_is_served_from_the_next_run(oauth: OAuthStack, org: str) -> None:
    for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)
    oauth.emulator.add_org_team(ORG, TC)

    again = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)

    assert TC in again.done and _reminded(oauth.emulator, TC) == [org]
    assert len(oauth.emulator.calls_to("auth.teams.list")) == 2  # asked again at each run
    assert len(_reminded(oauth.emulator, TA)) == 1  # and nothing was sent twice


def test_an_org_uninstall_stops_the_jobs_in_every_workspace_of_the_org(oauth: OAuthStack, org: str) -> None:
    result = oauth.slack.event({"type": "app_uninstalled"}, team_id=TA, org_install=ORG)
    wait_until(
        lambda: [row["team_id"] for row in stored(oauth.deps, bots)] == [T1],
        what="the org's bot to be removed",
    )

    run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)

    assert result.status == 200
    assert run.done == [T1] and run.failed == {}
    assert _reminded(oauth.emulator, TA) == [] and _reminded(oauth.emulator, TB) == []
    assert oauth.emulator.calls_to("auth.teams.list") == []  # no org install left to ask about
    with oauth.deps.db.unit_of_work() as session:  # the records stay, under the retention policy
        assert session.scalars(select(Mentorship.mentee_id).where(Mentorship.team_id == TA)).all() == ["UBEN000A1"]


def test_an_org_whose_token_slack_refuses_is_skipped_and_the_school_installed_alone_still_served(
    oauth: OAuthStack, org: str
) -> None:
    oauth.emulator.revoke(org, "token_revoked")

    run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)

    assert run.done == [T1] and run.failed == {}
    assert len(_reminded(oauth.emulator, T1)) == 1
    assert [c.token for c in oauth.emulator.calls if c.token == org] == [org]  # asked once, refused: nothing sent


def test_an_expiring_org_token_is_refreshed_before_the_run_and_kept(oauth: OAuthStack, clock: FakeClock) -> None:
    _reminders_due(oauth, [TA, TB])
    oauth.emulator.token_rotation = True
    oauth.emulator.token_lifetime = 600  # expires within the two hours before which it is refreshed
    old = install_org(oauth.deps.db, oauth.emulator, ORG, [TA, TB])
    oauth.emulator.expire(old)  # without a refresh, listing the org's workspaces would answer token_expired
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)

    run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", EVERY)

    new = oauth.emulator.token_for(ORG)
    assert new != old and sorted(run.done) == [TA, TB]
    assert _reminded(oauth.emulator, TA) == [new] and _reminded(oauth.emulator, TB) == [new]
    [row] = stored(oauth.deps, bots)
    assert (row["team_id"], row["bot_token"]) == (None, new)
    assert row["bot_refresh_token"] == oauth.emulator.refresh_token_for(ORG)
