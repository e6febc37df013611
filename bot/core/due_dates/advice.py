"""Advice on a due date once it is understood: one rule for the /target draft and the meeting form.

A due date on a weekend, in a holiday or on a closure day passes every other check; say so and offer the
last school day before it and the first one after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.due_dates.phrases import describe
from bot.core.school_calendar import SchoolCalendar


@dataclass(frozen=True)
class NotASchoolDay:
    day: date
    why: str  # completes "Saturday 5 December 2026 is …": "a Saturday", "in the half-term holiday"
    before: date | None  # the last school day before it (never before today)
    after: date | None  # the first school day after it

    def message(self) -> str:
        return f"{describe(self.day)} is {self.why}, not a school day."

    def suggestion(self) -> str:
        """ "Try Friday 18 December 2026 (the last school day before) or Monday 4 January 2027 (the first after)." """
        choices = []
        if self.before is not None:
            choices.append(f"{describe(self.before)} (the last school day before)")
        if self.after is not None:
            choices.append(f"{describe(self.after)} (the first after)")
        return f"Try {' or '.join(choices)}." if choices else ""


def not_a_school_day(day: date, calendar: SchoolCalendar, *, today: date) -> NotASchoolDay | None:
    """None for a school day; else why not, with the school days either side.

    Beyond the calendar's terms only weekends are known, so only they are flagged there.
    """
    covered = bool(calendar.terms) and calendar.terms[0].start <= day <= calendar.terms[-1].end
    weekend = day.weekday() >= 5
    if covered and calendar.is_school_day(day):
        return None
    if not covered and not weekend:
        return None
    if weekend:
        why = f"a {day:%A}"
    elif (closure := calendar.closure_for(day)) is not None:
        why = f"a day the school is closed ({closure.reason})"
    elif any(day in half for half in calendar.half_terms()):
        why = "in the half-term holiday"
    else:
        why = "in the school holidays"
    if covered:
        before = calendar.last_school_day_before(day)
        after = calendar.first_school_day_from(day)
    else:
        before = day - timedelta(days=day.weekday() - 4)
        after = day + timedelta(days=7 - day.weekday())
    if before is not None and before < today:
        before = None
    if after is not None and after < today:
        after = None
    return NotASchoolDay(day, why, before, after)
