"""A small school for service tests of meetings, targets and reminders: no Slack, straight into the database
(tests.support.school.seed_roster), with a stand-in for Slack's users.info."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.directory import DirectoryUser
from bot.roster.service import Caller
from storage.db import Database
from storage.roster import MeetingCadence, MenteeKind, Role
from tests.support.people import AMY, BEN, CAT, LEO, NAMES, NOW, TEAM
from tests.support.school import mentorship, seed_roster

PEOPLE = (AMY, BEN, LEO, CAT)


class Directory:
    """Slack's users.info, for the people above."""

    def __init__(self, tz: dict[str, str] | None = None) -> None:
        self.tz = tz or {}

    def user(self, user_id: str) -> DirectoryUser | None:
        if user_id not in PEOPLE:
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
    end = date(start.year + 1, 7, 31)
    ids = seed_roster(
        db,
        at=NOW,
        people=PEOPLE,
        tz=tz,
        roles={LEO: [Role.LEAD]},
        mentorships=[mentorship(AMY, BEN, MenteeKind.TRAINEE, start=start, end=end, at=NOW, cadence=cadence)],
    )
    return School(mentorship_id=ids[BEN], directory=Directory(tz))
