"""Erasing a person: their Slack id becomes a pseudonym everywhere, their texts and profile are blanked, and rows
that only mattered while they were here are deleted; the rows that carry counts stay.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.orm import Session

from bot.core.words import counted
from bot.privacy.audit import CLI_ACTOR
from bot.privacy.registry import (
    PSEUDONYM_PREFIX,
    REGISTRY,
    Erase,
    Link,
    TableRule,
    _blank_json,
    _id_candidates,
    _is_person,
    _require_complete_registry,
    _swap_mentions,
    _tables,
    _team_scope,
    _text_mentions,
    blank_value,
    is_pseudonym,
    new_pseudonym,
)
from storage import privacy as statements
from storage.db import Database
from storage.roster import AuditEntry

log = logging.getLogger(__name__)


@dataclass
class TableChange:
    deleted: int = 0  # rows deleted
    blanked: int = 0  # rows whose personal columns were blanked
    ids_replaced: int = 0  # id values replaced by the pseudonym
    mentions_replaced: int = 0  # texts whose mentions of the person now name the pseudonym
    ended: int = 0  # live mentorships ended

    @property
    def any(self) -> bool:
        return bool(self.deleted or self.blanked or self.ids_replaced or self.mentions_replaced or self.ended)


@dataclass
class ErasureReport:
    """What an erasure changed (or would change). Names the pseudonym only, never the erased id."""

    team_id: str
    pseudonym: str
    changes: dict[str, TableChange] = field(default_factory=lambda: defaultdict(TableChange))
    # SQLite: whether the old values were wiped from the database's files too (None: not SQLite, or not erased).
    files_wiped: bool | None = None
    vacuumed: bool = False  # the whole file was rebuilt

    @property
    def found(self) -> bool:
        return any(change.any for change in self.changes.values())

    def describe(self) -> list[str]:
        """One line per table, e.g. "observations: blank focus, reflection in 2 rows; replace the Slack id 3 times"."""
        lines = []
        for table, change in sorted(self.changes.items()):
            rule = REGISTRY[table]
            parts = []
            if change.ended:
                parts.append(f"end {_n(change.ended, 'live mentorship')}")
            if change.deleted:
                parts.append(f"delete {_n(change.deleted, 'row')}")
            if change.blanked:
                parts.append(f"blank {', '.join(rule.free_text + rule.personal)} in {_n(change.blanked, 'row')}")
            if change.ids_replaced:
                parts.append(f"replace the Slack id {_n(change.ids_replaced, 'time')}")
            if change.mentions_replaced:
                parts.append(f"replace mentions in {_n(change.mentions_replaced, 'text')}")
            if parts:
                lines.append(f"{table}: " + "; ".join(parts))
        return lines


def _n(count: int, word: str) -> str:
    return counted(count, word)


def _erase_in(
    session: Session, team_id: str, user_id: str, pseudonym: str, now: datetime, *, actor: str, detail: str | None
) -> ErasureReport:
    _require_complete_registry()
    report = ErasureReport(team_id, pseudonym)
    tables = _tables()

    # 1. A person who is erased can't go on mentoring or being mentored: end their live mentorships.
    ended = statements.end_live_mentorships(session, team_id, user_id, now, actor)
    if ended:
        report.changes["mentorships"].ended = ended

    # 2. The rows that are about them, found while their id is still in place (parents before children).
    about: dict[str, list[int]] = {}
    for table, rule in tables:
        about[table.name] = _subject_rows(session, table, rule, team_id, user_id, about)

    # 3. Delete what only mattered while they were here; blank personal columns of what is kept (children first).
    for table, rule in reversed(tables):
        ids = about[table.name]
        if not ids:
            continue
        if rule.on_erase is Erase.DELETE:
            statements.delete_rows(session, table, ids)
            report.changes[table.name].deleted = len(ids)
            continue
        blanks = {n: blank_value(table, n) for n in rule.free_text + rule.personal if not statements.is_json(table, n)}
        blanks.update(rule.when_erased)
        if blanks:
            statements.update_rows(session, table, ids, blanks)
        for name in rule.free_text + rule.personal:
            if statements.is_json(table, name):
                for row_id, value in statements.values_of(session, table, name, ids):
                    statements.set_value(session, table, row_id, name, _blank_json(value))
        if rule.free_text or rule.personal or rule.when_erased:
            report.changes[table.name].blanked = len(ids)

    # 4. Their id, wherever it is still held, becomes the pseudonym; so do mentions of them in kept text.
    for table, rule in tables:
        if not (rule.person_ids or rule.free_text):
            continue  # nothing of anyone's (e.g. an install's one-time state, which belongs to no workspace)
        scope = _team_scope(table, rule, team_id)
        for name in rule.person_ids:
            suffixed = name in rule.suffixed_ids
            if not suffixed:
                replaced = statements.replace_value(session, table, scope, name, user_id, pseudonym)
                report.changes[table.name].ids_replaced += replaced
                continue
            candidates = statements.values_where(
                session, table, name, scope, _id_candidates(table, name, user_id, rule)
            )
            for row_id, value in candidates:
                if _is_person(value, user_id, suffixed=True):
                    new = pseudonym + value[len(user_id) :]
                    statements.set_value(session, table, row_id, name, new)
                    report.changes[table.name].ids_replaced += 1
        for name in rule.free_text:
            found = statements.values_where(session, table, name, scope, _text_mentions(table, name, user_id))
            for row_id, value in found:
                swapped = _swap_mentions(value, user_id, pseudonym)
                if swapped != value:
                    statements.set_value(session, table, row_id, name, swapped)
                    report.changes[table.name].mentions_replaced += 1

    if not report.found:
        return report  # nothing held: nothing to record either
    session.add(
        AuditEntry(
            team_id=team_id,
            actor_id=actor,
            action="privacy.erase",
            subject_id=pseudonym,
            record_type="person",
            detail=detail,
            at=now,
        )
    )
    session.flush()
    return report


def _subject_rows(
    session: Session, table: Table, rule: TableRule, team_id: str, user_id: str, known: dict[str, list[int]]
) -> list[int]:
    if rule.subject is None:
        return []
    if isinstance(rule.subject, Link):
        parents = known.get(rule.subject.table) or []
        if not parents:
            return []
        return statements.ids_belonging_to(session, table, rule.subject.column, parents)
    name = rule.subject
    rows = statements.values_where(
        session, table, name, _team_scope(table, rule, team_id), _id_candidates(table, name, user_id, rule)
    )
    return [row_id for row_id, value in rows if _is_person(value, user_id, suffixed=name in rule.suffixed_ids)]


def _check_erasable(user_id: str) -> None:
    if is_pseudonym(user_id):
        raise ValueError(f"{user_id} is already a pseudonym: that person has been erased.")


def erase_person(
    db: Database,
    team_id: str,
    user_id: str,
    now: datetime,
    *,
    actor: str = CLI_ACTOR,
    detail: str | None = None,
    vacuum: bool = False,
) -> ErasureReport:
    """Erase one person in one workspace, in one transaction, and record it (under the pseudonym) in the audit log.

    Then, on SQLite, the old values are wiped from the database's files too (`vacuum`: the whole file is rebuilt).
    """
    _check_erasable(user_id)
    with db.unit_of_work() as session:
        pseudonym = _unused_pseudonym(session, team_id, user_id)
        report = _erase_in(session, team_id, user_id, pseudonym, now, actor=actor, detail=detail)
    if report.found:
        report.files_wiped = statements.wipe_freed_bytes(db, vacuum=vacuum)
        if report.files_wiped is False:
            log.warning(
                "Erased %s, but the database was being read, so its write-ahead log still holds old pages until the "
                "next checkpoint: run `python -m bot privacy erase` again with --vacuum when it is quiet",
                pseudonym,
            )
        report.vacuumed = vacuum and report.files_wiped is not None
    return report


def preview_erasure(db: Database, team_id: str, user_id: str, now: datetime) -> ErasureReport:
    """What `erase_person` would change: the same work, rolled back."""
    _check_erasable(user_id)
    with Session(db.engine) as session:
        try:
            return _erase_in(session, team_id, user_id, PSEUDONYM_PREFIX + "…", now, actor=CLI_ACTOR, detail=None)
        finally:
            session.rollback()


def _unused_pseudonym(session: Session, team_id: str, user_id: str) -> str:
    while True:
        pseudonym = new_pseudonym(team_id, user_id)
        if not statements.pseudonym_taken(session, team_id, pseudonym):
            return pseudonym
