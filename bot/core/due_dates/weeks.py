"""Rules for days, weeks and months: "Monday week", "next Friday", "in a fortnight", "by the end of January"."""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.due_dates.phrases import (
    _BY,
    _DURATION,
    _END_OF,
    _MON,
    _MONTHS,
    _NUM,
    _PART_OF_DAY,
    _START_OF,
    _WD,
    _WEEKDAYS,
    _YEAR,
    Rule,
    _add_months,
    _coming,
    _Context,
    _end_of_month,
    _friday_of_this_week,
    _in_week,
    _number,
    passed_recently,
    rule_registry,
)

RULES: list[Rule] = []
_rule = rule_registry(RULES)

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
    rf"(?P<wd>{_WD}) (?P<unit0>week|fortnight)|(?:the )?(?P<wd2>{_WD}) after next"
    rf"|(?P<n>{_NUM}) (?P<unit>weeks?|fortnights?) (?:(?:on|from) )?(?P<wd3>{_WD})"
)
def _weekday_week(found: re.Match[str], context: _Context) -> date:
    """British "Monday week" = "a week on Monday" = "a week Monday": the Monday after the coming one.

    "Friday fortnight" (and "a fortnight Friday"): the coming Friday and two weeks more.
    """
    weekday = _WEEKDAYS[found.group("wd") or found.group("wd2") or found.group("wd3")]
    unit = found.group("unit") or found.group("unit0") or ""
    weeks = _number(found.group("n")) * (2 if unit.startswith("fortnight") else 1)
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
    next_year = date(this_year.year + 1, month, day_of(this_year.year + 1))
    if passed_recently(this_year, context.today):
        raise context.passed(this_year, next_year)  # "by the end of November" on 2 December: a slip?
    return next_year


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
