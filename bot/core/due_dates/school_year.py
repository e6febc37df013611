"""Rules for the school year, from the school calendar: terms, half terms, Christmas, Easter, the summer."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.due_dates.phrases import (
    _AFTER,
    _BY,
    _END_OF,
    _HOLIDAY,
    _SEASON,
    _START_OF,
    Rule,
    _Context,
    _easter_sunday,
    rule_registry,
)
from bot.core.school_calendar import DateRange, Half

RULES: list[Rule] = []
_rule = rule_registry(RULES)

# --- halves of terms ("Autumn 1" … "Summer 2") and the weeks at their edges ---------------------------


def _half_end(half: Half | None, context: _Context, what: str) -> date:
    last = None if half is None else context.calendar.last_school_day_before(half.days.end + timedelta(days=1))
    if last is None or half is None or last < half.days.start:
        raise context.gap(what)
    return last


@_rule(rf"{_END_OF}(?P<which>this |the |next )?half(?: term)?", _BY | {"in", "during"})
def _end_of_half_term(found: re.Match[str], context: _Context) -> date:
    """ "The end of this half term": the last school day of the half we are in (not the holiday after it)."""
    calendar = context.calendar
    half = calendar.current_or_next_half(context.today)
    if half is not None and (found.group("which") or "").strip() == "next":
        later = [h for h in calendar.halves() if h.days.start > half.days.end]
        half = later[0] if later else None
    return _half_end(half, context, "when this half term ends")


_HALF_NUMBER = {"1": "1", "one": "1", "2": "2", "two": "2"}


@_rule(
    rf"(?P<end>{_END_OF})?(?P<start>{_START_OF})?(?:the )?{_SEASON} (?P<n>1|2|one|two)",
    _BY | {"in", "during", "from"},
)
def _named_half(found: re.Match[str], context: _Context) -> date | None:
    """ "Autumn 1" … "Summer 2": "by/from spring 1" is its first day, "the end of"/"in autumn 2" its last.

    Said during the half itself, "by autumn 2" means by its last school day.
    """
    if not (found.group("end") or found.group("start") or context.prep):
        return None  # "Teach the Autumn 2 unit again": a bare name is not a deadline
    name = f"{found.group('season').title()} {_HALF_NUMBER[found.group('n')]}"
    calendar, today = context.calendar, context.today
    wants_start = found.group("start") is not None or (
        found.group("end") is None and context.prep not in ("in", "during")
    )
    for half in calendar.halves():
        if half.name != name:
            continue
        first = calendar.first_school_day_from(half.days.start)
        last = calendar.last_school_day_before(half.days.end + timedelta(days=1))
        if first is None or last is None or last < today:
            continue
        if wants_start and first >= today:
            return first
        return last
    raise context.gap(f"when the next {name} {'starts' if wants_start else 'ends'}")


_BACK_AFTER = {"half term": ("1",), "christmas": ("Spring 1",), "easter": ("Summer 1",), "summer": ("Autumn 1",)}


@_rule(
    r"(?:the )?first week back(?: after (?:the )?(?P<after>half term|christmas|easter|summer|holidays?|break)"
    r"(?: holidays?| break| hols)?)?",
    {"by", "before", "till", "for", "in", "during", "on"},
)
def _first_week_back(found: re.Match[str], context: _Context) -> date:
    """The first week back after the next holiday: "in/by" it is its last school day, "for" it its first,
    "before" it the last school day before the holiday ends."""
    calendar, today = context.calendar, context.today
    after = found.group("after")
    for half in calendar.halves():
        first = calendar.first_school_day_from(half.days.start)
        if first is None or first <= today:
            continue
        if after == "half term" and not half.name.endswith("2"):
            continue
        if after in _BACK_AFTER and after != "half term" and half.name not in _BACK_AFTER[after]:
            continue
        if context.prep == "for":
            return first
        if context.prep == "before":
            before = calendar.last_school_day_before(first)
            if before is not None and before >= today:
                return before
            raise context.not_understood()
        return _last_school_day_of_week(first, context)
    raise context.gap("when school is next back after a holiday")


def _last_school_day_of_week(day: date, context: _Context) -> date:
    """The last school day in `day`'s Monday-to-Sunday week (`day` itself at least)."""
    friday = day + timedelta(days=max(0, 4 - day.weekday()))
    while friday > day and not context.calendar.is_school_day(friday):
        friday -= timedelta(days=1)
    return friday


@_rule(r"(?:the )?last week of (?:the |this )?term", _BY | {"in", "during"})
def _last_week_of_term(found: re.Match[str], context: _Context) -> date | None:
    """The last week of term: "in/by" it is the term's last school day; "for" it, that week's first school day."""
    if not context.prep:
        return None  # "Plan the last week of term"
    calendar, today = context.calendar, context.today
    last = calendar.end_of_term(today)
    if last is not None and last < today:
        term = calendar.next_term_after(today)
        last = None if term is None else calendar.last_school_day_of(term)
    if last is None:
        raise context.gap("when this term ends")
    if context.prep == "for":
        monday = last - timedelta(days=last.weekday())
        first = calendar.first_school_day_from(monday)
        return first if first is not None and first >= today else last
    if context.prep == "before":
        monday = last - timedelta(days=last.weekday())
        before = calendar.last_school_day_before(monday)
        if before is not None and before >= today:
            return before
    return last


# --- terms -------------------------------------------------------------------------------------------


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


@_rule(rf"(?:{_START_OF}(?:the )?next term|next term|the next term|{_START_OF}term)", _BY | {"in", "during", "from"})
def _next_term(_: re.Match[str], context: _Context) -> date:
    """Next term means its first day, "from next term" too ("in next term" / "during next term": by its last day)."""
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
