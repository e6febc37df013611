"""The Slack Web API client, and the people directory that reads from it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.services.people import DirectoryUser
from bot.settings import Settings

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


def _directory_user(user: dict[str, Any]) -> DirectoryUser:
    profile = user.get("profile") or {}
    return DirectoryUser(
        user_id=user["id"],
        team_id=user.get("team_id"),
        name=user.get("name") or user["id"],
        real_name=profile.get("real_name") or user.get("real_name") or None,
        email=profile.get("email"),
        tz=user.get("tz"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


class SlackDirectory:
    """Looks people up through users.info and users.lookupByEmail."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def user(self, user_id: str) -> DirectoryUser | None:
        try:
            response = self.client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                return None
            raise
        return _directory_user(response["user"])

    def user_by_email(self, email: str) -> DirectoryUser | None:
        try:
            response = self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return None
            raise
        return _directory_user(response["user"])
