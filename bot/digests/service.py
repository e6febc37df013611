"""Building the weekly digests: every mentee's week, in a fixed number of queries whatever the cohort size."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.coaching.summary import CoachingSummary, coaching_summary
from bot.concerns.service import OpenConcern, open_concerns
from bot.concerns.warnings import RaisedWarning, WarningService
from bot.core.attention import Signs
from bot.core.cadence import MeetingCadenceRule
from bot.core.school_calendar import DateRange, SchoolCalendar
from storage.db import Database
from storage.observations import Rating
from storage.queries.digests import DigestQueries, setup_of
from storage.roster import MeetingCadence, MenteeKind

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
OBSERVATIONS_PER_HALF_TERM = 2


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
    def signs(self) -> Signs:
        return Signs(
            not_on_track=self.not_on_track,
            concern=self.concern_this_half,
            targets_rolled_over=self.targets_rolled_over,
            targets_overdue=self.targets_overdue,
            meeting_overdue=not self.on_cadence,
            declined=self.declined,
            observations_short=OBSERVATIONS_PER_HALF_TERM - self.observations_this_half,
            reflections_owed=self.reflections_owed,
        )

    @property
    def flags(self) -> list[str]:
        return self.signs.flags

    @property
    def need(self) -> int:
        """Higher means the lead mentor should look sooner (bot/core/attention.py)."""
        return self.signs.need

    @property
    def needs_attention(self) -> bool:
        """A flag, an overdue target, a missed meeting or a slipping rating (bot/core/attention.py)."""
        return self.signs.needs_attention


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
    early_warnings: list[RaisedWarning] = field(default_factory=list)  # first raised this week
    coaching: CoachingSummary | None = None  # triplets, peer visits and good practice: SLT's summary only

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


@dataclass(frozen=True)
class SchoolSetup:
    """What a workspace's digests need: someone to send the lead digest to, and a channel for SLT's summary."""

    lead_ids: list[str]
    slt_channel_id: str | None
    running: bool  # any mentorship running: the school has begun setting up


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


class DigestBuilder:
    """Reads a workspace's week in eight queries; nothing here depends on how many mentees there are."""

    def __init__(self, db: Database, calendar: SchoolCalendar, *, warnings: WarningService | None = None) -> None:
        self.db = db
        self.calendar = calendar
        self.warnings = warnings

    def build(self, team_id: str, week: Week, *, as_of: date | None = None) -> SchoolWeek:
        """The week's digest. Meetings are counted overdue as of the week's Sunday, or `as_of` (Home: today)."""
        with self.db.unit_of_work() as session:
            return self._build(DigestQueries(session, team_id, week.monday, week.sunday), week, as_of)

    def setup(self, team_id: str) -> SchoolSetup:
        """Three small queries: cheap enough for every tick."""
        with self.db.unit_of_work() as session:
            return SchoolSetup(*setup_of(session, team_id))

    def add_warnings(self, school: SchoolWeek) -> SchoolWeek:
        """The early warnings first raised in the week, for the lead digest (one query; the Home tab reads the
        warnings that hold now itself)."""
        if self.warnings is not None:
            with self.db.unit_of_work() as session:
                week = school.week
                school.early_warnings = self.warnings.raised_in(session, school.team_id, week.monday, week.sunday)
        return school

    def add_coaching(self, school: SchoolWeek) -> SchoolWeek:
        """Coaching triplets this term, peer-visit coverage this half term and good practice seen, for SLT's
        summary (its own few queries, not part of the week's fixed eight)."""
        with self.db.unit_of_work() as session:
            school.coaching = coaching_summary(session, school.team_id, self.calendar, school.week.monday)
        return school

    def _build(self, queries: DigestQueries, week: Week, as_of: date | None) -> SchoolWeek:
        half = self.calendar.teaching_half_for(week.sunday)
        mentees = _mentees(queries)
        _add_meetings(queries, mentees)
        _add_observations(queries, half, mentees)
        distribution = _add_latest_ratings(queries, mentees)
        _add_targets(queries, mentees)
        rule = MeetingCadenceRule(self.calendar)
        for mentee in mentees.values():
            due = rule.next_due(
                mentee.cadence,
                started_on=mentee.started_on,
                last_held_on=mentee.last_meeting,
                agreed_on=mentee.planned_meeting,
            )
            mentee.on_cadence = due is None or not due.overdue(as_of or week.sunday)
        lead_ids, slt_ids = queries.leads_and_slt()
        return SchoolWeek(
            team_id=queries.team_id,
            week=week,
            half=half,
            mentees=list(mentees.values()),
            lead_ids=lead_ids,
            slt_ids=slt_ids,
            slt_channel_id=queries.slt_channel(),
            rating_distribution=distribution,
            open_concerns=open_concerns(queries.session, queries.team_id),
        )


def _mentees(queries: DigestQueries) -> dict[str, MenteeWeek]:
    """Mentorships live at the end of the week, one entry per mentee (a mentee may have two mentors)."""
    mentees: dict[str, MenteeWeek] = {}
    for mentee_id, mentor_id, kind, started, cadence in queries.mentorships():
        found = mentees.get(mentee_id)
        if found is None:
            mentees[mentee_id] = MenteeWeek(mentee_id, kind, [mentor_id], started, cadence)
        elif mentor_id not in found.mentor_ids:
            found.mentor_ids.append(mentor_id)
    return mentees


def _add_meetings(queries: DigestQueries, mentees: dict[str, MenteeWeek]) -> None:
    for mentee_id, this_week, last, planned in queries.meetings():
        if (mentee := mentees.get(mentee_id)) is not None:
            mentee.meetings_this_week, mentee.last_meeting = int(this_week or 0), last
            mentee.planned_meeting = planned if planned is not None and last is not None and planned > last else None


def _add_observations(queries: DigestQueries, half: DateRange, mentees: dict[str, MenteeWeek]) -> None:
    for teacher_id, observed, concerns, unreflected in queries.observations(half.start, half.end):
        if (mentee := mentees.get(teacher_id)) is not None:
            mentee.observations_this_half = int(observed or 0)
            mentee.concern_this_half = bool(concerns)
            mentee.reflections_owed = int(unreflected or 0)


def _add_latest_ratings(queries: DigestQueries, mentees: dict[str, MenteeWeek]) -> dict[str, dict[str, int]]:
    """On track, and the direction of each rating since the previous observation, worked out in SQL."""
    for teacher_id, improved, declined in queries.rating_directions():
        if (mentee := mentees.get(teacher_id)) is not None:
            mentee.improved, mentee.declined = int(improved or 0), int(declined or 0)
    for teacher_id, latest_on_track in queries.latest_on_track():
        if (mentee := mentees.get(teacher_id)) is not None:
            mentee.latest_on_track = latest_on_track
    distribution: dict[str, dict[str, int]] = {}
    for key, rating, count in queries.latest_rating_counts():
        distribution.setdefault(key, {r.value: 0 for r in Rating})[rating] = int(count)
    return distribution


def _add_targets(queries: DigestQueries, mentees: dict[str, MenteeWeek]) -> None:
    for mentee_id, set_, met, overdue, rolled in queries.targets():
        if (mentee := mentees.get(mentee_id)) is not None:
            mentee.targets_set, mentee.targets_met = int(set_ or 0), int(met or 0)
            mentee.targets_overdue, mentee.targets_rolled_over = int(overdue or 0), int(rolled or 0)
