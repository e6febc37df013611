"""Concerns about a mentee and their dated trail; and the repository. Never commits: the unit of work does.

A concern is never edited in place: what was first recorded stays as it was, and everything after it
(an update, what was agreed, when it was discussed with the mentee, the resolution) is a new dated entry
on its trail, with its author.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime, str_enum


class ConcernCategory(enum.StrEnum):
    TEACHING = "teaching"  # teaching and progress
    CONDUCT = "conduct"  # professional conduct
    ATTENDANCE = "attendance"  # attendance and punctuality
    WELLBEING = "wellbeing"


class ConcernStatus(enum.StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    SUPPORT_PLAN = "support_plan"  # moved to a support plan
    ESCALATED = "escalated"  # to the provider or the appropriate body


class EntryKind(enum.StrEnum):
    UPDATE = "update"  # what happened, what was agreed
    DISCUSSED = "discussed"  # raised with the mentee
    RESOLUTION = "resolution"  # closed: the status says how


class Concern(Base):
    __tablename__ = "concerns"
    __table_args__ = (
        # A double click on Save, or Slack's retry, carries the same view id: one concern.
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_concerns_team_status", "team_id", "status"),
        Index("ix_concerns_team_mentee", "team_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int | None] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    raised_by: Mapped[str] = mapped_column(String(32))
    category: Mapped[ConcernCategory] = mapped_column(str_enum(ConcernCategory, "concern_category"))
    seen_on: Mapped[date] = mapped_column(Date)
    what_seen: Mapped[str] = mapped_column(Text)
    done_so_far: Mapped[str | None] = mapped_column(Text)
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)  # "1"…"8", "P2"
    discussed_on: Mapped[date | None] = mapped_column(Date)  # raised with the mentee: from then on they see it
    # A wellbeing concern stays with lead mentors and SLT unless the raiser shares it with mentor and mentee.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"))  # raised from it
    status: Mapped[ConcernStatus] = mapped_column(str_enum(ConcernStatus, "concern_status"), default=ConcernStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    entries: Mapped[list[ConcernEntry]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernEntry.id"
    )


class ConcernEntry(Base):
    """One dated entry on a concern's trail."""

    __tablename__ = "concern_entries"
    __table_args__ = (UniqueConstraint("team_id", "submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "concern_entry_kind"))
    happened: Mapped[str | None] = mapped_column(Text)  # what happened (or the resolution's reason)
    agreed: Mapped[str | None] = mapped_column(Text)  # what was agreed
    on_date: Mapped[date | None] = mapped_column(Date)  # when it was discussed with the mentee
    outcome: Mapped[ConcernStatus | None] = mapped_column(str_enum(ConcernStatus, "concern_outcome"))
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    concern: Mapped[Concern] = relationship(back_populates="entries")


class ConcernRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, concern_id: int) -> Concern | None:
        return self.session.scalar(
            select(Concern)
            .where(Concern.team_id == team_id, Concern.id == concern_id)
            .options(selectinload(Concern.entries))
        )

    def by_submission(self, team_id: str, submission_key: str) -> Concern | None:
        return self.session.scalar(
            select(Concern).where(Concern.team_id == team_id, Concern.submission_key == submission_key)
        )

    def entry_by_submission(self, team_id: str, submission_key: str) -> ConcernEntry | None:
        return self.session.scalar(
            select(ConcernEntry).where(ConcernEntry.team_id == team_id, ConcernEntry.submission_key == submission_key)
        )

    def add(self, concern: Concern) -> Concern:
        self.session.add(concern)
        self.session.flush()
        return concern

    def add_entry(self, entry: ConcernEntry) -> ConcernEntry:
        self.session.add(entry)
        self.session.flush()
        return entry

    def open(self, team_id: str) -> Sequence[Concern]:
        """Every open concern in the school, oldest first: for lead mentors' and SLT's Homes and the digest."""
        return self.session.scalars(
            select(Concern)
            .where(Concern.team_id == team_id, Concern.status == ConcernStatus.OPEN)
            .order_by(Concern.created_at, Concern.id)
            .options(selectinload(Concern.entries))
        ).all()

    def about(self, team_id: str, mentee_id: str) -> Sequence[Concern]:
        """Every concern about one person, newest first."""
        return self.session.scalars(
            select(Concern)
            .where(Concern.team_id == team_id, Concern.mentee_id == mentee_id)
            .order_by(Concern.created_at.desc(), Concern.id.desc())
            .options(selectinload(Concern.entries))
        ).all()

    def claim_discussed(self, team_id: str, concern_id: int, on: date, now: datetime) -> bool:
        """Record the first date it was discussed with the mentee; True for the one caller that did."""
        result = self.session.execute(
            update(Concern)
            .where(Concern.team_id == team_id, Concern.id == concern_id, Concern.discussed_on.is_(None))
            .values(discussed_on=on, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def claim_close(self, team_id: str, concern_id: int, status: ConcernStatus, now: datetime) -> bool:
        """Close an open concern; True for the one caller that did (a second click finds it closed)."""
        result = self.session.execute(
            update(Concern)
            .where(Concern.team_id == team_id, Concern.id == concern_id, Concern.status == ConcernStatus.OPEN)
            .values(status=status, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1
