"""Queries for observations. Never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import Observation, ObservationRevision


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
