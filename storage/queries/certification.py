"""What a mentor's logged work evidences, read from the records as they stand (no extra step for the mentor):
one query per kind of record, each giving the dates of what was counted. Which standards and criteria a kind
counts towards is the scheme's business (bot/certification/scheme.py), not this module's.

Never a note's text: only dates, and for the reflection modal's menu, the record's kind, date and whom it was about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from storage.certification import TrainingSession
from storage.concerns import SupportPlan
from storage.digests import Nudge
from storage.meetings import Meeting, MeetingTargetReview
from storage.observations import Observation, ObservationEntry
from storage.reviews import Capacity, Review, ReviewSignature
from storage.roster import MenteeKind, Mentorship
from storage.targets import Target, TargetStatus

MENU_LIMIT = 45  # of each kind of record in the reflection modal's menu (Slack allows 100 options in all)


def _dates(rows: Sequence[Any]) -> list[date]:
    return sorted(row[0].date() if isinstance(row[0], datetime) else row[0] for row in rows)


class CertificationQueries:
    def __init__(self, session: Session, team_id: str) -> None:
        self.session = session
        self.team_id = team_id

    def gathered(self, person_id: str) -> dict[str, list[date]]:
        """Every kind of record the scheme can count, with the dates of the person's records of that kind."""
        s, team = self.session, self.team_id
        meetings = s.execute(
            select(Meeting.held_on, Meeting.signed_off_at).where(
                Meeting.team_id == team, Meeting.author_id == person_id
            )
        ).all()
        has_feedback = exists().where(
            ObservationEntry.observation_id == Observation.id, func.length(func.coalesce(ObservationEntry.text, "")) > 0
        )
        observations = s.execute(
            select(Observation.observed_on, Observation.reflected_at).where(
                Observation.team_id == team, Observation.observer_id == person_id, has_feedback
            )
        ).all()
        joint = s.execute(
            select(Observation.observed_on).where(
                Observation.team_id == team,
                Observation.second_observer_id.is_not(None),
                or_(Observation.observer_id == person_id, Observation.second_observer_id == person_id),
            )
        ).all()
        targets = s.execute(
            select(Target.id, Target.created_at, Target.status, Target.closed_at).where(
                Target.team_id == team, Target.set_by == person_id
            )
        ).all()
        reviewed_at = dict(
            s.execute(
                select(MeetingTargetReview.target_id, func.min(Meeting.held_on))
                .join(Meeting, Meeting.id == MeetingTargetReview.meeting_id)
                .join(Target, Target.id == MeetingTargetReview.target_id)
                .where(Target.team_id == team, Target.set_by == person_id)
                .group_by(MeetingTargetReview.target_id)
            ).all()
        )
        reviewed: list[date] = []
        for target_id, _created_at, status, closed_at in targets:
            if target_id in reviewed_at:
                reviewed.append(reviewed_at[target_id])
            elif status is not TargetStatus.OPEN and closed_at is not None:
                reviewed.append(closed_at.date())
        reviews = s.execute(
            select(Review.created_at).where(Review.team_id == team, Review.author_id == person_id)
        ).all()
        assured = s.execute(
            select(ReviewSignature.signed_at).where(
                ReviewSignature.team_id == team,
                ReviewSignature.signer_id == person_id,
                ReviewSignature.signed_at.is_not(None),
                ReviewSignature.capacity.in_([Capacity.TUTOR, Capacity.HEAD]),
            )
        ).all()
        plans = s.execute(
            select(SupportPlan.created_at).where(SupportPlan.team_id == team, SupportPlan.owner_id == person_id)
        ).all()
        nudged = s.execute(select(Nudge.sent_at).where(Nudge.team_id == team, Nudge.mentor_id == person_id)).all()
        held = sorted(row.held_on for row in meetings)
        acted = [
            sent.date()
            for (sent,) in nudged
            if any(sent.date() <= day <= sent.date() + timedelta(days=7) for day in held)
        ]
        sent = s.execute(select(Nudge.sent_at).where(Nudge.team_id == team, Nudge.nudged_by == person_id)).all()
        training = s.execute(
            select(TrainingSession.held_on).where(
                TrainingSession.team_id == team, TrainingSession.mentor_id == person_id
            )
        ).all()
        return {
            "meetings_held": held,
            "meetings_signed_off": sorted(row.held_on for row in meetings if row.signed_off_at is not None),
            "observations_with_feedback": sorted(row.observed_on for row in observations),
            "observations_reflected": sorted(row.observed_on for row in observations if row.reflected_at is not None),
            "targets_set": sorted(row.created_at.date() for row in targets),
            "targets_reviewed": sorted(reviewed),
            "joint_observations": _dates(joint),
            "reviews_written": _dates(reviews),
            "reviews_quality_assured": _dates(assured),
            "support_plans": _dates(plans),
            "nudges_acted_on": sorted(acted),
            "nudges_sent": _dates(sent),
            "training": _dates(training),
        }

    def own_records(self, person_id: str) -> list[tuple[str, int, date, str]]:
        """The person's own meetings and observations for the reflection modal's menu: (kind, id, date, about)."""
        meetings = self.session.execute(
            select(Meeting.id, Meeting.held_on, Meeting.mentee_id)
            .where(Meeting.team_id == self.team_id, Meeting.author_id == person_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            .limit(MENU_LIMIT)
        ).all()
        observations = self.session.execute(
            select(Observation.id, Observation.observed_on, Observation.teacher_id)
            .where(
                Observation.team_id == self.team_id,
                or_(Observation.observer_id == person_id, Observation.second_observer_id == person_id),
            )
            .order_by(Observation.observed_on.desc(), Observation.id.desc())
            .limit(MENU_LIMIT)
        ).all()
        return [("meeting", r.id, r.held_on, r.mentee_id) for r in meetings] + [
            ("observation", r.id, r.observed_on, r.teacher_id) for r in observations
        ]

    def ect_mentoring_since(self, mentor_ids: Sequence[str] | None = None) -> dict[str, date]:
        """Each mentor of an ECT, with the day their first ECT mentorship began (their first year runs from it)."""
        query = (
            select(Mentorship.mentor_id, func.min(Mentorship.start_date))
            .where(Mentorship.team_id == self.team_id, Mentorship.mentee_kind == MenteeKind.ECT)
            .group_by(Mentorship.mentor_id)
        )
        if mentor_ids is not None:
            query = query.where(Mentorship.mentor_id.in_(mentor_ids))
        return {mentor: started for mentor, started in self.session.execute(query).all()}

    def training_minutes(self, since: dict[str, date]) -> dict[str, int]:
        """Minutes of training each mentor logged up to the end of their first year of ECT mentoring."""
        if not since:
            return {}
        minutes: dict[str, int] = {}
        rows = self.session.execute(
            select(TrainingSession.mentor_id, TrainingSession.held_on, TrainingSession.minutes).where(
                TrainingSession.team_id == self.team_id, TrainingSession.mentor_id.in_(list(since))
            )
        ).all()
        for mentor, held_on, count in rows:
            start = since[mentor]
            if held_on < start + timedelta(days=365):  # training before the first ECT counts too
                minutes[mentor] = minutes.get(mentor, 0) + count
        return minutes

    def current_mentors(self, today: date) -> list[str]:
        """Everyone mentoring someone today."""
        return list(
            self.session.scalars(
                select(Mentorship.mentor_id)
                .where(Mentorship.team_id == self.team_id, Mentorship.ended_at.is_(None))
                .where(Mentorship.start_date <= today, Mentorship.end_date >= today)
                .distinct()
            ).all()
        )
