"""Concerns about a mentee and their dated trail; and the repository. Never commits: the unit of work does.

A concern is never edited in place: what was first recorded stays as it was, and everything after it
(an update, what was agreed, when it was discussed with the mentee, the resolution) is a new dated entry
on its trail, with its author.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import date, datetime

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
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime, str_enum
from storage.db import insert_ignoring_conflicts
from storage.roster import MenteeKind, Mentorship
from storage.targets import Target


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
    AGREED_ACTIONS = "agreed_actions"  # SLT at the probation mid-point: action points, support, next review


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


class PlanStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # back on track
    ESCALATED = "escalated"  # to the provider or the appropriate body


class PlanOutcome(enum.StrEnum):
    """A review's outcome."""

    BACK_ON_TRACK = "back_on_track"  # the plan is closed
    CONTINUED = "continued"  # with a new review date
    ESCALATED = "escalated"


class SupportPlan(Base):
    """A support plan (an IRP for a trainee): areas of concern, plan targets, support, a review date, an outcome."""

    __tablename__ = "support_plans"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_support_plans_team_status", "team_id", "status"),
        Index("ix_support_plans_team_mentee", "team_id", "mentee_id"),
        Index("ix_support_plans_team_owner", "team_id", "owner_id"),  # a mentor's own work
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentorship_id: Mapped[int] = mapped_column(ForeignKey("mentorships.id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))  # who started it: reminded of its reviews
    concern_id: Mapped[int | None] = mapped_column(ForeignKey("concerns.id"))  # started from it
    areas: Mapped[str] = mapped_column(Text)  # the areas of concern
    standards: Mapped[list[str]] = mapped_column(JSON, default=list)  # "1"…"8", "P2"
    support: Mapped[str] = mapped_column(Text)  # the support to be given, and by whom
    informed: Mapped[str | None] = mapped_column(Text)  # who else is told: names (link tutor, appropriate body)
    review_on: Mapped[date] = mapped_column(Date)
    status: Mapped[PlanStatus] = mapped_column(str_enum(PlanStatus, "plan_status"), default=PlanStatus.OPEN)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the mentee signed to say they've seen it
    # The review date each reminder was last sent for: a continued plan's new date is reminded again.
    reminded_before_for: Mapped[date | None] = mapped_column(Date)
    reminded_on_day_for: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    reviews: Mapped[list[PlanReview]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanReview.id"
    )


class PlanReview(Base):
    """One review of a plan: its outcome, notes and (when continued) the next review date."""

    __tablename__ = "plan_reviews"
    __table_args__ = (UniqueConstraint("team_id", "submission_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    plan_id: Mapped[int] = mapped_column(ForeignKey("support_plans.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[PlanOutcome] = mapped_column(str_enum(PlanOutcome, "plan_outcome"))
    notes: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[date] = mapped_column(Date)
    next_review_on: Mapped[date | None] = mapped_column(Date)
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    plan: Mapped[SupportPlan] = relationship(back_populates="reviews")


class WarningEpisode(Base):
    """An early warning raised once: one row per episode (the rule's key while its condition holds)."""

    __tablename__ = "warning_episodes"
    __table_args__ = (
        UniqueConstraint("team_id", "mentee_id", "episode_key"),
        Index("ix_warning_episodes_team_mentee", "team_id", "mentee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentee_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    episode_key: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(Text)  # dates and counts, as first raised
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the hourly check finds the condition no longer holds; cleared again if it comes back.
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WarningRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def known(self, team_id: str) -> dict[tuple[str, str], WarningEpisode]:
        """Every episode raised in the workspace, by (mentee, key)."""
        rows = self.session.scalars(select(WarningEpisode).where(WarningEpisode.team_id == team_id))
        return {(row.mentee_id, row.episode_key): row for row in rows}

    def raise_once(self, team_id: str, mentee_id: str, kind: str, key: str, evidence: str, now: datetime) -> bool:
        """Store a new episode; False when it was raised before (by this run or another)."""
        values = dict(
            team_id=team_id, mentee_id=mentee_id, kind=kind, episode_key=key, evidence=evidence, raised_at=now
        )
        return insert_ignoring_conflicts(
            self.session, WarningEpisode, values, on=["team_id", "mentee_id", "episode_key"]
        )

    def holding(self, team_id: str) -> Sequence[WarningEpisode]:
        """Episodes whose condition held at the last check (what a lead's Home shows): one query."""
        return self.session.scalars(
            select(WarningEpisode)
            .where(WarningEpisode.team_id == team_id, WarningEpisode.cleared_at.is_(None))
            .order_by(WarningEpisode.mentee_id, WarningEpisode.id)
        ).all()

    def mark_cleared(self, team_id: str, episode_ids: Collection[int], now: datetime) -> None:
        if episode_ids:
            self.session.execute(
                update(WarningEpisode)
                .where(WarningEpisode.team_id == team_id, WarningEpisode.id.in_(episode_ids))
                .values(cleared_at=now)
            )

    def mark_holding(self, team_id: str, episode_ids: Collection[int]) -> None:
        if episode_ids:
            self.session.execute(
                update(WarningEpisode)
                .where(WarningEpisode.team_id == team_id, WarningEpisode.id.in_(episode_ids))
                .values(cleared_at=None)
            )

    def raised_between(self, team_id: str, first: datetime, last: datetime) -> Sequence[WarningEpisode]:
        """Episodes first raised in a period (a digest's week), oldest first."""
        return self.session.scalars(
            select(WarningEpisode)
            .where(WarningEpisode.team_id == team_id)
            .where(WarningEpisode.raised_at >= first, WarningEpisode.raised_at <= last)
            .order_by(WarningEpisode.raised_at, WarningEpisode.id)
        ).all()

    def get(self, team_id: str, episode_id: int) -> WarningEpisode | None:
        return self.session.scalar(
            select(WarningEpisode).where(WarningEpisode.team_id == team_id, WarningEpisode.id == episode_id)
        )


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

    def open_with_updates(self, team_id: str) -> Sequence[tuple[Concern, int]]:
        """Every open concern in the school, oldest first, with how many updates its trail has: one query."""
        updates = (
            select(func.count(ConcernEntry.id))
            .where(ConcernEntry.concern_id == Concern.id, ConcernEntry.kind == EntryKind.UPDATE)
            .correlate(Concern)
            .scalar_subquery()
        )
        rows = self.session.execute(
            select(Concern, updates)
            .where(Concern.team_id == team_id, Concern.status == ConcernStatus.OPEN)
            .order_by(Concern.created_at, Concern.id)
        ).all()
        return [(concern, int(count or 0)) for concern, count in rows]

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


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, plan_id: int) -> SupportPlan | None:
        return self.session.scalar(
            select(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.id == plan_id)
            .options(selectinload(SupportPlan.reviews))
        )

    def by_submission(self, team_id: str, submission_key: str) -> SupportPlan | None:
        return self.session.scalar(
            select(SupportPlan).where(SupportPlan.team_id == team_id, SupportPlan.submission_key == submission_key)
        )

    def review_by_submission(self, team_id: str, submission_key: str) -> PlanReview | None:
        return self.session.scalar(
            select(PlanReview).where(PlanReview.team_id == team_id, PlanReview.submission_key == submission_key)
        )

    def add(self, plan: SupportPlan) -> SupportPlan:
        self.session.add(plan)
        self.session.flush()
        return plan

    def add_review(self, review: PlanReview) -> PlanReview:
        self.session.add(review)
        self.session.flush()
        return review

    def open_for(self, team_id: str, mentee_id: str) -> Sequence[SupportPlan]:
        return self.session.scalars(
            select(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.mentee_id == mentee_id)
            .where(SupportPlan.status == PlanStatus.OPEN)
            .order_by(SupportPlan.id)
        ).all()

    def open(self, team_id: str) -> Sequence[SupportPlan]:
        """Every open plan in the school, soonest review first."""
        return self.session.scalars(
            select(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.status == PlanStatus.OPEN)
            .order_by(SupportPlan.review_on, SupportPlan.id)
        ).all()

    def claim_reminder(self, team_id: str, plan_id: int, review_on: date, *, on_day: bool) -> bool:
        """Mark a review reminder as sent for this review date; True for the one caller that did."""
        column = SupportPlan.reminded_on_day_for if on_day else SupportPlan.reminded_before_for
        result = self.session.execute(
            update(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.id == plan_id, SupportPlan.review_on == review_on)
            .where(SupportPlan.status == PlanStatus.OPEN)
            .where(or_(column.is_(None), column != review_on))
            .values({column.key: review_on})
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def release_reminder(self, team_id: str, plan_id: int, *, on_day: bool) -> None:
        """A reminder that could not be sent is owed again."""
        column = SupportPlan.reminded_on_day_for if on_day else SupportPlan.reminded_before_for
        self.session.execute(
            update(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.id == plan_id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )

    def claim_signed(self, team_id: str, plan_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(SupportPlan)
            .where(SupportPlan.team_id == team_id, SupportPlan.id == plan_id, SupportPlan.signed_at.is_(None))
            .values(signed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def targets(self, team_id: str, plan_id: int) -> Sequence[Target]:
        """A plan's targets, in the order they were set."""
        return self.session.scalars(
            select(Target).where(Target.team_id == team_id, Target.plan_id == plan_id).order_by(Target.id)
        ).all()

    def target_counts(self, team_id: str, plan_ids: Sequence[int]) -> dict[int, int]:
        if not plan_ids:
            return {}
        rows = self.session.execute(
            select(Target.plan_id, func.count())
            .where(Target.team_id == team_id, Target.plan_id.in_(plan_ids))
            .group_by(Target.plan_id)
        )
        return {int(plan_id or 0): int(count) for plan_id, count in rows}

    def mentee_kind(self, plan: SupportPlan) -> MenteeKind | None:
        return self.session.scalar(select(Mentorship.mentee_kind).where(Mentorship.id == plan.mentorship_id))

    def last_reviewed_on(self, team_id: str, mentee_id: str) -> list[date]:
        """The date of the mentee's latest plan review, if any (as a list: empty when none)."""
        latest = self.session.scalar(
            select(func.max(PlanReview.reviewed_on))
            .join(SupportPlan, SupportPlan.id == PlanReview.plan_id)
            .where(SupportPlan.team_id == team_id, SupportPlan.mentee_id == mentee_id)
        )
        return [latest] if latest else []
