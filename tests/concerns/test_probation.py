"""Probation end dates (`/mentor assign … probation`, `/mentor probation`, the roster CSV's fifth column) and the
mid-point: SLT told once by DM when a struggling mentee passes half way; Record agreed actions goes on the trail."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app.bootstrap import Deps
from bot.app.scheduler import MIDPOINT_JOB, build_scheduler
from bot.app.slack_client import make_web_client
from bot.concerns.plans import PlanDraft
from bot.roster.csv_import import read_roster_csv
from handlers.concerns import ids
from handlers.concerns.probation import send_midpoint_notices
from handlers.slack.directory import SlackDirectory
from storage.concerns import ConcernStatus, EntryKind
from storage.db import Database
from storage.roster import Mentorship
from tests.support.clock import FakeClock
from tests.support.concerns import click, concerns, dms, raise_one, submit
from tests.support.driver import SlackDriver
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, LONDON, SAM, TEAM, mention
from tests.support.school import add_people, enrol
from tests.support.slack import reply_to

END = date(2027, 1, 29)  # Ben started on Monday 2 November 2026: half way is Wednesday 16 December


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee) from 2 November; Leo is lead mentor, Sam is SLT; Cat has no role."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, SAM, CAT)
    enrol(slack, clock, slt=SAM)


def probation_ends(db: Database) -> list[date | None]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(Mentorship.probation_end).order_by(Mentorship.id)))


def test_the_probation_end_is_set_when_assigning_or_afterwards_by_an_admin(slack: SlackDriver, db: Database) -> None:
    add_people(slack.emulator, CAT)
    text = reply_to(slack, "/mentor", f"assign {mention(AMY)} {mention(CAT)} ect probation 2027-07-16", user=ADMIN)
    assert "Probation ends 16 July 2027." in text
    assert probation_ends(db) == [None, date(2027, 7, 16)]

    text = reply_to(slack, "/mentor", f"probation {mention(BEN)} 29/01/2027", user=ADMIN)
    assert "probation ends on Friday 29 January 2027" in text
    assert probation_ends(db) == [END, date(2027, 7, 16)]
    assert "can change mentorships" in reply_to(slack, "/mentor", f"probation {mention(BEN)} 2027-02-01", user=LEO)
    assert "isn't a date I can read" in reply_to(slack, "/mentor", f"probation {mention(BEN)} soon", user=ADMIN)
    assert "has passed" in reply_to(slack, "/mentor", f"probation {mention(BEN)} 2026-11-01", user=ADMIN)
    assert probation_ends(db) == [END, date(2027, 7, 16)]


def test_the_roster_csv_may_carry_the_probation_end_as_a_fifth_column(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "mentor,mentee,kind,start,probation\n"
        "amy@school.org,ben@school.org,trainee,2026-09-01,2027-01-29\n"
        "amy@school.org,cal@school.org,ect,2026-09-01\n"
    )
    assert [(r.mentee_email, r.probation_end) for r in read_roster_csv(path)] == [
        ("ben@school.org", END),
        ("cal@school.org", None),
    ]
    path.write_text("amy@school.org,ben@school.org,trainee,2026-09-01,next summer\n")
    [row] = read_roster_csv(path)  # a format problem travels with its row, reported with every other one
    assert any("the probation end date “next summer” must look like" in problem for problem in row.problems)


def _at(clock: FakeClock, day: date) -> None:
    clock.now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON)


def test_slt_are_told_once_at_the_mid_point_and_record_the_agreed_actions_on_the_trail(
    slack: SlackDriver, db: Database, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    reply_to(slack, "/mentor", f"probation {mention(BEN)} {END.isoformat()}", user=ADMIN)
    tell = partial(send_midpoint_notices, deps, make_web_client(deps.settings), TEAM)
    _at(clock, date(2026, 12, 16))
    assert tell() == 0  # a healthy mentorship: nothing to tell
    _at(clock, date(2026, 11, 24))
    concern = raise_one(slack, db)
    _at(clock, date(2026, 12, 15))
    assert tell() == 0  # not yet half way
    _at(clock, date(2026, 12, 16))
    assert tell() == 1 and tell() == 0  # told once
    [told] = [m for m in dms(emulator, SAM) if "half-way point" in m]
    assert "<@UBEN0001> passed the half-way point of their probation on Wednesday 16 December 2026" in told
    assert "an open concern" in told and "Record agreed actions" in told
    assert not [m for m in dms(emulator, LEO) if "half-way point" in m]
    assert build_scheduler(deps).get_job(MIDPOINT_JOB) is not None

    view, text = click(slack, ids.RECORD_ACTIONS, BEN, user=LEO)
    assert view is None and "Sorry, only SLT can record the actions agreed" in text
    view, _ = click(slack, ids.RECORD_ACTIONS, BEN, user=SAM)
    assert view is not None and view["callback_id"] == ids.MIDPOINT_CALLBACK
    reply = submit(slack, view, {"midpoint_actions": "Weekly drop-in with Sam."}, user=SAM)
    assert reply["errors"] == {"midpoint_next_review": "Choose a review date."}
    filled = {
        "midpoint_actions": "Weekly drop-in with Sam.",
        "midpoint_support": "Release time for observing Leo.",
        "midpoint_next_review": "2027-01-08",
    }
    assert submit(slack, view, filled, user=SAM) is None
    [stored] = concerns(db)
    assert stored.id == concern.id and stored.status is ConcernStatus.OPEN
    assert [(e.kind, e.author_id, e.happened, e.agreed, e.on_date) for e in stored.entries] == [
        (EntryKind.AGREED_ACTIONS, SAM, "Weekly drop-in with Sam.", "Release time for observing Leo.", date(2027, 1, 8))
    ]
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=LEO)
    assert view is not None and "Agreed with SLT at the probation mid-point* · next review by 8 January 2027" in text


def test_a_support_plan_alone_is_told_and_the_actions_open_a_concern_for_the_trail(
    slack: SlackDriver, db: Database, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    reply_to(slack, "/mentor", f"probation {mention(BEN)} {END.isoformat()}", user=ADMIN)
    directory = SlackDirectory(make_web_client(deps.settings))
    draft = PlanDraft(BEN, "Pace.", [], "Time each part of the lesson by Friday", "Coaching.", date(2026, 12, 11), None)
    deps.plans.start(deps.roster.caller(TEAM, LEO, directory, deps.now()), draft, "plan-1", directory, deps.now())
    _at(clock, date(2026, 12, 17))
    assert send_midpoint_notices(deps, make_web_client(deps.settings), TEAM) == 1
    [told] = [m for m in dms(emulator, SAM) if "half-way point" in m]
    assert "a support plan (review by Friday 11 December 2026)" in told
    view, _ = click(slack, ids.RECORD_ACTIONS, BEN, user=SAM)
    assert view is not None
    filled = {"midpoint_actions": "Extend the plan.", "midpoint_next_review": "2027-01-08"}
    assert submit(slack, view, filled, user=SAM) is None
    [stored] = concerns(db)
    assert stored.raised_by == SAM and stored.what_seen.startswith("Half way through probation, discussed with SLT")
    assert [e.kind for e in stored.entries] == [EntryKind.AGREED_ACTIONS]
