"""OAuth mode in tests: an admin's browser, the bot in OAuth mode over real HTTP, and what the stores hold."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.app.settings import Settings
from storage.db import Database
from storage.installations import InstallationStore
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Workspace
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import LONDON, SIGNING_SECRET

COOKIE = "slack-app-oauth-state"  # Bolt's state cookie


@dataclass
class Page:
    status: int
    headers: list[tuple[str, str]]
    text: str

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


class Browser:
    """A school admin's browser: GETs with the cookies the bot set."""

    def __init__(self, base_url: str) -> None:
        self.target = urllib.parse.urlsplit(base_url)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, **query: str) -> Page:
        if query:
            path += "?" + urllib.parse.urlencode(query)
        connection = http.client.HTTPConnection(self.target.hostname or "127.0.0.1", self.target.port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            page = Page(response.status, response.getheaders(), response.read().decode("utf-8"))
        finally:
            connection.close()
        for cookie in page.header("set-cookie"):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return page


@dataclass
class OAuthStack:
    deps: Deps
    emulator: SlackEmulator
    slack: SlackDriver
    url: str

    def browser(self) -> Browser:
        return Browser(self.url)

    def install(self, team_id: str, team_name: str, *, admin: str = "UINSTALLER") -> Page:
        """The whole install as an admin does it: the install page, Allow in Slack, back to the bot."""
        browser = self.browser()
        page = browser.get("/slack/install")
        state = authorize_query(page)["state"]
        code = self.emulator.authorize(team_id, team_name, user_id=admin)
        return browser.get("/slack/oauth_redirect", code=code, state=state)


def authorize_query(page: Page) -> dict[str, str]:
    """The query of the install page's "Add to Slack" link (Slack's authorize URL)."""
    match = re.search(r'<a class="button" href="([^"]+)">Add to Slack</a>', page.text)
    assert match, page.text
    url = urllib.parse.urlsplit(match.group(1).replace("&amp;", "&"))
    assert (url.scheme, url.netloc, url.path) == ("https", "slack.com", "/oauth/v2/authorize")
    return dict(urllib.parse.parse_qsl(url.query))


def oauth_settings(emulator: SlackEmulator, database_url: str, **changes: str) -> Settings:
    values: dict[str, Any] = {
        "SLACK_CLIENT_ID": emulator.client_id,
        "SLACK_CLIENT_SECRET": emulator.client_secret,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": emulator.api_url,
        **changes,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def stored(deps: Deps, table: Any) -> list[dict[str, Any]]:
    with deps.db.engine.connect() as connection:
        return [dict(row) for row in connection.execute(select(table)).mappings()]


def overdue_mentorship(db: Database, team: str, mentor: str, mentee: str) -> None:
    """A weekly mentorship from 2 November with no meeting logged: a reminder is due on any later school day."""
    at = datetime(2026, 11, 2, 9, 0, tzinfo=LONDON)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=team, created_at=at, updated_at=at))
        session.flush()
        session.add(
            Mentorship(
                team_id=team,
                mentor_id=mentor,
                mentee_id=mentee,
                mentee_kind=MenteeKind.ECT,
                start_date=date(2026, 11, 2),
                end_date=date(2027, 7, 21),
                meeting_cadence=MeetingCadence.WEEKLY,
                created_by="test",
                created_at=at,
            )
        )


def install_workspaces(db: Database, emulator: SlackEmulator, team_ids: Iterable[str]) -> dict[str, str]:
    """Each workspace installed as the OAuth flow leaves it: a bot token of its own, which the emulator knows as
    that workspace's, saved in the app's installation store (the bot then runs in OAuth mode with
    `oauth_settings`). Returns each workspace's token."""
    store = InstallationStore(emulator.client_id, db.engine)
    tokens: dict[str, str] = {}
    for team_id in team_ids:
        bot_user_id = f"UBOT{team_id[1:]}"
        token = emulator.add_workspace(team_id, f"School {team_id}", bot_user_id=bot_user_id)
        store.save(
            Installation(
                app_id=emulator.app_id,
                team_id=team_id,
                team_name=f"School {team_id}",
                bot_token=token,
                bot_id=f"B{team_id[1:]}",
                bot_user_id=bot_user_id,
                bot_scopes=emulator.granted_scopes,
                user_id="UINSTALLER",
            )
        )
        tokens[team_id] = token
    return tokens


def install_org(db: Database, emulator: SlackEmulator, enterprise_id: str, teams: list[str]) -> str:
    """An Enterprise Grid org installed org-wide, as the OAuth flow leaves it: one bot token, no team id, which
    the emulator knows as the org's (its workspaces listed by auth.teams.list); with the emulator's token
    rotation on, an expiring token and its refresh token. Returns the token."""
    token = emulator.add_org(enterprise_id, teams)
    InstallationStore(emulator.client_id, db.engine).save(
        Installation(
            app_id=emulator.app_id,
            enterprise_id=enterprise_id,
            enterprise_name=f"Trust {enterprise_id}",
            team_id=None,
            bot_token=token,
            bot_id=f"B{enterprise_id[1:]}",
            bot_user_id=f"UBOT{enterprise_id[1:]}",
            bot_scopes=emulator.granted_scopes,
            bot_refresh_token=emulator.refresh_token_for(enterprise_id) if emulator.token_rotation else None,
            bot_token_expires_at=_whole_seconds(emulator.token_expires_at(token)),
            user_id="UINSTALLER",
            is_enterprise_install=True,
        )
    )
    return token


def _whole_seconds(at: float | None) -> int | None:
    return int(at) if at is not None else None
