"""Due phrases in targets, as a UK mentor would type them, with the shipped England 2026–27 calendar."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.due_dates import (
    DueDateError,
    DuePhrase,
    PassedDateError,
    describe,
    not_a_school_day,
    parse_due,
    split_target,
)
from bot.core.school_calendar import SchoolCalendar, default_calendar_path, load_calendar
from tests.support.phrases import UNDATED

LONDON = ZoneInfo("Europe/London")

TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)  # autumn term, after October half term
HALF_TERM = datetime(2026, 10, 28, 9, 0, tzinfo=LONDON)  # Wednesday of October half term
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 0, tzinfo=LONDON)
CHRISTMAS_HOLIDAY = datetime(2026, 12, 21, 10, 0, tzinfo=LONDON)  # Monday, school broke up on Friday
EASTER_HOLIDAY = datetime(2027, 3, 30, 10, 0, tzinfo=LONDON)  # the Tuesday after Easter Sunday
SATURDAY = datetime(2027, 2, 13, 10, 0, tzinfo=LONDON)  # the weekend before February half term
SUMMER_HOLIDAY = datetime(2027, 7, 28, 10, 0, tzinfo=LONDON)  # after the last term in the calendar


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


D = date
DATED: list[tuple[datetime, str, str, date]] = [
    # Tuesday 24 November 2026
    (TUESDAY, "Use cold calling in every lesson by Monday week", "Use cold calling in every lesson", D(2026, 12, 7)),
    (TUESDAY, "Narrate the positive before half term", "Narrate the positive", D(2027, 2, 12)),
    (TUESDAY, "Re-teach the entry routine after half term", "Re-teach the entry routine", D(2027, 2, 22)),
    (TUESDAY, "Complete the Year 9 book look by the end of term", "Complete the Year 9 book look", D(2026, 12, 18)),
    (TUESDAY, "Use the behaviour policy consistently until end of term", "Use the behaviour policy consistently",
     D(2026, 12, 18)),
    (TUESDAY, "Observe an expert colleague teach Year 7 by half term", "Observe an expert colleague teach Year 7",
     D(2027, 2, 12)),
    (TUESDAY, "Start the new reading scheme next term", "Start the new reading scheme", D(2027, 1, 4)),
    (TUESDAY, "Write Year 3 reports by Christmas", "Write Year 3 reports", D(2026, 12, 18)),
    (TUESDAY, "Share your seating plan for 8B by the end of next week", "Share your seating plan for 8B",
     D(2026, 12, 4)),
    (TUESDAY, "Try think-pair-share in two lessons by the end of the week", "Try think-pair-share in two lessons",
     D(2026, 11, 27)),
    (TUESDAY, "Use mini whiteboards in every maths lesson this week", "Use mini whiteboards in every maths lesson",
     D(2026, 11, 27)),
    (TUESDAY, "Send me the Year 6 SATs plan a week on Friday", "Send me the Year 6 SATs plan", D(2026, 12, 4)),
    (TUESDAY, "Embed the new behaviour routine within a fortnight", "Embed the new behaviour routine",
     D(2026, 12, 8)),
    (TUESDAY, "Use retrieval starters with Year 8 in a fortnight", "Use retrieval starters with Year 8",
     D(2026, 12, 8)),
    (TUESDAY, "Introduce hinge questions in 3 weeks", "Introduce hinge questions", D(2026, 12, 15)),
    (TUESDAY, "Introduce hinge questions in three weeks", "Introduce hinge questions", D(2026, 12, 15)),
    (TUESDAY, "Finish the unit plan for Year 8 by the end of the month", "Finish the unit plan for Year 8",
     D(2026, 11, 30)),
    (TUESDAY, "Email me your reflection tomorrow", "Email me your reflection", D(2026, 11, 25)),
    (TUESDAY, "Observe Mr Patel's Year 10 lesson next Friday", "Observe Mr Patel's Year 10 lesson", D(2026, 12, 4)),
    (TUESDAY, "Observe a Year 2 lesson this Friday", "Observe a Year 2 lesson", D(2026, 11, 27)),
    (TUESDAY, "Meet the SENCo about the EHCP targets on Friday", "Meet the SENCo about the EHCP targets",
     D(2026, 11, 27)),
    (TUESDAY, "Submit the Year 11 mock data by 30th November", "Submit the Year 11 mock data", D(2026, 11, 30)),
    (TUESDAY, "Submit the Year 11 mock data by 30/11", "Submit the Year 11 mock data", D(2026, 11, 30)),
    (TUESDAY, "Submit the Year 11 mock data by 30 Nov", "Submit the Year 11 mock data", D(2026, 11, 30)),
    (TUESDAY, "Plan a Year 4 fractions lesson for Monday", "Plan a Year 4 fractions lesson", D(2026, 11, 30)),
    (TUESDAY, "Film ten minutes of your teaching by the end of term.", "Film ten minutes of your teaching",
     D(2026, 12, 18)),
    (TUESDAY, "Use the behaviour policy consistently until Christmas", "Use the behaviour policy consistently",
     D(2026, 12, 18)),
    (TUESDAY, "Read the EEF feedback guidance over half term", "Read the EEF feedback guidance", D(2027, 2, 22)),
    (TUESDAY, "Complete the phonics assessments by the end of this half term", "Complete the phonics assessments",
     D(2026, 12, 18)),  # this half term's last day, not the February holiday (issue 12)
    (TUESDAY, "Try cold calling with 9X2 by Wednesday", "Try cold calling with 9X2", D(2026, 11, 25)),
    (TUESDAY, "Co-plan a Year 5 lesson with Ana, by Friday", "Co-plan a Year 5 lesson with Ana", D(2026, 11, 27)),
    (TUESDAY, "Use cold calling in every lesson, due Monday", "Use cold calling in every lesson", D(2026, 11, 30)),
    (TUESDAY, "By Friday, share your seating plan with Sam", "Share your seating plan with Sam", D(2026, 11, 27)),
    (TUESDAY, "Next week: observe Ana teaching Year 5 phonics", "Observe Ana teaching Year 5 phonics",
     D(2026, 12, 4)),
    (TUESDAY, "Bring your marked books to Thursday's meeting", "Bring your marked books", D(2026, 11, 26)),
    (TUESDAY, "Check in with the SENCo in 5 school days", "Check in with the SENCo", D(2026, 12, 1)),
    (TUESDAY, "Plan the Year 6 revision timetable by Easter", "Plan the Year 6 revision timetable", D(2027, 3, 25)),
    (TUESDAY, "Send me your planning for next week", "Send me your planning", D(2026, 11, 30)),
    (TUESDAY, "Set up the reading corner for the week after next", "Set up the reading corner", D(2026, 12, 11)),
    (TUESDAY, "Trial exit tickets for 2 weeks", "Trial exit tickets", D(2026, 12, 8)),
    (TUESDAY, "Use a visualiser to model answers in 2 weeks' time", "Use a visualiser to model answers",
     D(2026, 12, 8)),
    (TUESDAY, "Complete the Level 1 safeguarding module by the 30th", "Complete the Level 1 safeguarding module",
     D(2026, 11, 30)),
    (TUESDAY, "Review the Year 2 phonics screening data by the end of January",
     "Review the Year 2 phonics screening data", D(2027, 1, 31)),
    (TUESDAY, "Teach the phase 5 sounds by mid-December", "Teach the phase 5 sounds", D(2026, 12, 15)),
    (TUESDAY, "Finish marking Year 7 set 3 books by Friday 4 December", "Finish marking Year 7 set 3 books",
     D(2026, 12, 4)),
    (TUESDAY, "Apply for the NPQ by 4/12/2026", "Apply for the NPQ", D(2026, 12, 4)),
    (TUESDAY, "Start the Year 10 set 2 intervention after Christmas", "Start the Year 10 set 2 intervention",
     D(2027, 1, 4)),
    (TUESDAY, "Do a learning walk the day after tomorrow", "Do a learning walk", D(2026, 11, 26)),
    (TUESDAY, "Update the seating plans a week today", "Update the seating plans", D(2026, 12, 1)),
    (TUESDAY, "Have the trip risk assessment done by the end of the spring term",
     "Have the trip risk assessment done", D(2027, 3, 25)),
    (TUESDAY, "Practise the routine with Year 3 in a couple of weeks", "Practise the routine with Year 3",
     D(2026, 12, 8)),
    (TUESDAY, "Observe a Reception phonics session on 3 December", "Observe a Reception phonics session",
     D(2026, 12, 3)),
    (TUESDAY, "Write your end-of-year reflection by the end of the year", "Write your end-of-year reflection",
     D(2027, 7, 21)),
    # Wednesday of October half term
    (HALF_TERM, "Re-teach the lining-up routine after half term", "Re-teach the lining-up routine", D(2026, 11, 2)),
    (HALF_TERM, "Plan Year 5 spellings by the end of term", "Plan Year 5 spellings", D(2026, 12, 18)),
    (HALF_TERM, "Observe a colleague before half term", "Observe a colleague", D(2027, 2, 12)),
    (HALF_TERM, "Start the new seating plan next term", "Start the new seating plan", D(2027, 1, 4)),
    (HALF_TERM, "Review the behaviour logs by Monday", "Review the behaviour logs", D(2026, 11, 2)),
    # Friday evening: "Friday" is next week's, "the end of the week" is today
    (FRIDAY_EVENING, "Send me your Year 6 plan by Friday", "Send me your Year 6 plan", D(2026, 12, 4)),
    (FRIDAY_EVENING, "Send me your Year 6 plan by Monday", "Send me your Year 6 plan", D(2026, 11, 30)),
    (FRIDAY_EVENING, "Reflect on the observation by the end of the week", "Reflect on the observation",
     D(2026, 11, 27)),
    (FRIDAY_EVENING, "Send me your Year 6 plan Monday week", "Send me your Year 6 plan", D(2026, 12, 7)),
    (FRIDAY_EVENING, "Read the feedback chapter tomorrow", "Read the feedback chapter", D(2026, 11, 28)),
    # Christmas holidays
    (CHRISTMAS_HOLIDAY, "Read the new marking policy by Christmas", "Read the new marking policy", D(2026, 12, 24)),
    (CHRISTMAS_HOLIDAY, "Plan the spring unit by the end of term", "Plan the spring unit", D(2027, 3, 25)),
    (CHRISTMAS_HOLIDAY, "Plan the first week back next term", "Plan the first week back", D(2027, 1, 4)),
    (CHRISTMAS_HOLIDAY, "Try the new starter in a fortnight", "Try the new starter", D(2027, 1, 4)),
    (CHRISTMAS_HOLIDAY, "Start the new reading scheme after Christmas", "Start the new reading scheme",
     D(2027, 1, 4)),
    (EASTER_HOLIDAY, "Restart the phonics groups after Easter", "Restart the phonics groups", D(2027, 4, 12)),
    (EASTER_HOLIDAY, "Run the Year 6 booster sessions by Easter", "Run the Year 6 booster sessions",
     D(2028, 4, 15)),  # this Easter has been: next year's, and the calendar stops before it
    # The Saturday before February half term: that half term's last school day has gone
    (SATURDAY, "Finish the spring assessment by half term", "Finish the spring assessment", D(2027, 5, 28)),
    (SATURDAY, "Restart the reading interventions after half term", "Restart the reading interventions",
     D(2027, 2, 22)),
    (SATURDAY, "Email the parents by the end of the week", "Email the parents", D(2027, 2, 19)),
]  # fmt: skip


# School words are never dates.
@pytest.mark.parametrize(("now", "text", "rest", "due"), DATED, ids=[row[1] for row in DATED])
def test_due_phrase_is_split_off(now: datetime, text: str, rest: str, due: date, calendar: SchoolCalendar) -> None:
    remaining, phrase = split_target(text, now=now, calendar=calendar)
    assert (remaining, phrase.due if phrase else None) == (rest, due)
    assert phrase is not None and phrase.phrase in text


@pytest.mark.parametrize("text", UNDATED)
def test_school_words_are_not_dates(text: str, calendar: SchoolCalendar) -> None:
    assert split_target(text, now=TUESDAY, calendar=calendar) == (text, None)


def test_the_phrase_is_kept_as_typed(calendar: SchoolCalendar) -> None:
    text = "Use cold calling in every lesson by Monday week"
    assert split_target(text, now=TUESDAY, calendar=calendar) == (
        "Use cold calling in every lesson",
        DuePhrase(date(2026, 12, 7), "by Monday week"),
    )
    rest, phrase = split_target("Try it, BY THE END OF TERM!", now=TUESDAY, calendar=calendar)
    assert (rest, phrase) == ("Try it", DuePhrase(date(2026, 12, 18), "BY THE END OF TERM"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Use cold calling by blursday", "couldn't understand “by blursday”"),
        ("Use cold calling by Fridya", "couldn't understand “by Fridya”"),
        ("Send the plan by 31/02", "couldn't understand “by 31/02”"),
        ("Send the plan by the 45th", "couldn't understand “by the 45th”"),
        ("Finish the book look by 1 Sep 2026", "is in the past"),
        ("Finish the book look by 24 November 2029", "more than 18 months away"),
        ("Finish the book look in 100 weeks", "more than 18 months away"),
        ("Finish the book look by Friday 5 December", "is a Saturday, not a Friday"),
    ],
)
def test_bad_dates_are_reported(text: str, message: str, calendar: SchoolCalendar) -> None:
    with pytest.raises(DueDateError, match=message):
        split_target(text, now=TUESDAY, calendar=calendar)


def test_error_message_suggests_what_to_type(calendar: SchoolCalendar) -> None:
    with pytest.raises(DueDateError) as caught:
        split_target("Use cold calling by blursday", now=TUESDAY, calendar=calendar)
    assert str(caught.value) == (
        "I couldn't understand “by blursday” as a date. Try “by Friday”, “in 2 weeks” or “by 30 November”."
    )


def test_school_idioms_beyond_the_calendar_say_so(calendar: SchoolCalendar) -> None:
    with pytest.raises(DueDateError, match="school calendar"):
        split_target("Plan the autumn scheme next term", now=SUMMER_HOLIDAY, calendar=calendar)


def test_dates_follow_the_mentors_own_day(calendar: SchoolCalendar) -> None:
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=LONDON)
    monday_morning = datetime(2026, 11, 30, 0, 30, tzinfo=LONDON)
    assert split_target("Plan it tomorrow", now=sunday_night, calendar=calendar)[1] == DuePhrase(
        date(2026, 11, 30), "tomorrow"
    )
    assert split_target("Plan it tomorrow", now=monday_morning, calendar=calendar)[1] == DuePhrase(
        date(2026, 12, 1), "tomorrow"
    )
    # A bare weekday is never today: on Sunday night "Monday" is tomorrow, half an hour later it's a week away.
    assert parse_due("by Monday", now=sunday_night, calendar=calendar) == date(2026, 11, 30)
    assert parse_due("by Monday", now=monday_morning, calendar=calendar) == date(2026, 12, 7)
    # The same instant is already Monday in Tokyo.
    assert parse_due("tomorrow", now=sunday_night.astimezone(ZoneInfo("Asia/Tokyo")), calendar=calendar) == date(
        2026, 12, 1
    )
    # And in summer time, 00:30 in London is still the day before in UTC.
    london_after_midnight = datetime(2027, 6, 7, 0, 30, tzinfo=LONDON)
    assert parse_due("tomorrow", now=london_after_midnight, calendar=calendar) == date(2027, 6, 8)
    assert parse_due("tomorrow", now=london_after_midnight.astimezone(ZoneInfo("UTC")), calendar=calendar) == date(
        2027, 6, 7
    )


@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        ("Monday week", date(2026, 12, 7)),
        ("by 30/11", date(2026, 11, 30)),
        ("30 Nov", date(2026, 11, 30)),
        ("30th November 2026", date(2026, 11, 30)),
        ("end of term", date(2026, 12, 18)),
        ("before half term", date(2027, 2, 12)),
        ("after half term", date(2027, 2, 22)),
        ("next term", date(2027, 1, 4)),
        ("by Christmas", date(2026, 12, 18)),
        ("end of next week", date(2026, 12, 4)),
        ("end of the week", date(2026, 11, 27)),
        ("a week on Friday", date(2026, 12, 4)),
        ("within a fortnight", date(2026, 12, 8)),
        ("in 3 weeks", date(2026, 12, 15)),
        ("by the end of the month", date(2026, 11, 30)),
        ("tomorrow", date(2026, 11, 25)),
        ("next Friday", date(2026, 12, 4)),
        ("Friday", date(2026, 11, 27)),
        ("by half term", date(2027, 2, 12)),
        ("24 Nov", date(2026, 11, 24)),  # today still counts
        ("23 Jul", date(2027, 7, 23)),  # gone this year, months ago: next year's
        ("  in a month  ", date(2026, 12, 24)),
    ],
)
def test_parse_due(phrase: str, due: date, calendar: SchoolCalendar) -> None:
    assert parse_due(phrase, now=TUESDAY, calendar=calendar) == due


@pytest.mark.parametrize("phrase", ["", "Year 5", "10 minutes", "by blursday", "lesson 2", "soon"])
def test_parse_due_rejects_what_it_cannot_read(phrase: str, calendar: SchoolCalendar) -> None:
    with pytest.raises(DueDateError, match="couldn't understand"):
        parse_due(phrase, now=TUESDAY, calendar=calendar)


# --- issue 12: said on Wednesday 2 December 2026 ----------------------------------------------------------

WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # Autumn 2: the term ends on Friday 18 December

SCHOOL_YEAR_WORDS: list[tuple[str, str, date]] = [
    ("Complete the phonics assessments by the end of this half term", "Complete the phonics assessments",
     D(2026, 12, 18)),
    ("Finish the moderation by the end of half term", "Finish the moderation", D(2026, 12, 18)),
    ("Re-plan the unit by the end of next half term", "Re-plan the unit", D(2027, 2, 12)),
    ("Finish the Year 9 unit by the end of autumn 2", "Finish the Year 9 unit", D(2026, 12, 18)),
    ("Finish the Year 9 unit by Autumn 2", "Finish the Year 9 unit", D(2026, 12, 18)),  # we are in it
    ("Start the new scheme by spring 1", "Start the new scheme", D(2027, 1, 4)),
    ("Observe a science lesson in Spring 2", "Observe a science lesson", D(2027, 3, 25)),
    ("Run the parents' evening by the start of Summer 1", "Run the parents' evening", D(2027, 4, 12)),
    ("Plan the sports day by the end of Summer 2", "Plan the sports day", D(2027, 7, 21)),
    ("Mark the mocks Friday fortnight", "Mark the mocks", D(2026, 12, 18)),
    ("Mark the mocks by Thursday fortnight", "Mark the mocks", D(2026, 12, 17)),
    ("Observe Year 3 in the first week back", "Observe Year 3", D(2027, 1, 8)),
    ("Have the seating plans ready for the first week back", "Have the seating plans", D(2027, 1, 4)),
    ("Restart the reading groups in the first week back after half term", "Restart the reading groups",
     D(2027, 2, 26)),
    ("Film a lesson in the last week of term", "Film a lesson", D(2026, 12, 18)),
    ("Plan the carol service for the last week of term", "Plan the carol service", D(2026, 12, 14)),
    ("Use the new marking code from next term", "Use the new marking code", D(2027, 1, 4)),
    ("Mark books for 9X2 a week Monday", "Mark books for 9X2", D(2026, 12, 14)),
    ("Mark books for 9X2 b4 half term", "Mark books for 9X2", D(2027, 2, 12)),
    ("Mark books for 9X2 nxt fri", "Mark books for 9X2", D(2026, 12, 11)),
    ("Finish the reports a fortnight Friday", "Finish the reports", D(2026, 12, 18)),
    ("Book the trip by 1 August", "Book the trip", D(2027, 8, 1)),  # months ago: next year's, as before
]  # fmt: skip

# What is left of a target must hold none of its date: a half-understood phrase is an error instead.
_DATE_WORDS = re.compile(
    r"\b(?:by|b4|before|nxt|next|this|week|fortnight|term|half|autumn|spring|summer|monday|thursday|friday|"
    r"fri|first|last|end|from)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(("text", "rest", "due"), SCHOOL_YEAR_WORDS, ids=[row[0] for row in SCHOOL_YEAR_WORDS])
def test_school_words_teachers_use(text: str, rest: str, due: date, calendar: SchoolCalendar) -> None:
    remaining, phrase = split_target(text, now=WEDNESDAY, calendar=calendar)
    assert (remaining, phrase.due if phrase else None) == (rest, due)
    assert not _DATE_WORDS.search(remaining.removeprefix("Mark books for 9X2"))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Mark books next next Friday", "next"),
        ("Mark books by the Friday after half term", "Friday"),
    ],
)
def test_a_half_understood_date_is_reported_not_left_in_the_text(
    text: str, word: str, calendar: SchoolCalendar
) -> None:
    with pytest.raises(DueDateError, match=f"but not “{word}” just before it"):
        split_target(text, now=WEDNESDAY, calendar=calendar)


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("Do this by Friday", "Do this"),
        ("Plan the lessons for the week by Friday", "Plan the lessons for the week"),
        ("Prepare the mocks for January by Friday", "Prepare the mocks for January"),
        ("Plan the lessons for Monday by Friday", "Plan the lessons for Monday"),
        ("Do the following by Friday", "Do the following"),
    ],
)
def test_words_that_end_a_target_are_not_taken_for_half_a_date(text: str, rest: str, calendar: SchoolCalendar) -> None:
    assert split_target(text, now=WEDNESDAY, calendar=calendar) == (rest, DuePhrase(D(2026, 12, 4), "by Friday"))


@pytest.mark.parametrize(
    ("text", "rest", "passed", "next_year"),
    [
        ("Mark books for 9X2 by 30/11", "Mark books for 9X2", D(2026, 11, 30), D(2027, 11, 30)),
        ("Send the data by 1 September", "Send the data", D(2026, 9, 1), D(2027, 9, 1)),
        ("Send the data by the end of November", "Send the data", D(2026, 11, 30), D(2027, 11, 30)),
        ("By 30th Nov, send the data", "Send the data", D(2026, 11, 30), D(2027, 11, 30)),
    ],
)
def test_a_day_and_month_just_gone_is_asked_about_never_moved_a_year(
    text: str, rest: str, passed: date, next_year: date, calendar: SchoolCalendar
) -> None:
    with pytest.raises(PassedDateError) as caught:
        split_target(text, now=WEDNESDAY, calendar=calendar)
    assert (caught.value.rest, caught.value.passed, caught.value.next_year) == (rest, passed, next_year)
    assert describe(passed) in str(caught.value) and describe(next_year) in str(caught.value)


def test_parse_due_asks_too_and_takes_the_year_typed_as_overdue(calendar: SchoolCalendar) -> None:
    with pytest.raises(PassedDateError, match="has passed"):
        parse_due("by 1 September", now=WEDNESDAY, calendar=calendar)
    assert parse_due("30/11/2026", now=WEDNESDAY, calendar=calendar, allow_overdue=True) == D(2026, 11, 30)
    assert parse_due("30/11/2027", now=WEDNESDAY, calendar=calendar) == D(2027, 11, 30)
    with pytest.raises(DueDateError, match="is in the past"):
        parse_due("30/11/2026", now=WEDNESDAY, calendar=calendar)


@pytest.mark.parametrize(
    ("day", "why", "before", "after"),
    [
        (D(2026, 12, 5), "a Saturday", D(2026, 12, 4), D(2026, 12, 7)),
        (D(2026, 12, 25), "in the school holidays", D(2026, 12, 18), D(2027, 1, 4)),
        (D(2027, 1, 1), "in the school holidays", D(2026, 12, 18), D(2027, 1, 4)),
        (D(2027, 2, 17), "in the half-term holiday", D(2027, 2, 12), D(2027, 2, 22)),
        (D(2027, 5, 3), "a day the school is closed (Early May bank holiday)", D(2027, 4, 30), D(2027, 5, 4)),
        (D(2028, 4, 15), "a Saturday", D(2028, 4, 14), D(2028, 4, 17)),  # beyond the calendar: weekends only
    ],
)
def test_a_day_that_is_not_a_school_day_says_why_and_offers_both_sides(
    day: date, why: str, before: date, after: date, calendar: SchoolCalendar
) -> None:
    advice = not_a_school_day(day, calendar, today=WEDNESDAY.date())
    assert advice is not None
    assert (advice.why, advice.before, advice.after) == (why, before, after)


@pytest.mark.parametrize("day", [D(2026, 12, 4), D(2027, 1, 4), D(2028, 4, 14)])
def test_school_days_need_no_advice(day: date, calendar: SchoolCalendar) -> None:
    assert not_a_school_day(day, calendar, today=WEDNESDAY.date()) is None
