"""Which reviews a teacher has, and when: pure rules, no Slack and no SQL.

ECT induction (statutory guidance for England):

* induction is six terms full time; part time it is pro rata: `ceil(6 / fraction)` terms (0.6: ten);
* formal assessments close the term that completes the first and the second full-time year
  (`ceil(3 / fraction)` and the last term: terms 3 and 6 full time, 5 and 10 at 0.6); every other term
  has a progress review (so a part-timer has one every term without an assessment);
* reviews fall due on the last school day of their term;
* a teacher who starts after the first week of a term (more than five school days in) starts mid-term:
  that part-term is not one of the counted terms, and the first review falls due by half-way through the
  next term (the last school day before its half term), covering the time since they started;
* 30 days' absence or more in total extends induction by the days absent, counted in school days from
  the original end: the final assessment moves to the new end, and the term that would have held it, and
  any term in between, gets a progress review instead;
* a teacher who leaves after completing at least one counted term gets an interim assessment on their
  last school day; nothing after it is scheduled. Leaving sooner: no interim assessment;
* the final assessment goes to the appropriate body within 10 working days (`send_by`).

Trainees have their provider's review points instead: the names and dates the provider gives.
Dates in years the calendar file doesn't cover come from `bot/core/calendar_years.py` and are marked
`estimated`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.calendar_years import extend_calendar
from bot.core.school_calendar import SchoolCalendar, Term
from storage.reviews import ReviewKind

FULL_TIME_TERMS = 6
MID_TERM_AFTER_SCHOOL_DAYS = 5  # starting later than this in a term is a mid-term start
ABSENCE_EXTENDS_AT = 30  # days absent in total before induction is extended
SEND_FINAL_WITHIN_WORKING_DAYS = 10
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class InductionFacts:
    start: date
    fraction: float = 1.0  # 1.0 full time, 0.6 for three days a week
    days_absent: int = 0
    left_on: date | None = None


@dataclass(frozen=True)
class ScheduleItem:
    key: str  # stable name of the item: "term:3", "interim", "point:<id>"
    kind: ReviewKind
    title: str  # e.g. "Progress review 2 (term 2)"
    period_start: date
    period_end: date
    due_on: date
    term_number: int | None = None
    term_name: str | None = None
    estimated: bool = False  # the date comes from an estimated calendar year
    final: bool = False
    send_by: date | None = None  # the final assessment: to the appropriate body by this date


@dataclass(frozen=True)
class InductionPlan:
    items: tuple[ScheduleItem, ...]
    end: date  # the expected last day of induction (extended if need be)
    terms: int  # counted terms, pro rata
    mid_term_start: bool
    extended_by_days: int
    notes: tuple[str, ...] = ()


def induction_terms(fraction: float) -> int:
    return math.ceil(round(FULL_TIME_TERMS / fraction, 6))


def assessment_terms(fraction: float) -> tuple[int, int]:
    return math.ceil(round(FULL_TIME_TERMS / 2 / fraction, 6)), induction_terms(fraction)


def working_days_after(day: date, count: int, calendar: SchoolCalendar) -> date:
    """`count` working days after `day`: weekdays, skipping the calendar's closures (bank holidays)."""
    found = day
    while count:
        found += _DAY
        if found.weekday() < 5 and calendar.closure_for(found) is None:
            count -= 1
    return found


def _last_school_day(calendar: SchoolCalendar, term: Term) -> date:
    return calendar.last_school_day_of(term) or term.end


def _mid_point(calendar: SchoolCalendar, term: Term) -> date:
    """The last school day of the first half of `term` (before its half term)."""
    if term.half_term is None:
        return term.start + (term.end - term.start) / 2
    return calendar.last_school_day_before(term.half_term.start) or term.half_term.start - _DAY


