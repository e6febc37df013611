"""A small school for service tests of meetings, targets and reminders: no Slack, straight into the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.core.directory import DirectoryUser
from bot.roster.service import Caller
from storage.db import Database
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # Tuesday, autumn term
TEAM, AMY, BEN, LEO, CAT = "T0001", "UAMY0001", "UBEN0001", "ULEO0001", "UCAT0001"
NAMES = {AMY: "Amy Mentor", BEN: "Ben Trainee", LEO: "Leo Lead", CAT: "Cat Colleague"}


class Directory:
    """Slack's users.info, for the people above."""

    def __init__(self, tz: dict[str, str] | None = None) -> None:
        self.tz = tz or {}

    def user(self, user_id: str) -> DirectoryUser | None:
        if user_id not in NAMES:
            return None
        return DirectoryUser(
            user_id=user_id,
            team_id=TEAM,
            name=NAMES[user_id].split()[0].lower(),
            real_name=NAMES[user_id],
            email=None,
            tz=self.tz.get(user_id, "Europe/London"),
            is_admin=False,
            is_bot=False,
            deleted=False,
        )

    def user_by_email(self, email: str) -> DirectoryUser | None:
        return None


@dataclass
class School:
    mentorship_id: int
    directory: Directory

    @property
    def amy(self) -> Caller:
        return caller(AMY, mentors=True)

    @property
    def ben(self) -> Caller:
        return caller(BEN, mentored=True)

    @property
    def leo(self) -> Caller:
        return caller(LEO, roles={Role.LEAD})

    @property
    def cat(self) -> Caller:
        return caller(CAT)


def caller(user_id: str, *, roles: set[Role] | None = None, mentors: bool = False, mentored: bool = False) -> Caller:
    return Caller(
        team_id=TEAM,
        user_id=user_id,
        roles=frozenset(roles or set()),
        is_workspace_admin=False,
        mentors_someone=mentors,
        is_mentored=mentored,
    )


def seed(
    db: Database,
    *,
    start: date = date(2026, 11, 2),
    cadence: MeetingCadence = MeetingCadence.WEEKLY,
    tz: dict[str, str] | None = None,
) -> School:
    """Amy mentors Ben (a trainee) from `start`; Leo is a lead mentor; Cat is a colleague."""
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, created_at=NOW, updated_at=NOW))
        session.flush()
        for user_id, name in NAMES.items():
            session.add(
                Person(
                    team_id=TEAM,
                    user_id=user_id,
                    name=name.split()[0].lower(),
                    real_name=name,
                    tz=(tz or {}).get(user_id, "Europe/London"),
                    refreshed_at=NOW,
                )
            )
        session.add(RoleGrant(team_id=TEAM, user_id=LEO, role=Role.LEAD, granted_by="seed", granted_at=NOW))
        mentorship = Mentorship(
            team_id=TEAM,
            mentor_id=AMY,
            mentee_id=BEN,
            mentee_kind=MenteeKind.TRAINEE,
            start_date=start,
            end_date=date(start.year + 1, 7, 31),
            meeting_cadence=cadence,
            created_by="seed",
            created_at=NOW,
        )
        session.add(mentorship)
        session.flush()
        return School(mentorship_id=mentorship.id, directory=Directory(tz))
