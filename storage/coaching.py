"""Coaching: the staff list (who takes part, their phase, terms they are away), triplet rounds proposed and
approved per subject and term, each triplet and its members' takeaways; and the repository. Never commits.

A round is proposed (its triplets and members written as rows), regenerated or edited while proposed (each
change bumps its `version`, so an Approve pressed on an older proposal is refused), then approved once.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime, str_enum


class RoundStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"


class StaffMember(Base):
    """Someone who takes part in coaching and peer visits (every member of staff, not only mentees)."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str | None] = mapped_column(String(40))  # EYFS, KS1, KS2… as the school writes it
    key_stage: Mapped[str | None] = mapped_column(String(40))
    year_group: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(60))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffAbsence(Base):
    """A term someone is away from coaching (leave, part-time days): they are left out of that term's triplets."""

    __tablename__ = "staff_absences"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    term: Mapped[str] = mapped_column(String(60))  # the school calendar's term name
    added_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoachingRound(Base):
    """One subject's triplets for one term."""

    __tablename__ = "coaching_rounds"
    __table_args__ = (Index("ix_coaching_rounds_team_subject_term", "team_id", "subject", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    subject: Mapped[str] = mapped_column(String(40))  # maths, reading, writing, or a subject the school adds
    term: Mapped[str] = mapped_column(String(60))
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    status: Mapped[RoundStatus] = mapped_column(str_enum(RoundStatus, "coaching_round_status"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer, default=0)  # pairings from earlier terms that could not be avoided
    proposed_by: Mapped[str] = mapped_column(String(32))
    approved_by: Mapped[str | None] = mapped_column(String(32))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    triplets: Mapped[list[Triplet]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Triplet.position"
    )


class Triplet(Base):
    """A group of three (two where the numbers force it) and its session."""

    __tablename__ = "coaching_triplets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("coaching_rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    channel_id: Mapped[str | None] = mapped_column(String(32))  # the group DM, once approved
    session_on: Mapped[date | None] = mapped_column(Date)
    checked_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # "did you meet?" asked (claimed)
    met: Mapped[bool | None] = mapped_column(Boolean)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the one nudge (claimed)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    round: Mapped[CoachingRound] = relationship(back_populates="triplets")
    members: Mapped[list[TripletMember]] = relationship(
        back_populates="triplet", cascade="all, delete-orphan", order_by="TripletMember.id"
    )

    @property
    def user_ids(self) -> list[str]:
        return [m.user_id for m in self.members]


class TripletMember(Base):
    """One person in a triplet, and their takeaway: never rated; named beyond the triplet only if they share it."""

    __tablename__ = "coaching_members"
    __table_args__ = (
        UniqueConstraint("triplet_id", "user_id"),
        Index("ix_coaching_members_team_user", "team_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    triplet_id: Mapped[int] = mapped_column(ForeignKey("coaching_triplets.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    takeaway: Mapped[str | None] = mapped_column(Text)
    share_name: Mapped[bool] = mapped_column(Boolean, default=False)
    takeaway_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    triplet: Mapped[Triplet] = relationship(back_populates="members")


def _claimed(result: object) -> bool:
    return getattr(result, "rowcount", 0) == 1


class CoachingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- staff ---------------------------------------------------------------------------------------------
    def staff(self, team_id: str) -> Sequence[StaffMember]:
        return self.session.scalars(
            select(StaffMember)
            .where(StaffMember.team_id == team_id, StaffMember.active.is_(True))
            .order_by(StaffMember.user_id)
        ).all()

    def staff_member(self, team_id: str, user_id: str) -> StaffMember | None:
        return self.session.scalar(
            select(StaffMember).where(StaffMember.team_id == team_id, StaffMember.user_id == user_id)
        )

    def add_staff(self, member: StaffMember) -> StaffMember:
        self.session.add(member)
        self.session.flush()
        return member

    def away(self, team_id: str, term: str) -> set[str]:
        return set(
            self.session.scalars(
                select(StaffAbsence.user_id).where(StaffAbsence.team_id == team_id, StaffAbsence.term == term)
            )
        )

    def absence(self, team_id: str, user_id: str, term: str) -> StaffAbsence | None:
        return self.session.scalar(
            select(StaffAbsence).where(
                StaffAbsence.team_id == team_id, StaffAbsence.user_id == user_id, StaffAbsence.term == term
            )
        )

    def add_absence(self, absence: StaffAbsence) -> None:
        self.session.add(absence)
        self.session.flush()

    # --- rounds --------------------------------------------------------------------------------------------
    def round(self, team_id: str, round_id: int) -> CoachingRound | None:
        return self.session.scalar(
            select(CoachingRound)
            .where(CoachingRound.team_id == team_id, CoachingRound.id == round_id)
            .options(selectinload(CoachingRound.triplets).selectinload(Triplet.members))
        )

    def rounds_for(self, team_id: str, subject: str, term: str) -> Sequence[CoachingRound]:
        return self.session.scalars(
            select(CoachingRound).where(
                CoachingRound.team_id == team_id, CoachingRound.subject == subject, CoachingRound.term == term
            )
        ).all()

    def add_round(self, round_: CoachingRound) -> CoachingRound:
        self.session.add(round_)
        self.session.flush()
        return round_

    def delete_round(self, round_: CoachingRound) -> None:
        self.session.delete(round_)
        self.session.flush()

    def replace_groups(self, round_: CoachingRound, groups: Sequence[Sequence[str]], now: datetime) -> None:
        """The round's triplets become `groups` (while it is proposed)."""
        self.session.execute(delete(Triplet).where(Triplet.round_id == round_.id))
        self.session.flush()
        self.session.expire(round_, ["triplets"])
        for position, group in enumerate(groups, start=1):
            triplet = Triplet(team_id=round_.team_id, round_id=round_.id, position=position, created_at=now)
            triplet.members = [TripletMember(team_id=round_.team_id, user_id=u) for u in group]
            self.session.add(triplet)
        self.session.flush()

    def claim_version(self, team_id: str, round_id: int, version: int, now: datetime, **values: object) -> bool:
        """Change a proposed round still at `version` (bumping it); False when it changed or was approved since."""
        result = self.session.execute(
            update(CoachingRound)
            .where(CoachingRound.team_id == team_id, CoachingRound.id == round_id)
            .where(CoachingRound.version == version, CoachingRound.status == RoundStatus.PROPOSED)
            .values(version=version + 1, updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )
        return _claimed(result)

    def past_pairs(self, team_id: str, before_term_start: date) -> set[frozenset[str]]:
        """Every pair of people who were in an approved triplet together in a term before this one."""
        rows = self.session.execute(
            select(TripletMember.triplet_id, TripletMember.user_id)
            .join(Triplet, Triplet.id == TripletMember.triplet_id)
            .join(CoachingRound, CoachingRound.id == Triplet.round_id)
            .where(CoachingRound.team_id == team_id, CoachingRound.status == RoundStatus.APPROVED)
            .where(CoachingRound.window_start < before_term_start)
        ).all()
        groups: dict[int, list[str]] = {}
        for triplet_id, user_id in rows:
            groups.setdefault(triplet_id, []).append(user_id)
        return {frozenset((a, b)) for group in groups.values() for i, a in enumerate(group) for b in group[i + 1 :]}

    def approved_in(self, team_id: str, on: date) -> Sequence[CoachingRound]:
        """Approved rounds whose window contains `on`."""
        return self.session.scalars(
            select(CoachingRound)
            .where(CoachingRound.team_id == team_id, CoachingRound.status == RoundStatus.APPROVED)
            .where(CoachingRound.window_start <= on, CoachingRound.window_end >= on)
            .order_by(CoachingRound.subject)
            .options(selectinload(CoachingRound.triplets).selectinload(Triplet.members))
        ).all()

    # --- triplets ------------------------------------------------------------------------------------------
    def triplet(self, team_id: str, triplet_id: int) -> Triplet | None:
        return self.session.scalar(
            select(Triplet)
            .where(Triplet.team_id == team_id, Triplet.id == triplet_id)
            .options(selectinload(Triplet.members), selectinload(Triplet.round))
        )

    def triplets_of(self, team_id: str, user_id: str, on: date) -> Sequence[Triplet]:
        """The person's triplets in approved rounds whose window contains `on`."""
        return self.session.scalars(
            select(Triplet)
            .join(CoachingRound, CoachingRound.id == Triplet.round_id)
            .join(TripletMember, TripletMember.triplet_id == Triplet.id)
            .where(Triplet.team_id == team_id, TripletMember.user_id == user_id)
            .where(CoachingRound.status == RoundStatus.APPROVED)
            .where(CoachingRound.window_start <= on, CoachingRound.window_end >= on)
            .order_by(CoachingRound.subject)
            .options(selectinload(Triplet.members), selectinload(Triplet.round))
        ).all()

    def approved_triplets(self, team_id: str) -> Sequence[Triplet]:
        """Every triplet of an approved round that has not been checked back on, or not nudged: the job's list."""
        return self.session.scalars(
            select(Triplet)
            .join(CoachingRound, CoachingRound.id == Triplet.round_id)
            .where(Triplet.team_id == team_id, CoachingRound.status == RoundStatus.APPROVED)
            .where(Triplet.channel_id.is_not(None))
            .where((Triplet.checked_back_at.is_(None)) | (Triplet.nudged_at.is_(None)))
            .options(selectinload(Triplet.members), selectinload(Triplet.round))
            .order_by(Triplet.id)
        ).all()

    def claim_check_back(self, team_id: str, triplet_id: int, now: datetime) -> bool:
        return _claimed(
            self.session.execute(
                update(Triplet)
                .where(Triplet.team_id == team_id, Triplet.id == triplet_id, Triplet.checked_back_at.is_(None))
                .values(checked_back_at=now)
                .execution_options(synchronize_session=False)
            )
        )

    def claim_nudge(self, team_id: str, triplet_id: int, now: datetime) -> bool:
        return _claimed(
            self.session.execute(
                update(Triplet)
                .where(Triplet.team_id == team_id, Triplet.id == triplet_id, Triplet.nudged_at.is_(None))
                .where(Triplet.met.is_not(True))
                .values(nudged_at=now)
                .execution_options(synchronize_session=False)
            )
        )

    def claim_session(self, team_id: str, triplet_id: int, on: date) -> bool:
        """Book the session for `on`; False when it is already booked for that day (a retry, a second click)."""
        return _claimed(
            self.session.execute(
                update(Triplet)
                .where(Triplet.team_id == team_id, Triplet.id == triplet_id)
                .where(or_(Triplet.session_on.is_(None), Triplet.session_on != on))
                .values(session_on=on)
                .execution_options(synchronize_session=False)
            )
        )

    def claim_met(self, team_id: str, triplet_id: int, met: bool) -> bool:
        """Record whether they met; False when that was already said (by another member too). Once met, it stays."""
        return _claimed(
            self.session.execute(
                update(Triplet)
                .where(Triplet.team_id == team_id, Triplet.id == triplet_id)
                .where(or_(Triplet.met.is_(None), Triplet.met.is_(False) if met else Triplet.met.is_(None)))
                .values(met=met)
                .execution_options(synchronize_session=False)
            )
        )

    def claim_takeaway(self, member_id: int, text: str, share: bool, now: datetime) -> bool:
        """Store a member's takeaway; False when it already says exactly that (a retry)."""
        return _claimed(
            self.session.execute(
                update(TripletMember)
                .where(TripletMember.id == member_id)
                .where(
                    or_(
                        TripletMember.takeaway.is_(None),
                        TripletMember.takeaway != text,
                        TripletMember.share_name.is_not(share),
                    )
                )
                .values(takeaway=text, share_name=share, takeaway_at=now)
                .execution_options(synchronize_session=False)
            )
        )

    def release(self, team_id: str, triplet_id: int, column: str) -> None:
        self.session.execute(
            update(Triplet)
            .where(Triplet.team_id == team_id, Triplet.id == triplet_id)
            .values({column: None})
            .execution_options(synchronize_session=False)
        )
