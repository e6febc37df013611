"""A school's whole record straight into storage, for the privacy tools (export, erasure, retention) to work on.

`seed_school`: Amy mentors Ben (a trainee) and Cat; an observation with a reflection, a meeting, targets, the
audit trail; the same Slack id also appears in another workspace, which must never be touched. `seed_retention`:
people whose mentoring ended at different times. The privacy tests' `NOW` is in UTC.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.privacy import service as privacy
from storage.db import Database
from storage.digests import DeliveryKind, DigestDelivery
from storage.meetings import Meeting, MeetingRevision, MeetingTargetReview, ReviewOutcome
from storage.observations import Observation, ObservationEntry, ObservationRevision, Rating
from storage.reminders import ReminderSent
from storage.roster import AuditEntry, MenteeKind, Mentorship, Person, Role, RoleGrant, Workspace
from storage.schema import Base
from storage.targets import Target, TargetDraft
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, OTHER_TEAM, TEAM

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STRENGTHS = "Warm, calm routines; pupils settled within a minute."
REFLECTION = "I rushed the plenary."
NOTES = "Talked through behaviour routines for Year 5."
TARGET = "Use hinge questions in every maths lesson."


def person(team: str, user: str, name: str, **extra: Any) -> Person:
    return Person(
        team_id=team,
        user_id=user,
        name=name.split()[0].lower(),
        real_name=name,
        email=f"{name.split()[0].lower()}@school.test",
        tz="Europe/London",
        refreshed_at=NOW,
        **extra,
    )


def seed_school(db: Database) -> dict[str, int]:
    """Amy mentors Ben (a trainee); one observation with a reflection, a meeting, targets, the audit trail.

    The same Slack id also appears in another workspace, which must never be touched.
    """
    with db.unit_of_work() as session:
        for team in (TEAM, OTHER_TEAM):
            session.add(Workspace(team_id=team, name=f"School {team}", created_at=NOW, updated_at=NOW))
        session.flush()
        session.add_all(
            [
                person(TEAM, ADMIN, "Hana Head", is_workspace_admin=True),
                person(TEAM, AMY, "Amy Mentor"),
                person(TEAM, BEN, "Ben Trainee"),
                person(TEAM, LEO, "Leo Lead"),
                person(TEAM, CAT, "Cat Colleague"),
                person(OTHER_TEAM, BEN, "Ben Elsewhere"),
                RoleGrant(team_id=TEAM, user_id=LEO, role=Role.LEAD, granted_by=ADMIN, granted_at=NOW),
                RoleGrant(team_id=TEAM, user_id=BEN, role=Role.SLT, granted_by=ADMIN, granted_at=NOW),
            ]
        )
        mentorship = Mentorship(
            team_id=TEAM,
            mentor_id=AMY,
            mentee_id=BEN,
            mentee_kind=MenteeKind.TRAINEE,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        cats = Mentorship(
            team_id=TEAM,
            mentor_id=AMY,
            mentee_id=CAT,
            mentee_kind=MenteeKind.ECT,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        elsewhere = Mentorship(
            team_id=OTHER_TEAM,
            mentor_id=LEO,
            mentee_id=BEN,
            mentee_kind=MenteeKind.ECT,
            start_date=date(2026, 9, 1),
            end_date=date(2027, 8, 31),
            created_by=ADMIN,
            created_at=NOW,
        )
        session.add_all([mentorship, cats, elsewhere])
        session.flush()
        observation = Observation(
            team_id=TEAM,
            teacher_id=BEN,
            observer_id=AMY,
            second_observer_id=CAT,
            mentorship_id=mentorship.id,
            form_key="ect",
            observed_on=date(2026, 11, 20),
            subject="Maths",
            class_group="Year 5",
            pupils=28,
            focus="Equivalent fractions",
            on_track=True,
            reflection=REFLECTION,
            reflection_next_steps="Use exit tickets.",
            reflected_at=NOW,
            submission_key="view-obs-1",
            teacher_message_channel="DBEN",
            teacher_message_ts="1.0001",
            created_at=NOW,
            updated_at=NOW,
        )
        observation.entries = [
            ObservationEntry(key="standard_3", position=2, rating=Rating.NOT_DEMONSTRATED, text="Misconception."),
            ObservationEntry(key="standard_7", position=6, rating=Rating.FULLY),
            ObservationEntry(key="strengths", position=9, text=STRENGTHS),
        ]
        session.add(observation)
        session.flush()
        session.add(
            ObservationRevision(
                observation_id=observation.id,
                changed_by=AMY,
                changed_at=NOW,
                changes={"Strengths": ["Calm.", STRENGTHS], "Second observer": [None, CAT]},
            )
        )
        meeting = Meeting(
            team_id=TEAM,
            mentorship_id=mentorship.id,
            mentee_id=BEN,
            author_id=AMY,
            held_on=date(2026, 11, 23),
            duration_minutes=45,
            notes=NOTES,
            wellbeing=4,
            wellbeing_note="Tired but positive.",
            submission_key="view-meet-1",
            signed_off_at=NOW,
            signed_off_by=BEN,
            mentee_comment="Agreed.",
            created_at=NOW,
            updated_at=NOW,
        )
        cats_meeting = Meeting(
            team_id=TEAM,
            mentorship_id=cats.id,
            mentee_id=CAT,
            author_id=AMY,
            held_on=date(2026, 11, 23),
            notes=f"Cat will watch <@{BEN}|ben> teach fractions.",
            submission_key="view-meet-2",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add_all([meeting, cats_meeting])
        session.flush()
        session.add(
            MeetingRevision(
                team_id=TEAM, meeting_id=meeting.id, changed_by=AMY, changed_at=NOW, changes={"notes": ["Old.", NOTES]}
            )
        )
        target = Target(
            team_id=TEAM,
            mentorship_id=mentorship.id,
            mentee_id=BEN,
            set_by=AMY,
            text=TARGET,
            due_on=date(2026, 12, 4),
            due_phrase="by next Friday",
            standards=["2", "6"],
            meeting_id=meeting.id,
            submission_key="view-meet-1:t1",
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(target)
        session.flush()
        session.add_all(
            [
                MeetingTargetReview(
                    team_id=TEAM, meeting_id=meeting.id, target_id=target.id, outcome=ReviewOutcome.PROGRESSING
                ),
                TargetDraft(
                    team_id=TEAM,
                    key="draft-1",
                    mentorship_id=mentorship.id,
                    mentee_id=BEN,
                    set_by=AMY,
                    text="Mark books within a week.",
                    due_on=date(2026, 12, 11),
                    created_at=NOW,
                ),
                ReminderSent(
                    team_id=TEAM, mentorship_id=mentorship.id, period="meeting:weekly:2026-11-16", recipient_id=AMY,
                    claimed_at=NOW, channel="DAMY", ts="2.0001",
                ),
                DigestDelivery(
                    team_id=TEAM, week="2026-W48", kind=DeliveryKind.LEAD, recipient=LEO, created_at=NOW
                ),
                DigestDelivery(
                    team_id=TEAM, week="2026-W48", kind=DeliveryKind.ADMIN_NOTICE, recipient=f"{BEN}:setup",
                    channel="DBEN", created_at=NOW,
                ),
                AuditEntry(team_id=TEAM, actor_id=ADMIN, action="mentorship.assign", subject_id=BEN,
                           record_type="mentorship", record_id=mentorship.id, at=NOW),
                AuditEntry(team_id=TEAM, actor_id=AMY, action="observation.create", subject_id=BEN,
                           record_type="observation", record_id=observation.id, at=NOW),
                AuditEntry(team_id=TEAM, actor_id=BEN, action="observation.reflect", subject_id=BEN,
                           record_type="observation", record_id=observation.id, at=NOW),
                AuditEntry(team_id=OTHER_TEAM, actor_id=ADMIN, action="mentorship.assign", subject_id=BEN, at=NOW),
            ]
        )  # fmt: skip
        return {"mentorship": mentorship.id, "observation": observation.id, "meeting": meeting.id, "target": target.id}


def rows_holding(db: Database, text: str, *, skip_team: str = OTHER_TEAM) -> list[str]:
    """Every stored row (outside `skip_team`) in which `text` appears anywhere, as "table: row"."""
    found = []
    with db.unit_of_work() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                if row.get("team_id") == skip_team:
                    continue
                dumped = json.dumps(privacy.jsonable(dict(row)), ensure_ascii=False)
                if text in dumped:
                    found.append(f"{table.name}: {dumped}")
    return found


def _mentee(session: Any, user: str, *, start: date, end: date, ended: datetime | None, mentor: str = AMY) -> None:
    session.add(person(TEAM, user, f"{user.title()} Person"))
    session.add(
        Mentorship(
            team_id=TEAM,
            mentor_id=mentor,
            mentee_id=user,
            mentee_kind=MenteeKind.TRAINEE,
            start_date=start,
            end_date=end,
            created_by=ADMIN,
            created_at=NOW,
            ended_at=ended,
            ended_by=ADMIN if ended else None,
        )
    )


def seed_retention(db: Database) -> None:
    long_ago = datetime(2018, 7, 20, tzinfo=UTC)
    with db.unit_of_work() as session:
        session.add(Workspace(team_id=TEAM, created_at=NOW, updated_at=NOW))
        session.flush()
        session.add(person(TEAM, AMY, "Amy Mentor"))
        _mentee(session, "UOLD0001", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        _mentee(session, "UNEVER01", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=None)  # nobody ended it
        _mentee(session, "URECENT1", start=date(2024, 9, 1), end=date(2025, 8, 31), ended=NOW - timedelta(days=400))
        _mentee(session, "ULIVE001", start=date(2026, 9, 1), end=date(2027, 8, 31), ended=None)
        # Mentored long ago, but a mentor now: still here.
        _mentee(session, "UNOWMENT", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(
            Mentorship(
                team_id=TEAM, mentor_id="UNOWMENT", mentee_id="ULIVE002", mentee_kind=MenteeKind.ECT,
                start_date=date(2026, 9, 1), end_date=date(2027, 8, 31), created_by=ADMIN, created_at=NOW,
            )
        )  # fmt: skip
        # Mentored long ago, now a lead mentor: still here.
        _mentee(session, "UNOWLEAD", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(RoleGrant(team_id=TEAM, user_id="UNOWLEAD", role=Role.LEAD, granted_by=ADMIN, granted_at=NOW))
        # Mentored long ago, and used the bot last month (e.g. observed as a workspace admin): still here.
        _mentee(session, "UACTIVE1", start=date(2017, 9, 1), end=date(2018, 8, 31), ended=long_ago)
        session.add(
            AuditEntry(team_id=TEAM, actor_id="UACTIVE1", action="observation.read", at=NOW - timedelta(days=30))
        )
