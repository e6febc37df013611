"""One school, built the way a test needs it: over Slack as the admin would, or straight into storage.

* `add_people(emulator, ...)`: the people Slack knows (ids, handles and names from tests.support.people).
* `enrol(slack, clock, ...)`: the admin assigns mentors and roles with `/mentor`, through signed requests,
  the mentorships starting `days_ago` days before the clock.
* `seed_roster(db, ...)`: the same roster (workspace, people, roles, mentorships) written directly, for
  service tests that don't go through Slack. `mentorship(...)` builds one row for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from storage.db import Database
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, HANDLES, LEO, NAMES, TEAM, mention
from tests.support.slack import reply_to


class Clock(Protocol):
    now: datetime


def add_people(emulator: SlackEmulator, *users: str, team_id: str | None = None) -> None:
    """Each user as Slack knows them: handle, real name, London time; ADMIN is a workspace admin."""
    for user in users:
        emulator.add_user(user, HANDLES[user], real_name=NAMES[user], is_admin=user == ADMIN, team_id=team_id)


def enrol(
    slack: SlackDriver,
    clock: Clock,
    *,
    mentees: Mapping[str, str] | None = None,
    mentor: str = AMY,
    lead: str | None = LEO,
    slt: str | None = None,
    slt_channel: str | None = None,
    days_ago: int = 22,
    reset: bool = True,
) -> None:
    """As the admin, over Slack: `mentor` mentors each of `mentees` ({user: "trainee" | "ect" | "staff"},
    Ben as a trainee by default) from `days_ago` days before the clock; then, at the clock's time, `lead`
    becomes lead mentor, `slt` SLT, and `slt_channel` the SLT channel. The emulator forgets those calls."""
    started = clock.now
    clock.now = started - timedelta(days=days_ago)
    for mentee, kind in (mentees or {BEN: "trainee"}).items():
        reply_to(slack, "/mentor", f"assign {mention(mentor)} {mention(mentee)} {kind}", user=ADMIN)
    clock.now = started
    if lead:
        reply_to(slack, "/mentor", f"role add {mention(lead)} lead", user=ADMIN)
    if slt:
        reply_to(slack, "/mentor", f"role add {mention(slt)} slt", user=ADMIN)
    if slt_channel:
        reply_to(slack, "/mentor", f"slt-channel <#{slt_channel}|slt>", user=ADMIN)
    if reset:
        slack.emulator.reset()


def mentorship(
    mentor: str,
    mentee: str,
    kind: MenteeKind = MenteeKind.TRAINEE,
    *,
    start: date,
    end: date,
    at: datetime,
    cadence: MeetingCadence = MeetingCadence.WEEKLY,
    created_by: str = "seed",
    team: str = TEAM,
    **extra: Any,
) -> Mentorship:
    return Mentorship(
        team_id=team,
        mentor_id=mentor,
        mentee_id=mentee,
        mentee_kind=kind,
        start_date=start,
        end_date=end,
        meeting_cadence=cadence,
        created_by=created_by,
        created_at=at,
        **extra,
    )


def seed_roster(
    db: Database,
    *,
    at: datetime,
    team: str = TEAM,
    people: Iterable[str] = (),
    tz: Mapping[str, str] | None = None,
    roles: Mapping[str, Iterable[Role]] | None = None,
    granted_by: str = "seed",
    mentorships: Iterable[Mentorship] = (),
    slt_channel: str | None = None,
) -> dict[str, int]:
    """The workspace, its `people` (as the directory last saw them), role grants and mentorships, written
    directly at time `at`. Returns each mentee's mentorship id."""
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=team, slt_channel_id=slt_channel, created_at=at, updated_at=at))
        session.flush()
        for user in people:
            zone = (tz or {}).get(user, "Europe/London")
            session.add(
                Person(team_id=team, user_id=user, name=HANDLES[user], real_name=NAMES[user], tz=zone, refreshed_at=at)
            )
        for user, granted in (roles or {}).items():
            session.add_all(
                RoleGrant(team_id=team, user_id=user, role=role, granted_by=granted_by, granted_at=at)
                for role in granted
            )
        rows = list(mentorships)
        session.add_all(rows)
        session.flush()
        return {row.mentee_id: row.id for row in rows}
