"""ONE table of cases for "is this mentorship's meeting overdue?" (bot/core/cadence.py), asked of all three
screens that answer it: the meeting reminders, the mentor's Home tab and the lead mentor's digest line.

Every row is run against every consumer, through the database, so the three can't drift apart again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from bot.app.bootstrap import Deps
from bot.core.cadence import MeetingCadenceRule
from bot.digests.service import DigestBuilder, Week
from bot.reminders.service import ReminderService
from storage.meetings import Meeting
from storage.roster import MeetingCadence
from tests.support.people import AMY, BEN, LONDON
from tests.support.service_school import TEAM, caller, seed

WEEKLY, FORTNIGHTLY, TWICE = MeetingCadence.WEEKLY, MeetingCadence.FORTNIGHTLY, MeetingCadence.TWICE_A_TERM
SEPT_7 = date(2026, 9, 7)


@dataclass(frozen=True)
class Case:
    name: str
    cadence: MeetingCadence
    today: date  # always a school day: reminders are only worked out on school days
    overdue: bool
    last_met: date | None = None
    agreed: date | None = None  # the next meeting date agreed at the last meeting
    started: date = SEPT_7


CASES = [
    # weekly: 5 school days after the last meeting (or the start)
    Case("weekly, met recently: due today", WEEKLY, date(2026, 11, 24), False, last_met=date(2026, 11, 17)),
    Case("weekly, a school week and a day", WEEKLY, date(2026, 11, 25), True, last_met=date(2026, 11, 17)),
    Case("weekly, friday due, monday after", WEEKLY, date(2026, 11, 30), True, last_met=date(2026, 11, 20)),
    Case("weekly, across half term: due", WEEKLY, date(2026, 11, 5), False, last_met=date(2026, 10, 22)),
    Case("weekly, across half term: overdue", WEEKLY, date(2026, 11, 6), True, last_met=date(2026, 10, 22)),
    Case("weekly, none yet, started a week ago", WEEKLY, date(2026, 11, 30), False, started=date(2026, 11, 23)),
    Case("weekly, none yet, a week and a day", WEEKLY, date(2026, 12, 1), True, started=date(2026, 11, 23)),
    Case("weekly, agreed date ahead", WEEKLY, date(2026, 11, 25), False, date(2026, 11, 17), date(2026, 11, 27)),
    Case("weekly, agreed date missed", WEEKLY, date(2026, 11, 30), True, date(2026, 11, 17), date(2026, 11, 27)),
    # fortnightly: 10 school days
    Case("fortnightly, met recently", FORTNIGHTLY, date(2026, 11, 25), False, last_met=date(2026, 11, 17)),
    Case("fortnightly, overdue", FORTNIGHTLY, date(2026, 12, 2), True, last_met=date(2026, 11, 17)),
    Case("fortnightly, across half term: due", FORTNIGHTLY, date(2026, 11, 10), False, last_met=date(2026, 10, 20)),
    Case("fortnightly, across half term: late", FORTNIGHTLY, date(2026, 11, 11), True, last_met=date(2026, 10, 20)),
    Case("fortnightly, agreed later", FORTNIGHTLY, date(2026, 12, 3), False, date(2026, 11, 17), date(2026, 12, 4)),
    # twice a term: one meeting in each half term, due by the half's last school day
    Case("twice a term, met this half", TWICE, date(2026, 12, 16), False, last_met=date(2026, 11, 3)),
    Case("twice a term, last half only: due soon", TWICE, date(2026, 12, 14), False, last_met=date(2026, 10, 1)),
    Case("twice a term, last half only: last day", TWICE, date(2026, 12, 18), False, last_met=date(2026, 10, 1)),
    Case("twice a term, a half missed, over Christmas", TWICE, date(2027, 1, 5), True, last_met=date(2026, 9, 10)),
    Case("twice a term, none yet, first half", TWICE, date(2026, 10, 23), False),
    Case("twice a term, none yet, after half term", TWICE, date(2026, 11, 2), True),
    Case("twice a term, started in the last days", TWICE, date(2026, 12, 18), False, started=date(2026, 12, 15)),
    Case("twice a term, agreed date ahead", TWICE, date(2026, 11, 12), False, date(2026, 10, 1), date(2026, 11, 12)),
    Case("twice a term, agreed date missed", TWICE, date(2026, 11, 13), True, date(2026, 10, 1), date(2026, 11, 12)),
]


def _reminders(deps: Deps, today: date) -> bool:
    at = datetime.combine(today, time(9, 0), tzinfo=LONDON)
    owed = ReminderService(deps.db, deps.calendar, LONDON).due(TEAM, at, any_hour=True)
    return any(r.mentee_id == BEN and r.overdue for r in owed)


def _home(deps: Deps, today: date) -> bool:
    home = deps.home.build(caller(AMY, mentors=True), datetime.combine(today, time(9, 0), tzinfo=LONDON))
    assert home.mentor is not None
    (status,) = [s for s in home.mentor.mentees if s.mentee_id == BEN]
    return status.meeting_overdue


def _digest(deps: Deps, today: date) -> bool:
    school = DigestBuilder(deps.db, deps.calendar).build(TEAM, Week.containing(today), as_of=today)
    (line,) = [m for m in school.mentees if m.mentee_id == BEN]
    return not line.on_cadence


CONSUMERS: dict[str, Callable[[Deps, date], bool]] = {"reminders": _reminders, "home": _home, "digest": _digest}


@pytest.mark.parametrize("consumer", CONSUMERS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reminders_home_and_digest_agree_on_an_overdue_meeting(deps: Deps, case: Case, consumer: str) -> None:
    school = seed(deps.db, start=case.started, cadence=case.cadence)
    if case.last_met is not None:
        with deps.db.unit_of_work() as session:
            stamp = datetime.combine(case.last_met, time(12, 0), tzinfo=UTC)
            session.add(
                Meeting(
                    team_id=TEAM,
                    mentorship_id=school.mentorship_id,
                    mentee_id=BEN,
                    author_id=AMY,
                    held_on=case.last_met,
                    next_meeting_on=case.agreed,
                    notes="n",
                    submission_key=f"m{case.last_met}",
                    created_at=stamp,
                    updated_at=stamp,
                )
            )

    assert CONSUMERS[consumer](deps, case.today) is case.overdue


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_table_is_the_rule(deps: Deps, case: Case) -> None:
    """The same table, asked of the rule itself: it is what the three consumers above are held to."""
    due = MeetingCadenceRule(deps.calendar).next_due(
        case.cadence, started_on=case.started, last_held_on=case.last_met, agreed_on=case.agreed
    )
    assert due is not None and due.overdue(case.today) is case.overdue


def test_twice_a_term_is_due_soon_in_the_last_five_school_days_of_the_half(deps: Deps) -> None:
    rule = MeetingCadenceRule(deps.calendar)
    due = rule.next_due(TWICE, started_on=SEPT_7, last_held_on=date(2026, 10, 1))

    assert due is not None and (due.due_on, due.soon_from) == (date(2026, 12, 18), date(2026, 12, 14))
    assert not due.due_soon(date(2026, 12, 11)) and due.due_soon(date(2026, 12, 14))
    assert rule.remind_from(due) == date(2026, 12, 14)  # twice a term: reminded as it becomes due soon
    weekly = rule.next_due(WEEKLY, started_on=SEPT_7, last_held_on=date(2026, 11, 17))
    assert weekly is not None and weekly.soon_from == weekly.due_on == date(2026, 11, 24)
    assert rule.remind_from(weekly) == date(2026, 11, 25)  # weekly: the school day after a missed one
