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
* Calendar dates ("30 Nov", "30th November", "30/11", "Fri 4 Dec 2026") are read by dateparser in
  day-month order. Without a year they mean the next such date (today included).

School words are never dates: a phrase is only taken from the end of the target (or a leading
"By Friday, …" clause) and every word of it must be understood, so "for Year 5", "by 10 minutes",
"on page 12" or "in lesson 2" stay part of the target text. A due date must be from today to 18 months
ahead. Pure functions: the time is always passed in.
"""

from __future__ import annotations

import difflib
import re
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import dateparser

from bot.core.school_calendar import DateRange, SchoolCalendar

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


def split_target(text: str, *, now: datetime, calendar: SchoolCalendar) -> tuple[str, DuePhrase | None]:
    """Split a target into its text and its due phrase, if it has one.

    The phrase is taken from the end ("… by Monday week") or from a leading clause ("By Friday, …").
    Returns (text, None) when there is no due phrase; raises DueDateError when the target ends in
    something like "by blursday" that looks like a date but can't be understood, is in the past or
    is too far ahead.
    """
    core_end = len(text.rstrip(" \t\n.!?;,"))
    core = text[:core_end]
    words = list(re.finditer(r"\S+", core))

    leading = _leading_clause(core, now, calendar)
    if leading is not None:
        return leading

    for index in range(max(0, len(words) - _MAX_PHRASE_WORDS), len(words)):
        if index > 0 and _normalise(words[index - 1].group()) in _NOT_A_DEADLINE_BEFORE:
            continue  # "from next week", "every Friday", "last Monday"
        phrase = core[words[index].start() :]
        due = _interpret(phrase, now, calendar)
        if due is not None:
            rest = core[: words[index].start()].rstrip().rstrip(",;:–—-").rstrip()
            return rest, DuePhrase(due, phrase)

    _raise_if_failed_attempt(core, words)
    return text, None


def parse_due(phrase: str, *, now: datetime, calendar: SchoolCalendar) -> date:
    """Understand a date typed on its own ("Monday week", "by 30/11", "end of term")."""
    cleaned = phrase.strip().rstrip(".!?;,").strip()
    due = _interpret(cleaned, now, calendar) if cleaned else None
    if due is None:
        shown = cleaned or phrase
        raise DueDateError(f"I couldn't understand “{shown}” as a date. {_EXAMPLES}")
    return due


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
    "during", "due", "to",
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

    def gap(self, what: str) -> DueDateError:
        return DueDateError(
            f"Your school calendar (“{self.calendar.name}”) doesn't say {what}, so I can't work out "
            f"“{self.raw}”. Try a date such as “by 30 November”, or ask for the calendar to be updated."
        )

    def not_understood(self) -> DueDateError:
        return DueDateError(f"I couldn't understand “{self.raw}” as a date. {_EXAMPLES}")


_Handler = Callable[[re.Match[str], _Context], date | None]
_RULES: list[tuple[re.Pattern[str], _Handler, frozenset[str]]] = []


def _rule(pattern: str, preps: Iterable[str] = _BY) -> Callable[[_Handler], _Handler]:
    """Register a handler for phrases matching `pattern` in full, after one of `preps`.

    A handler may return None to say "not this rule after all".
    """

    def register(handler: _Handler) -> _Handler:
        _RULES.append((re.compile(pattern), handler, frozenset(preps)))
        return handler

    return register


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[*_~`\"“”()]", "", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # half-term, end-of-term, mid-December
    text = re.sub(r"\bhalfterm\b", "half term", text)
    text = re.sub(r"\bx-?mas\b", "christmas", text)
    text = re.sub(r"\s*[,–—]\s*|\s+", " ", text)
    return text.strip(" .!?;:")


def _interpret(phrase: str, now: datetime, calendar: SchoolCalendar) -> date | None:
    """The date `phrase` means, None if it isn't a due phrase at all; DueDateError if it's a bad one."""
    body = _normalise(phrase)
    prep = ""
    found = _PREPOSITION.match(body)
    if found:
        prep = _CANONICAL_PREP.get(found.group("prep"), found.group("prep"))
        body = body[found.end() :]
    if prep:
        event = _EVENT.fullmatch(body)
        if event:
            body = event.group("when")
            prep = "on" if prep in ("in", "at", "to") else prep
    if prep == "to":
        return None  # "to" only as in "bring it to Friday's meeting"
    if not body or _SCHOOL_WORDS.search(body):
        return None
    context = _Context(now.date(), now.replace(tzinfo=None), calendar, prep, phrase.strip())
    due = _match_rules(body, context)
    if due is None:
        due = _calendar_date(body, context)
    if due is not None:
        _check_range(due, context)
    return due


def _match_rules(body: str, context: _Context) -> date | None:
    for pattern, handler, preps in _RULES:
        if context.prep in preps:
            found = pattern.fullmatch(body)
            if found:
                due = handler(found, context)
                if due is not None:
                    return due
    return None


def _check_range(due: date, context: _Context) -> None:
    if due < context.today:
        raise DueDateError(f"“{context.raw}” is in the past ({describe(due)}). Choose a date from today onwards.")
    if due > _add_months(context.today, MAX_MONTHS_AHEAD):
        raise DueDateError(
            f"“{context.raw}” is {describe(due)}, more than {MAX_MONTHS_AHEAD} months away. Choose a nearer date."
        )


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


# --- days and weeks --------------------------------------------------------------------------------


@_rule(r"today|tonight|(?:the )?end of (?:the )?day|(?:the )?end of today|close of play(?: today)?")
def _today(_: re.Match[str], context: _Context) -> date:
    return context.today


@_rule(rf"tomorrow{_PART_OF_DAY}|(?:the )?end of tomorrow")
def _tomorrow(_: re.Match[str], context: _Context) -> date:
    return context.today + timedelta(days=1)


@_rule(r"(?:the )?day after tomorrow")
def _day_after_tomorrow(_: re.Match[str], context: _Context) -> date:
    return context.today + timedelta(days=2)


@_rule(rf"(?P<this>(?:this )?coming |this )?(?P<wd>{_WD}){_PART_OF_DAY}")
def _weekday(found: re.Match[str], context: _Context) -> date:
    """A bare weekday is the coming one, never today ("Friday"); "this Friday" may be today."""
    weekday = _WEEKDAYS[found.group("wd")]
    return _coming(weekday, context.today, today_counts=found.group("this") is not None)


@_rule(rf"next (?P<wd>{_WD}){_PART_OF_DAY}|(?P<wd2>{_WD}) next week")
def _next_weekday(found: re.Match[str], context: _Context) -> date:
    """British "next Friday": Friday of next week (not the coming Friday)."""
    weekday = _WEEKDAYS[found.group("wd") or found.group("wd2")]
    return _in_week(1, weekday, context.today)


@_rule(
    rf"(?P<wd>{_WD}) week|(?:the )?(?P<wd2>{_WD}) after next"
    rf"|(?P<n>{_NUM}) (?P<unit>weeks?|fortnights?) (?:on|from) (?P<wd3>{_WD})"
)
def _weekday_week(found: re.Match[str], context: _Context) -> date:
    """British "Monday week" = "a week on Monday" = the Monday after the coming one."""
    weekday = _WEEKDAYS[found.group("wd") or found.group("wd2") or found.group("wd3")]
    weeks = _number(found.group("n")) * (2 if (found.group("unit") or "").startswith("fortnight") else 1)
    return _coming(weekday, context.today) + timedelta(weeks=weeks)


@_rule(rf"(?P<n>{_NUM}) (?P<unit>weeks?|fortnights?|days?) (?:from )?(?P<anchor>today|tomorrow)")
def _weeks_from_anchor(found: re.Match[str], context: _Context) -> date:
    """Spans from today or tomorrow: "a week today", "a fortnight tomorrow", "two weeks from today"."""
    anchor = context.today + timedelta(days=1 if found.group("anchor") == "tomorrow" else 0)
    return anchor + _span(found.group("unit"), _number(found.group("n")))


def _span(unit: str, count: int) -> timedelta:
    days_per = {"day": 1, "week": 7, "fortnight": 14}[unit.rstrip("s")]
    return timedelta(days=days_per * count)


@_rule(
    r"this week|(?:the )?end of (?:the |this )?(?:working |school )?week"
    r"|(?:the )?rest of (?:the |this )?week"
)
def _this_week(_: re.Match[str], context: _Context) -> date:
    return _friday_of_this_week(context.today)


@_rule(r"(?:the )?weekend", {"by", "before", "till"})
def _weekend(_: re.Match[str], context: _Context) -> date:
    """By the weekend means Friday ("at the weekend" is not a deadline)."""
    return _friday_of_this_week(context.today)


@_rule(r"next week|(?:the )?end of next week", _BY | {"during"})
def _next_week(_: re.Match[str], context: _Context) -> date:
    """Friday of next week; "for next week" means ready on its Monday."""
    return _in_week(1, 0 if context.prep == "for" else 4, context.today)


@_rule(r"(?:the )?(?:start|beginning) of next week")
def _start_of_next_week(_: re.Match[str], context: _Context) -> date:
    return _in_week(1, 0, context.today)


@_rule(r"(?:the )?week after next|(?:the )?end of the week after next")
def _week_after_next(_: re.Match[str], context: _Context) -> date:
    return _in_week(2, 4, context.today)


@_rule(
    rf"(?:(?P<next>(?:the )?(?:next|coming)) )?(?:(?P<n>{_NUM}) )?"
    r"(?P<unit>(?:school |working )?days?|weeks?|fortnights?|months?)"
    r"(?:'s|')?(?P<suffix> time| from now| from today)?",
    _DURATION,
)
def _duration(found: re.Match[str], context: _Context) -> date | None:
    """Spans from today: "in 3 weeks", "within a fortnight", "for the next 10 days", "in 5 school days"."""
    if found.group("n") is None and not (found.group("next") or "").startswith("the"):
        return None  # "week", "next week" (see above); "the next week" is a week from today
    if context.prep not in ("in", "within", "for", "over") and found.group("suffix") is None:
        return None  # "by 3 weeks" and a bare "3 weeks" aren't deadlines
    count = _number(found.group("n"))
    unit = found.group("unit")
    if unit.startswith(("school", "working")):
        due = context.calendar.add_school_days(context.today, count)
        if due is None:
            raise context.gap(f"which days are school days {count} school days from now")
        return due
    if unit.startswith("month"):
        return _add_months(context.today, count)
    return context.today + _span(unit, count)


# --- months ----------------------------------------------------------------------------------------


@_rule(rf"{_END_OF}(?:the |this )?month|this month")
def _end_of_this_month(_: re.Match[str], context: _Context) -> date:
    return _end_of_month(context.today.year, context.today.month)


@_rule(rf"{_END_OF}next month|next month", _BY | {"during"})
def _end_of_next_month(_: re.Match[str], context: _Context) -> date:
    following = _add_months(context.today.replace(day=1), 1)
    return _end_of_month(following.year, following.month)


@_rule(rf"{_START_OF}next month")
def _start_of_next_month(_: re.Match[str], context: _Context) -> date:
    return _add_months(context.today.replace(day=1), 1)


def _month_day(month: int, day_of: Callable[[int], int], year: str | None, context: _Context) -> date:
    """A day in `month` of `year`, or (no year) the next time that day comes round."""
    if year is not None:
        return date(int(year), month, day_of(int(year)))
    this_year = date(context.today.year, month, day_of(context.today.year))
    if this_year >= context.today:
        return this_year
    return date(this_year.year + 1, month, day_of(this_year.year + 1))


@_rule(rf"{_END_OF}(?P<mon>{_MON})(?: (?P<year>{_YEAR}))?")
def _end_of_named_month(found: re.Match[str], context: _Context) -> date:
    month = _MONTHS[found.group("mon")]
    return _month_day(month, lambda year: monthrange(year, month)[1], found.group("year"), context)


@_rule(rf"{_START_OF}(?P<mon>{_MON})(?: (?P<year>{_YEAR}))?")
def _start_of_named_month(found: re.Match[str], context: _Context) -> date:
    return _month_day(_MONTHS[found.group("mon")], lambda _: 1, found.group("year"), context)


@_rule(rf"(?:mid|(?:the )?middle of) (?P<mon>{_MON})(?: (?P<year>{_YEAR}))?")
def _middle_of_month(found: re.Match[str], context: _Context) -> date:
    return _month_day(_MONTHS[found.group("mon")], lambda _: 15, found.group("year"), context)


@_rule(rf"(?P<mon>{_MON})(?: (?P<year>{_YEAR}))?", {"by", "before", "till", "for", "in", "during"})
def _named_month(found: re.Match[str], context: _Context) -> date:
    """A month: "by December" is the 1st (by the time December comes); "in December", its last day."""
    month = _MONTHS[found.group("mon")]
    if context.prep in ("in", "during"):
        return _month_day(month, lambda year: monthrange(year, month)[1], found.group("year"), context)
    return _month_day(month, lambda _: 1, found.group("year"), context)


@_rule(r"(?:the )?(?P<day>\d{1,2})(?:st|nd|rd|th)(?: of (?:the |this )?month)?", _BY - {""})
def _day_of_month(found: re.Match[str], context: _Context) -> date:
    """A day of the month ("by the 30th"): the next 30th, this month if it's still to come."""
    day = int(found.group("day"))
    if not 1 <= day <= 31:
        raise context.not_understood()
    start = context.today.replace(day=1)
    for months_ahead in range(3):
        month = _add_months(start, months_ahead)
        if day <= monthrange(month.year, month.month)[1] and month.replace(day=day) >= context.today:
            return month.replace(day=day)
    raise context.not_understood()  # unreachable: of any three months in a row, one has 31 days


