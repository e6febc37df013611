"""The Slack Web API client, configured once from settings, and the client to use for each workspace."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.app.settings import Settings
from bot.core.directory import Directory
from storage.installations import InstallationStore

log = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
# What Slack answers when a workspace no longer takes the bot's token: uninstalled, revoked, or the workspace
# itself closed. Nothing more will work there until the app is installed again.
REFUSED_TOKEN_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed", "team_disabled"})
# Token rotation: a bot token that expires within this is refreshed before a job or command uses it (Bolt's own
# margin for requests), so a long job never runs out of token halfway.
REFRESH_BEFORE_MINUTES = 120


def _retry_handlers() -> list[Any]:
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),  # waits for Retry-After
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def make_web_client(settings: Settings) -> WebClient:
    """One configured client; Bolt copies its base URL and retry handlers into every request's client.

    In OAuth mode it holds no token: Bolt gives each request's client the token installed for its workspace,
    and the OAuth flow's token exchange (oauth.v2.access) goes to the same SLACK_API_URL.
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return client_for_token(token, settings.slack_api_url or SLACK_API_URL)


def client_for_token(token: str | None, base_url: str) -> WebClient:
    """A client configured as every one of ours is (timeout, retries): for another process given a request's token."""
    return WebClient(token=token, base_url=base_url, timeout=10, retry_handlers=_retry_handlers())


def secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold, for the log filter to redact."""
    return [
        settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else "",
        settings.slack_signing_secret.get_secret_value(),
        settings.slack_app_token.get_secret_value() if settings.slack_app_token else "",
        settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else "",
    ]


class WorkspaceClient(WebClient):
    """A workspace's installed bot token (OAuth mode), for scheduled jobs and commands.

    Once Slack refuses the token (`REFUSED_TOKEN_ERRORS`), `refused` holds Slack's error and every later call
    fails the same way at once, without asking Slack again: a job's loop then fails (and releases) each item
    quickly, and the scheduler reports the workspace.
    """

    def __init__(self, team_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.team_id = team_id
        self.refused: str | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        if self.refused is not None:
            raise SlackApiError(
                f"The workspace refused the bot's token ({self.refused})",
                {"ok": False, "error": self.refused},  # read like a response: .get("error")
            )
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error in REFUSED_TOKEN_ERRORS:
                self.refused = str(error)
            raise


def _expiring(bot: Bot) -> bool:
    expires_at = bot.bot_token_expires_at
    return expires_at is not None and expires_at <= time.time() + REFRESH_BEFORE_MINUTES * 60


class NoClient(Exception):
    """The bot holds no token for this workspace."""


class TokenRejected(Exception):
    """Slack did not accept the bot token; the message is Slack's error code."""


class TokenRefreshFailed(Exception):
    """Slack would not refresh a workspace's expiring bot token (token rotation); the message is Slack's error."""


