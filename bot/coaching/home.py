"""What a person's Home tab shows of coaching: their triplets this term (partners, next session), the peer visits
they received and made this half term, and, for SLT and admins, the buttons to arrange triplets and walks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.coaching.service import TripletView, triplet_view
from bot.core.permissions import Action, is_allowed
from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.roster.service import Caller
from bot.visits.service import VISITS_PER_HALF_TERM
from storage.coaching import CoachingRepository
from storage.db import UnitOfWork
from storage.visits import VisitRepository


@dataclass(frozen=True)
class CoachingHome:
    triplets: list[TripletView]
    visits_received: int
    visits_made: int
    half: DateRange
    on_staff_list: bool
    can_arrange: bool  # Propose triplets
    can_walk: bool  # Record a learning walk
    visits_expected: int = VISITS_PER_HALF_TERM
    takeaways_written: list[int] = field(default_factory=list)  # triplet ids the person has written one for


def coaching_home(session: UnitOfWork, caller: Caller, calendar: SchoolCalendar, today: date) -> CoachingHome | None:
    """None when coaching has nothing for this person (not on the staff list, no triplet, no visit, no role)."""
    me = caller.user_id
    half = calendar.teaching_half_for(today)
    on_list, received, made = VisitRepository(session).home_counts(caller.team_id, me, half.start, half.end)
    # Only people on the staff list are put in triplets: nobody else's Home asks for them (a fixed query count).
    triplets = list(CoachingRepository(session).triplets_of(caller.team_id, me, today)) if on_list else []
    can_arrange = is_allowed(Action.ARRANGE_TRIPLETS, caller.standings)
    can_walk = is_allowed(Action.RECORD_LEARNING_WALK, caller.standings)
    if not (triplets or received or made or on_list or can_arrange or can_walk):
        return None
    written = [t.id for t in triplets for m in t.members if m.user_id == me and m.takeaway]
    return CoachingHome(
        [triplet_view(t) for t in triplets],
        received,
        made,
        half,
        on_list,
        can_arrange,
        can_walk,
        takeaways_written=written,
    )