# --- the school year -------------------------------------------------------------------------------


@_rule(rf"{_END_OF}(?:the |this )?term|this term|(?:the )?term", _BY | {"in", "during"})
def _end_of_this_term(found: re.Match[str], context: _Context) -> date | None:
    if found.group(0) in ("term", "the term") and not context.prep:
        return None  # "Map out the term"
    calendar, today = context.calendar, context.today
    due = calendar.end_of_term(today)
    if due is not None and due < today:  # after the last school day of a term that hasn't ended
        term = calendar.next_term_after(today)
        due = None if term is None else calendar.last_school_day_of(term)
    if due is None:
        raise context.gap("when this term or the next one ends")
    return due


@_rule(rf"(?:{_START_OF}(?:the )?next term|next term|the next term|{_START_OF}term)", _BY | {"in", "during"})
def _next_term(_: re.Match[str], context: _Context) -> date:
    """Next term means its first day ("in next term" / "during next term": by its last day)."""
    term = context.calendar.next_term_after(context.today)
    if term is None:
        raise context.gap("when next term starts")
    if context.prep in ("in", "during"):
        due = context.calendar.last_school_day_of(term)
    else:
        due = context.calendar.first_school_day_of(term)
    if due is None:
        raise context.gap("which days of next term are school days")
    return due


