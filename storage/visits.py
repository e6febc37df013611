"""Peer visits (a colleague in someone's classroom: never rated) and SLT learning walks with the colleagues they
thank; and the repository. Never commits: the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from storage.base import Base, UTCDateTime


class PeerVisit(Base):
    __tablename__ = "peer_visits"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_peer_visits_team_visited", "team_id", "visited_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    visitor_id: Mapped[str] = mapped_column(String(32))
    visited_id: Mapped[str] = mapped_column(String(32))
    visited_on: Mapped[date] = mapped_column(Date)
    focus: Mapped[str | None] = mapped_column(Text)
    noticed: Mapped[str | None] = mapped_column(Text)
    will_try: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)  # the visited colleague's thanks or comment
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LearningWalk(Base):
    """SLT in classrooms, "not to give next steps but to note good practice"."""

    __tablename__ = "learning_walks"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_learning_walks_team_on", "team_id", "walked_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    walker_id: Mapped[str] = mapped_column(String(32))
    walked_on: Mapped[date] = mapped_column(Date)
    classrooms: Mapped[str | None] = mapped_column(Text)
    good_practice: Mapped[str | None] = mapped_column(Text)
    share_name: Mapped[bool] = mapped_column(Boolean, default=False)  # the walker's name beside it in the summary
    submission_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    thanks: Mapped[list[WalkThanks]] = relationship(
        back_populates="walk", cascade="all, delete-orphan", order_by="WalkThanks.id"
    )


class WalkThanks(Base):
    """A colleague a learning walk thanks: each gets one "well done" DM."""

    __tablename__ = "learning_walk_thanks"
    __table_args__ = (UniqueConstraint("walk_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    walk_id: Mapped[int] = mapped_column(ForeignKey("learning_walks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    walk: Mapped[LearningWalk] = relationship(back_populates="thanks")


class VisitRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, visit_id: int) -> PeerVisit | None:
        return self.session.scalar(select(PeerVisit).where(PeerVisit.team_id == team_id, PeerVisit.id == visit_id))

    def by_submission(self, team_id: str, key: str) -> PeerVisit | None:
        return self.session.scalar(
            select(PeerVisit).where(PeerVisit.team_id == team_id, PeerVisit.submission_key == key)
        )

    def add(self, visit: PeerVisit) -> PeerVisit:
        self.session.add(visit)
        self.session.flush()
        return visit

    def claim_reply(self, team_id: str, visit_id: int, reply: str, now: datetime) -> bool:
        """The visited colleague's reply, once (a double click on Send stores it once)."""
        result = self.session.execute(
            update(PeerVisit)
            .where(PeerVisit.team_id == team_id, PeerVisit.id == visit_id, PeerVisit.replied_at.is_(None))
            .values(reply=reply, replied_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1

    def received_counts(self, team_id: str, first: date, last: date) -> dict[str, int]:
        """Visits each person received between two dates (inclusive)."""
        rows = self.session.execute(
            select(PeerVisit.visited_id, func.count())
            .where(PeerVisit.team_id == team_id, PeerVisit.visited_on >= first, PeerVisit.visited_on <= last)
            .group_by(PeerVisit.visited_id)
        )
        return {user_id: int(count) for user_id, count in rows}

    def made_count(self, team_id: str, user_id: str, first: date, last: date) -> int:
        return int(
            self.session.scalar(
                select(func.count())
                .select_from(PeerVisit)
                .where(PeerVisit.team_id == team_id, PeerVisit.visitor_id == user_id)
                .where(PeerVisit.visited_on >= first, PeerVisit.visited_on <= last)
            )
            or 0
        )

    def home_counts(self, team_id: str, user_id: str, first: date, last: date) -> tuple[bool, int, int]:
        """One query for a Home: (on the coaching staff list, visits received, visits made) between two dates."""
        from storage.coaching import StaffMember

        in_half = (PeerVisit.team_id == team_id, PeerVisit.visited_on >= first, PeerVisit.visited_on <= last)
        row = self.session.execute(
            select(
                select(func.count())
                .select_from(StaffMember)
                .where(StaffMember.team_id == team_id, StaffMember.user_id == user_id, StaffMember.active.is_(True))
                .scalar_subquery(),
                select(func.count())
                .select_from(PeerVisit)
                .where(*in_half, PeerVisit.visited_id == user_id)
                .scalar_subquery(),
                select(func.count())
                .select_from(PeerVisit)
                .where(*in_half, PeerVisit.visitor_id == user_id)
                .scalar_subquery(),
            )
        ).one()
        return bool(row[0]), int(row[1] or 0), int(row[2] or 0)

    # --- learning walks ------------------------------------------------------------------------------------
    def walk_by_submission(self, team_id: str, key: str) -> LearningWalk | None:
        return self.session.scalar(
            select(LearningWalk)
            .where(LearningWalk.team_id == team_id, LearningWalk.submission_key == key)
            .options(selectinload(LearningWalk.thanks))
        )

    def add_walk(self, walk: LearningWalk) -> LearningWalk:
        self.session.add(walk)
        self.session.flush()
        return walk

    def walks_between(self, team_id: str, first: date, last: date) -> Sequence[LearningWalk]:
        return self.session.scalars(
            select(LearningWalk)
            .where(LearningWalk.team_id == team_id, LearningWalk.walked_on >= first, LearningWalk.walked_on <= last)
            .order_by(LearningWalk.walked_on, LearningWalk.id)
        ).all()

    def claim_thanks(self, team_id: str, thanks_id: int, now: datetime) -> bool:
        result = self.session.execute(
            update(WalkThanks)
            .where(WalkThanks.team_id == team_id, WalkThanks.id == thanks_id, WalkThanks.sent_at.is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
        return getattr(result, "rowcount", 0) == 1
