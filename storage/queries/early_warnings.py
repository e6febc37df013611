"""The records the early-warning rules read (bot/core/early_warnings.py), for one workspace in five queries:
live mentorships, observations with their ratings, meetings, and open targets carried past a meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry
from storage.roster import Mentorship
from storage.targets import Target, TargetStatus


class EarlyWarningQueries:
    def __init__(self, session: Session, team_id: str) -> None:
        self.session = session
        self.team_id = team_id

    def mentorships(self, today: date) -> Iterable[Any]:
        """(mentee, started, cadence) of live mentorships, the earliest first for each mentee."""
        return self.session.execute(
            select(Mentorship.mentee_id, Mentorship.start_date, Mentorship.meeting_cadence)
            .where(Mentorship.team_id == self.team_id, Mentorship.ended_at.is_(None))
            .where(Mentorship.start_date <= today)
            .order_by(Mentorship.mentee_id, Mentorship.start_date, Mentorship.id)
        ).all()

    def observations(self) -> Iterable[Any]:
        """(id, teacher, observed on, reflected at) oldest first."""
        return self.session.execute(
            select(Observation.id, Observation.teacher_id, Observation.observed_on, Observation.reflected_at)
            .where(Observation.team_id == self.team_id)
            .order_by(Observation.observed_on, Observation.id)
        ).all()

    def ratings(self) -> Iterable[Any]:
        """(observation id, standard key, rating) of every rated entry."""
        return self.session.execute(
            select(ObservationEntry.observation_id, ObservationEntry.key, ObservationEntry.rating)
            .join(Observation, Observation.id == ObservationEntry.observation_id)
            .where(Observation.team_id == self.team_id, ObservationEntry.rating.is_not(None))
        ).all()

    def meetings(self) -> Iterable[Any]:
        """(id, mentee, held on, wellbeing, next meeting agreed) oldest first."""
        return self.session.execute(
            select(Meeting.id, Meeting.mentee_id, Meeting.held_on, Meeting.wellbeing, Meeting.next_meeting_on)
            .where(Meeting.team_id == self.team_id)
            .order_by(Meeting.held_on, Meeting.id)
        ).all()

    def carried_targets(self) -> Iterable[Any]:
        """(id, mentee, carried, due on) of open targets carried past at least one meeting."""
        return self.session.execute(
            select(Target.id, Target.mentee_id, Target.carried_count, Target.due_on)
            .where(Target.team_id == self.team_id, Target.status == TargetStatus.OPEN, Target.carried_count > 0)
            .order_by(Target.id)
        ).all()
