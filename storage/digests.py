"""Digest deliveries, snapshots and nudges: inserted once, then claimed with a conditional update or a unique key."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.db import Database, insert_ignoring_conflicts


class DeliveryKind(enum.StrEnum):
    LEAD = "lead"  # a lead mentor's cohort digest, by DM
    SLT = "slt"  # the school summary, in the SLT channel
    ADMIN_NOTICE = "admin_notice"  # something an admin must set up or fix, by DM


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; stale claims are checked against Slack before any resend
    SENT = "sent"
    FAILED = "failed"  # will be retried at the next tick
    UNDELIVERABLE = "undeliverable"  # e.g. the person left the workspace: not retried, reported


class DigestDelivery(Base):
    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("team_id", "week", "kind", "recipient"),
        Index("ix_digest_deliveries_status", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, e.g. 2026-W48
    kind: Mapped[DeliveryKind] = mapped_column(str_enum(DeliveryKind, "delivery_kind"))
    recipient: Mapped[str] = mapped_column(String(64))  # a user id, a channel id, or user id + notice
    status: Mapped[DeliveryStatus] = mapped_column(
        str_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DigestSnapshot(Base):
    """The school-wide numbers of a week's digest: for "since last week" and the SLT Home tab. No names."""

    __tablename__ = "digest_snapshots"
    __table_args__ = (UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    week: Mapped[str] = mapped_column(String(10))
    numbers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Nudge(Base):
    """A digest's **Nudge** sent to a mentor: claimed before the DM goes, so a mentor is nudged once a day."""

    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("team_id", "mentor_id", "day"),
        Index("ix_nudges_team_nudged_by", "team_id", "nudged_by"),  # nudges a lead sent (certification)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)  # the school day it was sent: the claim's key with the mentor
    nudged_by: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NudgeRepository:
    """Never commits: the caller's unit of work does."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def latest_since(self, team_id: str, mentor_id: str, since: datetime) -> Nudge | None:
        return self.session.scalar(
            select(Nudge)
            .where(Nudge.team_id == team_id, Nudge.mentor_id == mentor_id, Nudge.sent_at >= since)
            .order_by(Nudge.sent_at.desc())
            .limit(1)
        )

    def claim(self, team_id: str, mentor_id: str, day: date, nudged_by: str, now: datetime) -> bool:
        """True when this call claimed the mentor's nudge for `day` (a racing click gets False)."""
        values = {"team_id": team_id, "mentor_id": mentor_id, "day": day, "nudged_by": nudged_by, "sent_at": now}
        return insert_ignoring_conflicts(self.session, Nudge, values, on=["team_id", "mentor_id", "day"])

    def release(self, team_id: str, mentor_id: str, day: date) -> None:
        """The DM didn't go: a later click may try again."""
        self.session.execute(
            delete(Nudge).where(Nudge.team_id == team_id, Nudge.mentor_id == mentor_id, Nudge.day == day)
        )


RETRYABLE = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class DigestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def ensure(self, team_id: str, week: str, kind: DeliveryKind, recipient: str, now: datetime) -> DigestDelivery:
        """The delivery row for this recipient and week, created if this is the first worker to ask."""
        try:
            with self.db.unit_of_work() as session:
                found = session.scalar(_row(team_id, week, kind, recipient))
                if found is not None:
                    return found
                delivery = DigestDelivery(
                    team_id=team_id,
                    week=week,
                    kind=kind,
                    recipient=recipient,
                    status=DeliveryStatus.PENDING,
                    attempts=0,
                    created_at=now,
                )
                session.add(delivery)
                session.flush()
                return delivery
        except IntegrityError:  # another worker created it between our read and our insert
            with self.db.unit_of_work() as session:
                found = session.scalar(_row(team_id, week, kind, recipient))
                assert found is not None
                return found

    def claim(self, delivery_id: int, worker: str, now: datetime, stale_before: datetime) -> DigestDelivery | None:
        """Take the delivery for this worker, or None if it is sent or another worker holds a fresh claim."""
        with self.db.unit_of_work() as session:
            claimable = DigestDelivery.status.in_(RETRYABLE) | (
                (DigestDelivery.status == DeliveryStatus.SENDING) & (DigestDelivery.claimed_at < stale_before)
            )
            result = session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery_id, claimable)
                .values(
                    status=DeliveryStatus.SENDING,
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=DigestDelivery.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
            return session.get(DigestDelivery, delivery_id, populate_existing=True)

    def record_channel(self, delivery_id: int, worker: str, channel: str) -> None:
        """Where this worker is about to post, stored BEFORE it posts: a later worker that finds the claim stale
        looks in that channel's history for the message before sending again."""
        with self.db.unit_of_work() as session:
            session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery_id, DigestDelivery.claimed_by == worker)
                .values(channel=channel)
                .execution_options(synchronize_session=False)
            )

    def finish(self, delivery_id: int, worker: str, status: DeliveryStatus, **values: Any) -> None:
        with self.db.unit_of_work() as session:
            session.execute(
                update(DigestDelivery)
                .where(DigestDelivery.id == delivery_id, DigestDelivery.claimed_by == worker)
                .values(status=status, **values)
                .execution_options(synchronize_session=False)
            )

    def for_week(self, team_id: str, week: str) -> Sequence[DigestDelivery]:
        with self.db.unit_of_work() as session:
            return session.scalars(
                select(DigestDelivery)
                .where(DigestDelivery.team_id == team_id, DigestDelivery.week == week)
                .order_by(DigestDelivery.kind, DigestDelivery.recipient)
            ).all()

    def unfinished(self, team_id: str) -> Sequence[DigestDelivery]:
        with self.db.unit_of_work() as session:
            return session.scalars(
                select(DigestDelivery)
                .where(
                    DigestDelivery.team_id == team_id,
                    DigestDelivery.status.in_([*RETRYABLE, DeliveryStatus.SENDING]),
                )
                .order_by(DigestDelivery.week, DigestDelivery.id)
            ).all()

    def save_snapshot(self, team_id: str, week: str, numbers: dict[str, Any], now: datetime) -> None:
        try:
            with self.db.unit_of_work() as session:
                found = session.scalar(
                    select(DigestSnapshot).where(DigestSnapshot.team_id == team_id, DigestSnapshot.week == week)
                )
                if found is None:
                    session.add(DigestSnapshot(team_id=team_id, week=week, numbers=numbers, created_at=now))
                else:
                    found.numbers = numbers
        except IntegrityError:
            pass  # a racing worker saved the same week's numbers

    def snapshot(self, team_id: str, week: str) -> dict[str, Any] | None:
        with self.db.unit_of_work() as session:
            return session.scalar(
                select(DigestSnapshot.numbers).where(DigestSnapshot.team_id == team_id, DigestSnapshot.week == week)
            )

    def latest_snapshot(self, team_id: str) -> DigestSnapshot | None:
        with self.db.unit_of_work() as session:
            return session.scalar(
                select(DigestSnapshot)
                .where(DigestSnapshot.team_id == team_id)
                .order_by(DigestSnapshot.week.desc())
                .limit(1)
            )


def _row(team_id: str, week: str, kind: DeliveryKind, recipient: str) -> Any:
    return select(DigestDelivery).where(
        DigestDelivery.team_id == team_id,
        DigestDelivery.week == week,
        DigestDelivery.kind == kind,
        DigestDelivery.recipient == recipient,
    )
