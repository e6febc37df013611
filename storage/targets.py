"""Targets and the unconfirmed /target drafts; and the repository. Never commits."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.db import insert_ignoring_conflicts


class TargetStatus(enum.StrEnum):
    OPEN = "open"
    MET = "met"
    NOT_MET = "not_met"
    DROPPED = "dropped"


class Target(Base):
    __tablename__ = "targets"
    __table_args__ = (
        # Confirm clicked twice (or a meeting submitted twice) carries the same key: one target.
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_targets_team_mentee_status", "team_id", "mentee_id", "status"),
        Index("ix_targets_team_set_by", "team_id", "set_by"),  # a mentor's own work
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_phrase: Mapped[str | None] = mapped_column(String(200))  # the words the date came from, as typed
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)  # "1"…"8", "P2"
    status: Mapped[TargetStatus] = mapped_column(str_enum(TargetStatus, "target_status"), default=TargetStatus.OPEN)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))  # the meeting that set it
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("support_plans.id"))  # a support plan's target
    # Meetings it was carried past while still open; flagged (for the lead mentor's digest) at two.
    carried_count: Mapped[int] = mapped_column(Integer, default=0)
    flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ready_for_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    submission_key: Mapped[str] = mapped_column(String(64))
    mentee_message_channel: Mapped[str | None] = mapped_column(String(32))
    mentee_message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_overdue(self, today: date) -> bool:
        return self.status is TargetStatus.OPEN and self.due_on < today


class TargetDraft(Base):
    """A target typed with /target, waiting for the mentor's Confirm; its key is the Confirm button's."""

    __tablename__ = "target_drafts"
    __table_args__ = (UniqueConstraint("key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    key: Mapped[str] = mapped_column(String(64))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    set_by: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    due_phrase: Mapped[str | None] = mapped_column(String(200))
    due_given: Mapped[bool] = mapped_column(Boolean, default=True)  # False: the bot suggested the date
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"))  # set once confirmed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
        """Close an open target; True for the one caller that did (a second click, or a meeting review racing
        a button, finds it closed). The only way a target's status changes."""
        return self._claim(team_id, target_id, status=status, closed_at=now, closed_by=by, updated_at=now)

    def claim_carry(self, team_id: str, target_id: int, now: datetime) -> bool:
        """Carry an open target past a meeting; False if it was closed meanwhile (a DM button got there first)."""
        return self._claim(team_id, target_id, carried_count=Target.carried_count + 1, updated_at=now)

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

    def add_draft_once(self, values: dict[str, Any]) -> bool:
        """Store a draft unless one with its key exists (the same request again, even at the same moment)."""
        return insert_ignoring_conflicts(self.session, TargetDraft, values, on=["key"])

    def delete_drafts_before(self, created_before: datetime) -> int:
        """Drafts no one can confirm any more (in every workspace): they hold typed words, so they go."""
        result = self.session.execute(
            delete(TargetDraft)
            .where(TargetDraft.created_at < created_before)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
