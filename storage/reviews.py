"""Induction details, provider review points, progress reviews and assessments, their signatures and
reminders; and the repository. Never commits.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, selectinload

from storage.base import Base, UTCDateTime, str_enum
from storage.meetings import Meeting
from storage.observations import Observation
from storage.roster import MenteeKind, Mentorship
from storage.targets import Target


class ReviewKind(enum.StrEnum):
    PROGRESS = "progress"  # an ECT's termly progress review
    FORMAL = "formal"  # an ECT's formal assessment (end of terms 3 and 6, pro rata)
    INTERIM = "interim"  # an ECT leaving after a term or more
    PROVIDER = "provider"  # a trainee's review point, named and dated by the provider


class ReviewStatus(enum.StrEnum):
    SIGNING = "signing"  # saved, waiting for signatures
    LOCKED = "locked"  # everyone has signed: no more changes
    SUPERSEDED = "superseded"  # a correction replaced it (kept as it was)


class Outcome(enum.StrEnum):
    MEETS = "meets"
    DOES_NOT_MEET = "does_not_meet"
    EXTENSION = "extension"


class Capacity(enum.StrEnum):
    """Who signs a review, in which capacity."""

    MENTEE = "mentee"
    MENTOR = "mentor"
    TUTOR = "tutor"
    HEAD = "head"


class Induction(Base):
    """An ECT's induction details, one row per mentorship."""

    __tablename__ = "inductions"
    __table_args__ = (UniqueConstraint("mentorship_id"), Index("ix_inductions_team_mentee", "team_id", "mentee_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date] = mapped_column(Date)
    fte_percent: Mapped[int] = mapped_column(Integer, default=100)  # 100 full time; 60 for a 0.6 part-timer
    appropriate_body: Mapped[str | None] = mapped_column(String(200))
    tutor_id: Mapped[str | None] = mapped_column(String(32))
    trn: Mapped[str | None] = mapped_column(String(16))  # teacher reference number: personal data
    date_of_birth: Mapped[date | None] = mapped_column(Date)  # appropriate bodies' forms ask for it: personal
    days_absent: Mapped[int] = mapped_column(Integer, default=0)
    left_on: Mapped[date | None] = mapped_column(Date)  # leaving before induction ends: an interim assessment
    updated_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewPoint(Base):
    """A trainee's review point, named and dated by their provider."""

    __tablename__ = "review_points"
    __table_args__ = (UniqueConstraint("mentorship_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    due_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Review(Base):
    """One version of a progress review or assessment. A correction is a new row; the old one is kept."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_reviews_team_mentee", "team_id", "mentee_id"),
        Index("ix_reviews_team_author", "team_id", "author_id"),  # a mentor's own work
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[ReviewKind] = mapped_column(str_enum(ReviewKind, "review_kind"))
    point_key: Mapped[str] = mapped_column(String(40))  # the schedule item it completes, e.g. "term:3"
    title: Mapped[str] = mapped_column(String(120))  # e.g. "Formal assessment 1 (term 3)"
    term_number: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"))
    author_id: Mapped[str] = mapped_column(String(32))
    on_track: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(Text)
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome, "review_outcome"))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the draft's numbers when saved
    target_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # the agreed targets it set
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # the appropriate body's own questions
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "review_status"))
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewSignature(Base):
    """A signature asked for (signed_at empty) or given, with an optional comment."""

    __tablename__ = "review_signatures"
    __table_args__ = (
        UniqueConstraint("review_id", "capacity"),
        Index("ix_review_signatures_team_signer", "team_id", "signer_id"),  # reviews a tutor or head assured
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    capacity: Mapped[Capacity] = mapped_column(str_enum(Capacity, "review_capacity"))
    signer_id: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReviewReminder(Base):
    """A review reminder claimed (then sent) once per schedule item and notice: never twice."""

    __tablename__ = "review_reminders"
    __table_args__ = (UniqueConstraint("mentorship_id", "point_key", "notice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    point_key: Mapped[str] = mapped_column(String(40))
    notice: Mapped[str] = mapped_column(String(20))  # "week_before" or "on_the_day"
    recipient_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- induction details and review points ---

    def induction(self, mentorship_id: int) -> Induction | None:
        return self.session.scalar(select(Induction).where(Induction.mentorship_id == mentorship_id))

    def inductions(self, team_id: str, mentorship_ids: Sequence[int]) -> dict[int, Induction]:
        if not mentorship_ids:
            return {}
        rows = self.session.scalars(
            select(Induction).where(Induction.team_id == team_id, Induction.mentorship_id.in_(mentorship_ids))
        )
        return {row.mentorship_id: row for row in rows}

    def add(self, row: Base) -> None:
        self.session.add(row)
        self.session.flush()

    def points(self, team_id: str, mentorship_ids: Sequence[int]) -> dict[int, list[ReviewPoint]]:
        found: dict[int, list[ReviewPoint]] = {m: [] for m in mentorship_ids}
        if not mentorship_ids:
            return found
        rows = self.session.scalars(
            select(ReviewPoint)
            .where(ReviewPoint.team_id == team_id, ReviewPoint.mentorship_id.in_(mentorship_ids))
            .order_by(ReviewPoint.due_on, ReviewPoint.id)
        )
        for row in rows:
            found[row.mentorship_id].append(row)
        return found

    def point(self, mentorship_id: int, name: str) -> ReviewPoint | None:
        return self.session.scalar(
            select(ReviewPoint).where(ReviewPoint.mentorship_id == mentorship_id, ReviewPoint.name == name)
        )

    # --- reviews ---

    def get(self, team_id: str, review_id: int) -> Review | None:
        return self.session.scalar(select(Review).where(Review.team_id == team_id, Review.id == review_id))

    def by_key(self, team_id: str, submission_key: str) -> Review | None:
        return self.session.scalar(
            select(Review).where(Review.team_id == team_id, Review.submission_key == submission_key)
        )

    def current(self, team_id: str, mentorship_ids: Sequence[int]) -> list[Review]:
        """Reviews not superseded, oldest period first."""
        if not mentorship_ids:
            return []
        return list(
            self.session.scalars(
                select(Review)
                .where(
                    Review.team_id == team_id,
                    Review.mentorship_id.in_(mentorship_ids),
                    Review.status != ReviewStatus.SUPERSEDED,
                )
                .order_by(Review.period_end, Review.id)
            )
        )

    def for_mentee(self, team_id: str, mentee_id: str) -> list[Review]:
        return list(
            self.session.scalars(
                select(Review)
                .where(Review.team_id == team_id, Review.mentee_id == mentee_id)
                .order_by(Review.period_end, Review.version, Review.id)
            )
        )

    def signatures(self, review_id: int) -> list[ReviewSignature]:
        return list(
            self.session.scalars(
                select(ReviewSignature).where(ReviewSignature.review_id == review_id).order_by(ReviewSignature.id)
            )
        )

    # --- reminders ---

    def claim_reminder(
        self, team_id: str, mentorship_id: int, point_key: str, notice: str, recipient_id: str, now: datetime
    ) -> bool:
        """True only for the first claim of this item's notice (two schedulers at once send one)."""
        values = {
            "team_id": team_id,
            "mentorship_id": mentorship_id,
            "point_key": point_key,
            "notice": notice,
            "recipient_id": recipient_id,
            "claimed_at": now,
        }
        # RETURNING, not the row count: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING here.
        insert = sqlite_insert if self.session.get_bind().dialect.name == "sqlite" else postgresql_insert
        statement = (
            insert(ReviewReminder)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["mentorship_id", "point_key", "notice"])
            .returning(ReviewReminder.id)
        )
        return self.session.execute(statement).first() is not None

    def live_mentorships(self, team_id: str) -> Sequence[Mentorship]:
        return self.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None))
            .order_by(Mentorship.id)
        ).all()

    def live_mentorships_involving(self, team_id: str, user_id: str, *, every_ect: bool) -> Sequence[Mentorship]:
        """The live mentorships a person is in as mentee or mentor, or whose induction they tutor (and every ECT's,
        for an induction tutor): what their Home shows, read without the rest of the school."""
        tutored = select(Induction.mentorship_id).where(Induction.team_id == team_id, Induction.tutor_id == user_id)
        involved = [Mentorship.mentee_id == user_id, Mentorship.mentor_id == user_id, Mentorship.id.in_(tutored)]
        if every_ect:
            involved.append(Mentorship.mentee_kind == MenteeKind.ECT)
        return self.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None), or_(*involved))
            .order_by(Mentorship.id)
        ).all()


