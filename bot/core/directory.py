"""Who someone is in Slack, as the rules need it; looked up through a `Directory` the Slack layer provides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DirectoryUser:
    user_id: str
    team_id: str | None
    name: str
    real_name: str | None
    email: str | None
    tz: str | None
    is_admin: bool
    is_bot: bool
    deleted: bool


class Directory(Protocol):
    """Where people are looked up (Slack's users.info / users.lookupByEmail)."""

    def user(self, user_id: str) -> DirectoryUser | None: ...

    def user_by_email(self, email: str) -> DirectoryUser | None: ...
