"""People as the bot knows them: Slack id, name, time zone, and whether Slack calls them an admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.directory import Directory, DirectoryUser
from bot.core.errors import NotFound
from storage.db import UnitOfWork
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


def ensure_person(session: UnitOfWork, directory: Directory, team_id: str, user_id: str, now: datetime) -> Person:
    """The stored person, refreshed from Slack when missing or stale."""
    WorkspaceRepository(session).ensure(team_id, now)
    person = PeopleRepository(session).get(team_id, user_id)
    if person is not None and now - person.refreshed_at < STALE_AFTER:
        return person
    found = directory.user(user_id)
    if found is None:
        if person is not None:  # Slack no longer knows them: keep the record, mark it
            person.deleted = True
            person.refreshed_at = now
            return person
        raise NotFound(f"I can't find <@{user_id}> in this Slack workspace.")
    return remember(session, team_id, found, now)