@_rule(rf"{_END_OF}(?:the )?next term")
def _end_of_next_term(_: re.Match[str], context: _Context) -> date:
    term = context.calendar.next_term_after(context.today)
    due = None if term is None else context.calendar.last_school_day_of(term)
    if due is None:
        raise context.gap("when next term ends")
    return due


@_rule(rf"(?P<end>{_END_OF})?(?P<start>{_START_OF})?(?:the )?{_SEASON} term", _BY | {"in", "during"})
def _named_term(found: re.Match[str], context: _Context) -> date | None:
    """A named term: "the end of the spring term"; "by the summer term" is its first day."""
    season = found.group("season")
    if not (found.group("end") or found.group("start") or context.prep):
        return None
    calendar, today = context.calendar, context.today
    wants_start = found.group("start") is not None or (
        found.group("end") is None and context.prep not in ("in", "during")
    )
    for term in calendar.terms:
        if season not in term.name.lower():
            continue
        due = calendar.first_school_day_of(term) if wants_start else calendar.last_school_day_of(term)
        if due is not None and due >= today:
            return due
    raise context.gap(f"when the next {season} term {'starts' if wants_start else 'ends'}")


_HALF_TERM_MONTHS = {"october": {10}, "oct": {10}, "february": {2}, "feb": {2}, "may": {5, 6}, "whitsun": {5, 6}}


