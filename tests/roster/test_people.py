"""Slack is asked about people before a use case's transaction opens, never while one is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app.bootstrap import Deps
from bot.core.directory import DirectoryUser
from storage.roster import MenteeKind

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
TEAM = "T0PEOPLE"


class WatchingDirectory:
    """A directory that notes how many database connections are checked out each time it is asked."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.open_connections: list[int] = []

    def user(self, user_id: str) -> DirectoryUser | None:
        self.open_connections.append(self.deps.db.engine.pool.checkedout())  # type: ignore[attr-defined]
        return DirectoryUser(
            user_id=user_id,
            team_id=TEAM,
            name=user_id.lower(),
            real_name=None,
            email=None,
            tz=None,
            is_admin=user_id == "UADMIN",
            is_bot=False,
            deleted=False,
        )

    def user_by_email(self, email: str) -> DirectoryUser | None:
        return None


def test_users_info_is_called_with_no_transaction_open_and_not_again_while_fresh(deps: Deps) -> None:
    directory = WatchingDirectory(deps)

    admin = deps.roster.caller(TEAM, "UADMIN", directory, NOW)
    deps.roster.assign(admin, "UMENTOR", "UMENTEE", MenteeKind.ECT, directory, NOW, today=NOW.date())

    assert admin.is_admin
    assert directory.open_connections == [0, 0, 0]  # the admin, the mentor, the mentee: each asked outside

    deps.roster.caller(TEAM, "UADMIN", directory, NOW + timedelta(hours=1))
    assert len(directory.open_connections) == 3  # a fresh record is not asked about again

    deps.roster.caller(TEAM, "UADMIN", directory, NOW + timedelta(days=2))
    assert directory.open_connections == [0, 0, 0, 0]  # stale: asked again, still outside any transaction
