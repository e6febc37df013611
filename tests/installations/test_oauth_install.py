"""OAuth mode: a school's admin installs mentor-bot from a browser; each workspace is then served with its own
installed token (requests, replies and scheduled jobs); an uninstall removes the installation and stops the jobs.

Everything goes through the real HTTP server: the browser's GETs (the install page and its state cookie, Slack's
redirect back with a code) and Slack's signed requests; the emulator plays Slack, including `oauth.v2.access`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select, update

from bot.app.bootstrap import bootstrap
from bot.app.home_processes import HomeHelpers
from bot.app.oauth import install_routes
from bot.app.scheduler import for_each_workspace, send_due_reminders
from bot.app.slack_app import create_app
from bot.app.web import BackgroundServer
from bot.privacy import service as privacy
from handlers.slack.directory import SlackDirectory
from storage.installations import bots, installations, oauth_states
from storage.roster import Mentorship, Workspace
from tests.conftest import BackendDatabase
from tests.cross import school as school_module
from tests.cross.school import School, command, modal, people, seed_school
from tests.support.clock import FakeClock
from tests.support.driver import wait_until
from tests.support.emulator import SlackEmulator
from tests.support.installs import (
    COOKIE,
    Browser,
    OAuthStack,
    authorize_query,
    oauth_settings,
    overdue_mentorship,
    stored,
)
from tests.support.people import LONDON, SIGNING_SECRET
from tests.support.slack import block_text, mention

T1, T2 = "T0001", "T0002"


# --- the install in a browser ----------------------------------------------------------------------------------


def test_an_admin_installs_from_the_browser_and_the_token_is_kept_for_the_workspace(oauth: OAuthStack) -> None:
    browser = oauth.browser()

    page = browser.get("/slack/install")

    assert page.status == 200 and page.header("content-type")[0].startswith("text/html")
    assert "Add to Slack" in page.text and 'href="/privacy"' in page.text
    for scope in ("commands", "chat:write", "users:read.email", "im:history"):
        assert f"<code>{scope}</code>" in page.text
    query = authorize_query(page)
    assert query["client_id"] == oauth.emulator.client_id
    assert query["scope"].split(",")[:2] == ["commands", "chat:write"]
    assert browser.cookies[COOKIE] == query["state"]  # the state travels in the cookie and in Slack's redirect
    assert "HttpOnly" in page.header("set-cookie")[0]

    code = oauth.emulator.authorize(T1, "Kestrel Primary", user_id="UHANA0001")
    done = browser.get("/slack/oauth_redirect", code=code, state=query["state"])

    assert done.status == 200, done.text
    assert "mentor-bot is in Kestrel Primary" in done.text
    assert "<code>/mentor help</code>" in done.text and "/mentor assign @mentor @mentee" in done.text
    [exchange] = oauth.emulator.calls_to("oauth.v2.access")  # at SLACK_API_URL, with the client secret
    assert exchange.params["code"] == code and (exchange.response or {}).get("ok") is True
    token = oauth.emulator.token_for(T1)
    [bot] = stored(oauth.deps, bots)
    assert (bot["team_id"], bot["team_name"], bot["bot_token"]) == (T1, "Kestrel Primary", token)
    [installation] = stored(oauth.deps, installations)
    assert (installation["user_id"], installation["client_id"]) == ("UHANA0001", oauth.emulator.client_id)
    assert stored(oauth.deps, oauth_states) == []  # the state was used up
    assert oauth.deps.slack.team_ids() == [T1]


def test_the_privacy_page_says_what_is_kept_who_sees_it_and_for_how_long(oauth: OAuthStack) -> None:
    page = oauth.browser().get("/privacy")

    assert page.status == 200
    for heading in ("What it keeps", "Who sees it", "How long", "Getting or erasing your data"):
        assert f"<h2>{heading}</h2>" in page.text
    assert "2555 days" in page.text and "never shown, exported or written to logs" in page.text


def test_a_state_not_issued_by_the_bot_is_refused_and_nothing_is_installed(oauth: OAuthStack) -> None:
    browser = oauth.browser()
    browser.get("/slack/install")
    browser.cookies[COOKIE] = "forged-state"
    code = oauth.emulator.authorize(T1, "Kestrel Primary")

    page = browser.get("/slack/oauth_redirect", code=code, state="forged-state")

    assert page.status == 401
    assert "mentor-bot was not installed" in page.text and "expired or was already used" in page.text
    assert 'href="/slack/install"' in page.text
    assert oauth.emulator.calls_to("oauth.v2.access") == [] and stored(oauth.deps, bots) == []


def test_an_expired_state_is_refused(oauth: OAuthStack) -> None:
    browser = oauth.browser()
    state = authorize_query(browser.get("/slack/install"))["state"]
    with oauth.deps.db.engine.begin() as connection:  # ten minutes and more later
        connection.execute(update(oauth_states).values(expire_at=datetime(2020, 1, 1)))

    page = browser.get("/slack/oauth_redirect", code=oauth.emulator.authorize(T1), state=state)

    assert page.status == 401 and "expired or was already used" in page.text
    assert stored(oauth.deps, bots) == []


def test_a_state_from_another_browser_or_used_twice_is_refused(oauth: OAuthStack) -> None:
    admin = oauth.browser()
    state = authorize_query(admin.get("/slack/install"))["state"]

    elsewhere = oauth.browser().get("/slack/oauth_redirect", code=oauth.emulator.authorize(T1), state=state)
    first = admin.get("/slack/oauth_redirect", code=oauth.emulator.authorize(T1), state=state)
    again = admin.get("/slack/oauth_redirect", code=oauth.emulator.authorize(T1), state=state)

    assert elsewhere.status == 400 and "started in another browser" in elsewhere.text
    assert first.status == 200
    assert again.status == 401 and "expired or was already used" in again.text
    assert len(stored(oauth.deps, bots)) == 1


def test_a_code_slack_refuses_or_a_cancelled_install_says_so(oauth: OAuthStack) -> None:
    browser = oauth.browser()
    state = authorize_query(browser.get("/slack/install"))["state"]
    refused = browser.get("/slack/oauth_redirect", code="code-never-issued", state=state)
    cancelled = oauth.browser().get("/slack/oauth_redirect", error="access_denied", state="whatever")
    forged = oauth.browser().get("/slack/oauth_redirect", error="<b>Call 0800 000</b>\nINFO fake log line")

    assert refused.status == 401 and "Slack did not accept the install" in refused.text
    assert cancelled.status == 200 and "You (or Slack) cancelled the install" in cancelled.text
    assert "<b>" not in forged.text and "0800" not in forged.text and "<code>unrecognised</code>" in forged.text
    assert stored(oauth.deps, bots) == []


def test_a_wrong_client_secret_installs_nothing(
    backend: BackendDatabase, emulator: SlackEmulator, clock: FakeClock
) -> None:
    deps = bootstrap(oauth_settings(emulator, backend.url, SLACK_CLIENT_SECRET="not-the-secret"), clock=clock)
    app = create_app(deps)
    server = BackgroundServer(app, signing_secret=SIGNING_SECRET, routes=install_routes(app, deps.settings)).start()
    try:
        browser = Browser(server.url)
        state = authorize_query(browser.get("/slack/install"))["state"]
        page = browser.get("/slack/oauth_redirect", code=emulator.authorize(T1), state=state)
    finally:
        server.stop()

    assert page.status == 401 and "mentor-bot was not installed" in page.text
    [exchange] = emulator.calls_to("oauth.v2.access")
    assert exchange.response == {"ok": False, "error": "bad_client_secret"}
    assert stored(deps, bots) == []


def test_workspace_names_are_escaped_on_the_success_page(oauth: OAuthStack) -> None:
    page = oauth.install(T1, "<script>alert(1)</script> & Co")

    assert "<script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page.text


# --- two workspaces, each with its own token -------------------------------------------------------------------


@pytest.fixture
def two(oauth: OAuthStack, monkeypatch: pytest.MonkeyPatch) -> tuple[School, School]:
    """Kestrel (T0001) and Osprey (T0002), seeded through the services, then each installed from a browser."""
    emulator = oauth.emulator
    seeding = SlackDirectory(WebClient(token=emulator.bot_token, base_url=emulator.api_url))
    monkeypatch.setattr(school_module, "directory", lambda deps: seeding)
    one = seed_school(oauth.deps, emulator, team=T1, who=people("1"), marker="Kestrel", slt_channel="CSLT0001")
    two = seed_school(oauth.deps, emulator, team=T2, who=people("2"), marker="Osprey", slt_channel="CSLT0002")
    assert oauth.install(T1, "Kestrel Primary").status == 200
    assert oauth.install(T2, "Osprey Academy").status == 200
    emulator.reset()
    return one, two


def test_each_workspace_reaches_only_its_own_records_and_replies_with_its_own_token(
    oauth: OAuthStack, two: tuple[School, School]
) -> None:
    one, other = two
    token1, token2 = oauth.emulator.token_for(T1), oauth.emulator.token_for(T2)
    assert token1 != token2

    listing = command(oauth.slack, "/target", "list", user=other.people.mentee, team=T2)
    roster = command(oauth.slack, "/mentor", "list", user=other.people.admin, team=T2)
    observe = modal(
        oauth.slack,
        lambda: oauth.slack.command("/observe", mention(other.people.mentee), user=other.people.mentor, team_id=T2),
        "the Osprey observation form",
    )
    oauth.slack.open_home(other.people.lead, team_id=T2)
    home = wait_until(lambda: oauth.emulator.published_home(other.people.lead), what="the Osprey lead's Home")

    assert "Osprey cold calling" in listing and "Kestrel" not in listing
    assert other.people.mentee in roster and one.people.mentee not in roster
    assert observe["callback_id"] and [c.token for c in oauth.emulator.calls_to("views.open")] == [token2]
    assert home is not None and "Kestrel" not in block_text(home["blocks"])
    calls = [c for c in oauth.emulator.calls if c.method != "auth.test"]
    assert calls and {c.token for c in calls} == {token2}, [(c.method, c.token) for c in calls]

    oauth.emulator.reset()
    listing = command(oauth.slack, "/target", "list", user=one.people.mentee, team=T1)

    assert "Kestrel cold calling" in listing and "Osprey" not in listing
    assert {c.token for c in oauth.emulator.calls} <= {token1}


def test_a_home_helper_publishes_each_workspaces_home_with_that_workspaces_token(
    oauth: OAuthStack, two: tuple[School, School], clock: FakeClock
) -> None:
    one, other = two
    helpers = HomeHelpers(oauth.deps.settings, processes=1, wait_seconds=60)
    try:
        for team, school, foreign in ((T1, one, "Osprey"), (T2, other, "Kestrel")):
            token = oauth.emulator.token_for(team)
            client = WebClient(token=token, base_url=oauth.emulator.api_url)

            assert helpers.publish(client, team, school.people.lead, clock()) is True

            home = oauth.emulator.published_home(school.people.lead)
            assert home is not None and "Your cohort" in block_text(home["blocks"])
            assert foreign not in block_text(home["blocks"])
            assert [c.token for c in oauth.emulator.calls_to("views.publish")][-1] == token
        assert helpers._pool is not None and helpers._pool._processes, "published by a helper process"
    finally:
        helpers.close()


def test_a_request_from_a_workspace_that_never_installed_is_not_served(
    oauth: OAuthStack, two: tuple[School, School]
) -> None:
    reply = command(oauth.slack, "/target", "list", user="UZED00009", team="T0009")

    assert "not installed in this workspace" in reply and "Ask a workspace admin to install it" in reply
    assert "Kestrel" not in reply and "Osprey" not in reply
    assert [c.method for c in oauth.emulator.calls] == []  # no token, so no Slack call


# --- revocation and jobs ----------------------------------------------------------------------------------------


@pytest.fixture
def reminders_due(oauth: OAuthStack, clock: FakeClock) -> None:
    """A weekly mentorship with no meeting logged yet in each workspace, on a school morning three weeks on."""
    for team, mentor, mentee in ((T1, "UAMY00001", "UBEN00001"), (T2, "UAMY00002", "UBEN00002")):
        oauth.emulator.add_user(mentor, "amy", real_name="Amy Mentor", team_id=team)
        oauth.emulator.add_user(mentee, "ben", real_name="Ben Teacher", team_id=team)
        overdue_mentorship(oauth.deps.db, team, mentor, mentee)
    clock.now = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    assert oauth.install(T1, "Kestrel Primary").status == 200
    assert oauth.install(T2, "Osprey Academy").status == 200
    oauth.emulator.reset()


def test_a_revoked_workspace_is_skipped_and_reported_and_the_other_still_gets_its_reminders(
    oauth: OAuthStack, reminders_due: None, caplog: pytest.LogCaptureFixture
) -> None:
    revoked = oauth.emulator.token_for(T2)
    oauth.emulator.revoke(revoked, "token_revoked")

    with caplog.at_level(logging.INFO):
        run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", timedelta(minutes=30))

    assert run.done == [T1] and run.failed == {T2: "token_revoked"}
    [reminder] = oauth.emulator.messages_to("UAMY00001")
    assert "Log meeting" in str(reminder["blocks"])
    assert oauth.emulator.messages_to("UAMY00002") == []
    assert len(oauth.emulator.calls_by(revoked)) == 1  # refused once; the workspace's other calls were not made
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Workspace T0002 refused the bot's token (token_revoked)" in logged
    assert revoked not in logged and oauth.emulator.token_for(T1) not in logged

    oauth.emulator.reset()
    oauth.emulator._revoked.clear()  # the school reinstalls: its reminder was not lost
    assert oauth.install(T2, "Osprey Academy").status == 200
    again = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", timedelta(minutes=30))
    assert again.failed == {} and len(oauth.emulator.messages_to("UAMY00002")) == 1


@pytest.mark.parametrize("event", ["app_uninstalled", "tokens_revoked"])
def test_an_uninstall_removes_the_installation_and_stops_every_job_there(
    oauth: OAuthStack, reminders_due: None, event: str
) -> None:
    payload: dict[str, Any] = {"type": event}
    if event == "tokens_revoked":
        payload["tokens"] = {"oauth": [], "bot": ["UBOT0002"]}

    result = oauth.slack.event(payload, team_id=T2)
    wait_until(
        lambda: [row["team_id"] for table in (bots, installations) for row in stored(oauth.deps, table)] == [T1, T1],
        what="the workspace's bot and installation to be removed",
    )

    assert result.status == 200
    assert oauth.deps.slack.team_ids() == [T1]
    run = for_each_workspace(oauth.deps, send_due_reminders, "meeting reminder", timedelta(minutes=30))
    assert (run.done, run.skipped, run.failed) == ([T1], [], {})  # T0002 is not gone through at all
    assert oauth.emulator.messages_to("UAMY00002") == [] and len(oauth.emulator.messages_to("UAMY00001")) == 1
    with oauth.deps.db.unit_of_work() as session:  # the records stay, under the retention policy
        assert session.scalars(select(Mentorship.mentee_id).where(Mentorship.team_id == T2)).all() == ["UBEN00002"]


def test_the_installers_export_shows_the_install_but_never_a_token_and_erasure_leaves_the_token_working(
    oauth: OAuthStack, clock: FakeClock
) -> None:
    assert oauth.install(T1, "Kestrel Primary", admin="UHANA0001").status == 200
    at = clock.now
    with oauth.deps.db.unit_of_work() as session:
        session.add(Workspace(team_id=T1, created_at=at, updated_at=at))
    token = oauth.emulator.token_for(T1)

    data = privacy.export_person(oauth.deps.db, T1, "UHANA0001", clock.now)

    [row] = data.rows("slack_installations")
    assert row.values["team_name"] == "Kestrel Primary" and row.values["user_id"] == "UHANA0001"
    assert not {"bot_token", "bot_refresh_token", "user_token", "incoming_webhook_url"} & row.values.keys()
    written = privacy.to_json(data) + privacy.to_csv(data)
    assert token not in written and "xoxb-" not in written

    privacy.erase_person(oauth.deps.db, T1, "UHANA0001", clock.now)

    [installation] = stored(oauth.deps, installations)
    assert installation["user_id"].startswith("UERASED") and installation["bot_token"] == token
    assert oauth.deps.slack.team_ids() == [T1]
