"""The roster: workspaces, people, roles, mentorships, the audit log; and their repositories.

Repositories never commit: the unit of work does.
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
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.base import Base, UTCDateTime, str_enum
from storage.db import insert_ignoring_conflicts


class Role(enum.StrEnum):
    LEAD = "lead"
    SLT = "slt"
    ADMIN = "admin"
    TUTOR = "tutor"  # induction tutor: runs ECTs' induction, completes formal assessments
    HEAD = "head"  # headteacher: signs formal assessments


class MenteeKind(enum.StrEnum):
    TRAINEE = "trainee"
    ECT = "ect"
    STAFF = "staff"


class MeetingCadence(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    TWICE_A_TERM = "twice_a_term"


class Workspace(Base):
    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    slt_channel_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Person(Base):
    """A Slack user as last seen through users.info."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    real_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    tz: Mapped[str | None] = mapped_column(String(64))
    is_workspace_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def display(self) -> str:
        return self.real_name or self.name


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    granted_by: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Mentorship(Base):
    __tablename__ = "mentorships"
    __table_args__ = (
        # One live mentorship per pair; ended ones stay as history.
        Index(
            "uq_mentorships_active_pair",
            "team_id",
            "mentor_id",
            "mentee_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_mentorships_team_mentee", "team_id", "mentee_id"),
        Index("ix_mentorships_team_mentor", "team_id", "mentor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"))
    mentor_id: Mapped[str] = mapped_column(String(32))
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentee_kind: Mapped[MenteeKind] = mapped_column(str_enum(MenteeKind, "mentee_kind"))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    meeting_cadence: Mapped[MeetingCadence] = mapped_column(
        str_enum(MeetingCadence, "meeting_cadence"), default=MeetingCadence.WEEKLY
    )
    # The observation cadence: each teacher visited at least this often per half term.
    observations_per_half_term: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    # The end of the mentee's probationary period, when known; SLT are told once when it passes half way
    # (`probation_midpoint_told_for` holds the end date they were told about, so a new date is told again).
    probation_end: Mapped[date | None] = mapped_column(Date)
    probation_midpoint_told_for: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[str | None] = mapped_column(String(32))