def induction_plan(facts: InductionFacts, calendar: SchoolCalendar) -> InductionPlan:
    total = induction_terms(facts.fraction)
    first_assessment, _ = assessment_terms(facts.fraction)
    # Enough calendar for a long part-time induction with an extension: a year per two terms, and a year more.
    cal = extend_calendar(calendar, facts.start + timedelta(days=183 * (total + 2) + 365), since=facts.start)
    first = cal.current_or_next_term(facts.start)
    assert first is not None  # extend_calendar reaches past the start
    mid_term = False
    if facts.start in first:
        opening = cal.first_school_day_of(first) or first.start
        if (cal.add_school_days(opening, MID_TERM_AFTER_SCHOOL_DAYS) or first.end) <= facts.start:
            mid_term = True
    terms = [t for t in cal.terms if t.start >= first.start]
    counted = terms[1:] if mid_term else terms
    items: list[ScheduleItem] = []
    period_start = facts.start
    for number in range(1, total + 1):
        term = counted[number - 1]
        due = _last_school_day(cal, term)
        if number == 1 and mid_term:
            due = _mid_point(cal, term)
        if number in (first_assessment, total):
            which = "1" if number == first_assessment and number != total else "2 (final)"
            kind, title = ReviewKind.FORMAL, f"Formal assessment {which} — term {number}"
        else:
            kind, title = ReviewKind.PROGRESS, f"Progress review — term {number}"
        items.append(
            ScheduleItem(
                key=f"term:{number}",
                kind=kind,
                title=title,
                period_start=period_start,
                period_end=due,
                due_on=due,
                term_number=number,
                term_name=term.name,
                estimated=term.estimated,
                final=number == total,
            )
        )
        period_start = due + _DAY
    end = items[-1].due_on
    notes: list[str] = []
    extended = 0
    if facts.days_absent >= ABSENCE_EXTENDS_AT:
        extended = facts.days_absent
        new_end = cal.add_school_days(end, extended) or end + timedelta(days=extended * 7 // 5)
        final = items.pop()
        items.append(_as_progress_review(final))
        number = total
        for term in counted[total:]:
            if term.start > new_end:
                break
            number += 1
            due = _last_school_day(cal, term)
            start = items[-1].due_on + _DAY
            if due < new_end:
                items.append(
                    ScheduleItem(
                        f"term:{number}",
                        ReviewKind.PROGRESS,
                        f"Progress review — term {number}",
                        start,
                        due,
                        due,
                        number,
                        term.name,
                        term.estimated,
                    )
                )
            else:
                items.append(
                    ScheduleItem(
                        f"term:{number}",
                        ReviewKind.FORMAL,
                        f"Formal assessment 2 (final) — term {number}",
                        start,
                        new_end,
                        new_end,
                        number,
                        term.name,
                        term.estimated,
                        final=True,
                    )
                )
                break
        end = new_end
        notes.append(f"{extended} days' absence extends induction by {extended} school days.")
    if facts.left_on is not None:
        items, end = _leaving(items, facts.left_on, cal, notes)
    if items and items[-1].final:
        last = items[-1]
        items[-1] = _with(last, send_by=working_days_after(last.due_on, SEND_FINAL_WITHIN_WORKING_DAYS, cal))
    return InductionPlan(tuple(items), end, total, mid_term, extended, tuple(notes))


def _with(item: ScheduleItem, **changes: object) -> ScheduleItem:
    from dataclasses import replace

    return replace(item, **changes)  # type: ignore[arg-type]


def _as_progress_review(item: ScheduleItem) -> ScheduleItem:
    return _with(item, kind=ReviewKind.PROGRESS, title=f"Progress review — term {item.term_number}", final=False)


def _leaving(
    items: list[ScheduleItem], left_on: date, cal: SchoolCalendar, notes: list[str]
) -> tuple[list[ScheduleItem], date]:
    kept = [item for item in items if item.due_on <= left_on]
    last_day = left_on if cal.is_school_day(left_on) else (cal.last_school_day_before(left_on) or left_on)
    if not kept:
        notes.append("Left before completing a term: no interim assessment.")
        return [], last_day
    if kept[-1].due_on < last_day:
        kept.append(
            ScheduleItem(
                "interim",
                ReviewKind.INTERIM,
                "Interim assessment (leaving)",
                kept[-1].due_on + _DAY,
                last_day,
                last_day,
                estimated=kept[-1].estimated,
            )
        )
    notes.append(f"Leaves on {left_on:%-d %B %Y}.")
    return kept, last_day


@dataclass(frozen=True)
class ProviderPoint:
    id: int
    name: str
    due_on: date


def provider_plan(start: date, points: Sequence[ProviderPoint]) -> tuple[ScheduleItem, ...]:
    """A trainee's review points, in date order, each covering the time since the one before."""
    items = []
    period_start = start
    for point in sorted(points, key=lambda p: (p.due_on, p.id)):
        items.append(
            ScheduleItem(f"point:{point.id}", ReviewKind.PROVIDER, point.name, period_start, point.due_on, point.due_on)
        )
        period_start = point.due_on + _DAY
    return tuple(items)