@dataclass(frozen=True)
class PeriodRecords:
    """A mentee's records for one review period: three queries, however many records."""

    meetings: Sequence[Meeting]
    targets: Sequence[Target]
    observations: Sequence[Observation]


def records_between(session: Session, team_id: str, mentee_id: str, start: date, end: date) -> PeriodRecords:
    """Meetings held and observations made in [start, end]; targets live at any time in it."""
    meetings = session.scalars(
        select(Meeting)
        .where(Meeting.team_id == team_id, Meeting.mentee_id == mentee_id, Meeting.held_on.between(start, end))
        .order_by(Meeting.held_on, Meeting.id)
    ).all()
    targets = session.scalars(
        select(Target)
        .where(
            Target.team_id == team_id,
            Target.mentee_id == mentee_id,
            Target.created_at <= _moment(end, time(23, 59, 59)),
            or_(Target.closed_at.is_(None), Target.closed_at >= _moment(start, time(0, 0))),
        )
        .order_by(Target.due_on, Target.id)
    ).all()
    observations = session.scalars(
        select(Observation)
        .options(selectinload(Observation.entries))
        .where(
            Observation.team_id == team_id,
            Observation.teacher_id == mentee_id,
            Observation.observed_on.between(start, end),
        )
        .order_by(Observation.observed_on, Observation.id)
    ).all()
    return PeriodRecords(meetings, targets, observations)


def _moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=UTC)
