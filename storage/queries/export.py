"""The personal-data export's read model: every row that names a person, mentions them, or belongs to such a row.

Tables and columns come from the privacy registry (bot/privacy); this module only writes the statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import JSON, ColumnElement, Table, Text, cast, or_, select
from sqlalchemy.orm import Session

from storage.schema import Base


def team_scope(table: Table, team_id: str, link: tuple[str, str] | None = None) -> ColumnElement[bool]:
    """Rows of `table` in the workspace: by its team_id, or through `link` (column, parent table) when it has none."""
    if "team_id" in table.c:
        return table.c.team_id == team_id
    assert link is not None, f"{table.name} has no team scope"  # the registry checks this
    column, parent_name = link
    parent = Base.metadata.tables[parent_name]
    return table.c[column].in_(select(parent.c.id).where(parent.c.team_id == team_id))


def id_candidates(table: Table, name: str, user_id: str, *, suffixed: bool) -> ColumnElement[bool]:
    """Rows whose `name` column may hold the person's id (or, `suffixed`, their id plus more: "U0123:setup")."""
    column = table.c[name]
    if suffixed:
        return or_(column == user_id, column.startswith(user_id, autoescape=True))
    return column == user_id


def text_mentions(table: Table, name: str, user_id: str, forms: Iterable[str]) -> ColumnElement[bool]:
    """Rows whose text column mentions the person in one of `forms` (JSON: holds their id anywhere)."""
    column = table.c[name]
    if isinstance(column.type, JSON):
        return cast(column, Text).contains(user_id, autoescape=True)
    return or_(*(column.contains(form, autoescape=True) for form in forms))


def belongs_to(table: Table, column: str, parent_ids: Iterable[Any]) -> ColumnElement[bool]:
    return table.c[column].in_(parent_ids)


def rows_where(
    session: Session, table: Table, scope: ColumnElement[bool], any_of: list[ColumnElement[bool]]
) -> Iterator[dict[str, Any]]:
    """Every column of the rows in `scope` matching any of `any_of`, in id order."""
    query = select(table).where(scope, or_(*any_of))
    if "id" in table.c:
        query = query.order_by(table.c.id)
    for row in session.execute(query).mappings():
        yield dict(row)


def workspace_name(session: Session, team_id: str) -> str | None:
    workspaces = Base.metadata.tables["workspaces"]
    return session.scalar(select(workspaces.c.name).where(workspaces.c.team_id == team_id))


def display_names(session: Session, team_id: str, user_ids: set[str]) -> dict[str, str]:
    """user id -> real name (or Slack name) of the people known in the workspace."""
    people = Base.metadata.tables["people"]
    found = session.execute(
        select(people.c.user_id, people.c.name, people.c.real_name).where(
            people.c.team_id == team_id, people.c.user_id.in_(user_ids or {""})
        )
    )
    return {user: real or name for user, name, real in found}
