"""The people directory, read from Slack: users.info and users.lookupByEmail."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.directory import DirectoryUser


def _directory_user(user: dict[str, Any]) -> DirectoryUser:
    profile = user.get("profile") or {}
    org = user.get("enterprise_user") or {}
    org_admin = bool(org.get("is_admin") or org.get("is_owner") or org.get("is_primary_owner"))
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
        # The workspaces of their org that they belong to: the org owns each of them.
        org_admin_teams=frozenset(str(team) for team in org.get("teams") or []) if org_admin else frozenset(),
    )


class SlackDirectory:
    """Looks people up through users.info and users.lookupByEmail.

    The middleware makes one per request, so each person is asked about at most once in a request (the caller,
    then the Homes a change refreshes, say); across requests the stored people are the cache (bot/roster/people.py
    says when a record is stale)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._asked: dict[str, DirectoryUser | None] = {}
        # Entered around each users.info call: a listener opening a modal hurries its placeholder while it waits
        # (handlers/slack/modal_first.py).
        self.waiting_on_slack: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext

    def user(self, user_id: str) -> DirectoryUser | None:
        if user_id in self._asked:
            return self._asked[user_id]
        try:
            with self.waiting_on_slack():
                response = self.client.users_info(user=user_id)
        except SlackApiError as exc:
            if exc.response.get("error") in ("user_not_found", "user_not_visible"):
                self._asked[user_id] = None
                return None
            raise
        found = self._asked[user_id] = _directory_user(response["user"])
        return found

    def user_by_email(self, email: str) -> DirectoryUser | None:
        try:
            response = self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") == "users_not_found":
                return None
            raise
        return _directory_user(response["user"])

    def workspace_admins(self, *, max_pages: int = 20) -> list[DirectoryUser]:
        """The workspace's admins and owners (people, not bots), from users.list: for when the bot knows none."""
        admins: list[DirectoryUser] = []
        cursor = ""
        for _ in range(max_pages):
            response = self.client.users_list(limit=200, cursor=cursor or None)
            for member in response.get("members") or []:
                user = _directory_user(member)
                if user.is_admin and not user.is_bot and not user.deleted:
                    admins.append(user)
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return admins
