"""Induction details as typed (in the `/mentor induction` modal or the roster file) and their checks.

Rules: a start date no later than the end of next term; full time as 1, or a part-time fraction from 0.1 to
1.0; days absent a whole number, zero or more; a teacher reference number of 7 digits; a leaving date after
the start; a date of birth not in the future that makes the teacher at least 18.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.calendar_years import extend_calendar
from bot.core.errors import FieldErrors
from bot.core.school_calendar import SchoolCalendar
from bot.reviews.schedule import InductionFacts

FRACTION_RANGE = (0.1, 1.0)
YOUNGEST_TEACHER = 18
_TRN = re.compile(r"^\d{7}$")
PERSONAL_FIELDS = frozenset({"trn", "date_of_birth"})  # never named in the audit log's detail

# Field names of the induction modal; the handler maps them to block ids.
START, FRACTION, BODY, TUTOR, TRN, DOB, ABSENT, LEFT_ON = (
    "start",
    "fraction",
    "appropriate_body",
    "tutor",
    "trn",
    "date_of_birth",
    "days_absent",
    "left_on",
)


@dataclass(frozen=True)
class InductionInput:
    """What was typed into the induction modal (or a roster file's columns), not yet checked."""

    start: date | None
    fraction: str | None
    appropriate_body: str | None = None
    tutor_id: str | None = None
    trn: str | None = None
    days_absent: str | None = None
    left_on: date | None = None
    date_of_birth: date | None = None


def parse_fraction(text: str | None) -> float | None:
    """ "0.6", "60%", "3/5", "1" → a fraction of full time; None when it can't be read."""
    if text is None or not text.strip():
        return 1.0
    raw = text.strip().replace(" ", "")
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100
        if "/" in raw:
            top, bottom = raw.split("/", 1)
            return float(top) / float(bottom)
        return float(raw)
    except (ValueError, ZeroDivisionError):
        return None


def check_induction(typed: InductionInput, today: date, calendar: SchoolCalendar) -> InductionFacts:
    """The facts the schedule is worked out from, or FieldErrors naming every field that is wrong."""
    errors: dict[str, str] = {}
    if typed.start is None:
        errors[START] = "Pick the date induction started (or starts)."
    else:
        longer = extend_calendar(calendar, today + timedelta(days=400))
        upcoming = longer.next_term_after(today)
        limit = upcoming.end if upcoming else today + timedelta(days=183)
        if typed.start > limit:
            errors[START] = f"That's beyond next term (which ends {limit:%-d %B %Y}): set it nearer the time."
    fraction = parse_fraction(typed.fraction)
    if fraction is None or not FRACTION_RANGE[0] <= fraction <= FRACTION_RANGE[1]:
        errors[FRACTION] = "Give full time as 1, or the part-time fraction from 0.1 to 1.0 (e.g. 0.6 or 60%)."
    absent_text = (typed.days_absent or "0").strip()
    absent = int(absent_text) if re.fullmatch(r"-?\d+", absent_text) else None
    if absent is None or absent < 0:
        errors[ABSENT] = "Days absent is a whole number, zero or more."
    if typed.trn and not _TRN.match(typed.trn.strip()):
        errors[TRN] = "A teacher reference number is 7 digits."
    if typed.date_of_birth is not None:
        if typed.date_of_birth > today:
            errors[DOB] = "A date of birth can't be in the future."
        elif _age_on(typed.date_of_birth, today) < YOUNGEST_TEACHER:
            errors[DOB] = f"That makes the teacher younger than {YOUNGEST_TEACHER}: check the year."
    if typed.left_on is not None and typed.start is not None and typed.left_on <= typed.start:
        errors[LEFT_ON] = "The leaving date must be after the start."
    if errors:
        raise FieldErrors(errors)
    assert typed.start is not None and fraction is not None and absent is not None
    return InductionFacts(typed.start, fraction, absent, typed.left_on)


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
