"""A school's calendar: terms, half terms and closures, loaded from a small TOML file.

The shipped default is `bot/calendars/england-2026-27.toml` (see that file for the format); a school
replaces it with its own. `load_calendar` is the only function here that touches the disk.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_CALENDAR_FILE = "england-2026-27.toml"

_ONE_DAY = timedelta(days=1)
# How far the day-by-day searches below will look before giving up (a school year and a bit).
_SEARCH_LIMIT_DAYS = 400


class CalendarError(ValueError):
    """A calendar file is missing or wrong. The message names the file and, where known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class DateRange:
    """An inclusive run of days."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Term:
    name: str
    start: date
    end: date
    half_term: DateRange | None = None

    def __contains__(self, day: object) -> bool:
        """True for every day from the first to the last day of term, half term included."""
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Half:
    """One of a school year's six halves ("Autumn 1" … "Summer 2"): the teaching weeks between holidays."""

    name: str
    days: DateRange


@dataclass(frozen=True)
class Closure:
    """Days the school is shut in term time (bank holiday, INSET day…)."""

    days: DateRange
    reason: str


@dataclass(frozen=True)
class SchoolCalendar:
    name: str
    timezone: str
    terms: tuple[Term, ...]  # sorted by start, never overlapping
    closures: tuple[Closure, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    # --- terms -------------------------------------------------------------------------------

    def term_for(self, day: date) -> Term | None:
        """The term containing `day` (its half term counts as part of it), or None in the holidays."""
        return next((term for term in self.terms if day in term), None)

    def next_term_after(self, day: date) -> Term | None:
        """The first term that starts after `day`."""
        return next((term for term in self.terms if term.start > day), None)

    def current_or_next_term(self, day: date) -> Term | None:
        """The term containing `day`, or the next one if `day` is in a holiday."""
        return self.term_for(day) or self.next_term_after(day)

    def end_of_term(self, day: date) -> date | None:
        """The last school day of the term containing `day`, or of the next term if `day` is in a holiday.

        That is the term's `end` unless the end falls on a closure (an INSET day, say).
        """
        term = self.current_or_next_term(day)
        return None if term is None else self.last_school_day_of(term)

    def first_school_day_of(self, term: Term) -> date | None:
        found = self.first_school_day_from(term.start)
        return found if found is not None and found <= term.end else None

    def last_school_day_of(self, term: Term) -> date | None:
        found = self.last_school_day_before(term.end + _ONE_DAY)
        return found if found is not None and found >= term.start else None

    # --- half terms ----------------------------------------------------------------------------

    def half_terms(self) -> Iterator[DateRange]:
        return (term.half_term for term in self.terms if term.half_term is not None)

    def half_term_for(self, day: date) -> DateRange | None:
        """The half-term holiday `day` is in, or else the next one after `day`."""
        return next((half for half in self.half_terms() if half.end >= day), None)

    def teaching_half_for(self, day: date) -> DateRange:
        """The half of a term `day` falls in (first or second half, holidays aside).

        In a holiday, the half that ended last; outside every term, the seven days up to `day`. Observation
        cadence ("twice a half term") is counted over this range.
        """
        term = self.term_for(day) or next((t for t in reversed(self.terms) if t.end < day), None)
        if term is None:
            return DateRange(day - 6 * _ONE_DAY, day)
        if term.half_term is None:
            return DateRange(term.start, term.end)
        if day < term.half_term.start or (day in term.half_term):
            return DateRange(term.start, term.half_term.start - _ONE_DAY)
        return DateRange(term.half_term.end + _ONE_DAY, term.end)

    def halves(self) -> list[Half]:
        """The halves of every term in order, named from the term ("Autumn 2026" gives "Autumn 1" and "Autumn 2")."""
        found: list[Half] = []
        for term in self.terms:
            season = next((s for s in ("Autumn", "Spring", "Summer") if s.lower() in term.name.lower()), term.name)
            if term.half_term is None:
                found.append(Half(season, DateRange(term.start, term.end)))
                continue
            found.append(Half(f"{season} 1", DateRange(term.start, term.half_term.start - _ONE_DAY)))
            found.append(Half(f"{season} 2", DateRange(term.half_term.end + _ONE_DAY, term.end)))
        return found

    def current_or_next_half(self, day: date) -> Half | None:
        """The half `day` is in, or the next one in a holiday (or once its last school day has gone)."""
        for half in self.halves():
            last = self.last_school_day_before(half.days.end + _ONE_DAY)
            if last is not None and last >= day and last >= half.days.start:
                return half
        return None

    def next_half_term_starting_after(self, day: date) -> DateRange | None:
        return next((half for half in self.half_terms() if half.start > day), None)

    # --- days ---------------------------------------------------------------------------------

    def closure_for(self, day: date) -> Closure | None:
        return next((closure for closure in self.closures if day in closure.days), None)

    def is_school_day(self, day: date) -> bool:
        """A weekday inside a term, not in its half term and not a closure."""
        if day.weekday() >= 5:
            return False
        term = self.term_for(day)
        if term is None or (term.half_term is not None and day in term.half_term):
            return False
        return self.closure_for(day) is None

    def first_school_day_from(self, day: date) -> date | None:
        """`day` itself if it is a school day, else the next school day (None past the calendar's end)."""
        for offset in range(_SEARCH_LIMIT_DAYS):
            candidate = day + offset * _ONE_DAY
            if self.is_school_day(candidate):
                return candidate
        return None

    def last_school_day_before(self, day: date) -> date | None:
        """The latest school day strictly before `day` (None before the calendar's start)."""
        for offset in range(1, _SEARCH_LIMIT_DAYS):
            candidate = day - offset * _ONE_DAY
            if self.is_school_day(candidate):
                return candidate
        return None

    def add_school_days(self, day: date, count: int) -> date | None:
        """The school day `count` school days after `day` (None if the calendar runs out first)."""
        candidate = day
        for _ in range(count):
            found = self.first_school_day_from(candidate + _ONE_DAY)
            if found is None:
                return None
            candidate = found
        return candidate


# --- loading -----------------------------------------------------------------------------------


def default_calendar_path() -> Path:
    """The calendar shipped with the bot (England 2026–27)."""
    return Path(__file__).resolve().parent.parent / "calendars" / DEFAULT_CALENDAR_FILE


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([\w.\"'-]+?)\s*\]\]?")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_calendar(path: Path | str) -> SchoolCalendar:
    """Read and check a calendar file. Raises CalendarError naming the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalendarError(path, "no such calendar file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(path, f"can't read the calendar file ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        if position is None:
            raise CalendarError(path, f"not valid TOML: {message}") from exc
        detail = f"not valid TOML: {message[: position.start()]} (column {position.group(2)})"
        raise CalendarError(path, detail, int(position.group(1))) from exc
    return _Reader(path, text).calendar(data)


class _Reader:
    """Turns parsed TOML into a SchoolCalendar, pointing errors at the line they come from."""

    _TOP_KEYS = frozenset({"name", "timezone", "terms", "closures"})
    _TERM_KEYS = frozenset({"name", "start", "end", "half_term_start", "half_term_end"})
    _CLOSURE_KEYS = frozenset({"date", "start", "end", "reason"})

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, message: str, table: str | None = None, index: int = 0, key: str | None = None) -> CalendarError:
        return CalendarError(self.path, message, self.line_of(table, index, key))

    def line_of(self, table: str | None, index: int = 0, key: str | None = None) -> int | None:
        """1-based line of `key` in the `index`-th `[[table]]` (or at the top level when table is None).

        Falls back to the table's header line when the key isn't written out.
        """
        wanted = None if table is None else (table, index)
        key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=") if key else None
        seen: dict[str, int] = {}
        block: tuple[str, int] | None = None  # the table the current line is in; None at the top level
        header_line: int | None = None
        for number, line in enumerate(self.lines, start=1):
            header = _TABLE_HEADER.match(line)
            if header:
                name = header.group(1)
                seen[name] = seen.get(name, -1) + 1
                block = (name, seen[name])
                if block == wanted:
                    header_line = number
            elif block == wanted and key_line is not None and key_line.match(line):
                return number
        return header_line

    def calendar(self, data: Mapping[str, Any]) -> SchoolCalendar:
        self.no_unknown_keys(data, self._TOP_KEYS, None, 0)
        name = self.text(data, "name", None, 0)
        timezone = self.text(data, "timezone", None, 0)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(
                f"unknown time zone {timezone!r} (use one such as Europe/London)", None, 0, "timezone"
            ) from None
        terms = [self.term(entry, i) for i, entry in enumerate(self.tables(data, "terms"))]
        if not terms:
            raise self.fail("the calendar needs at least one [[terms]] table")
        closures = [self.closure(entry, i) for i, entry in enumerate(self.tables(data, "closures"))]
        order = sorted(range(len(terms)), key=lambda i: terms[i].start)
        for before, after in pairwise(order):
            if terms[after].start <= terms[before].end:
                raise self.fail(
                    f"term “{terms[after].name}” starts on {terms[after].start} but "
                    f"“{terms[before].name}” doesn't end until {terms[before].end}: terms mustn't overlap",
                    "terms",
                    after,
                    "start",
                )
        return SchoolCalendar(
            name=name,
            timezone=timezone,
            terms=tuple(terms[i] for i in order),
            closures=tuple(sorted(closures, key=lambda c: c.days.start)),
        )

    def tables(self, data: Mapping[str, Any], table: str) -> list[Mapping[str, Any]]:
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.fail(f"“{table}” must be written as [[{table}]] tables", None, 0, table)
        return entries

    def no_unknown_keys(self, entry: Mapping[str, Any], allowed: frozenset[str], table: str | None, i: int) -> None:
        for key in entry:
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                raise self.fail(f"unknown setting “{key}” (expected one of: {expected})", table, i, key)

    def text(self, entry: Mapping[str, Any], key: str, table: str | None, i: int) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"“{key}” must be some text, in quotes", table, i, key)
        return value.strip()

    def day(self, entry: Mapping[str, Any], key: str, table: str, i: int) -> date:
        value = entry.get(key)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):  # a quoted "2026-09-02" is fine too
                value = date.fromisoformat(value)
        if not isinstance(value, date) or isinstance(value, datetime):  # a datetime is a date too
            raise self.fail(f"“{key}” must be a date written YYYY-MM-DD, e.g. {key} = 2026-09-02", table, i, key)
        return value

    def term(self, entry: Mapping[str, Any], i: int) -> Term:
        self.no_unknown_keys(entry, self._TERM_KEYS, "terms", i)
        name = self.text(entry, "name", "terms", i)
        start = self.day(entry, "start", "terms", i)
        end = self.day(entry, "end", "terms", i)
        if end < start:
            raise self.fail(f"term “{name}” ends ({end}) before it starts ({start})", "terms", i, "end")
        has_start, has_end = "half_term_start" in entry, "half_term_end" in entry
        if has_start != has_end:
            missing = "half_term_end" if has_start else "half_term_start"
            present = "half_term_start" if has_start else "half_term_end"
            raise self.fail(f"term “{name}” has {present} but no {missing}", "terms", i, present)
        if not has_start:
            return Term(name, start, end)
        half_start = self.day(entry, "half_term_start", "terms", i)
        half_end = self.day(entry, "half_term_end", "terms", i)
        if half_end < half_start:
            raise self.fail(
                f"term “{name}”: half term ends ({half_end}) before it starts ({half_start})",
                "terms",
                i,
                "half_term_end",
            )
        if not (start < half_start and half_end < end):
            raise self.fail(
                f"term “{name}”: half term ({half_start} to {half_end}) must fall inside the term ({start} to {end})",
                "terms",
                i,
                "half_term_start",
            )
        return Term(name, start, end, DateRange(half_start, half_end))

    def closure(self, entry: Mapping[str, Any], i: int) -> Closure:
        self.no_unknown_keys(entry, self._CLOSURE_KEYS, "closures", i)
        reason = self.text(entry, "reason", "closures", i)
        if "date" in entry:
            if "start" in entry or "end" in entry:
                raise self.fail("a closure has either “date” or “start” and “end”, not both", "closures", i, "date")
            day = self.day(entry, "date", "closures", i)
            return Closure(DateRange(day, day), reason)
        if "start" not in entry or "end" not in entry:
            raise self.fail("a closure needs a “date”, or a “start” and an “end”", "closures", i)
        start = self.day(entry, "start", "closures", i)
        end = self.day(entry, "end", "closures", i)
        if end < start:
            raise self.fail(f"closure “{reason}” ends ({end}) before it starts ({start})", "closures", i, "end")
        return Closure(DateRange(start, end), reason)
