"""Collecting everything held about one person in one workspace, and recording the export in the audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.privacy.audit import CLI_ACTOR
from bot.privacy.registry import (
    REGISTRY,
    Link,
    _id_candidates,
    _is_person,
    _require_complete_registry,
    _swap_mentions,
    _tables,
    _team_scope,
    _text_mentions,
)
from storage.db import Database
from storage.queries import export as queries
from storage.roster import AuditEntry


@dataclass(frozen=True)
class Found:
    """One row that mentions the person, with every column, and why it was included."""

    table: str
    values: dict[str, Any]
    mentions: tuple[str, ...]  # e.g. ("teacher_id",), ("mentioned in notes",), ("part of observations 3",)

    @property
    def id(self) -> Any:
        return self.values.get("id")


@dataclass(frozen=True)
class PersonalData:
    """Everything held about one person in one workspace."""

    team_id: str
    user_id: str
    team_name: str | None
    exported_at: datetime
    records: dict[str, list[Found]]  # every registered table, empty where nothing mentions them
    names: dict[str, str]  # display names of the people these records name, for the PDF

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.records.values())

    def rows(self, table: str) -> list[Found]:
        return self.records.get(table, [])

    def person(self) -> dict[str, Any] | None:
        return next((r.values for r in self.rows("people") if r.values.get("user_id") == self.user_id), None)

    def name(self, user_id: str | None) -> str:
        if not user_id:
            return ""
        if user_id == self.user_id:
            return "you"
        return self.names.get(user_id, user_id)


def collect(session: Session, team_id: str, user_id: str, now: datetime) -> PersonalData:
    """Every row in every table that names the person, mentions them in text, or belongs to such a row."""
    _require_complete_registry()
    records: dict[str, list[Found]] = {}
    matched: dict[str, set[Any]] = defaultdict(set)
    for table, rule in _tables():
        records[table.name] = []
        conditions = [_id_candidates(table, n, user_id, rule) for n in rule.person_ids]
        conditions += [_text_mentions(table, n, user_id) for n in rule.free_text]
        link = rule.subject if isinstance(rule.subject, Link) else None
        if link is not None and matched[link.table]:
            conditions.append(queries.belongs_to(table, link.column, matched[link.table]))
        if not conditions:
            continue
        for values in queries.rows_where(session, table, _team_scope(table, rule, team_id), conditions):
            mentions = [n for n in rule.person_ids if _is_person(values[n], user_id, suffixed=n in rule.suffixed_ids)]
            mentions += [
                f"mentioned in {n}"
                for n in rule.free_text
                if _swap_mentions(values[n], user_id, "\0") != values[n]  # the text changes when they are swapped
            ]
            if link is not None and values[link.column] in matched[link.table]:
                mentions.append(f"part of {link.table} {values[link.column]}")
            if not mentions:
                continue  # a LIKE match that was not really them (e.g. a longer id)
            kept = {name: value for name, value in values.items() if name not in rule.secrets}  # never tokens
            records[table.name].append(Found(table.name, kept, tuple(mentions)))
            if "id" in values:
                matched[table.name].add(values["id"])
    team_name = queries.workspace_name(session, team_id)
    data = PersonalData(team_id, user_id, team_name, now, records, {})
    return PersonalData(team_id, user_id, team_name, now, records, _names(session, data))


def _names(session: Session, data: PersonalData) -> dict[str, str]:
    ids = {
        value
        for table, rows in data.records.items()
        for row in rows
        for name in REGISTRY[table].person_ids
        if isinstance(value := row.values.get(name), str)
    }
    return queries.display_names(session, data.team_id, ids)


def export_person(db: Database, team_id: str, user_id: str, now: datetime, *, actor: str = CLI_ACTOR) -> PersonalData:
    """Collect everything about the person and record the export in the audit log (one transaction)."""
    with db.unit_of_work() as session:
        data = collect(session, team_id, user_id, now)
        if data.count:
            session.add(
                AuditEntry(team_id=team_id, actor_id=actor, action="privacy.export", subject_id=user_id, at=now)
            )
        return data
