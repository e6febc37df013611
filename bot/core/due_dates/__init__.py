"""Understanding the due date in a mentor's target, in plain British English and school terms.

`/target @ana Use cold calling in every lesson by Monday week` is split into the target text and a
`DuePhrase` ("by Monday week" → Monday 7 December 2026 when said on Tuesday 24 November 2026).

How a phrase is understood (all relative to `now.date()`, in the mentor's own time zone):

* School-year idioms come from the school calendar: "by the end of term", "before/by half term" (the
  last school day before the next half-term holiday), "after half term" (the first day back),
  "next term" (its first day), "by Christmas" (the last school day before 25 December, or Christmas
  Eve once school has broken up), "by Easter", "by the summer" / "the end of the year" (the last day
  of the school year), "in 5 school days".
* British idioms are handled here, not by dateparser: "Monday week" and "a week on Monday" (the
  Monday after the coming one), "next Friday" (Friday of next week), "this Friday" / "Friday" (the
  coming one; a bare weekday is never today), "this week" / "by the end of the week" (Friday of this
  week), "next week" / "end of next week" (Friday of next week), "in a fortnight", "in 3 weeks",
  "within ten days", "by the end of the month", "by the 30th", "tomorrow".
* Halves and weeks of the school year: "the end of this half term" (the last school day of the half we
  are in), "Autumn 1" … "Summer 2" ("by spring 1" its first day, "the end of autumn 2" its last),
  "the first week back", "the last week of term", "from next term"; "Friday fortnight", "a week
  Monday"; text-speak "b4", "nxt", "wk".
* Calendar dates ("30 Nov", "30th November", "30/11", "Fri 4 Dec 2026") are read by dateparser in
  day-month order. Without a year they mean the next such date (today included), except that a day
  and month gone in the last PASSED_RECENTLY days raises PassedDateError: this year's (overdue) or
  next year's? The caller asks.
* A phrase understood only in part ("nxt" before "fri" once was) is an error, never leftover words.
* `not_a_school_day` (advice.py) says why a due date is a weekend, holiday or closure day, with the
  school days either side: one rule for the /target draft and the meeting form.

School words are never dates: a phrase is only taken from the end of the target (or a leading
"By Friday, …" clause) and every word of it must be understood, so "for Year 5", "by 10 minutes",
"on page 12" or "in lesson 2" stay part of the target text. A due date must be from today to 18 months
ahead. Pure functions: the time is always passed in.
"""

from bot.core.due_dates.advice import NotASchoolDay, not_a_school_day
from bot.core.due_dates.parse import parse_due, split_target
from bot.core.due_dates.phrases import (
    MAX_MONTHS_AHEAD,
    PASSED_RECENTLY,
    DueDateError,
    DuePhrase,
    PassedDateError,
    describe,
)

__all__ = [
    "MAX_MONTHS_AHEAD",
    "PASSED_RECENTLY",
    "DueDateError",
    "DuePhrase",
    "NotASchoolDay",
    "PassedDateError",
    "describe",
    "not_a_school_day",
    "parse_due",
    "split_target",
]
