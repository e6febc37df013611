"""The review schedule rule, case by case against the shipped England calendars (2026–27, 2027–28) and the
estimate beyond them."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest

from bot.core.calendar_years import easter_sunday, estimated_year, extend_calendar
from bot.core.school_calendar import SchoolCalendar, default_calendar_path, load_calendar
from bot.reviews.schedule import (
    InductionFacts,
    ProviderPoint,
    assessment_terms,
    induction_plan,
    induction_terms,
    provider_plan,
    working_days_after,
)
from storage.reviews import ReviewKind

P, F, IN = ReviewKind.PROGRESS, ReviewKind.FORMAL, ReviewKind.INTERIM


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


def plan_rows(facts: InductionFacts, calendar: SchoolCalendar) -> list[tuple[str, ReviewKind, date]]:
    return [(item.key, item.kind, item.due_on) for item in induction_plan(facts, calendar).items]


@pytest.mark.parametrize(
    ("fraction", "terms", "assessments"),
    [
        (1.0, 6, (3, 6)),
        (0.8, 8, (4, 8)),
        (0.6, 10, (5, 10)),
        (0.5, 12, (6, 12)),
        (0.4, 15, (8, 15)),
        (0.1, 60, (30, 60)),
    ],
)
def test_part_time_induction_is_pro_rata(fraction: float, terms: int, assessments: tuple[int, int]) -> None:
    assert induction_terms(fraction) == terms
    assert assessment_terms(fraction) == assessments


def test_a_full_time_september_ect_has_reviews_in_terms_1_2_4_5_and_assessments_at_the_end_of_3_and_6(
    calendar: SchoolCalendar,
) -> None:
    plan = induction_plan(InductionFacts(date(2026, 9, 2)), calendar)

    assert [(i.key, i.kind, i.due_on, i.term_name) for i in plan.items] == [
        ("term:1", P, date(2026, 12, 18), "Autumn 2026"),
        ("term:2", P, date(2027, 3, 25), "Spring 2027"),
        ("term:3", F, date(2027, 7, 21), "Summer 2027"),
        ("term:4", P, date(2027, 12, 17), "Autumn 2027"),  # the shipped 2027-28 file
        ("term:5", P, date(2028, 3, 31), "Spring 2028"),
        ("term:6", F, date(2028, 7, 21), "Summer 2028"),
    ]
    assert plan.end == date(2028, 7, 21) and not plan.mid_term_start and plan.extended_by_days == 0
    assert [i.final for i in plan.items] == [False] * 5 + [True]
    assert plan.items[-1].send_by == date(2028, 8, 4)  # ten working days
    assert not any(i.estimated for i in plan.items)
    # each review covers the time since the one before
    assert plan.items[0].period_start == date(2026, 9, 2)
    assert all(b.period_start.toordinal() == a.due_on.toordinal() + 1 for a, b in pairwise(plan.items))


def test_a_start_in_the_first_week_of_term_is_not_mid_term(calendar: SchoolCalendar) -> None:
    plan = induction_plan(InductionFacts(date(2026, 9, 8)), calendar)
    assert not plan.mid_term_start and plan.items[0].due_on == date(2026, 12, 18)


def test_a_part_time_ect_has_a_review_every_term_without_an_assessment_and_a_longer_induction(
    calendar: SchoolCalendar,
) -> None:
    plan = induction_plan(InductionFacts(date(2026, 9, 2), fraction=0.6), calendar)

    kinds = [i.kind for i in plan.items]
    assert kinds == [P, P, P, P, F, P, P, P, P, F]
    assert plan.items[4].due_on == date(2028, 3, 31)
    assert plan.end == date(2029, 12, 20)  # autumn 2029: beyond the shipped files, estimated
    assert [i.estimated for i in plan.items] == [False] * 6 + [True] * 4


def test_a_january_starter_mid_term_has_the_first_review_by_half_way_through_the_next_term(
    calendar: SchoolCalendar,
) -> None:
    plan = induction_plan(InductionFacts(date(2027, 1, 18)), calendar)

    assert plan.mid_term_start
    first = plan.items[0]
    assert (first.kind, first.period_start, first.due_on, first.term_name) == (
        P,
        date(2027, 1, 18),
        date(2027, 5, 28),  # the last school day before the summer half term
        "Summer 2027",
    )
    assert [i.kind for i in plan.items] == [P, P, F, P, P, F]
    assert plan.items[2].due_on == date(2028, 3, 31)


def test_a_start_in_the_holidays_begins_with_the_next_term(calendar: SchoolCalendar) -> None:
    plan = induction_plan(InductionFacts(date(2026, 12, 21)), calendar)
    assert not plan.mid_term_start
    assert plan.items[0].term_name == "Spring 2027" and plan.items[0].due_on == date(2027, 3, 25)


@pytest.mark.parametrize(
    ("absent", "end", "extra"),
    [
        (0, date(2028, 7, 21), []),
        (29, date(2028, 7, 21), []),  # under 30 days: no extension
        (30, date(2028, 10, 13), [("term:6", P, date(2028, 7, 21)), ("term:7", F, date(2028, 10, 13))]),
        (
            90,
            date(2029, 1, 26),
            [("term:6", P, date(2028, 7, 21)), ("term:7", P, date(2028, 12, 20)), ("term:8", F, date(2029, 1, 26))],
        ),
    ],
)
def test_thirty_days_absence_or_more_extends_induction_by_the_days_absent(
    calendar: SchoolCalendar, absent: int, end: date, extra: list[tuple[str, ReviewKind, date]]
) -> None:
    plan = induction_plan(InductionFacts(date(2026, 9, 2), days_absent=absent), calendar)

    assert plan.end == end
    rows = plan_rows(InductionFacts(date(2026, 9, 2), days_absent=absent), calendar)
    if extra:
        assert rows[5:] == extra and plan.extended_by_days == absent
        assert plan.items[-1].final and plan.items[-1].send_by is not None
    else:
        assert rows[5] == ("term:6", F, date(2028, 7, 21)) and plan.extended_by_days == 0


def test_leaving_after_a_term_gives_an_interim_assessment_and_drops_the_rest(calendar: SchoolCalendar) -> None:
    rows = plan_rows(InductionFacts(date(2026, 9, 2), left_on=date(2027, 2, 14)), calendar)
    # 14 February 2027 is a Sunday: the last school day is Friday 12th
    assert rows == [("term:1", P, date(2026, 12, 18)), ("interim", IN, date(2027, 2, 12))]


def test_leaving_before_a_term_is_done_gives_no_interim_assessment(calendar: SchoolCalendar) -> None:
    plan = induction_plan(InductionFacts(date(2026, 9, 2), left_on=date(2026, 11, 10)), calendar)
    assert plan.items == () and "no interim assessment" in plan.notes[0]


def test_leaving_on_a_review_day_needs_no_extra_interim(calendar: SchoolCalendar) -> None:
    rows = plan_rows(InductionFacts(date(2026, 9, 2), left_on=date(2027, 3, 25)), calendar)
    assert rows == [("term:1", P, date(2026, 12, 18)), ("term:2", P, date(2027, 3, 25))]


def test_provider_points_are_in_date_order_each_covering_the_time_since_the_last() -> None:
    items = provider_plan(
        date(2026, 9, 7),
        [ProviderPoint(2, "Final review", date(2027, 3, 19)), ProviderPoint(1, "Mid-point", date(2026, 12, 4))],
    )
    assert [(i.key, i.title, i.period_start, i.due_on) for i in items] == [
        ("point:1", "Mid-point", date(2026, 9, 7), date(2026, 12, 4)),
        ("point:2", "Final review", date(2026, 12, 5), date(2027, 3, 19)),
    ]
    assert {i.kind for i in items} == {ReviewKind.PROVIDER}


def test_working_days_skip_weekends_and_bank_holidays(calendar: SchoolCalendar) -> None:
    # Friday 30 April 2027 + 1 working day: Monday 3 May is the early May bank holiday
    assert working_days_after(date(2027, 4, 30), 1, calendar) == date(2027, 5, 4)


# --- the calendar beyond its file --------------------------------------------------------------------------------


def test_the_estimate_reproduces_the_shipped_2026_27_year(calendar: SchoolCalendar) -> None:
    terms, closures = estimated_year(2026)
    assert [(t.name, t.start, t.end, t.half_term) for t in terms] == [
        (t.name, t.start, t.end, t.half_term) for t in calendar.terms
    ]
    assert [c.days for c in closures] == [c.days for c in calendar.closures]


def test_the_calendar_goes_on_with_the_shipped_2027_28_file_then_estimates(calendar: SchoolCalendar) -> None:
    longer = extend_calendar(calendar, date(2029, 9, 30))
    names = [(t.name, t.estimated) for t in longer.terms]
    assert names[:6] == [(n, False) for n in ("Autumn 2026", "Spring 2027", "Summer 2027")] + [
        (n, False) for n in ("Autumn 2027", "Spring 2028", "Summer 2028")
    ]
    # whole school years are added: up to the summer of 2030
    assert [n for n, _ in names[6:]] == [
        "Autumn 2028",
        "Spring 2029",
        "Summer 2029",
        "Autumn 2029",
        "Spring 2030",
        "Summer 2030",
    ]
    assert all(estimated for _, estimated in names[6:])
    assert longer.is_school_day(date(2028, 9, 4)) and not longer.is_school_day(date(2028, 10, 24))  # half term
    assert extend_calendar(calendar, date(2027, 7, 1)) is calendar  # nothing needed, nothing added


def test_a_late_easter_puts_good_friday_and_easter_monday_as_closures() -> None:
    assert easter_sunday(2038) == date(2038, 4, 25)
    terms, closures = estimated_year(2037)
    assert terms[1].end == date(2038, 4, 2)
    assert {c.reason for c in closures} >= {"Good Friday", "Easter Monday"}


def test_meetings_expected_over_two_years_count_the_year_past_the_calendar_file() -> None:
    from bot.core.school_calendar import default_calendar_path, load_calendar
    from bot.reviews.draft import expected_meetings
    from storage.roster import MeetingCadence

    calendar = load_calendar(default_calendar_path())  # holds 2026-27 only
    first_year = expected_meetings(date(2026, 9, 2), date(2027, 7, 21), MeetingCadence.WEEKLY, calendar)
    both_years = expected_meetings(date(2026, 9, 2), date(2028, 7, 20), MeetingCadence.WEEKLY, calendar)

    assert 36 <= first_year <= 40  # the school weeks of one English school year
    assert both_years >= 2 * first_year - 2  # the second year's school weeks are counted too, not dropped