@_rule(
    r"(?:(?P<end>(?:the )?(?:end|rest) of )(?:this |the )?|(?P<first>(?:the )?first day back after ))?"
    r"(?:the )?(?:(?P<which>next|this|october|oct|february|feb|may|whitsun|autumn|spring|summer) )?"
    r"half term(?: holidays?| break)?",
    _HOLIDAY | {"", "at", "on"},
)
def _half_term(found: re.Match[str], context: _Context) -> date | None:
    """Before or by half term: the last school day before the next half-term holiday.

    "after/over half term" and "the first day back after half term": the first school day after it.
    """
    if context.prep in ("", "at", "on") and not (found.group("end") or found.group("first")):
        return None  # "Plan the half term", "Rest at half term"
    which = found.group("which")
    halves: list[DateRange] = []
    for term in context.calendar.terms:
        half = term.half_term
        if half is None:
            continue
        if which in _HALF_TERM_MONTHS and half.start.month not in _HALF_TERM_MONTHS[which]:
            continue
        if which in ("autumn", "spring", "summer") and which not in term.name.lower():
            continue
        halves.append(half)
    calendar, today = context.calendar, context.today
    label = f"{which.title()} " if which not in (None, "next", "this") else ""
    if (context.prep in _AFTER and not found.group("end")) or found.group("first"):
        for half in halves:
            first_back = calendar.first_school_day_from(half.end + timedelta(days=1)) if half.end >= today else None
            if first_back is not None:
                return first_back
        raise context.gap(f"when the next {label}half term ends")
    for half in halves:
        last_day = calendar.last_school_day_before(half.start)
        if last_day is not None and last_day >= today:
            return last_day
    raise context.gap(f"when the next {label}half term is")


