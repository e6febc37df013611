"""Early warnings for lead mentors: the rules of bot/core/early_warnings.py over the workspace's records, each
episode stored once (so it is raised once, not every day), shown on the lead's Home and in the lead digest with
Raise a concern / Start a support plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.cadence import MeetingCadenceRule
from bot.core.early_warnings import (
    CarriedTarget,
    EarlyWarning,
    MeetingHeld,
    MenteeRecords,
    ObservedLesson,
    Thresholds,
    warnings_for,
)
from bot.core.school_calendar import SchoolCalendar
from storage.concerns import WarningEpisode, WarningRepository
from storage.db import Database, UnitOfWork
from storage.observations import Rating
from storage.queries.early_warnings import EarlyWarningQueries
from storage.roster import MeetingCadence


@dataclass(frozen=True)
class RaisedWarning:
    """An early warning as a lead mentor sees it: its episode's id (for the buttons), rule, evidence, when raised."""

    id: int
    mentee_id: str
    kind: str
    evidence: str
    raised_on: date


def records(session: UnitOfWork, team_id: str, today: date) -> list[MenteeRecords]:
    """Each mentee's records, read in five queries."""
    queries = EarlyWarningQueries(session, team_id)
    started: dict[str, tuple[date, MeetingCadence]] = {}
    for mentee_id, start, cadence in queries.mentorships(today):
        started.setdefault(mentee_id, (start, cadence))
    ratings: dict[int, dict[str, Rating]] = defaultdict(dict)
    for observation_id, key, rating in queries.ratings():
        ratings[observation_id][key] = rating
    lessons: dict[str, list[ObservedLesson]] = defaultdict(list)
    for observation_id, teacher_id, observed_on, reflected_at in queries.observations():
        if teacher_id in started:
            lessons[teacher_id].append(
                ObservedLesson(observation_id, observed_on, ratings.get(observation_id, {}), reflected_at is not None)
            )
    meetings: dict[str, list[MeetingHeld]] = defaultdict(list)
    for meeting_id, mentee_id, held_on, wellbeing, next_on in queries.meetings():
        if mentee_id in started:
            meetings[mentee_id].append(MeetingHeld(meeting_id, held_on, wellbeing, next_on))
    targets: dict[str, list[CarriedTarget]] = defaultdict(list)
    for target_id, mentee_id, carried, due_on in queries.carried_targets():
        targets[mentee_id].append(CarriedTarget(target_id, int(carried), due_on))
    return [
        MenteeRecords(mentee_id, start, cadence, lessons[mentee_id], meetings[mentee_id], targets[mentee_id])
        for mentee_id, (start, cadence) in sorted(started.items())
    ]


class WarningService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo, thresholds: Thresholds) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz
        self.thresholds = thresholds
        self.rule = MeetingCadenceRule(calendar)

    def evaluate(self, team_id: str, today: date) -> list[EarlyWarning]:
        """Every warning that holds today (nothing stored)."""
        with self.db.unit_of_work() as session:
            found = records(session, team_id, today)
        return [w for r in found for w in warnings_for(r, self.thresholds, today, self.rule)]

    def refresh(self, team_id: str, now: datetime) -> list[RaisedWarning]:
        """Check every mentee's records (the hourly job): store each new episode once, mark the ones that no
        longer hold as cleared (and cleared ones that came back as holding); returns the warnings holding now."""
        today = now.astimezone(self.school_tz).date()
        holding = self.evaluate(team_id, today)
        with self.db.unit_of_work() as session:
            repo = WarningRepository(session)
            known = repo.known(team_id)
            for w in holding:
                if (w.mentee_id, w.key) not in known:
                    repo.raise_once(team_id, w.mentee_id, w.kind, w.key, w.evidence, now)
            if any((w.mentee_id, w.key) not in known for w in holding):
                known = repo.known(team_id)
            held = {(w.mentee_id, w.key) for w in holding}
            repo.mark_cleared(team_id, [e.id for k, e in known.items() if k not in held and e.cleared_at is None], now)
            repo.mark_holding(team_id, [e.id for k, e in known.items() if k in held and e.cleared_at is not None])
            return [self._raised(known[(w.mentee_id, w.key)]) for w in holding]

    def holding(self, team_id: str) -> list[RaisedWarning]:
        """The warnings that held at the last check, read from their stored episodes: one query, so a lead's Home
        costs the same however many records the school has (the check itself runs hourly)."""
        with self.db.unit_of_work() as session:
            return [self._raised(e) for e in WarningRepository(session).holding(team_id)]

    def raised_in(self, session: UnitOfWork, team_id: str, first: date, last: date) -> list[RaisedWarning]:
        """Episodes first raised between two days (the digest's week): one query."""
        start = datetime.combine(first, time.min, tzinfo=self.school_tz).astimezone(UTC)
        end = datetime.combine(last, time.max, tzinfo=self.school_tz).astimezone(UTC)
        return [self._raised(e) for e in WarningRepository(session).raised_between(team_id, start, end)]

    def _raised(self, e: WarningEpisode) -> RaisedWarning:
        return RaisedWarning(e.id, e.mentee_id, e.kind, e.evidence, e.raised_at.astimezone(self.school_tz).date())
