"""A mentor's certification record: their reflections (with a lead mentor's comment), training sessions, the
criteria a lead mentor ticked, the panel's outcomes and the panel reminders sent; and the repository.
Never commits: the unit of work does.

The evidence gathered from the mentoring itself is not stored here: it is read from the meetings,
observations, targets, reviews, plans and nudges as they stand (storage/queries/certification.py).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.db import insert_ignoring_conflicts


class PanelOutcome(enum.StrEnum):
    AWARDED = "awarded"  # awarded at the level
    MORE_EVIDENCE = "more_evidence"  # no fails: the panel asks for more evidence, and says what


class Reflection(Base):
    """A mentor's own reflection for their portfolio: "reflection, not collection"."""

    __tablename__ = "certification_reflections"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_certification_reflections_team_mentor", "team_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    written_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)  # the scheme's standard keys
    records: Mapped[list[str]] = mapped_column(JSON, default=list)  # "meeting:12", "observation:5": their own
    quote: Mapped[str | None] = mapped_column(Text)  # a short quote the mentor chose to put in the portfolio
    comment: Mapped[str | None] = mapped_column(Text)  # a lead mentor's comment
    comment_by: Mapped[str | None] = mapped_column(String(32))
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingSession(Base):
    """A mentor training session: date, hours, provider and topic."""

    __tablename__ = "certification_training"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_certification_training_team_mentor", "team_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    held_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text)
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CriterionTick(Base):
    """A document or signature criterion, ticked by a lead mentor with a date and a note (once per mentor)."""

    __tablename__ = "certification_ticks"
    __table_args__ = (UniqueConstraint("team_id", "mentor_id", "criterion"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    criterion: Mapped[str] = mapped_column(String(40))
    ticked_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    ticked_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PanelResult(Base):
    """The review panel's outcome for a mentor: awarded at a level, or more evidence requested (and what)."""

    __tablename__ = "certification_outcomes"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_certification_outcomes_team_mentor", "team_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[PanelOutcome] = mapped_column(str_enum(PanelOutcome, "panel_outcome"))
    panel_on: Mapped[date] = mapped_column(Date)
    more_evidence: Mapped[str | None] = mapped_column(Text)  # what the panel asked for
    recorded_by: Mapped[str] = mapped_column(String(32))
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PanelReminder(Base):
    """A panel reminder claimed for one mentor (a month before, a week before): sent once each."""

    __tablename__ = "certification_reminders"
    __table_args__ = (UniqueConstraint("team_id", "mentor_id", "panel_on", "notice"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    panel_on: Mapped[date] = mapped_column(Date)
    notice: Mapped[str] = mapped_column(String(20))  # "month_before" or "week_before"
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CertificationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Reflection | TrainingSession | PanelResult) -> None:
        self.session.add(row)
        self.session.flush()

    def reflections(self, team_id: str, mentor_id: str) -> Sequence[Reflection]:
        return self.session.scalars(
            select(Reflection)
            .where(Reflection.team_id == team_id, Reflection.mentor_id == mentor_id)
            .order_by(Reflection.written_on, Reflection.id)
        ).all()

    def reflection(self, team_id: str, reflection_id: int) -> Reflection | None:
        return self.session.scalars(
            select(Reflection).where(Reflection.team_id == team_id, Reflection.id == reflection_id)
        ).first()

    def comment(self, team_id: str, reflection_id: int, text: str, by: str, now: datetime) -> None:
        self.session.execute(
            update(Reflection)
            .where(Reflection.team_id == team_id, Reflection.id == reflection_id)
            .values(comment=text, comment_by=by, commented_at=now)
        )

    def training(self, team_id: str, mentor_ids: Sequence[str] | None = None) -> Sequence[TrainingSession]:
        query = select(TrainingSession).where(TrainingSession.team_id == team_id)
        if mentor_ids is not None:
            query = query.where(TrainingSession.mentor_id.in_(mentor_ids))
        return self.session.scalars(query.order_by(TrainingSession.held_on, TrainingSession.id)).all()

    def tick(
        self, team_id: str, mentor_id: str, criterion: str, on: date, note: str | None, by: str, now: datetime
    ) -> bool:
        """True when this call ticked it; False when it was already ticked (the first tick stands)."""
        values = {
            "team_id": team_id,
            "mentor_id": mentor_id,
            "criterion": criterion,
            "ticked_on": on,
            "note": note,
            "ticked_by": by,
            "created_at": now,
        }
        return insert_ignoring_conflicts(self.session, CriterionTick, values, on=["team_id", "mentor_id", "criterion"])

    def ticks(self, team_id: str, mentor_id: str) -> Sequence[CriterionTick]:
        return self.session.scalars(
            select(CriterionTick).where(CriterionTick.team_id == team_id, CriterionTick.mentor_id == mentor_id)
        ).all()

    def outcomes(self, team_id: str, mentor_id: str | None = None) -> Sequence[PanelResult]:
        query = select(PanelResult).where(PanelResult.team_id == team_id)
        if mentor_id is not None:
            query = query.where(PanelResult.mentor_id == mentor_id)
        return self.session.scalars(query.order_by(PanelResult.panel_on, PanelResult.id)).all()

    def claim_reminder(self, team_id: str, mentor_id: str, panel_on: date, notice: str, now: datetime) -> bool:
        values = {"team_id": team_id, "mentor_id": mentor_id, "panel_on": panel_on, "notice": notice, "claimed_at": now}
        return insert_ignoring_conflicts(
            self.session, PanelReminder, values, on=["team_id", "mentor_id", "panel_on", "notice"]
        )