@_rule(r"(?:the )?christmas(?: holidays?| break| hols| day)?", _HOLIDAY)
def _christmas(_: re.Match[str], context: _Context) -> date:
    """By Christmas: the last school day before 25 December (Christmas Eve once school has broken up).

    "after Christmas": the first school day after it.
    """
    today, calendar = context.today, context.calendar
    if context.prep in _AFTER:
        christmases = [date(year, 12, 25) for year in (today.year - 1, today.year)]
        return _first_day_back(christmases, context, "when school starts again after Christmas")
    christmas = date(today.year if today < date(today.year, 12, 25) else today.year + 1, 12, 25)
    last_day = calendar.last_school_day_before(christmas)
    if last_day is not None and last_day >= today and last_day.month == 12:
        return last_day
    return christmas - timedelta(days=1)


def _first_day_back(holidays: list[date], context: _Context, missing: str) -> date:
    """The first school day after the earliest of `holidays` that school hasn't yet come back from."""
    for holiday in holidays:
        first_back = context.calendar.first_school_day_from(holiday + timedelta(days=1))
        if first_back is not None and context.today <= first_back <= holiday + timedelta(days=31):
            return first_back
    raise context.gap(missing)


@_rule(r"(?:the )?easter(?: holidays?| break| hols| sunday)?", _HOLIDAY)
def _easter(_: re.Match[str], context: _Context) -> date:
    """Like Christmas: "by Easter" is the last school day before Easter Sunday (or the day before it)."""
    today, calendar = context.today, context.calendar
    if context.prep in _AFTER:
        easters = [_easter_sunday(year) for year in (today.year, today.year + 1)]
        return _first_day_back(easters, context, "when school starts again after Easter")
    easter = _easter_sunday(today.year)
    if easter <= today:
        easter = _easter_sunday(today.year + 1)
    last_day = calendar.last_school_day_before(easter)
    if last_day is not None and last_day >= max(today, easter - timedelta(days=21)):
        return last_day
    return easter - timedelta(days=1)


