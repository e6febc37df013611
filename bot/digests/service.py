"""Building the weekly digests: every mentee's week, in a fixed number of queries whatever the cohort size."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from bot.concerns.service import OpenConcern, open_concerns
from bot.core.school_calendar import DateRange, SchoolCalendar
from bot.reminders.service import SCHOOL_DAYS as REMINDER_SCHOOL_DAYS
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating, ranked_observations
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Role, RoleGrant, Workspace
from storage.targets import Target, TargetStatus

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
# How long a mentorship may go without a logged meeting before it is off its cadence.
# School days a mentorship may go without a logged meeting, as the reminders count them: holidays don't count.
CADENCE_SCHOOL_DAYS = {**REMINDER_SCHOOL_DAYS, MeetingCadence.TWICE_A_TERM: 30}
OBSERVATIONS_PER_HALF_TERM = 2
STREAM_BATCH = 5000  # rows fetched at a time from the largest queries: memory stays flat as cohorts grow


@dataclass(frozen=True)
class Week:
    """An ISO week, Monday to Sunday."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Week:
        match = WEEK_PATTERN.match(text.strip())
        if match is None:
            raise ValueError(f"“{text}” isn't a week: write it like 2026-W48.")
        week = cls(int(match.group(1)), int(match.group(2)))
        try:
            week.monday  # noqa: B018 - validates the week number
        except ValueError:
            raise ValueError(f"{text} doesn't exist: {week.year} has no week {week.number}.") from None
        return week

    @classmethod
    def containing(cls, day: date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> Week:
        return Week.containing(self.monday - timedelta(days=7))

    def __str__(self) -> str:
        return f"{self.year}-W{self.number:02d}"


@dataclass
class MenteeWeek:
    """One mentee's week, as the lead mentor needs to see it."""

    mentee_id: str
    kind: MenteeKind
    mentor_ids: list[str]
    started_on: date
    cadence: MeetingCadence
    meetings_this_week: int = 0
    last_meeting: date | None = None
    planned_meeting: date | None = None  # the "next meeting" date a meeting set, if later than the last one
    observations_this_half: int = 0
    concern_this_half: bool = False
    reflections_owed: int = 0
    latest_on_track: bool | None = None
    improved: int = 0  # standards rated higher than at the previous observation
    declined: int = 0
    targets_set: int = 0
    targets_met: int = 0
    targets_overdue: int = 0
    targets_rolled_over: int = 0
    on_cadence: bool = True

    @property
    def not_on_track(self) -> bool:
        return self.latest_on_track is False

    @property
    def flags(self) -> list[str]:
        flags = []
        if self.not_on_track:
            flags.append("not on track")
        if self.concern_this_half:
            flags.append("concern")
        if rolled := self.targets_rolled_over:
            flags.append(f"{rolled} target{'s' if rolled > 1 else ''} rolled over twice")
        return flags

    @property
    def need(self) -> int:
        """Higher means the lead mentor should look sooner; flags always come first."""
        score = 1000 * self.not_on_track + 500 * self.concern_this_half + 200 * bool(self.targets_rolled_over)
        score += 40 * self.targets_overdue + 30 * (not self.on_cadence) + 20 * self.declined
        score += 10 * max(0, OBSERVATIONS_PER_HALF_TERM - self.observations_this_half) + 5 * self.reflections_owed
        return score

    @property
    def needs_attention(self) -> bool:
        """A flag, an overdue target, a missed meeting or a slipping rating: worth the lead mentor's look.

        Fewer than two observations alone is not: early in a half term nobody has had two yet.
        """
        return bool(self.flags or self.targets_overdue or not self.on_cadence or self.declined)


@dataclass
class SchoolWeek:
    """Everything the week's digests say, for one workspace."""

    team_id: str
    week: Week
    half: DateRange
    mentees: list[MenteeWeek]
    lead_ids: list[str]
    slt_ids: list[str]
    slt_channel_id: str | None
    # Latest rating per standard key across the cohort: {standard key: {rating: count}}.
    rating_distribution: dict[str, dict[str, int]] = field(default_factory=dict)
    open_concerns: list[OpenConcern] = field(default_factory=list)  # raised with /concern, not yet resolved

    @property
    def by_need(self) -> list[MenteeWeek]:
        return sorted(self.mentees, key=lambda m: (-m.need, m.mentee_id))

    @property
    def quiet_mentors(self) -> dict[str, list[str]]:
        """Mentors with a mentee off their meeting cadence: mentor id -> mentee ids."""
        quiet: dict[str, list[str]] = {}
        for mentee in self.mentees:
            if not mentee.on_cadence:
                for mentor_id in mentee.mentor_ids:
                    quiet.setdefault(mentor_id, []).append(mentee.mentee_id)
        return quiet

    def numbers(self) -> dict[str, Any]:
        """The school-wide figures: no names, no notes. Stored as the week's snapshot."""
        total = len(self.mentees)
        kinds = {kind.value: sum(1 for m in self.mentees if m.kind is kind) for kind in MenteeKind}
        on_cadence = sum(1 for m in self.mentees if m.on_cadence)
        covered = sum(1 for m in self.mentees if m.observations_this_half >= OBSERVATIONS_PER_HALF_TERM)
        return {
            "mentees": total,
            "by_kind": kinds,
            "on_cadence": on_cadence,
            "on_cadence_pct": _pct(on_cadence, total),
            "observation_coverage": covered,
            "observation_coverage_pct": _pct(covered, total),
            "not_on_track": sum(1 for m in self.mentees if m.not_on_track),
            "concerns": sum(1 for m in self.mentees if m.concern_this_half),
            "targets_overdue": sum(m.targets_overdue for m in self.mentees),
            "targets_met": sum(m.targets_met for m in self.mentees),
            "ratings": self.rating_distribution,
            "open_concerns": len(self.open_concerns),
        }


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


class DigestBuilder:
    """Reads a workspace's week in eight queries; nothing here depends on how many mentees there are."""

    def __init__(self, db: Database, calendar: SchoolCalendar) -> None:
        self.db = db
        self.calendar = calendar

    def build(self, team_id: str, week: Week) -> SchoolWeek:
        with self.db.unit_of_work() as session:
            return self._build(session, team_id, week)

    def _build(self, session: Session, team_id: str, week: Week) -> SchoolWeek:
        half = self.calendar.teaching_half_for(week.sunday)
        mentees = self._mentees(session, team_id, week)
        self._add_meetings(session, team_id, week, mentees)
        self._add_observations(session, team_id, week, half, mentees)
        distribution = self._add_latest_ratings(session, team_id, week, mentees)
        self._add_targets(session, team_id, week, mentees)
        due_after = lru_cache(maxsize=None)(self.calendar.add_school_days)  # many mentees share a last meeting day
        for mentee in mentees.values():
            anchor = mentee.last_meeting or mentee.started_on
            school_days = CADENCE_SCHOOL_DAYS[mentee.cadence]
            # A next-meeting date set at the last meeting is the due date, as the reminders take it.
            due = mentee.planned_meeting or due_after(anchor, school_days)
            if due is None:  # beyond the calendar's last term: count weeks instead
                mentee.on_cadence = (week.sunday - anchor).days < 7 * school_days // 5
            else:
                mentee.on_cadence = due >= week.sunday
        roles = session.execute(
            select(RoleGrant.user_id, RoleGrant.role)
            .where(RoleGrant.team_id == team_id, RoleGrant.role.in_([Role.LEAD, Role.SLT]))
            .order_by(RoleGrant.granted_at, RoleGrant.user_id)
        ).all()
        workspace = session.get(Workspace, team_id)
        return SchoolWeek(
            team_id=team_id,
            week=week,
            half=half,
            mentees=list(mentees.values()),
            lead_ids=[user for user, role in roles if role is Role.LEAD],
            slt_ids=[user for user, role in roles if role is Role.SLT],
            slt_channel_id=workspace.slt_channel_id if workspace else None,
            rating_distribution=distribution,
            open_concerns=open_concerns(session, team_id),
        )

    def _mentees(self, session: Session, team_id: str, week: Week) -> dict[str, MenteeWeek]:
        """Mentorships live at the end of the week, one entry per mentee (a mentee may have two mentors)."""
        rows = session.execute(
            _live_mentorships(team_id, week)
            .with_only_columns(
                Mentorship.mentee_id,
                Mentorship.mentor_id,
                Mentorship.mentee_kind,
                Mentorship.start_date,
                Mentorship.meeting_cadence,
            )
            .order_by(Mentorship.mentee_id, Mentorship.start_date, Mentorship.id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        mentees: dict[str, MenteeWeek] = {}
        for mentee_id, mentor_id, kind, started, cadence in rows:
            found = mentees.get(mentee_id)
            if found is None:
                mentees[mentee_id] = MenteeWeek(mentee_id, kind, [mentor_id], started, cadence)
            elif mentor_id not in found.mentor_ids:
                found.mentor_ids.append(mentor_id)
        return mentees

    def _add_meetings(self, session: Session, team_id: str, week: Week, mentees: dict[str, MenteeWeek]) -> None:
        in_week = and_(Meeting.held_on >= week.monday, Meeting.held_on <= week.sunday)
        rows = session.execute(
            select(
                Meeting.mentee_id,
                func.sum(case((in_week, 1), else_=0)),
                func.max(Meeting.held_on),
                func.max(Meeting.next_meeting_on),
            )
            .where(Meeting.team_id == team_id, Meeting.held_on <= week.sunday)
            .group_by(Meeting.mentee_id)
        )
        for mentee_id, this_week, last, planned in rows:
            if (mentee := mentees.get(mentee_id)) is not None:
                mentee.meetings_this_week, mentee.last_meeting = int(this_week or 0), last
                mentee.planned_meeting = (
                    planned if planned is not None and last is not None and planned > last else None
                )

    def _add_observations(
        self, session: Session, team_id: str, week: Week, half: DateRange, mentees: dict[str, MenteeWeek]
    ) -> None:
        in_half = and_(Observation.observed_on >= half.start, Observation.observed_on <= min(half.end, week.sunday))
        rows = session.execute(
            select(
                Observation.teacher_id,
                func.sum(case((in_half, 1), else_=0)),
                func.sum(case((and_(in_half, Observation.has_concern.is_(True)), 1), else_=0)),
                func.sum(case((Observation.reflected_at.is_(None), 1), else_=0)),
            )
            .where(Observation.team_id == team_id, Observation.observed_on <= week.sunday)
            .group_by(Observation.teacher_id)
        )
        for teacher_id, observed, concerns, unreflected in rows:
            if (mentee := mentees.get(teacher_id)) is not None:
                mentee.observations_this_half = int(observed or 0)
                mentee.concern_this_half = bool(concerns)
                mentee.reflections_owed = int(unreflected or 0)

    def _add_latest_ratings(
        self, session: Session, team_id: str, week: Week, mentees: dict[str, MenteeWeek]
    ) -> dict[str, dict[str, int]]:
        """On track, and the direction of each rating since the previous observation, worked out in SQL.

        Three queries over each teacher's two latest observations, each answering in rows per teacher or
        per (standard, rating): Python never sees the individual ratings.
        """
        ranked = ranked_observations(team_id, Observation.observed_on <= week.sunday).cte("ranked")
        entry = aliased(ObservationEntry)
        score = _score(entry.rating)
        # Per teacher and standard: the latest score beside the previous one (one grouped pass, no self-join).
        paired = (
            select(
                ranked.c.teacher_id,
                func.max(case((ranked.c.recency == 1, score))).label("now"),
                func.max(case((ranked.c.recency == 2, score))).label("before"),
            )
            .join(entry, entry.observation_id == ranked.c.id)
            .where(ranked.c.recency <= 2)
            .group_by(ranked.c.teacher_id, entry.key)
            .subquery()
        )
        directions = session.execute(
            select(
                paired.c.teacher_id,
                func.sum(case((paired.c.now > paired.c.before, 1), else_=0)),
                func.sum(case((paired.c.now < paired.c.before, 1), else_=0)),
            )
            .group_by(paired.c.teacher_id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        for teacher_id, improved, declined in directions:
            if (mentee := mentees.get(teacher_id)) is not None:
                mentee.improved, mentee.declined = int(improved or 0), int(declined or 0)
        on_track = session.execute(
            select(ranked.c.teacher_id, ranked.c.on_track)
            .where(ranked.c.recency == 1)
            .execution_options(yield_per=STREAM_BATCH)
        )
        for teacher_id, latest_on_track in on_track:
            if (mentee := mentees.get(teacher_id)) is not None:
                mentee.latest_on_track = latest_on_track
        counted = session.execute(
            select(entry.key, type_coerce(entry.rating, String), func.count())
            .select_from(ranked)
            .join(entry, entry.observation_id == ranked.c.id)
            .where(
                ranked.c.recency == 1,
                entry.rating.is_not(None),
                ranked.c.teacher_id.in_(_live_mentorships(team_id, week).with_only_columns(Mentorship.mentee_id)),
            )
            .group_by(entry.key, type_coerce(entry.rating, String))
        )
        distribution: dict[str, dict[str, int]] = {}
        for key, rating, count in counted:
            distribution.setdefault(key, {r.value: 0 for r in Rating})[rating] = int(count)
        return distribution

    def _add_targets(self, session: Session, team_id: str, week: Week, mentees: dict[str, MenteeWeek]) -> None:
        start, end = _end_of(week.monday - timedelta(days=1)), _end_of(week.sunday)
        is_open = Target.status == TargetStatus.OPEN
        rows = session.execute(
            select(
                Target.mentee_id,
                func.sum(case((and_(Target.created_at > start, Target.created_at <= end), 1), else_=0)),
                func.sum(
                    case(
                        (and_(Target.status == TargetStatus.MET, Target.closed_at > start, Target.closed_at <= end), 1),
                        else_=0,
                    )
                ),
                func.sum(case((and_(is_open, Target.due_on < week.sunday), 1), else_=0)),
                func.sum(case((and_(is_open, Target.carried_count >= 2), 1), else_=0)),
            )
            .where(Target.team_id == team_id, Target.created_at <= end)
            .group_by(Target.mentee_id)
        )
        for mentee_id, set_, met, overdue, rolled in rows:
            if (mentee := mentees.get(mentee_id)) is not None:
                mentee.targets_set, mentee.targets_met = int(set_ or 0), int(met or 0)
                mentee.targets_overdue, mentee.targets_rolled_over = int(overdue or 0), int(rolled or 0)


def _live_mentorships(team_id: str, week: Week) -> Select[Any]:
    """Mentorships running at the end of the week: the cohort every digest is about."""
    return select(Mentorship).where(
        Mentorship.team_id == team_id,
        Mentorship.start_date <= week.sunday,
        (Mentorship.ended_at.is_(None)) | (Mentorship.ended_at > _end_of(week.sunday)),
    )


def _score(rating: Any) -> Any:
    """Not demonstrated < partly < fully; N/A and no rating compare as NULL, so they count neither way."""
    return case(
        (rating == Rating.NOT_DEMONSTRATED, 0),
        (rating == Rating.PARTLY, 1),
        (rating == Rating.FULLY, 2),
        else_=None,
    )


def _end_of(day: date) -> datetime:
    """The last instant of a day (UTC; a school's evening hour either side doesn't change a weekly count)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)
