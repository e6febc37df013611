"""The words of due phrases: vocabulary, the rule registry, and the date arithmetic rules share."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.core.school_calendar import SchoolCalendar

MAX_MONTHS_AHEAD = 18
# A due phrase is at most this many words ("by the first day back after the October half term").
_MAX_PHRASE_WORDS = 10

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "PREFER_DATES_FROM": "future",
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
}

_EXAMPLES = "Try “by Friday”, “in 2 weeks” or “by 30 November”."


@dataclass(frozen=True)
class DuePhrase:
    due: date  # the understood date
    phrase: str  # the words that gave it, as typed, e.g. "by Monday week"


class DueDateError(ValueError):
    """The mentor tried to give a due date that can't be used; the message can be shown to them."""


# A day and month without a year that passed this recently is taken for a slip, never for next year's
# date ("by 30/11" on 2 December, "by 1 September" in the first week of December).
PASSED_RECENTLY = timedelta(days=120)


class PassedDateError(DueDateError):
    """A day and month that has passed recently: this year's date (overdue) or next year's? Ask.

    `rest` is the target's text without the phrase, when the phrase came from a whole target.
    """

    def __init__(self, raw: str, passed: date, next_year: date, *, today: date, rest: str | None = None) -> None:
        self.raw, self.passed, self.next_year, self.today, self.rest = raw, passed, next_year, today, rest
        days = (today - passed).days
        ago = "yesterday" if days == 1 else f"{days} days ago"
        super().__init__(
            f"“{raw}” has passed: {describe(passed)} was {ago}. Did you mean {describe(passed)} "
            f"(the target starts overdue) or next year's, {describe(next_year)}?"
        )

    def with_rest(self, rest: str) -> PassedDateError:
        return PassedDateError(self.raw, self.passed, self.next_year, today=self.today, rest=rest)


def passed_recently(this_year: date, today: date) -> bool:
    return this_year < today and today - this_year <= PASSED_RECENTLY