@_rule(r"(?:the )?summer(?: holidays?| break| hols)?", _HOLIDAY)
@_rule(rf"{_END_OF}(?:the |this )?(?:school |academic )?year|{_END_OF}(?:the )?summer")
def _end_of_school_year(found: re.Match[str], context: _Context) -> date | None:
    """By the summer, or by the end of the (school) year: the last school day of the school year.

    "after the summer": the first school day of the next school year.
    """
    calendar, today = context.calendar, context.today
    after = context.prep in _AFTER and not found.group(0).startswith(("end", "the end", "last", "the last"))
    for term in calendar.terms:
        if term.end >= today and term.end.month in (6, 7, 8):
            if after:
                first_back = calendar.first_school_day_from(term.end + timedelta(days=1))
                if first_back is not None and first_back.month in (8, 9):
                    return first_back
                break
            last_day = calendar.last_school_day_of(term)
            if last_day is not None and last_day >= today:
                return last_day
    if after and context.prep != "after":
        return None  # "Read it over the summer" with no next year in the calendar: leave it in the text
    raise context.gap("when next school year starts" if after else "when the school year ends")


# --- calendar dates, read by dateparser --------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?")
_DATE_TOKEN = re.compile(rf"{_WD}|{_MON}|\d{{1,2}}(?:st|nd|rd|th)?|{_YEAR}|{_NUMERIC_DATE.pattern}|the|of")


