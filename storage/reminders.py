"""Meeting reminders already sent (one per mentorship and period); and the repository. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime
from storage.roster import Mentorship


class ReminderSent(Base):
    """A reminder claimed (then sent) for one mentorship and one period: never twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("mentorship_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    period: Mapped[str] = mapped_column(String(64))  # e.g. "meeting:weekly:2026-11-24"
    recipient_id: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))


class ReminderRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def live_mentorships(self, team_id: str) -> Sequence[Mentorship]:
        return self.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None))
            .order_by(Mentorship.id)
        ).all()

    def claimed(self, mentorship_id: int, period: str) -> ReminderSent | None:
        return self.session.scalar(
            select(ReminderSent).where(ReminderSent.mentorship_id == mentorship_id, ReminderSent.period == period)
        )

    def get(self, team_id: str, reminder_id: int) -> ReminderSent | None:
        return self.session.scalar(
            select(ReminderSent).where(ReminderSent.team_id == team_id, ReminderSent.id == reminder_id)
        )

    def add(self, reminder: ReminderSent) -> ReminderSent:
        self.session.add(reminder)
        self.session.flush()
        return reminder

    def delete(self, reminder: ReminderSent) -> None:
        self.session.delete(reminder)
        self.session.flush()

    def for_team(self, team_id: str) -> Sequence[ReminderSent]:
        return self.session.scalars(
            select(ReminderSent).where(ReminderSent.team_id == team_id).order_by(ReminderSent.id)
        ).all()
