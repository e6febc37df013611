"""People as the bot knows them: Slack id, name, time zone, and whether Slack calls them an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.directory import Directory, DirectoryUser
from bot.core.errors import NotFound
from storage.db import Database, UnitOfWork
from storage.roster import PeopleRepository, Person, WorkspaceRepository

# Names and time zones change rarely; refresh a stored person after this long.
STALE_AFTER = timedelta(hours=24)


def remember(session: UnitOfWork, team_id: str, found: DirectoryUser, now: datetime) -> Person:
    person = PeopleRepository(session).get_or_create(team_id, found.user_id, found.name, now)
    person.name = found.name
    person.real_name = found.real_name
    person.email = found.email
    person.tz = found.tz
    person.is_workspace_admin = found.is_admin
    person.is_bot = found.is_bot
    person.deleted = found.deleted
    person.refreshed_at = now
    return person


@dataclass(frozen=True)
class LookedUp:
    """What Slack said about one person, asked before any transaction opens (see `look_up`)."""

    user_id: str
    asked: bool  # False: the stored record was fresh, so Slack wasn't asked
    found: DirectoryUser | None = None


def look_up(db: Database, directory: Directory, team_id: str, user_id: str, now: datetime) -> LookedUp:
    """Ask Slack about a person when the stored record is missing or stale, outside any open transaction.

    A users.info call can take seconds (Slack rate limits, retries): it must never hold a transaction open.
    The answer is applied by `ensure_person` inside the use case's own unit of work.
    """
    with db.unit_of_work() as session:
        person = PeopleRepository(session).get(team_id, user_id)
        fresh = person is not None and now - person.refreshed_at < STALE_AFTER
    if fresh:
        return LookedUp(user_id, asked=False)
    return LookedUp(user_id, asked=True, found=directory.user(user_id))


def look_up_all(
    db: Database, directory: Directory, team_id: str, user_ids: list[str | None], now: datetime
) -> list[LookedUp]:
    """`look_up` for each person named (None: nobody named there), in order."""
    return [look_up(db, directory, team_id, user_id, now) for user_id in user_ids if user_id is not None]


def ensure_person(session: UnitOfWork, looked: LookedUp, team_id: str, now: datetime) -> Person:
    """The stored person, refreshed from what Slack said when the record was missing or stale."""
    WorkspaceRepository(session).ensure(team_id, now)
    person = PeopleRepository(session).get(team_id, looked.user_id)
    if person is not None and not looked.asked:
        return person
    if looked.found is None:
        if person is not None:  # Slack no longer knows them: keep the record, mark it
            person.deleted = True
            person.refreshed_at = now
            return person
        raise NotFound(f"I can't find <@{looked.user_id}> in this Slack workspace.")
    return remember(session, team_id, looked.found, now)
