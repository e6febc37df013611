"""The digest tests' school, straight into storage: a week of mentoring to report on (week 48 of 2026).

Amy mentors Ben (doing well) and Cal (struggling, quiet); Dee mentors Eva. Leo leads, Sam is SLT. Private notes
and concerns are stored too, so a test can check that they never reach a digest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.digests.service import Week
from storage.db import Database
from storage.meetings import Meeting
from storage.observations import Observation, ObservationEntry, Rating
from storage.roster import MeetingCadence, MenteeKind, Mentorship, Role
from storage.targets import Target, TargetStatus
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAL, DEE, EVA, LEO, LONDON, SAM, SLT_CHANNEL, TEAM
from tests.support.school import add_people, mentorship, seed_roster
from tests.support.seeding import add_mentorships

WEEK = Week(2026, 48)  # Monday 23 – Sunday 29 November 2026
FRIDAY_AFTERNOON = datetime(2026, 11, 27, 15, 30, tzinfo=LONDON)
SEPT = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)


def mentorship_row(mentor: str, mentee: str, kind: MenteeKind, **extra: Any) -> Mentorship:
    return mentorship(
        mentor, mentee, kind, start=date(2026, 9, 2), end=date(2027, 9, 1), at=SEPT, created_by=ADMIN, **extra
    )


def observation_row(teacher: str, observer: str, on: date, ratings: dict[str, Rating], **extra: Any) -> Observation:
    o = Observation(
        team_id=TEAM,
        teacher_id=teacher,
        observer_id=observer,
        form_key="ect",
        observed_on=on,
        submission_key=f"V{teacher}{on}",
        on_track=extra.pop("on_track", True),
        has_concern=extra.pop("has_concern", False),
        created_at=SEPT,
        updated_at=SEPT,
        **extra,
    )
    o.entries = [ObservationEntry(key=k, position=i, rating=r) for i, (k, r) in enumerate(ratings.items())]
    o.entries.append(ObservationEntry(key="strengths", position=20, text="Secret strengths note"))
    if o.has_concern:
        o.entries.append(ObservationEntry(key="concerns", position=21, text="Private concern detail"))
    return o


def meeting_row(mentorship: Mentorship, on: date) -> Meeting:
    return Meeting(
        team_id=TEAM,
        mentorship_id=mentorship.id,
        mentee_id=mentorship.mentee_id,
        author_id=mentorship.mentor_id,
        held_on=on,
        notes="Private meeting notes",
        submission_key=f"M{mentorship.id}{on}",
        created_at=SEPT,
        updated_at=SEPT,
    )


def target_row(mentorship: Mentorship, created: datetime, due: date, **extra: Any) -> Target:
    return Target(
        team_id=TEAM,
        mentorship_id=mentorship.id,
        mentee_id=mentorship.mentee_id,
        set_by=mentorship.mentor_id,
        text="Use cold calling",
        due_on=due,
        standards=["4"],
        status=extra.pop("status", TargetStatus.OPEN),
        carried_count=extra.pop("carried_count", 0),
        submission_key=f"T{mentorship.id}{created.isoformat()}{due}",
        created_at=created,
        updated_at=created,
        **extra,
    )


def seed_digest_school(db: Database, emulator: SlackEmulator) -> None:
    """Amy mentors Ben (doing well) and Cal (struggling, quiet); Dee mentors Eva. Leo leads, Sam is SLT."""
    add_people(emulator, ADMIN, AMY, DEE, BEN, CAL, EVA, LEO, SAM)
    emulator.add_channel(SLT_CHANNEL, "slt", is_member=True)
    ids = seed_roster(
        db,
        at=SEPT,
        slt_channel=SLT_CHANNEL,
        roles={LEO: [Role.LEAD], SAM: [Role.SLT], ADMIN: [Role.ADMIN]},
        granted_by=ADMIN,
        mentorships=[
            mentorship_row(AMY, BEN, MenteeKind.TRAINEE),
            mentorship_row(AMY, CAL, MenteeKind.ECT),
            mentorship_row(DEE, EVA, MenteeKind.STAFF, cadence=MeetingCadence.FORTNIGHTLY),
        ],
    )
    with db.unit_of_work() as session:
        ben, cal, eva = (session.get_one(Mentorship, ids[mentee]) for mentee in (BEN, CAL, EVA))
        session.add_all(
            [
                meeting_row(ben, date(2026, 11, 24)),
                meeting_row(ben, date(2026, 11, 17)),
                meeting_row(cal, date(2026, 11, 5)),
                meeting_row(eva, date(2026, 11, 20)),
                observation_row(
                    BEN, AMY, date(2026, 11, 10), {"standard_3": Rating.NOT_DEMONSTRATED, "standard_7": Rating.FULLY}
                ),
                observation_row(
                    BEN,
                    AMY,
                    date(2026, 11, 24),
                    {"standard_3": Rating.FULLY, "standard_7": Rating.FULLY},
                    reflected_at=SEPT,
                ),
                observation_row(
                    CAL,
                    LEO,
                    date(2026, 11, 20),
                    {"standard_3": Rating.PARTLY, "standard_7": Rating.NOT_DEMONSTRATED},
                    on_track=False,
                    has_concern=True,
                ),
                observation_row(
                    BEN, AMY, date(2026, 10, 12), {"standard_3": Rating.PARTLY}, reflected_at=SEPT
                ),  # last half term
                target_row(ben, datetime(2026, 11, 24, 16, 0, tzinfo=UTC), date(2026, 12, 4)),
                target_row(ben, datetime(2026, 11, 10, 16, 0, tzinfo=UTC), date(2026, 11, 20)),  # overdue
                target_row(
                    ben,
                    datetime(2026, 11, 3, 16, 0, tzinfo=UTC),
                    date(2026, 11, 17),
                    status=TargetStatus.MET,
                    closed_at=datetime(2026, 11, 24, 16, 5, tzinfo=UTC),
                ),
                target_row(cal, datetime(2026, 10, 1, 16, 0, tzinfo=UTC), date(2026, 12, 18), carried_count=2),
            ]
        )


def add_cohort(db: Database, size: int) -> None:
    """`size` more ECTs, each with their own mentor and no history yet."""
    pairs = [(f"UM{n:05d}", f"UE{n:05d}") for n in range(size)]
    add_mentorships(db, pairs, team=TEAM, start=date(2026, 9, 2), end=date(2027, 9, 1), at=SEPT, created_by=ADMIN)
