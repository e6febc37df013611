"""Lesson observations, their rated entries and revisions; and the repository. Never commits: the unit of work does."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime, str_enum


class Rating(enum.StrEnum):
    """The ECT form's scale, in order."""

    NOT_APPLICABLE = "na"
    NOT_DEMONSTRATED = "not"
    PARTLY = "partly"
    FULLY = "fully"


class Observation(Base):
    __tablename__ = "observations"
    __table_args__ = (
        # Slack's retry of a submission carries the same view id: it must not store twice.
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_observations_team_teacher_date", "team_id", "teacher_id", "observed_on"),
        Index("ix_observations_team_observer", "team_id", "observer_id"),  # a mentor's own work
        Index("ix_observations_team_second_observer", "team_id", "second_observer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    teacher_id: Mapped[str] = mapped_column(String(32))
    observer_id: Mapped[str] = mapped_column(String(32))
    second_observer_id: Mapped[str | None] = mapped_column(String(32))
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id"))
    form_key: Mapped[str] = mapped_column(String(64))
    observed_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(String(200))
    class_group: Mapped[str | None] = mapped_column(String(200))
    pupils: Mapped[int | None] = mapped_column(Integer)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    focus: Mapped[str | None] = mapped_column(Text)
    # Kept beside the answers so digests and alerts need no form knowledge.
    on_track: Mapped[bool | None] = mapped_column(Boolean)
    has_concern: Mapped[bool] = mapped_column(Boolean, default=False)
    reflection: Mapped[str | None] = mapped_column(Text)
    reflection_next_steps: Mapped[str | None] = mapped_column(Text)
    reflected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_key: Mapped[str] = mapped_column(String(64))
    # Where the teacher's DM is, so its button can be replaced once they have reflected.
    teacher_message_channel: Mapped[str | None] = mapped_column(String(32))
    teacher_message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entries: Mapped[list[ObservationEntry]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", order_by="ObservationEntry.position"
    )

    def entry(self, key: str) -> ObservationEntry | None:
        return next((e for e in self.entries if e.key == key), None)

    def text(self, key: str) -> str | None:
        entry = self.entry(key)
        return entry.text if entry else None


class ObservationEntry(Base):
    """One answer on the form: a rating (with its comment) or a piece of text."""

    __tablename__ = "observation_entries"
    __table_args__ = (UniqueConstraint("observation_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    rating: Mapped[Rating | None] = mapped_column(str_enum(Rating, "rating"))
    text: Mapped[str | None] = mapped_column(Text)

    observation: Mapped[Observation] = relationship(back_populates="entries")


class ObservationRevision(Base):
    """A correction: who changed which answers, when, and what they were before."""

    __tablename__ = "observation_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id", ondelete="CASCADE"), index=True)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes: Mapped[dict[str, list[str | None]]] = mapped_column(JSON)


def ranked_observations(team_id: str, *conditions: ColumnElement[bool]) -> Select[Any]:
    """Each teacher's observations newest first, numbered by `recency` (1 = the latest): for window queries."""
    return select(
        Observation.id,
        Observation.teacher_id,
        Observation.on_track,
        func.row_number()
        .over(partition_by=Observation.teacher_id, order_by=(Observation.observed_on.desc(), Observation.id.desc()))
        .label("recency"),
    ).where(Observation.team_id == team_id, *conditions)


class ObservationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, observation_id: int) -> Observation | None:
        """Only ever within the caller's workspace, whatever id was pasted in."""
        return self.session.scalar(
            select(Observation)
            .options(selectinload(Observation.entries))
            .where(Observation.team_id == team_id, Observation.id == observation_id)
        )

    def by_submission(self, team_id: str, submission_key: str) -> Observation | None:
        return self.session.scalar(
            select(Observation)
            .options(selectinload(Observation.entries))
            .where(Observation.team_id == team_id, Observation.submission_key == submission_key)
        )

    def of_teacher(self, team_id: str, teacher_id: str) -> Sequence[Observation]:
        return self.session.scalars(
            select(Observation)
            .options(selectinload(Observation.entries))
            .where(Observation.team_id == team_id, Observation.teacher_id == teacher_id)
            .order_by(Observation.observed_on, Observation.id)
        ).all()

    def claim_first_reflection(self, team_id: str, observation_id: int, now: datetime) -> bool:
        """Mark the observation reflected on, unless it already is; True for the one caller that did.

        A conditional UPDATE, so two deliveries of the same reflection at once can't both count as the first.
        """
        result = self.session.execute(
            update(Observation)
            .where(Observation.team_id == team_id, Observation.id == observation_id, Observation.reflected_at.is_(None))
            .values(reflected_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def add(self, observation: Observation) -> Observation:
        self.session.add(observation)
        self.session.flush()
        return observation

    def add_revision(self, revision: ObservationRevision) -> None:
        self.session.add(revision)

    def revisions(self, observation_id: int) -> Sequence[ObservationRevision]:
        return self.session.scalars(
            select(ObservationRevision)
            .where(ObservationRevision.observation_id == observation_id)
            .order_by(ObservationRevision.changed_at, ObservationRevision.id)
        ).all()
