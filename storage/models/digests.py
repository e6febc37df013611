"""Weekly digests: one delivery row per recipient per week, claimed before sending so nothing goes twice."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, str_enum


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
