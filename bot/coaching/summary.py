"""What SLT's weekly summary says about coaching and peer visits: counts, and good practice named only where its
author chose to share their name. No takeaway reaches it unless its author shared it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.visits.service import coverage
from storage.coaching import CoachingRepository, CoachingRound, RoundStatus, Triplet, TripletMember
from storage.db import UnitOfWork
from storage.visits import VisitRepository

GOOD_PRACTICE_SHOWN = 10


@dataclass(frozen=True)
class SubjectCompletion:
    subject: str
    met: int
    triplets: int

    @property
    def not_yet(self) -> int:
        return self.triplets - self.met


@dataclass(frozen=True)
class GoodPractice:
    text: str
    source: str  # "learning walk" or "triplet takeaway"
    author_id: str | None  # only when the author shared their name


@dataclass(frozen=True)
class CoachingSummary:
    term: str | None
    subjects: list[SubjectCompletion]
    visited_twice: int
    staff: int
    half: DateRange
    good_practice: list[GoodPractice] = field(default_factory=list)
    private_takeaways: int = 0  # written, kept to their triplets: counted, never shown

    @property
    def visited_twice_pct(self) -> int:
        return round(100 * self.visited_twice / self.staff) if self.staff else 0

    @property
    def empty(self) -> bool:
        return not self.subjects and not self.staff and not self.good_practice


def coaching_summary(session: UnitOfWork, team_id: str, calendar: SchoolCalendar, day: date) -> CoachingSummary:
    """This term's triplets per subject, this half term's peer-visit coverage, and good practice seen."""
    term = calendar.term_for(day) or calendar.current_or_next_term(day)
    half = calendar.teaching_half_for(day)
    repo, visits = CoachingRepository(session), VisitRepository(session)
    subjects: list[SubjectCompletion] = []
    shared: list[GoodPractice] = []
    private = 0
    if term is not None:
        rounds = session.scalars(
            select(CoachingRound).where(
                CoachingRound.team_id == team_id,
                CoachingRound.term == term.name,
                CoachingRound.status == RoundStatus.APPROVED,
            )
        ).all()
        for r in sorted(rounds, key=lambda r: r.subject):
            triplets = session.scalars(select(Triplet).where(Triplet.round_id == r.id)).all()
            subjects.append(SubjectCompletion(r.subject, sum(1 for t in triplets if t.met), len(triplets)))
        members = session.scalars(
            select(TripletMember)
            .join(Triplet, Triplet.id == TripletMember.triplet_id)
            .join(CoachingRound, CoachingRound.id == Triplet.round_id)
            .where(CoachingRound.team_id == team_id, CoachingRound.term == term.name)
            .where(TripletMember.takeaway.is_not(None))
            .order_by(TripletMember.takeaway_at, TripletMember.id)
        ).all()
        for m in members:
            if m.share_name and m.takeaway:
                shared.append(GoodPractice(m.takeaway, "triplet takeaway", m.user_id))
            else:
                private += 1
    walks = [
        GoodPractice(w.good_practice, "learning walk", w.walker_id if w.share_name else None)
        for w in visits.walks_between(team_id, half.start, half.end)
        if w.good_practice
    ]
    staff = [m.user_id for m in repo.staff(team_id)]
    twice, total = coverage(visits.received_counts(team_id, half.start, half.end), staff)
    return CoachingSummary(
        term.name if term else None, subjects, twice, total, half, (walks + shared)[-GOOD_PRACTICE_SHOWN:], private
    )