def _calendar_date(body: str, context: _Context) -> date | None:
    """Calendar dates: "30 Nov", "30th November", "Friday 4th December 2026", "30/11", "30/11/26".

    Only phrases made wholly of date words, with a month or a day/month, get this far.
    """
    tokens = body.split()
    if not tokens or not all(_DATE_TOKEN.fullmatch(token) for token in tokens):
        return None
    numeric = [m for m in map(_NUMERIC_DATE.fullmatch, tokens) if m]
    months = [token for token in tokens if token in _MONTHS]
    if not numeric and not months:
        return None
    if numeric and context.prep not in ("by", "before", "till", "on"):
        return None  # "aim for 8/10", "score 3/4": fractions, not dates
    if context.prep not in _BY:
        return None
    days = [int(t.rstrip("stndrh")) for t in tokens if re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", t)]
    years = [int(t) for t in tokens if re.fullmatch(_YEAR, t)]
    weekdays = [_WEEKDAYS[t] for t in tokens if t in _WEEKDAYS]
    if len(numeric) + len(months) != 1 or len(years) > 1 or len(weekdays) > 1:
        raise context.not_understood()
    if numeric:
        if days or years:
            raise context.not_understood()
        day, month = int(numeric[0].group("d")), int(numeric[0].group("m"))
        year_text = numeric[0].group("y")
        year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    else:
        if len(days) != 1:
            raise context.not_understood()  # "November" alone is handled above; "32 11 November" isn't a date
        day, month = days[0], _MONTHS[months[0]]
        year = years[0] if years else None
    parsed = dateparser.parse(
        body.replace(".", "/").replace("-", "/") if numeric else body,
        languages=["en"],
        settings={**_DATEPARSER_SETTINGS, "RELATIVE_BASE": context.base},
    )
    if parsed is None or (parsed.day, parsed.month) != (day, month):
        raise context.not_understood()
    due = _next_occurrence(month, day, context.today, year)
    if due is None:
        raise context.not_understood()
    if weekdays and due.weekday() != weekdays[0]:
        given = next(name for name, number in _WEEKDAYS.items() if number == weekdays[0] and len(name) > 5)
        raise DueDateError(
            f"{due.day} {due:%B %Y} is a {due:%A}, not a {given.title()}. Check the date in “{context.raw}”."
        )
    return due


# --- leading clauses and failed attempts --------------------------------------------------------------


def _leading_clause(core: str, now: datetime, calendar: SchoolCalendar) -> tuple[str, DuePhrase] | None:
    """A leading clause: "By Friday, share your seating plan" → ("Share your seating plan", by Friday)."""
    head = re.match(r"\s*(?P<head>[^,:;–—]{2,60}?)\s*(?:[,:;–—]| - )\s*(?P<rest>\S.*)$", core, re.DOTALL)
    if head is None:
        return None
    phrase = head.group("head")
    words = _normalise(phrase).split()
    if not words or (words[0] not in {p.split()[0] for p in _PREPOSITIONS} and len(words) > 4):
        return None
    due = _interpret(phrase, now, calendar)
    if due is None:
        return None
    rest = head.group("rest").strip()
    return rest[:1].upper() + rest[1:], DuePhrase(due, phrase)


_NOT_DATE_DAYS = frozenset({"holiday", "birthday", "midday", "payday", "everyday", "someday", "heyday", "yesterday"})
_FUZZY_WORDS = [name for name in (*_WEEKDAYS, *_MONTHS) if len(name) > 4] + ["tomorrow", "fortnight", "christmas"]


def _looks_like_a_date(body: str, prep: str) -> bool:
    """True for "blursday", "Fridya", "31/02", "the 45th", "32 Novembr" ("for 8/10" is a score)."""
    words = [w for w in body.split() if w not in {"the", "of", "next", "this", "a", "on", "week", "end"}]
    if not words or len(words) > 3:
        return False
    for word in words:
        word = word.removesuffix("'s")
        if (word in _WEEKDAYS and len(word) > 3) or (word in _MONTHS and len(word) > 3):
            return True
        if re.fullmatch(r"[a-z]{2,}day", word) and word not in _NOT_DATE_DAYS:
            return True
        if _NUMERIC_DATE.fullmatch(word) and prep != "for":
            return True
        if len(words) == 1 and re.fullmatch(r"\d+(?:st|nd|rd|th)", word):
            return True
        plural_of_date_word = word.endswith("s") and word[:-1] in _WEEKDAYS
        if len(word) >= 5 and not plural_of_date_word and difflib.get_close_matches(word, _FUZZY_WORDS, 1, 0.8):
            return True
    return False


def _raise_if_failed_attempt(core: str, words: list[re.Match[str]]) -> None:
    """Raise for a trailing "by blursday"; leave "for Year 5" and "by the next meeting" alone."""
    for index in range(len(words) - 1, max(-1, len(words) - 6), -1):
        if _normalise(words[index].group()) in _ATTEMPT_PREPS:
            body = _normalise(core[words[index].end() :])
            prep = _normalise(words[index].group())
            if body and not _SCHOOL_WORDS.search(body) and _looks_like_a_date(body, prep):
                phrase = core[words[index].start() :]
                raise DueDateError(f"I couldn't understand “{phrase}” as a date. {_EXAMPLES}")
            return
