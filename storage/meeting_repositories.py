"""Queries for meetings, targets and reminders. They never commit: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    Meeting,
    MeetingRevision,
    Mentorship,
    ReminderSent,
    Target,
    TargetDraft,
    TargetStatus,
)


class MeetingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, meeting_id: int) -> Meeting | None:
        """Only ever within the caller's workspace, whatever id was sent."""
        return self.session.scalar(
            select(Meeting)
            .options(selectinload(Meeting.reviews))
            .where(Meeting.team_id == team_id, Meeting.id == meeting_id)
        )

    def by_submission(self, team_id: str, submission_key: str) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .options(selectinload(Meeting.reviews))
            .where(Meeting.team_id == team_id, Meeting.submission_key == submission_key)
        )

    def latest_for_mentee(self, team_id: str, mentee_id: str) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.mentee_id == mentee_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            .limit(1)
        )

    def latest_for_mentorship(self, mentorship_id: int) -> Meeting | None:
        return self.session.scalar(
            select(Meeting)
            .where(Meeting.mentorship_id == mentorship_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
            .limit(1)
        )

    def of_mentee(self, team_id: str, mentee_id: str) -> Sequence[Meeting]:
        return self.session.scalars(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.mentee_id == mentee_id)
            .order_by(Meeting.held_on, Meeting.id)
        ).all()

    def claim_sign_off(self, team_id: str, meeting_id: int, user_id: str, comment: str | None, now: datetime) -> bool:
        """Sign the meeting off unless it already is; True for the one caller that did (a conditional UPDATE,
        so a double-click arriving twice at once signs, and tells the author, once)."""
        result = self.session.execute(
            update(Meeting)
            .where(Meeting.team_id == team_id, Meeting.id == meeting_id, Meeting.signed_off_at.is_(None))
            .values(signed_off_at=now, signed_off_by=user_id, mentee_comment=comment, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def add(self, meeting: Meeting) -> Meeting:
        self.session.add(meeting)
        self.session.flush()
        return meeting

    def add_revision(self, revision: MeetingRevision) -> None:
        self.session.add(revision)

    def revisions(self, meeting_id: int) -> Sequence[MeetingRevision]:
        return self.session.scalars(
            select(MeetingRevision)
            .where(MeetingRevision.meeting_id == meeting_id)
            .order_by(MeetingRevision.changed_at, MeetingRevision.id)
        ).all()


class TargetRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, target_id: int) -> Target | None:
        return self.session.scalar(select(Target).where(Target.team_id == team_id, Target.id == target_id))

    def by_submission(self, team_id: str, submission_key: str) -> Target | None:
        return self.session.scalar(
            select(Target).where(Target.team_id == team_id, Target.submission_key == submission_key)
        )

    def claim_ready(self, team_id: str, target_id: int, now: datetime) -> bool:
        """Mark an open target ready for review unless it already is; True for the one caller that did."""
        return self._claim(
            team_id,
            target_id,
            Target.ready_for_review_at.is_(None),
            ready_for_review_at=now,
            updated_at=now,
        )

    def claim_close(self, team_id: str, target_id: int, status: TargetStatus, by: str, now: datetime) -> bool:
        """Close an open target; True for the one caller that did (a second click finds it closed)."""
        return self._claim(team_id, target_id, status=status, closed_at=now, closed_by=by, updated_at=now)

    def _claim(self, team_id: str, target_id: int, *conditions: Any, **values: Any) -> bool:
        # A conditional UPDATE: of two requests at once, the second waits for the first and then matches nothing.
        result = self.session.execute(
            update(Target)
            .where(Target.team_id == team_id, Target.id == target_id, Target.status == TargetStatus.OPEN, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def open_for(self, team_id: str, mentee_id: str) -> Sequence[Target]:
        """A mentee's open targets, soonest due first."""
        return self.session.scalars(
            select(Target)
            .where(Target.team_id == team_id, Target.mentee_id == mentee_id, Target.status == TargetStatus.OPEN)
            .order_by(Target.due_on, Target.id)
        ).all()

    def many(self, team_id: str, target_ids: Sequence[int]) -> dict[int, Target]:
        if not target_ids:
            return {}
        rows = self.session.scalars(select(Target).where(Target.team_id == team_id, Target.id.in_(target_ids)))
        return {target.id: target for target in rows}

    def set_since(self, team_id: str, mentee_id: str, since: datetime) -> int:
        """How many targets were set for a mentee since `since` (the start of this school week)."""
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(Target)
                .where(Target.team_id == team_id, Target.mentee_id == mentee_id, Target.created_at >= since)
            )
            or 0
        )

    def flagged(self, team_id: str) -> Sequence[Target]:
        """Open targets carried past two meetings: for the lead mentor's digest."""
        return self.session.scalars(
            select(Target)
            .where(Target.team_id == team_id, Target.status == TargetStatus.OPEN, Target.flagged_at.is_not(None))
            .order_by(Target.flagged_at, Target.id)
        ).all()

    def of_meeting(self, meeting_id: int) -> Sequence[Target]:
        return self.session.scalars(select(Target).where(Target.meeting_id == meeting_id).order_by(Target.id)).all()

    def add(self, target: Target) -> Target:
        self.session.add(target)
        self.session.flush()
        return target

    # --- drafts typed with /target ---------------------------------------------------------------
    def draft(self, team_id: str, key: str) -> TargetDraft | None:
        return self.session.scalar(select(TargetDraft).where(TargetDraft.team_id == team_id, TargetDraft.key == key))

    def add_draft(self, draft: TargetDraft) -> TargetDraft:
        self.session.add(draft)
        self.session.flush()
        return draft

    def delete_drafts_before(self, created_before: datetime) -> int:
        """Drafts no one can confirm any more (in every workspace): they hold typed words, so they go."""
        result = self.session.execute(
            delete(TargetDraft)
            .where(TargetDraft.created_at < created_before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


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
