"""Support plans end to end: started with `/concern plan`, from a concern or from the Home tab; 1–5 plan targets;
a review date that is a school day; the owner reminded a week before and on the day (school days only, once
each); the mentee reads and signs it; reviewed, continued and closed."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

import pytest

from bot.app.bootstrap import Deps
from bot.app.scheduler import PLAN_REVIEW_JOB, build_scheduler
from bot.app.slack_client import make_web_client
from handlers.concerns import ids
from handlers.concerns.plan_listeners import send_review_reminders
from storage.concerns import ConcernStatus, EntryKind, PlanOutcome, PlanStatus
from storage.db import Database
from tests.home.test_home import open_home, text_of
from tests.support.clock import FakeClock
from tests.support.concerns import (
    click,
    concerns,
    dms,
    open_plan_modal,
    plan_answers,
    plan_targets,
    plans,
    raise_one,
    submit,
)
from tests.support.driver import SlackDriver, state_for, wait_until
from tests.support.emulator import SlackEmulator
from tests.support.people import ADMIN, AMY, BEN, CAT, LEO, LONDON, SAM, TEAM
from tests.support.school import add_people, enrol
from tests.support.slack import block_text, reply_to


@pytest.fixture(autouse=True)
def school(slack: SlackDriver, emulator: SlackEmulator, clock: FakeClock) -> None:
    """Amy mentors Ben (a trainee); Leo is lead mentor, Sam is SLT; Cat is a colleague with no role."""
    add_people(emulator, ADMIN, AMY, BEN, LEO, SAM, CAT)
    enrol(slack, clock, slt=SAM)


def start_plan(slack: SlackDriver, db: Database, *, user: str = LEO, **overrides: Any) -> int:
    view = open_plan_modal(slack, user=user)
    assert submit(slack, view, plan_answers(**overrides), user=user) is None
    return plans(db)[-1].id


def test_a_lead_starts_a_plan_with_targets_and_the_mentee_signs_it_as_seen(
    slack: SlackDriver, db: Database, emulator: SlackEmulator
) -> None:
    view = open_plan_modal(slack, user=LEO)
    assert "individual recovery plan (IRP) for *Ben Trainee*" in block_text(view["blocks"])
    state = state_for(view, plan_answers())
    for _ in range(2):  # a double click on Save
        assert slack.submit(view, state, user=LEO).status == 200

    [plan] = plans(db)
    assert (plan.mentee_id, plan.owner_id, plan.review_on, plan.status) == (
        BEN,
        LEO,
        date(2026, 12, 11),
        PlanStatus.OPEN,
    )
    assert plan.informed == "Dr Jo Reed (link tutor, Northfield University)" and plan.signed_at is None
    targets = plan_targets(db, plan.id)
    assert [(t.text, t.due_on, t.due_phrase) for t in targets] == [
        ("Start every lesson on time with a do-now task", date(2026, 11, 27), "by Friday"),
        ("Use the seating plan in every lesson", targets[1].due_on, None),
    ]
    told = wait_until(lambda: dms(emulator, BEN), what="the mentee's DM")
    assert len(told) == 1 and "Your individual recovery plan (IRP)" in told[0]
    assert "Start every lesson on time with a do-now task (by Friday 27 November 2026)" in told[0]
    assert "Review by* Friday 11 December 2026" in told[0]
    wait_until(lambda: dms(emulator, LEO) and dms(emulator, AMY), what="the owner's and mentor's DMs")
    assert "to be reviewed by Friday 11 December 2026" in dms(emulator, LEO)[0] and len(dms(emulator, AMY)) == 1

    home = text_of(open_home(slack, BEN))
    assert "*Your support plan* · 2 targets · review by 11 December · *not yet signed as seen*" in home
    assert "Support plans* (1 open)" in text_of(open_home(slack, LEO))
    assert slack.click(ids.SIGN_PLAN, user=BEN, value=str(plan.id)).status == 200
    wait_until(lambda: plans(db)[0].signed_at is not None, what="the signature")
    wait_until(lambda: any("signed their support plan" in m for m in dms(emulator, LEO)), what="the owner told")
    assert "signed as seen" in text_of(open_home(slack, BEN))


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"plan_review_on": "2026-11-20"}, "plan_review_on", "The review date must be after today. The next school "),
        ({"plan_review_on": "2026-12-22"}, "plan_review_on", "Tuesday 22 December 2026 isn't a school day"),
        ({"plan_targets": "\n".join(f"Target {n} by Friday" for n in range(6))}, "plan_targets", "at most 5 targets"),
        ({"plan_targets": " "}, "plan_targets", "Give at least one target"),
        ({"plan_areas": ""}, "plan_areas", "Say what the areas of concern are."),
    ],
)
def test_bad_plan_input_is_a_field_error(
    slack: SlackDriver, db: Database, answers: dict[str, str], field: str, message: str
) -> None:
    view = open_plan_modal(slack, user=LEO)
    reply = submit(slack, view, plan_answers(**answers), user=LEO)
    assert reply["response_action"] == "errors" and message in reply["errors"][field], reply
    assert plans(db) == []


def test_a_holiday_review_date_suggests_the_next_school_day(slack: SlackDriver) -> None:
    view = open_plan_modal(slack, user=LEO)
    reply = submit(slack, view, plan_answers(plan_review_on="2026-12-22"), user=LEO)
    assert "The next school day is Monday 4 January 2027." in reply["errors"]["plan_review_on"]


@pytest.mark.parametrize("user", [AMY, CAT, BEN])
def test_only_lead_mentors_and_slt_start_a_plan(slack: SlackDriver, db: Database, user: str) -> None:
    text = reply_to(slack, ids.CONCERN, f"{ids.PLAN_WORD} <@{BEN}|ben>", user=user)
    assert "lead mentors and SLT can start a support plan" in text or "yourself" in text, text
    assert plans(db) == []


def test_a_plan_started_from_a_concern_moves_the_concern_to_it(slack: SlackDriver, db: Database) -> None:
    concern = raise_one(slack, db, standards=["7"])
    view, text = click(slack, ids.VIEW_ACTION, concern.id, user=LEO)
    assert view is not None and "Start a support plan" in text
    modal, _ = click(slack, ids.PLAN_FROM_CONCERN, concern.id, user=LEO)
    assert modal is not None and modal["callback_id"] == ids.PLAN_CALLBACK
    areas = next(b["element"]["initial_value"] for b in modal["blocks"] if b.get("block_id") == "plan_areas")
    assert areas == concern.what_seen
    standards = next(b["element"] for b in modal["blocks"] if b.get("block_id") == "plan_standards")
    assert [o["value"] for o in standards["initial_options"]] == ["7"]
    filled = plan_answers(plan_areas=areas, plan_standards=["7"])
    assert submit(slack, modal, filled, user=LEO) is None
    [plan] = plans(db)
    [stored] = concerns(db)
    assert plan.concern_id == stored.id and plan.standards == ["7"]
    assert stored.status is ConcernStatus.SUPPORT_PLAN
    assert [(e.kind, e.outcome) for e in stored.entries] == [(EntryKind.RESOLUTION, ConcernStatus.SUPPORT_PLAN)]


def test_a_plan_started_from_the_home_tab_asks_who_it_is_for(slack: SlackDriver, db: Database) -> None:
    modal, _ = click(slack, ids.START_PLAN, ids.ASK_WHO, user=SAM)
    assert modal is not None and any(b.get("block_id") == "plan_mentee" for b in modal["blocks"])
    reply = submit(slack, modal, plan_answers(), user=SAM)
    assert reply["errors"] == {"plan_mentee": "Choose who the plan is for."}
    assert submit(slack, modal, plan_answers(plan_mentee=BEN), user=SAM) is None
    assert [(p.mentee_id, p.owner_id) for p in plans(db)] == [(BEN, SAM)]


def _at(clock: FakeClock, day: date, hour: int = 9) -> None:
    clock.now = datetime(day.year, day.month, day.day, hour, 0, tzinfo=LONDON)


def test_the_owner_is_reminded_a_week_before_and_on_the_day_on_school_days_once_each(
    slack: SlackDriver, db: Database, deps: Deps, emulator: SlackEmulator, clock: FakeClock
) -> None:
    plan_id = start_plan(slack, db)
    client = make_web_client(deps.settings)
    remind = partial(send_review_reminders, deps, client, TEAM)

    _at(clock, date(2026, 12, 3))  # eight days before: nothing yet
    assert remind() == 0
    _at(clock, date(2026, 12, 4), hour=7)  # a week before, but before the school day starts
    assert remind() == 0
    _at(clock, date(2026, 12, 4))
    assert remind() == 1 and remind() == 0  # claimed: never twice
    _at(clock, date(2026, 12, 7))
    assert remind() == 0
    _at(clock, date(2026, 12, 11))
    assert remind() == 1 and remind() == 0
    reminders = [m for m in dms(emulator, LEO) if "due for review" in m]
    assert len(reminders) == 2
    assert "due for review on Friday 11 December 2026" in reminders[0] and "due for review today" in reminders[1]
    assert "Record the review" in reminders[1]
    assert build_scheduler(deps).get_job(PLAN_REVIEW_JOB) is not None

    # Reviewed: continued to a date in the holiday is refused, then to a school day, which is reminded again.
    modal, _ = click(slack, ids.REVIEW_PLAN, plan_id, user=LEO)
    assert modal is not None
    reply = submit(slack, modal, {"review_outcome": "continued", "review_next_on": "2026-12-26"}, user=LEO)
    assert "isn't a school day" in reply["errors"]["review_next_on"]
    filled = {"review_outcome": "continued", "review_next_on": "2027-01-08", "review_notes": "Better starts."}
    assert submit(slack, modal, filled, user=LEO) is None
    [plan] = plans(db)
    assert plan.review_on == date(2027, 1, 8) and plan.status is PlanStatus.OPEN
    _at(clock, date(2027, 1, 4))  # back after Christmas: a week before the new date
    assert remind() == 1

    modal, _ = click(slack, ids.REVIEW_PLAN, plan_id, user=LEO)
    assert modal is not None
    assert (
        submit(slack, modal, {"review_outcome": "back_on_track", "review_notes": "On time for a month."}, user=LEO)
        is None
    )
    [plan] = plans(db)
    assert plan.status is PlanStatus.CLOSED and [r.outcome for r in plan.reviews] == [
        PlanOutcome.CONTINUED,
        PlanOutcome.BACK_ON_TRACK,
    ]
    _at(clock, date(2027, 1, 8))
    assert remind() == 0  # a closed plan is never reminded
    view, text = click(slack, ids.SEE_PLAN, plan_id, user=BEN)
    assert view is not None and "On time for a month." in text and "Record the review" not in text
    view, text = click(slack, ids.SEE_PLAN, plan_id, user=CAT)
    assert view is None and "Sorry, only" in text