class AuditEntry(Base):
    """Who did what to which record, and when. Holds no note text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_team_at", "team_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(32))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkspaceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str) -> Workspace | None:
        return self.session.get(Workspace, team_id)

    def team_ids(self) -> list[str]:
        """Every workspace the bot has met, oldest first: what the scheduled jobs go through."""
        return list(self.session.scalars(select(Workspace.team_id).order_by(Workspace.created_at, Workspace.team_id)))

    def ensure(self, team_id: str, now: datetime) -> Workspace:
        workspace = self.session.get(Workspace, team_id)
        if workspace is None:
            # Two first requests from a new workspace can arrive together: neither may fail.
            values = {"team_id": team_id, "created_at": now, "updated_at": now}
            insert_ignoring_conflicts(self.session, Workspace, values, on=["team_id"])
            workspace = self.session.get(Workspace, team_id)
            assert workspace is not None
        return workspace


class PeopleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, team_id: str, user_id: str) -> Person | None:
        return self.session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))

    def get_or_create(self, team_id: str, user_id: str, name: str, now: datetime) -> Person:
        """The stored person, created race-safely (two requests may introduce the same person at once)."""
        person = self.get(team_id, user_id)
        if person is None:
            values = {
                "team_id": team_id,
                "user_id": user_id,
                "name": name,
                "is_workspace_admin": False,
                "is_bot": False,
                "deleted": False,
                "refreshed_at": now,
            }
            insert_ignoring_conflicts(self.session, Person, values, on=["team_id", "user_id"])
            person = self.get(team_id, user_id)
            assert person is not None
        return person

    def many(self, team_id: str, user_ids: set[str]) -> dict[str, Person]:
        if not user_ids:
            return {}
        rows = self.session.scalars(select(Person).where(Person.team_id == team_id, Person.user_id.in_(user_ids)))
        return {person.user_id: person for person in rows}

    def workspace_admins(self, team_id: str) -> list[str]:
        rows = self.session.scalars(
            select(Person.user_id)
            .where(Person.team_id == team_id, Person.is_workspace_admin.is_(True), Person.deleted.is_(False))
            .order_by(Person.user_id)
        )
        return list(rows)


class RoleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def roles_of(self, team_id: str, user_id: str) -> set[Role]:
        rows = self.session.scalars(
            select(RoleGrant.role).where(RoleGrant.team_id == team_id, RoleGrant.user_id == user_id)
        )
        return set(rows)

    def holders(self, team_id: str, role: Role) -> list[str]:
        rows = self.session.scalars(
            select(RoleGrant.user_id)
            .where(RoleGrant.team_id == team_id, RoleGrant.role == role)
            .order_by(RoleGrant.granted_at)
        )
        return list(rows)

    def all(self, team_id: str) -> Sequence[RoleGrant]:
        return self.session.scalars(
            select(RoleGrant).where(RoleGrant.team_id == team_id).order_by(RoleGrant.role, RoleGrant.user_id)
        ).all()

    def grant(self, team_id: str, user_id: str, role: Role, by: str, now: datetime) -> bool:
        if role in self.roles_of(team_id, user_id):
            return False
        self.session.add(RoleGrant(team_id=team_id, user_id=user_id, role=role, granted_by=by, granted_at=now))
        self.session.flush()
        return True

    def revoke(self, team_id: str, user_id: str, role: Role) -> bool:
        grant = self.session.scalar(
            select(RoleGrant).where(RoleGrant.team_id == team_id, RoleGrant.user_id == user_id, RoleGrant.role == role)
        )
        if grant is None:
            return False
        self.session.delete(grant)
        self.session.flush()
        return True


class MentorshipRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active_pair(self, team_id: str, mentor_id: str, mentee_id: str) -> Mentorship | None:
        return self.session.scalar(
            select(Mentorship).where(
                Mentorship.team_id == team_id,
                Mentorship.mentor_id == mentor_id,
                Mentorship.mentee_id == mentee_id,
                Mentorship.ended_at.is_(None),
            )
        )

    def active_for(self, team_id: str, user_id: str) -> Sequence[Mentorship]:
        """Live mentorships where the person is the mentor or the mentee."""
        return self.session.scalars(
            select(Mentorship)
            .where(
                Mentorship.team_id == team_id,
                Mentorship.ended_at.is_(None),
                or_(Mentorship.mentor_id == user_id, Mentorship.mentee_id == user_id),
            )
            .order_by(Mentorship.start_date, Mentorship.id)
        ).all()

    def active(self, team_id: str) -> Sequence[Mentorship]:
        return self.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None))
            .order_by(Mentorship.mentor_id, Mentorship.start_date, Mentorship.id)
        ).all()

    def mentors_of(self, team_id: str, mentee_id: str) -> list[str]:
        rows = self.session.scalars(
            select(Mentorship.mentor_id)
            .where(Mentorship.team_id == team_id, Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
            .order_by(Mentorship.start_date, Mentorship.id)
        )
        return list(rows)

    def set_probation(self, team_id: str, mentee_id: str, end: date | None) -> int:
        """Set the probation end on every live mentorship of the mentee; how many there were."""
        result = self.session.execute(
            update(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
            .values(probation_end=end)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def on_probation(self, team_id: str) -> Sequence[Mentorship]:
        """Live mentorships with a probation end date whose mid-point SLT have not yet been told of."""
        return self.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.ended_at.is_(None))
            .where(Mentorship.probation_end.is_not(None))
            .where(
                or_(
                    Mentorship.probation_midpoint_told_for.is_(None),
                    Mentorship.probation_midpoint_told_for != Mentorship.probation_end,
                )
            )
            .order_by(Mentorship.mentee_id, Mentorship.id)
        ).all()

    def claim_midpoint(self, team_id: str, mentee_id: str, end: date) -> bool:
        """Mark the mid-point of this probation as told; True for the one caller that did."""
        result = self.session.execute(
            update(Mentorship)
            .where(Mentorship.team_id == team_id, Mentorship.mentee_id == mentee_id, Mentorship.ended_at.is_(None))
            .where(Mentorship.probation_end == end)
            .where(
                or_(
                    Mentorship.probation_midpoint_told_for.is_(None),
                    Mentorship.probation_midpoint_told_for != end,
                )
            )
            .values(probation_midpoint_told_for=end)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) > 0

    def add(self, mentorship: Mentorship) -> Mentorship:
        self.session.add(mentorship)
        self.session.flush()
        return mentorship

    def add_unless_active(self, mentorship: Mentorship) -> tuple[Mentorship, bool]:
        """Start a mentorship unless the pair already has a live one (even one created a moment ago)."""
        # Unset attributes are left out so the columns' own defaults apply, as they would on a flush.
        values = {c.key: v for c in Mentorship.__table__.columns if (v := getattr(mentorship, c.key)) is not None}
        created = insert_ignoring_conflicts(
            self.session,
            Mentorship,
            values,
            on=["team_id", "mentor_id", "mentee_id"],
            where=Mentorship.ended_at.is_(None),
        )
        found = self.active_pair(mentorship.team_id, mentorship.mentor_id, mentorship.mentee_id)
        assert found is not None
        return found, created


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        team_id: str,
        actor_id: str,
        action: str,
        now: datetime,
        *,
        subject_id: str | None = None,
        record_type: str | None = None,
        record_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        self.session.add(
            AuditEntry(
                team_id=team_id,
                actor_id=actor_id,
                action=action,
                subject_id=subject_id,
                record_type=record_type,
                record_id=record_id,
                detail=detail,
                at=now,
            )
        )

    def for_team(self, team_id: str) -> Sequence[AuditEntry]:
        return self.session.scalars(
            select(AuditEntry).where(AuditEntry.team_id == team_id).order_by(AuditEntry.at, AuditEntry.id)
        ).all()
