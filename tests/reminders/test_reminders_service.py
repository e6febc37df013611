"""Meeting reminders: the school-aware week, one reminder per missed meeting, claimed before it is sent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.cadence import halves
from bot.core.school_calendar import SchoolCalendar, default_calendar_path, load_calendar
from bot.reminders.service import ReminderService, meeting_due
from storage.db import Database
from storage.meetings import Meeting
from storage.roster import MeetingCadence, MenteeKind, Mentorship
from tests.support.people import AMY, BEN, LONDON, NOW
from tests.support.service_school import seed


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


def mentorship(cadence: MeetingCadence = MeetingCadence.WEEKLY, start: date = date(2026, 9, 7)) -> Mentorship:
    return Mentorship(
        team_id="T0001",
        mentor_id=AMY,
        mentee_id=BEN,
        mentee_kind=MenteeKind.ECT,
        start_date=start,
        end_date=date(2027, 7, 21),
        meeting_cadence=cadence,
    )


def meeting(held_on: date, next_on: date | None = None) -> Meeting:
    return Meeting(held_on=held_on, next_meeting_on=next_on)


def test_a_week_is_five_school_days_and_the_reminder_comes_the_school_day_after(calendar: SchoolCalendar) -> None:
    last = meeting(date(2026, 11, 17))  # Tuesday

    assert meeting_due(mentorship(), last, date(2026, 11, 24), calendar) is None  # due today: no nagging
    due = meeting_due(mentorship(), last, date(2026, 11, 25), calendar)
    assert due is not None
    assert (due.due_on, due.remind_from, due.period) == (
        date(2026, 11, 24),
        date(2026, 11, 25),
        "meeting:weekly:2026-11-24",
    )


def test_half_term_does_not_count(calendar: SchoolCalendar) -> None:
    last = meeting(date(2026, 10, 22))  # the Thursday before October half term

    due = meeting_due(mentorship(), last, date(2026, 11, 6), calendar)

    assert due is not None and (due.due_on, due.remind_from) == (date(2026, 11, 5), date(2026, 11, 6))
    assert meeting_due(mentorship(), last, date(2026, 11, 5), calendar) is None


def test_a_friday_due_date_is_reminded_on_monday(calendar: SchoolCalendar) -> None:
    due = meeting_due(mentorship(), meeting(date(2026, 11, 20)), date(2026, 11, 30), calendar)

    assert due is not None and (due.due_on, due.remind_from) == (date(2026, 11, 27), date(2026, 11, 30))


def test_each_missed_week_is_its_own_period(calendar: SchoolCalendar) -> None:
    last = meeting(date(2026, 11, 3))
    periods = {
        day: due.period
        for day in (date(2026, 11, 11), date(2026, 11, 13), date(2026, 11, 18), date(2026, 11, 25))
        if (due := meeting_due(mentorship(), last, day, calendar))
    }

    assert periods == {
        date(2026, 11, 11): "meeting:weekly:2026-11-10",
        date(2026, 11, 13): "meeting:weekly:2026-11-10",  # the same missed meeting: the same reminder
        date(2026, 11, 18): "meeting:weekly:2026-11-17",
        date(2026, 11, 25): "meeting:weekly:2026-11-24",
    }


def test_fortnightly_and_a_planned_next_meeting(calendar: SchoolCalendar) -> None:
    fortnightly = mentorship(MeetingCadence.FORTNIGHTLY)
    assert meeting_due(fortnightly, meeting(date(2026, 11, 17)), date(2026, 11, 25), calendar) is None
    due = meeting_due(fortnightly, meeting(date(2026, 11, 17)), date(2026, 12, 2), calendar)
    assert due is not None and due.due_on == date(2026, 12, 1)

    planned = meeting(date(2026, 11, 17), next_on=date(2026, 11, 27))
    assert meeting_due(mentorship(), planned, date(2026, 11, 25), calendar) is None  # the plan wins over the week
    due = meeting_due(mentorship(), planned, date(2026, 11, 30), calendar)
    assert due is not None and due.planned and due.due_on == date(2026, 11, 27)


def test_with_no_meeting_yet_the_week_starts_with_the_mentorship(calendar: SchoolCalendar) -> None:
    fresh = mentorship(start=date(2026, 11, 23))

    assert meeting_due(fresh, None, date(2026, 11, 30), calendar) is None
    due = meeting_due(fresh, None, date(2026, 12, 1), calendar)
    assert due is not None and due.due_on == date(2026, 11, 30)


def test_twice_a_term_reminds_in_the_last_school_week_of_each_half(calendar: SchoolCalendar) -> None:
    termly = mentorship(MeetingCadence.TWICE_A_TERM)
    assert [name for name, _ in halves(calendar)][:2] == ["Autumn 2026 (1)", "Autumn 2026 (2)"]

    assert meeting_due(termly, meeting(date(2026, 10, 1)), date(2026, 12, 11), calendar) is None
    due = meeting_due(termly, meeting(date(2026, 10, 1)), date(2026, 12, 14), calendar)
    assert due is not None and (due.due_on, due.period) == (date(2026, 12, 18), "meeting:twice_a_term:Autumn 2026 (2)")
    assert meeting_due(termly, meeting(date(2026, 11, 3)), date(2026, 12, 14), calendar) is None  # met this half


def test_closures_in_the_school_calendar_are_not_school_days(tmp_path: Path) -> None:
    path = tmp_path / "calendar.toml"
    path.write_text(
        default_calendar_path().read_text(encoding="utf-8")
        + '\n[[closures]]\ndate = 2026-11-24\nreason = "INSET day"\n',
        encoding="utf-8",
    )
    calendar = load_calendar(path)

    due = meeting_due(mentorship(), meeting(date(2026, 11, 17)), date(2026, 11, 26), calendar)

    assert due is not None and (due.due_on, due.remind_from) == (date(2026, 11, 25), date(2026, 11, 26))


def test_due_reminders_are_claimed_once(db: Database, calendar: SchoolCalendar) -> None:
    seed(db, start=date(2026, 11, 2))
    service = ReminderService(db, calendar, LONDON)
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)

    [due] = service.due("T0001", wednesday)
    assert (due.mentor_id, due.mentee_id, due.period, due.last_meeting_on) == (
        AMY,
        BEN,
        "meeting:weekly:2026-11-23",
        None,
    )
    claim = service.claim(due, wednesday)
    assert claim is not None
    assert service.claim(due, wednesday) is None  # a second scheduler, or a retry, loses the race
    assert service.due("T0001", wednesday) == []  # claimed: not owed any more
    service.mark_sent("T0001", claim, "DAMY", "1.0", wednesday)
    service.release("T0001", claim)  # too late to release a sent one
    assert service.due("T0001", wednesday + timedelta(hours=1)) == []


def test_a_released_claim_is_owed_again(db: Database, calendar: SchoolCalendar) -> None:
    seed(db, start=date(2026, 11, 2))
    service = ReminderService(db, calendar, LONDON)
    [due] = service.due("T0001", NOW + timedelta(days=1))
    claim = service.claim(due, NOW)
    assert claim is not None

    service.release("T0001", claim)

    assert service.due("T0001", NOW + timedelta(days=1)) == [due]


def test_no_reminders_out_of_school_hours_or_on_other_days(db: Database, calendar: SchoolCalendar) -> None:
    seed(db, start=date(2026, 11, 2))
    service = ReminderService(db, calendar, LONDON)

    for quiet in (
        datetime(2026, 11, 25, 7, 59, tzinfo=LONDON),
        datetime(2026, 11, 25, 17, 0, tzinfo=LONDON),
        datetime(2026, 11, 28, 10, 0, tzinfo=LONDON),  # Saturday
        datetime(2026, 10, 28, 10, 0, tzinfo=LONDON),  # half term
    ):
        assert service.due("T0001", quiet) == []
    assert service.due("T0001", datetime(2026, 11, 25, 7, 0, tzinfo=LONDON), any_hour=True) != []
    assert service.due("T0002", datetime(2026, 11, 25, 9, 0, tzinfo=LONDON)) == []  # another workspace's