def describe(day: date) -> str:
    """A date the British way: "Monday 7 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# --- vocabulary ----------------------------------------------------------------------------------

_WEEKDAYS = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "weds": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "fri": 4,
    "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2,
}  # fmt: skip


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_WD = rf"(?:{_alternatives(_WEEKDAYS)})"
_MON = rf"(?:{_alternatives(_MONTHS)})"
_NUM = rf"(?:\d{{1,3}}|{_alternatives(_NUMBER_WORDS)})"
_YEAR = r"(?:20\d\d)"
_PART_OF_DAY = r"(?: (?:morning|afternoon|evening|lunchtime|lunch|night|am|pm))?"
_END_OF = r"(?:the )?(?:end|rest|last day|close) of "
_START_OF = r"(?:the )?(?:start|beginning|first day) of "
_SEASON = r"(?P<season>autumn|spring|summer)"

# Words before a phrase that mean it isn't a deadline: "from next week", "every Friday".
_NOT_A_DEADLINE_BEFORE = frozenset({"from", "starting", "since", "every", "each", "last", "between", "to"})

# Prepositions a phrase may start with. "after"-like ones only go with holidays ("after half term").
# A bare holiday ("Teach about Christmas") is not a deadline: holidays need a preposition.
_PREPOSITIONS = (
    "by no later than", "no later than", "ready for", "due by", "due on", "due for",
    "by", "before", "until", "till", "til", "for", "on", "at", "in", "within", "after", "over",
    "during", "due", "to", "from",
)  # fmt: skip
_PREPOSITION = re.compile(rf"(?P<prep>{_alternatives(_PREPOSITIONS)})(?: |$)")
_CANONICAL_PREP = {
    "by no later than": "by", "no later than": "by", "due by": "by", "due": "by", "ready for": "for",
    "due for": "for", "due on": "on", "til": "till", "until": "till",
}  # fmt: skip
_BY = frozenset({"", "by", "before", "till", "for", "on", "at"})
_AFTER = frozenset({"after", "over", "during", "in"})  # with holidays: "over half term" = by the first day back
_HOLIDAY = frozenset({"by", "before", "till", "for"}) | _AFTER
_DURATION = frozenset({"", "in", "within", "for", "over", "by", "before", "till"})
# A failed phrase after one of these is reported, rather than left in the text.
_ATTEMPT_PREPS = frozenset({"by", "before", "until", "till", "til", "for", "due"})

# Never dates, though dateparser would say otherwise ("Year 5" → 5th of this month).
_SCHOOL_WORDS = re.compile(
    r"""\b(?:
        (?:year|yr|y)\s?-?\d{1,2}                           # Year 5, Y6, Yr 10
      | \d{1,2}(?!st\b|nd\b|rd\b|th\b|am\b|pm\b)[a-z]{1,3}\d{0,2}  # class codes: 9X2, 10B1, 7b
      | ks\s?\d | key\ stage | eyfs | reception | nursery | sixth\ form
      | (?:phase|set|group|standard|stage|lesson|chapter|page|unit|step|level|grade|module|topic
          |slide|question|task|section|part|table|week|day|term|period|paper|book|tier|band|test
          |quiz|version|session|room)s?\s?\d
      | pp?\.?\s?\d | q\d
      | minutes? | mins? | hours? | hrs? | seconds? | secs? | times
      | pupils? | students? | children | groups? | ideas?
    )\b""",
    re.VERBOSE,
)
# "Friday's meeting" / "the Friday meeting" mean Friday; only after a preposition ("by Friday's meeting").
_EVENT = re.compile(
    r"(?:the )?(?P<when>.+?)(?:'s|')? (?:next )?(?:mentor(?:ing)? )?"
    r"(?:meeting|session|catch up|check in|lesson|observation|review|learning walk)"
)


# --- interpreting one phrase ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    today: date
    base: datetime  # `now` as naive local time, for dateparser
    calendar: SchoolCalendar
    prep: str  # canonical preposition, "" when there is none
    raw: str  # the phrase as typed, for messages
    allow_past: bool = False  # a date with its year that passed recently is allowed (chosen as overdue)

    def passed(self, this_year: date, next_year: date) -> PassedDateError:
        return PassedDateError(self.raw, this_year, next_year, today=self.today)

    def gap(self, what: str) -> DueDateError:
        return DueDateError(
            f"Your school calendar (“{self.calendar.name}”) doesn't say {what}, so I can't work out "
            f"“{self.raw}”. Try a date such as “by 30 November”, or ask for the calendar to be updated."
        )

    def not_understood(self) -> DueDateError:
        return DueDateError(f"I couldn't understand “{self.raw}” as a date. {_EXAMPLES}")


_Handler = Callable[[re.Match[str], _Context], date | None]
Rule = tuple[re.Pattern[str], _Handler, frozenset[str]]


def rule_registry(rules: list[Rule]) -> Callable[..., Callable[[_Handler], _Handler]]:
    """A decorator that appends rules to `rules`, in the order they are written (the first match wins)."""

    def rule(pattern: str, preps: Iterable[str] = _BY) -> Callable[[_Handler], _Handler]:
        """Register a handler for phrases matching `pattern` in full, after one of `preps`.

        A handler may return None to say "not this rule after all".
        """

        def register(handler: _Handler) -> _Handler:
            rules.append((re.compile(pattern), handler, frozenset(preps)))
            return handler

        return register

    return rule


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[*_~`\"“”()]", "", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # half-term, end-of-term, mid-December
    text = re.sub(r"\bhalfterm\b", "half term", text)
    text = re.sub(r"\bx-?mas\b", "christmas", text)
    text = re.sub(r"\bb4\b", "before", text)  # text-speak, one word for one word
    text = re.sub(r"\bnxt\b", "next", text)
    text = re.sub(r"\bwk\b", "week", text)
    text = re.sub(r"\s*[,–—]\s*|\s+", " ", text)
    return text.strip(" .!?;:")


# --- date arithmetic -------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def _monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _coming(weekday: int, today: date, *, today_counts: bool = False) -> date:
    """The next `weekday` after today (or today itself, if `today_counts`)."""
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not today_counts:
        ahead = 7
    return today + timedelta(days=ahead)


def _in_week(weeks_ahead: int, weekday: int, today: date) -> date:
    """`weekday` of this Monday-to-Sunday week (0), next week (1)…"""
    return _monday_of(today) + timedelta(weeks=weeks_ahead, days=weekday)


def _friday_of_this_week(today: date) -> date:
    """Friday this week; at the weekend, the coming Friday."""
    return _in_week(1 if today.weekday() >= 5 else 0, 4, today)


def _number(word: str | None) -> int:
    if word is None:
        return 1
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _next_occurrence(month: int, day: int, today: date, year: int | None = None) -> date | None:
    """`day`/`month` in `year`, or the next time it comes round (today included). None if impossible."""
    years = [year] if year is not None else [today.year, today.year + 1, today.year + 4]
    for candidate_year in years:
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue  # 29 February
        if year is not None or candidate >= today:
            return candidate
    return None


def _easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian): the anonymous "Meeus/Jones/Butcher" algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)
