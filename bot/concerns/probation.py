"""The probation mid-point: when a mentee with an open concern, an open support plan or a "not on track"
observation (since their last plan review, or since the mentorship started) passes half way through their
probation, SLT are told once by DM; they record the agreed action points, support and next review date, which
are kept on the mentee's concern trail (a concern is opened for it when none is open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.concerns.plans import review_date_error
from bot.core.due_dates import describe
from bot.core.errors import FieldErrors, InvalidInput
from bot.core.permissions import Action, require
from bot.core.school_calendar import SchoolCalendar
from bot.roster.service import Caller
from bot.targets.checks import TEXT_LIMIT
from storage.concerns import (
    Concern,
    ConcernCategory,
    ConcernEntry,
    ConcernRepository,
    ConcernStatus,
    EntryKind,
    PlanRepository,
)
from storage.db import Database, UnitOfWork
from storage.observations import ObservationRepository
from storage.roster import AuditRepository, MentorshipRepository, Role, RoleRepository

ACTION_POINTS, SUPPORT, NEXT_REVIEW = "midpoint_actions", "midpoint_support", "midpoint_next_review"


@dataclass(frozen=True)
class Midpoint:
    team_id: str
    mentee_id: str
    started_on: date
    probation_end: date
    midpoint: date
    reasons: list[str]  # why SLT are told: an open concern, a support plan, a "not on track" observation
    slt_ids: list[str]


@dataclass(frozen=True)
class Agreed:
    concern: Concern
    entry: ConcernEntry
    created: bool
    new_concern: bool


def midpoint_of(start: date, end: date) -> date:
    return date.fromordinal(start.toordinal() + (end.toordinal() - start.toordinal()) // 2)


class ProbationService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def due(self, team_id: str, now: datetime) -> list[Midpoint]:
        """Mentees past half way through their probation, with a reason to tell SLT, not yet told."""
        today = now.astimezone(self.school_tz).date()
        found: dict[str, Midpoint] = {}
        with self.db.unit_of_work() as session:
            slt_ids = RoleRepository(session).holders(team_id, Role.SLT)
            for m in MentorshipRepository(session).on_probation(team_id):
                assert m.probation_end is not None
                midpoint = midpoint_of(m.start_date, m.probation_end)
                if m.mentee_id in found or not midpoint <= today <= m.probation_end:
                    continue
                reasons = self._reasons(session, team_id, m.mentee_id, m.start_date)
                if reasons:
                    found[m.mentee_id] = Midpoint(
                        team_id, m.mentee_id, m.start_date, m.probation_end, midpoint, reasons, slt_ids
                    )
        return list(found.values())

    def claim(self, midpoint: Midpoint) -> bool:
        """Mark this mid-point told; True for the one run that did (SLT are told once)."""
        with self.db.unit_of_work() as session:
            return MentorshipRepository(session).claim_midpoint(
                midpoint.team_id, midpoint.mentee_id, midpoint.probation_end
            )

    def prepare(self, caller: Caller, mentee_id: str) -> None:
        """Check before the Record agreed actions modal opens."""
        with self.db.unit_of_work() as session:
            mentor_ids = MentorshipRepository(session).mentors_of(caller.team_id, mentee_id)
            require(Action.RECORD_AGREED_ACTIONS, caller.towards(mentee_id, mentor_ids))

    def record(
        self,
        caller: Caller,
        mentee_id: str,
        actions: str | None,
        support: str | None,
        next_review_on: date | None,
        submission_key: str,
        now: datetime,
    ) -> Agreed:
        """Store what SLT agreed on the mentee's open concern's trail (opening one when none is open)."""
        today = now.astimezone(self.school_tz).date()
        actions, support = (actions or "").strip() or None, (support or "").strip() or None
        errors: dict[str, str] = {}
        if actions is None:
            errors[ACTION_POINTS] = "Write the action points agreed."
        for key, text in ((ACTION_POINTS, actions), (SUPPORT, support)):
            if text and len(text) > TEXT_LIMIT:
                errors[key] = f"Keep this under {TEXT_LIMIT} characters."
        problem = review_date_error(next_review_on, today, self.calendar)
        if problem:
            errors[NEXT_REVIEW] = problem.replace("The review date", "The next review date")
        with self.db.unit_of_work() as session:
            concerns = ConcernRepository(session)
            existing = concerns.entry_by_submission(caller.team_id, submission_key)
            if existing is not None:
                return Agreed(existing.concern, existing, created=False, new_concern=False)
            mentorships = MentorshipRepository(session)
            require(
                Action.RECORD_AGREED_ACTIONS,
                caller.towards(mentee_id, mentorships.mentors_of(caller.team_id, mentee_id)),
            )
            if errors:
                raise FieldErrors(errors)
            live = [m for m in mentorships.active_for(caller.team_id, mentee_id) if m.mentee_id == mentee_id]
            if not live:
                raise InvalidInput(f"<@{mentee_id}> has no mentorship at the moment.")
            open_ones = [c for c in concerns.about(caller.team_id, mentee_id) if c.status is ConcernStatus.OPEN]
            concern = open_ones[0] if open_ones else None
            if concern is None:
                concern = concerns.add(
                    Concern(
                        team_id=caller.team_id,
                        mentorship_id=live[0].id,
                        mentee_id=mentee_id,
                        raised_by=caller.user_id,
                        category=ConcernCategory.TEACHING,
                        seen_on=today,
                        what_seen="Half way through probation, discussed with SLT: "
                        + "; ".join(self._reasons(session, caller.team_id, mentee_id, live[0].start_date))
                        + ".",
                        standards=[],
                        shared=False,
                        status=ConcernStatus.OPEN,
                        submission_key=f"{submission_key}:concern",
                        created_at=now,
                        updated_at=now,
                    )
                )
            assert next_review_on is not None
            entry = concerns.add_entry(
                ConcernEntry(
                    team_id=caller.team_id,
                    concern_id=concern.id,
                    author_id=caller.user_id,
                    kind=EntryKind.AGREED_ACTIONS,
                    happened=actions,
                    agreed=support,
                    on_date=next_review_on,
                    submission_key=submission_key,
                    created_at=now,
                )
            )
            AuditRepository(session).record(
                caller.team_id,
                caller.user_id,
                "concern.agreed_actions",
                now,
                subject_id=mentee_id,
                record_type="concern",
                record_id=concern.id,
            )
            session.refresh(concern)
            return Agreed(concern, entry, created=True, new_concern=not open_ones)

    def _reasons(self, session: UnitOfWork, team_id: str, mentee_id: str, started_on: date) -> list[str]:
        reasons = []
        if any(c.status is ConcernStatus.OPEN for c in ConcernRepository(session).about(team_id, mentee_id)):
            reasons.append("an open concern")
        plans = PlanRepository(session)
        open_plans = plans.open_for(team_id, mentee_id)
        if open_plans:
            reasons.append(f"a support plan (review by {describe(open_plans[0].review_on)})")
        since = max([started_on, *plans.last_reviewed_on(team_id, mentee_id)])
        off_track = [
            o
            for o in ObservationRepository(session).of_teacher(team_id, mentee_id)
            if o.on_track is False and o.observed_on >= since
        ]
        if off_track:
            reasons.append(f"a “not on track” observation ({off_track[-1].observed_on:%-d %B})")
        return reasons
