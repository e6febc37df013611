"""The roster: workspaces, people, roles, mentorships; and the audit log."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime, str_enum


class Role(enum.StrEnum):
    LEAD = "lead"
    SLT = "slt"
    ADMIN = "admin"


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
