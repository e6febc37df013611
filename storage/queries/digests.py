"""The weekly digest's read model: one workspace's week in eight queries, whatever the cohort size."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, case, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating, ranked_observations
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Role, RoleGrant, Workspace
from storage.targets import Target, TargetStatus

STREAM_BATCH = 5000  # rows fetched at a time from the largest queries: memory stays flat as cohorts grow


def end_of(day: date) -> datetime:
    """The last instant of a day (UTC; a school's evening hour either side doesn't change a weekly count)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def leads_and_slt(session: Session, team_id: str) -> tuple[list[str], list[str]]:
    """Lead mentors and SLT of a workspace, in the order they were granted: one query."""
    roles = session.execute(
        select(RoleGrant.user_id, RoleGrant.role)
        .where(RoleGrant.team_id == team_id, RoleGrant.role.in_([Role.LEAD, Role.SLT]))
        .order_by(RoleGrant.granted_at, RoleGrant.user_id)
    ).all()
    return [user for user, role in roles if role is Role.LEAD], [user for user, role in roles if role is Role.SLT]


def slt_channel(session: Session, team_id: str) -> str | None:
    workspace = session.get(Workspace, team_id)
    return workspace.slt_channel_id if workspace else None


class DigestQueries:
    """The week of one workspace, read for the digest. `sunday` is the week's last day."""

    def __init__(self, session: Session, team_id: str, monday: date, sunday: date) -> None:
        self.session = session
        self.team_id = team_id
        self.monday = monday
        self.sunday = sunday

    def leads_and_slt(self) -> tuple[list[str], list[str]]:
        return leads_and_slt(self.session, self.team_id)

    def slt_channel(self) -> str | None:
        return slt_channel(self.session, self.team_id)

    def mentorships(self) -> Iterable[tuple[str, str, MenteeKind, date, MeetingCadence]]:
        """(mentee, mentor, kind, started, cadence) of mentorships live at the end of the week, by mentee."""
        return self.session.execute(
            self._live_mentorships()
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

    def meetings(self) -> Iterable[Any]:
        """(mentee, meetings this week, last meeting, latest next-meeting date) per mentee."""
        in_week = and_(Meeting.held_on >= self.monday, Meeting.held_on <= self.sunday)
        return self.session.execute(
            select(
                Meeting.mentee_id,
                func.sum(case((in_week, 1), else_=0)),
                func.max(Meeting.held_on),
                func.max(Meeting.next_meeting_on),
            )
            .where(Meeting.team_id == self.team_id, Meeting.held_on <= self.sunday)
            .group_by(Meeting.mentee_id)
        )

    def observations(self, half_start: date, half_end: date) -> Iterable[Any]:
        """(teacher, observed this half, concerns this half, reflections owed) per teacher."""
        in_half = and_(Observation.observed_on >= half_start, Observation.observed_on <= min(half_end, self.sunday))
        return self.session.execute(
            select(
                Observation.teacher_id,
                func.sum(case((in_half, 1), else_=0)),
                func.sum(case((and_(in_half, Observation.has_concern.is_(True)), 1), else_=0)),
                func.sum(case((Observation.reflected_at.is_(None), 1), else_=0)),
            )
            .where(Observation.team_id == self.team_id, Observation.observed_on <= self.sunday)
            .group_by(Observation.teacher_id)
        )

    def rating_directions(self) -> Iterable[Any]:
        """(teacher, standards rated higher, standards rated lower) than at their previous observation.

        Per teacher and standard, the latest score beside the previous one in one grouped pass (no self-join):
        Python never sees the individual ratings.
        """
        ranked = self._ranked()
        entry = aliased(ObservationEntry)
        score = _score(entry.rating)
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
        return self.session.execute(
            select(
                paired.c.teacher_id,
                func.sum(case((paired.c.now > paired.c.before, 1), else_=0)),
                func.sum(case((paired.c.now < paired.c.before, 1), else_=0)),
            )
            .group_by(paired.c.teacher_id)
            .execution_options(yield_per=STREAM_BATCH)
        )

    def latest_on_track(self) -> Iterable[Any]:
        """(teacher, "on track?" at their latest observation)."""
        ranked = self._ranked()
        return self.session.execute(
            select(ranked.c.teacher_id, ranked.c.on_track)
            .where(ranked.c.recency == 1)
            .execution_options(yield_per=STREAM_BATCH)
        )

    def latest_rating_counts(self) -> Iterable[Any]:
        """(standard key, rating, count) over the cohort's latest observations."""
        ranked = self._ranked()
        entry = aliased(ObservationEntry)
        return self.session.execute(
            select(entry.key, type_coerce(entry.rating, String), func.count())
            .select_from(ranked)
            .join(entry, entry.observation_id == ranked.c.id)
            .where(
                ranked.c.recency == 1,
                entry.rating.is_not(None),
                ranked.c.teacher_id.in_(self._live_mentorships().with_only_columns(Mentorship.mentee_id)),
            )
            .group_by(entry.key, type_coerce(entry.rating, String))
        )

    def targets(self) -> Iterable[Any]:
        """(mentee, set this week, met this week, open and overdue, open and rolled over twice) per mentee."""
        start, end = end_of(self.monday - timedelta(days=1)), end_of(self.sunday)
        is_open = Target.status == TargetStatus.OPEN
        return self.session.execute(
            select(
                Target.mentee_id,
                func.sum(case((and_(Target.created_at > start, Target.created_at <= end), 1), else_=0)),
                func.sum(
                    case(
                        (and_(Target.status == TargetStatus.MET, Target.closed_at > start, Target.closed_at <= end), 1),
                        else_=0,
                    )
                ),
                func.sum(case((and_(is_open, Target.due_on < self.sunday), 1), else_=0)),
                func.sum(case((and_(is_open, Target.carried_count >= 2), 1), else_=0)),
            )
            .where(Target.team_id == self.team_id, Target.created_at <= end)
            .group_by(Target.mentee_id)
        )

    def _ranked(self) -> Any:
        return ranked_observations(self.team_id, Observation.observed_on <= self.sunday).cte("ranked")

    def _live_mentorships(self) -> Select[Any]:
        """Mentorships running at the end of the week: the cohort every digest is about."""
        return select(Mentorship).where(
            Mentorship.team_id == self.team_id,
            Mentorship.start_date <= self.sunday,
            (Mentorship.ended_at.is_(None)) | (Mentorship.ended_at > end_of(self.sunday)),
        )


def _score(rating: Any) -> Any:
    """Not demonstrated < partly < fully; N/A and no rating compare as NULL, so they count neither way."""
    return case(
        (rating == Rating.NOT_DEMONSTRATED, 0),
        (rating == Rating.PARTLY, 1),
        (rating == Rating.FULLY, 2),
        else_=None,
    )
