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
    is_admin: bool  # Slack's admin/owner flags, which speak for the user's own workspace `team_id` only
    is_bot: bool
    deleted: bool
    org_admin_teams: frozenset[str] = frozenset()  # an Enterprise Grid org admin/owner: the org's workspaces

    def is_admin_of(self, team_id: str) -> bool:
        """An admin of THIS workspace: a workspace admin or owner whose workspace it is, or an admin or owner of
        the Enterprise Grid org that owns it. An admin of another workspace (even in the same org) is not."""
        return (self.is_admin and self.team_id == team_id) or team_id in self.org_admin_teams


class Directory(Protocol):
    """Where people are looked up (Slack's users.info / users.lookupByEmail)."""

    def user(self, user_id: str) -> DirectoryUser | None: ...

    def user_by_email(self, email: str) -> DirectoryUser | None: ...
