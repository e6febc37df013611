"""Retention: erasing everyone whose records have passed RETENTION_DAYS (the daily job and the CLI)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.privacy.audit import RETENTION_ACTOR
from bot.privacy.erasure import ErasureReport, erase_person, preview_erasure
from bot.privacy.registry import is_pseudonym
from storage import privacy as statements
from storage.db import Database

if TYPE_CHECKING:
    from bot.app.bootstrap import Deps

log = logging.getLogger(__name__)


DEFAULT_RETENTION_DAYS = 2555  # seven years: common for staff records in English schools


@dataclass(frozen=True)
class RetentionReport:
    retention_days: int
    cutoff: datetime | None  # None when records are kept forever
    erased: list[ErasureReport]

    @property
    def pseudonyms(self) -> list[str]:
        return [report.pseudonym for report in self.erased]


def expired_people(
    session: Session, now: datetime, retention_days: int, team_id: str | None = None
) -> list[tuple[str, str]]:
    """(team, user) of everyone whose records have passed the retention period.

    That is: they were mentored at least once; every mentorship they were in, as mentee or as mentor, ended (or
    was due to end, if nobody ended it) more than `retention_days` ago; they hold no role; and they have done
    nothing in the bot since. Anyone still taking part is kept, whatever their old records.
    """
    cutoff = now - timedelta(days=retention_days)
    last_end: dict[tuple[str, str], date] = {}
    mentored: set[tuple[str, str]] = set()
    for team, mentor, mentee, end_date, ended_at in statements.mentorship_spans(session, team_id):
        ended_on = ended_at.date() if ended_at is not None else end_date
        for person in ((team, mentor), (team, mentee)):
            last_end[person] = max(last_end.get(person, ended_on), ended_on)
        mentored.add((team, mentee))
    candidates = {p for p in mentored if last_end[p] < cutoff.date() and not is_pseudonym(p[1])}
    if not candidates:
        return []
    return sorted(candidates - statements.role_holders(session) - statements.active_since(session, cutoff))


def erase_expired(
    db: Database, now: datetime, retention_days: int, *, team_id: str | None = None, dry_run: bool = False
) -> RetentionReport:
    """Erase everyone whose records have passed the retention period (0 days: keep forever); one transaction each."""
    if retention_days <= 0:
        return RetentionReport(retention_days, None, [])
    cutoff = now - timedelta(days=retention_days)
    with db.unit_of_work() as session:
        expired = expired_people(session, now, retention_days, team_id)
    detail = f"retention period of {retention_days} days"
    erased = []
    for team, user in expired:
        if dry_run:
            erased.append(preview_erasure(db, team, user, now))
        else:
            erased.append(erase_person(db, team, user, now, actor=RETENTION_ACTOR, detail=detail))
    if erased and not dry_run:
        log.info(
            "Retention (%d days): erased %d people: %s",
            retention_days,
            len(erased),
            ", ".join(r.pseudonym for r in erased),
        )
    return RetentionReport(retention_days, cutoff, erased)


def run_retention(
    deps_or_db: Deps | Database, now: datetime, *, retention_days: int | None = None, team_id: str | None = None
) -> RetentionReport:
    """The scheduler's entry point: RETENTION_DAYS from the settings of `Deps`, or given with a bare `Database`."""
    if isinstance(deps_or_db, Database):
        if retention_days is None:
            raise ValueError("run_retention(db, …) needs retention_days; pass Deps to use RETENTION_DAYS")
        db = deps_or_db
    else:
        db = deps_or_db.db
        if retention_days is None:
            retention_days = deps_or_db.settings.retention_days
    return erase_expired(db, now, retention_days, team_id=team_id)
