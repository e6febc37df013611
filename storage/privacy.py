"""The statements of erasure and retention (UK GDPR): what bot/privacy decides, written as SQL here.

The privacy registry (bot/privacy) says which tables and columns hold whose data; these functions touch only
the rows and columns they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, String, Table, delete, func, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from storage.roster import AuditEntry, Mentorship, RoleGrant
from storage.schema import Base


def end_live_mentorships(session: Session, team_id: str, user_id: str, now: datetime, actor: str) -> int:
    """End every live mentorship the person is in (as mentee or mentor); how many were."""
    mentorships = Base.metadata.tables["mentorships"]
    return _run(
        session,
        update(mentorships)
        .where(
            mentorships.c.team_id == team_id,
            mentorships.c.ended_at.is_(None),
            or_(mentorships.c.mentee_id == user_id, mentorships.c.mentor_id == user_id),
        )
        .values(ended_at=now, ended_by=actor),
    )


def ids_belonging_to(session: Session, table: Table, column: str, parent_ids: Sequence[int]) -> list[int]:
    return list(session.scalars(select(table.c.id).where(table.c[column].in_(parent_ids))))


def values_where(session: Session, table: Table, name: str, *where: ColumnElement[bool]) -> list[tuple[int, Any]]:
    """(id, value of `name`) of the rows matching `where`."""
    return [(row_id, value) for row_id, value in session.execute(select(table.c.id, table.c[name]).where(*where))]


def values_of(session: Session, table: Table, name: str, ids: Sequence[int]) -> list[tuple[int, Any]]:
    return values_where(session, table, name, table.c.id.in_(ids))


def delete_rows(session: Session, table: Table, ids: Sequence[int]) -> None:
    session.execute(delete(table).where(table.c.id.in_(ids)))


def update_rows(session: Session, table: Table, ids: Sequence[int], values: dict[str, Any]) -> None:
    session.execute(update(table).where(table.c.id.in_(ids)).values(values))


def set_value(session: Session, table: Table, row_id: int, name: str, value: Any) -> None:
    session.execute(update(table).where(table.c.id == row_id).values({name: value}))


def replace_value(session: Session, table: Table, scope: ColumnElement[bool], name: str, old: str, new: str) -> int:
    """Set `name` to `new` wherever it is exactly `old` (within `scope`); how many rows changed."""
    return _run(session, update(table).where(scope, table.c[name] == old).values({name: new}))


def pseudonym_taken(session: Session, team_id: str, pseudonym: str) -> bool:
    people = Base.metadata.tables["people"]
    return bool(session.scalar(select(func.count()).where(people.c.team_id == team_id, people.c.user_id == pseudonym)))


def is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def blankable(table: Table, name: str) -> bool:
    """A column erasure can blank: nullable, or text (it then holds "[erased]")."""
    column = table.c[name]
    return bool(column.nullable) or isinstance(column.type, String | JSON)


def _run(session: Session, statement: Any) -> int:
    """Execute an UPDATE or DELETE; the number of rows it touched."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return int(result.rowcount)


# --- retention ----------------------------------------------------------------------------------------------------
def mentorship_spans(session: Session, team_id: str | None) -> Iterable[tuple[str, str, str, date, datetime | None]]:
    """(team, mentor, mentee, planned end, ended at) of every mentorship (in one workspace, if named)."""
    query = select(
        Mentorship.team_id, Mentorship.mentor_id, Mentorship.mentee_id, Mentorship.end_date, Mentorship.ended_at
    )
    if team_id is not None:
        query = query.where(Mentorship.team_id == team_id)
    return [(team, mentor, mentee, end, ended) for team, mentor, mentee, end, ended in session.execute(query)]


def role_holders(session: Session) -> set[tuple[str, str]]:
    """(team, user) of everyone holding a role."""
    return {(team, user) for team, user in session.execute(select(RoleGrant.team_id, RoleGrant.user_id))}


def active_since(session: Session, cutoff: datetime) -> set[tuple[str, str]]:
    """(team, user) of everyone who has done something in the bot since `cutoff`."""
    acted = select(AuditEntry.team_id, AuditEntry.actor_id).where(AuditEntry.at >= cutoff)
    return {(team, user) for team, user in session.execute(acted)}


# --- the audit log ---------------------------------------------------------------------------------------------------
def audit_page(session: Session, team_id: str, about: str | None, limit: int) -> tuple[list[AuditEntry], int]:
    """The latest `limit` entries of the workspace (by or about one person, if named), and how many there are."""
    condition: ColumnElement[bool] = AuditEntry.team_id == team_id
    if about is not None:
        condition = condition & or_(AuditEntry.actor_id == about, AuditEntry.subject_id == about)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(condition)) or 0
    entries = session.scalars(
        select(AuditEntry).where(condition).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).all()
    return list(entries), total