class SlackClients:
    """The bot's Web API client for each workspace.

    With one bot token (SLACK_BOT_TOKEN) that is the token's own workspace, which `auth.test` names once;
    any other workspace in the database has no client and `for_team` raises `NoClient`. In OAuth mode
    (`installations` given) each installed workspace has its own client with its own token, and a workspace
    that is not installed (or was uninstalled) has none. With Slack's token rotation (`rotator` given), a token
    that expires soon is refreshed first and the new one kept in the store.
    """

    def __init__(
        self, client: WebClient, installations: InstallationStore | None = None, rotator: TokenRotator | None = None
    ) -> None:
        self.client = client
        self.installations = installations
        self.rotator = rotator
        self._token_team: str | None = None
        # Enterprise Grid: each workspace of an org installed org-wide -> the org's bot, as of the last listing.
        self._org_workspaces: dict[str, Bot] = {}

    @property
    def oauth(self) -> bool:
        return self.installations is not None

    def team_ids(self) -> list[str]:
        """The workspaces the bot can act in: the installed ones (OAuth) — each workspace installed on its own,
        and each workspace of an Enterprise Grid org installed org-wide, as Slack lists them now — or the bot
        token's own."""
        if self.installations is not None:
            self._org_workspaces = self._list_org_workspaces(self.installations)
            return sorted(set(self.installations.team_ids()) | set(self._org_workspaces))
        return [self.token_team()]

    def _list_org_workspaces(self, installations: InstallationStore) -> dict[str, Bot]:
        """Each workspace of each org installed org-wide, with the org's bot: asked of Slack (auth.teams.list),
        so a workspace the org adds or removes is served, or not, from the next job run. An org whose token
        Slack refuses is logged and left out of this run."""
        found: dict[str, Bot] = {}
        for bot in installations.org_bots():
            org = str(bot.enterprise_id)
            try:
                reread = partial(self._installed_org_bot, installations, org)
                bot = self._fresh(installations, bot, f"org:{org}", reread)
            except NoClient:
                continue  # uninstalled meanwhile
            except TokenRefreshFailed as exc:
                log.warning("Slack would not refresh the expiring token of org %s (%s): skipped this run", org, exc)
                continue
            client = self._client(org, bot)
            try:
                for page in client.auth_teams_list(limit=1000):
                    for team in page.get("teams") or []:
                        found.setdefault(str(team["id"]), bot)
            except SlackApiError as exc:
                error = exc.response.get("error") if exc.response is not None else None
                log.warning(
                    "Could not list the workspaces of org %s (%s): they are skipped this run", bot.enterprise_id, error
                )
        return found

    def token_team(self) -> str:
        """The workspace the bot token belongs to (asked of Slack once). Token mode only."""
        if self.installations is not None:
            raise NoClient("OAuth mode has no single bot token: each workspace has its own installation")
        if self._token_team is None:
            try:
                self._token_team = str(self.client.auth_test()["team_id"])
            except SlackApiError as exc:
                raise TokenRejected(str(exc.response.get("error"))) from None
        return self._token_team

    def for_team(self, team_id: str) -> WebClient:
        if self.installations is not None:
            installations = self.installations
            bot = installations.find_bot_for_team(team_id)
            if bot is None or not bot.bot_token:
                # An org-wide install's workspace? Its token was made fresh when the org's workspaces were listed.
                org_bot = self._org_bot(installations, team_id)
                if org_bot is None:
                    raise NoClient(f"mentor-bot is not installed in workspace {team_id}")
                return self._client(team_id, org_bot)
            bot = self._fresh(installations, bot, team_id, lambda: self._installed_bot(installations, team_id))
            return self._client(team_id, bot)
        if team_id != self.token_team():
            raise NoClient(f"SLACK_BOT_TOKEN belongs to workspace {self.token_team()}, not {team_id}")
        return self.client

    def _client(self, label: str, bot: Bot) -> WorkspaceClient:
        return WorkspaceClient(
            label,
            token=bot.bot_token,
            base_url=self.client.base_url,
            timeout=self.client.timeout,
            retry_handlers=_retry_handlers(),
        )

    def _org_bot(self, installations: InstallationStore, team_id: str) -> Bot | None:
        """The bot of the org-wide install serving this workspace: from the job run's list, else asked now."""
        bot = self._org_workspaces.get(team_id)
        if bot is None:
            self._org_workspaces = self._list_org_workspaces(installations)
            bot = self._org_workspaces.get(team_id)
        return bot

    @staticmethod
    def _installed_bot(installations: InstallationStore, team_id: str) -> Bot:
        bot = installations.find_bot_for_team(team_id)
        if bot is None or not bot.bot_token:
            raise NoClient(f"mentor-bot is not installed in workspace {team_id}")
        return bot

    @staticmethod
    def _installed_org_bot(installations: InstallationStore, enterprise_id: str) -> Bot:
        bot = installations.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise NoClient(f"mentor-bot is not installed org-wide in {enterprise_id}")
        return bot

    def _fresh(self, installations: InstallationStore, bot: Bot, key: str, reread: Callable[[], Bot]) -> Bot:
        """The bot with a token that is not about to expire: refreshed with Slack now if it was, and kept.

        Expiry is Slack's wall clock (slack_sdk compares with time.time()), not the app's clock. Slack takes each
        refresh token once, so one refresh at a time per installation (`InstallationStore.refreshing`, by `key`):
        a thread or worker process that was refreshing it first leaves the new token in the store, which
        `reread` reads again here.
        """
        if not bot.bot_refresh_token or self.rotator is None or not _expiring(bot):
            return bot
        with installations.refreshing(key):
            bot = reread()
            try:
                refreshed = self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=REFRESH_BEFORE_MINUTES
                )
            except SlackTokenRotationError as exc:
                latest = reread()
                if latest.bot_token != bot.bot_token:
                    return latest
                error = exc.api_error.response.get("error") if exc.api_error.response is not None else None
                raise TokenRefreshFailed(str(error or "error")) from None
            if refreshed is None:
                return bot
            if not installations.replace_bot_token(str(bot.bot_token), refreshed):
                return reread()
            return refreshed

    def uninstalled(self, *, enterprise_id: str | None, team_id: str | None) -> bool:
        """The app was removed from a workspace: forget its installation and bot token (OAuth mode)."""
        if self.installations is None:
            return False
        self.installations.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        return True

    def tokens_revoked(self, *, enterprise_id: str | None, team_id: str | None, bot: bool, user_ids: list[str]) -> bool:
        """Tokens were revoked: forget the bot's (then the workspace has no client) and any user's (OAuth mode)."""
        if self.installations is None:
            return False
        for user_id in user_ids:
            self.installations.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        if bot:
            # The bot token is the workspace's install: without it nothing works, so every row of it goes.
            self.installations.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        return bot or bool(user_ids)

    def directory(self, team_id: str) -> Directory:
        """Who people are in this workspace, looked up through users.info."""
        from handlers.slack.directory import SlackDirectory  # handlers import Deps: not at import time

        return SlackDirectory(self.for_team(team_id))
