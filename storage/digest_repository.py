"""Delivery claims for digests: insert once, claim with a conditional update, so only one worker sends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import DeliveryKind, DeliveryStatus, DigestDelivery, DigestSnapshot

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
