"""The Slack Web API client, configured once from settings, and the client to use for each workspace."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.app.settings import Settings
from bot.core.directory import Directory

SLACK_API_URL = "https://slack.com/api/"


def make_web_client(settings: Settings) -> WebClient:
    """One configured client; Bolt copies its base URL and retry handlers into every request's client."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url or SLACK_API_URL,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),  # waits for Retry-After
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold, for the log filter to redact."""
    return [
        settings.slack_bot_token.get_secret_value(),
        settings.slack_signing_secret.get_secret_value(),
        settings.slack_app_token.get_secret_value() if settings.slack_app_token else "",
    ]


class NoClient(Exception):
    """The bot holds no token for this workspace."""


class TokenRejected(Exception):
    """Slack did not accept the bot token; the message is Slack's error code."""


class SlackClients:
    """The bot's Web API client for each workspace.

    With one bot token (SLACK_BOT_TOKEN) that is the token's own workspace, which `auth.test` names once;
    any other workspace in the database has no client and `for_team` raises `NoClient`. An OAuth
    installation store would answer here with each workspace's own token.
    """

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._token_team: str | None = None

    def token_team(self) -> str:
        """The workspace the bot token belongs to (asked of Slack once)."""
        if self._token_team is None:
            try:
                self._token_team = str(self.client.auth_test()["team_id"])
            except SlackApiError as exc:
                raise TokenRejected(str(exc.response.get("error"))) from None
        return self._token_team

    def for_team(self, team_id: str) -> WebClient:
        if team_id != self.token_team():
            raise NoClient(f"SLACK_BOT_TOKEN belongs to workspace {self.token_team()}, not {team_id}")
        return self.client

    def directory(self, team_id: str) -> Directory:
        """Who people are in this workspace, looked up through users.info."""
        from handlers.slack.directory import SlackDirectory  # handlers import Deps: not at import time

        return SlackDirectory(self.for_team(team_id))
