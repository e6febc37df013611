"""Concerns as other screens read them: open ones for lead mentors' and SLT's Homes and the lead digest, those a
mentee may see on their own Home, and who may read one (`concern_standings`): no free text leaves here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.core.permissions import Action, Standing, is_allowed
from storage.concerns import Concern, ConcernCategory, ConcernRepository, ConcernStatus
from storage.db import UnitOfWork


def concern_standings(standings: Iterable[Standing], concern: Concern) -> set[Standing]:
    """The caller's standings towards one concern, narrowed by its own privacy."""
    held = set(standings)
    private = concern.category is ConcernCategory.WELLBEING and not concern.shared
    if private:
        held -= {Standing.MENTEE, Standing.MENTOR}
    if concern.discussed_on is None:
        held.discard(Standing.MENTEE)
    return held


@dataclass(frozen=True)
class OpenConcern:
    """One open concern as a line on a lead mentor's or SLT member's Home and in the lead digest: no free text."""

    id: int
    mentee_id: str
    raised_by: str
    category: ConcernCategory
    seen_on: date
    updates: int
    discussed: bool


def open_concerns(session: UnitOfWork, team_id: str) -> list[OpenConcern]:
    """Open concerns, oldest first, with their number of updates: one query."""
    return [
        OpenConcern(c.id, c.mentee_id, c.raised_by, c.category, c.seen_on, updates, c.discussed_on is not None)
        for c, updates in ConcernRepository(session).open_with_updates(team_id)
    ]


@dataclass(frozen=True)
class ConcernSummary:
    """A concern about the reader, as a line on their own Home: no free text."""

    id: int
    category: ConcernCategory
    seen_on: date
    raised_by: str
    status: ConcernStatus


def visible_to_mentee(session: UnitOfWork, team_id: str, user_id: str) -> list[ConcernSummary]:
    """The concerns about a person that they may see themselves (for their Home), newest first."""
    mine = ConcernRepository(session).about(team_id, user_id)
    return [
        ConcernSummary(c.id, c.category, c.seen_on, c.raised_by, c.status)
        for c in mine
        if is_allowed(Action.READ_CONCERN, concern_standings({Standing.MENTEE}, c))
    ]
