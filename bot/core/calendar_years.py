"""A school calendar carried on past the end of its file, for schedules that span several school years.

An ECT's induction lasts two school years full time, longer part time; the school's calendar file
usually holds one. `extend_calendar` adds, after the file's last term, school year by school year:

1. the shipped year files (`bot/calendars/england-YYYY-YY.toml`, typical local-authority dates) for the
   years after the file's last one — a school with its own 2026–27 file gets the shipped 2027–28 dates;
2. beyond the shipped files, an estimate from the standard English pattern, every term marked
   `estimated=True` (screens and reports say "estimated"):
   * autumn: from the first weekday on or after 2 September to the last weekday on or before
     20 December; half term the last full Monday–Friday week of October;
   * spring: from the first weekday on or after 4 January to the last weekday before Good Friday, or
     to the last weekday on or before 3 April when Easter is late; half term the week of the third
     Monday in February;
   * summer: from the first Monday at least 17 days after spring ends (a two-week Easter holiday) to
     the last weekday on or before 21 July; half term the week of the spring bank holiday (the last
     Monday in May); the early May bank holiday (the first Monday in May), and Good Friday and Easter
     Monday when a late Easter puts them in term, are closures.
   That pattern gives exactly the shipped 2026–27 dates. When the real dates are known, the school adds
   that year's file and the estimate is no longer used.

Nothing here reads the clock; the shipped files are read when `extend_calendar` is called.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from bot.core.school_calendar import Closure, DateRange, SchoolCalendar, Term, load_calendar

_DAY = timedelta(days=1)


def shipped_year_file(autumn_year: int) -> Path:
    """The shipped calendar file for the school year starting in September of `autumn_year`."""
    name = f"england-{autumn_year}-{(autumn_year + 1) % 100:02d}.toml"
    return Path(__file__).resolve().parent.parent / "calendars" / name


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += _DAY
    return day


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _mondays(year: int, month: int) -> list[date]:
    first = date(year, month, 1)
    day = first + timedelta(days=(7 - first.weekday()) % 7)
    found = []
    while day.month == month:
        found.append(day)
        day += 7 * _DAY
    return found


def _week(monday: date) -> DateRange:
    return DateRange(monday, monday + 4 * _DAY)


def estimated_year(autumn_year: int) -> tuple[list[Term], list[Closure]]:
    """The standard English pattern for the school year starting in September of `autumn_year`."""
    spring_year = autumn_year + 1
    october = [m for m in _mondays(autumn_year, 10) if (m + 4 * _DAY).month == 10]
    autumn = Term(
        f"Autumn {autumn_year}",
        _weekday_on_or_after(date(autumn_year, 9, 2)),
        _weekday_on_or_before(date(autumn_year, 12, 20)),
        _week(october[-1]),
        estimated=True,
    )
    good_friday = easter_sunday(spring_year) - 2 * _DAY
    spring_end = min(good_friday - _DAY, _weekday_on_or_before(date(spring_year, 4, 3)))
    spring = Term(
        f"Spring {spring_year}",
        _weekday_on_or_after(date(spring_year, 1, 4)),
        spring_end,
        _week(_mondays(spring_year, 2)[2]),
        estimated=True,
    )
    summer_start = spring_end + 17 * _DAY
    summer = Term(
        f"Summer {spring_year}",
        summer_start + timedelta(days=(7 - summer_start.weekday()) % 7),
        _weekday_on_or_before(date(spring_year, 7, 21)),
        _week(_mondays(spring_year, 5)[-1]),
        estimated=True,
    )
    may_day = _mondays(spring_year, 5)[0]
    closures = [Closure(DateRange(may_day, may_day), "Early May bank holiday")]
    for day, reason in ((good_friday, "Good Friday"), (good_friday + 3 * _DAY, "Easter Monday")):
        if day in summer:
            closures.append(Closure(DateRange(day, day), reason))
    return [autumn, spring, summer], sorted(closures, key=lambda c: c.days.start)


def _year(autumn_year: int) -> tuple[list[Term], list[Closure]]:
    """The shipped file for that school year if there is one, else the estimate."""
    path = shipped_year_file(autumn_year)
    if path.exists():
        year = load_calendar(path)
        return list(year.terms), list(year.closures)
    return estimated_year(autumn_year)


def extend_calendar(calendar: SchoolCalendar, until: date, since: date | None = None) -> SchoolCalendar:
    """`calendar` with whole school years added after its last term until one ends on or after `until`,
    and (when `since` is given) before its first term until one starts on or before `since`: an ECT in
    their second year started in a year the school's file no longer holds."""
    terms, closures = list(calendar.terms), list(calendar.closures)
    while since is not None and terms[0].start > since:
        first = terms[0].start
        # Autumn 2026 is preceded by 2025–26; a file starting in spring 2027 by the autumn of 2026.
        autumn_year = first.year - 1
        year_terms, year_closures = _year(autumn_year)
        earlier = [t for t in year_terms if t.end < first]
        if not earlier:
            year_terms, year_closures = estimated_year(autumn_year - 1)
            earlier = [t for t in year_terms if t.end < first]
        terms = earlier + terms
        closures = [c for c in year_closures if c.days.end < first] + closures
    while terms[-1].end < until:
        last = terms[-1].end
        # The school year the next term belongs to: a file ending in July 2027 goes on with 2027–28;
        # one ending in December 2026 goes on with the rest of 2026–27.
        autumn_year = last.year if last.month >= 7 else last.year - 1
        new_terms, new_closures = _year(autumn_year)
        new_terms = [t for t in new_terms if t.start > last]
        if not new_terms:  # a file that doesn't move on: estimate rather than loop
            new_terms, new_closures = estimated_year(autumn_year)
            new_terms = [t for t in new_terms if t.start > last]
        terms += new_terms
        closures += [c for c in new_closures if c.days.start > last]
    if len(terms) == len(calendar.terms):
        return calendar
    return replace(calendar, terms=tuple(terms), closures=tuple(sorted(closures, key=lambda c: c.days.start)))
