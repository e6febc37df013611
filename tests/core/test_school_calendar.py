"""The school calendar: the shipped England 2026–27 file and what goes wrong with a bad one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core.school_calendar import CalendarError, DateRange, SchoolCalendar, default_calendar_path, load_calendar


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(default_calendar_path())


def test_the_shipped_calendar_loads(calendar: SchoolCalendar) -> None:
    assert calendar.timezone == "Europe/London"
    assert [term.name for term in calendar.terms] == ["Autumn 2026", "Spring 2027", "Summer 2027"]
    autumn = calendar.terms[0]
    assert (autumn.start, autumn.end) == (date(2026, 9, 2), date(2026, 12, 18))
    assert autumn.half_term == DateRange(date(2026, 10, 26), date(2026, 10, 30))
    assert calendar.closure_for(date(2027, 5, 3)) is not None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 24), True),  # a Tuesday in term
        (date(2026, 9, 2), True),  # first day of the year
        (date(2026, 9, 1), False),  # before term
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 10, 26), False),  # October half term
        (date(2026, 10, 30), False),  # … its last day
        (date(2026, 11, 2), True),  # first day back
        (date(2026, 12, 25), False),  # Christmas holidays
        (date(2027, 5, 3), False),  # early May bank holiday
        (date(2027, 5, 4), True),
        (date(2027, 3, 26), False),  # Good Friday: the spring term ended on the Thursday
        (date(2027, 7, 21), True),  # last day of the year
        (date(2027, 7, 22), False),
    ],
)
def test_is_school_day(calendar: SchoolCalendar, day: date, expected: bool) -> None:
    assert calendar.is_school_day(day) is expected


def test_terms_and_half_terms(calendar: SchoolCalendar) -> None:
    assert calendar.term_for(date(2026, 10, 28)).name == "Autumn 2026"  # type: ignore[union-attr]
    assert calendar.term_for(date(2026, 12, 25)) is None
    assert calendar.next_term_after(date(2026, 12, 25)).name == "Spring 2027"  # type: ignore[union-attr]
    assert calendar.next_term_after(date(2026, 11, 24)).name == "Spring 2027"  # type: ignore[union-attr]
    assert calendar.next_term_after(date(2027, 5, 1)) is None
    assert calendar.half_term_for(date(2026, 10, 28)) == DateRange(date(2026, 10, 26), date(2026, 10, 30))
    assert calendar.half_term_for(date(2026, 11, 24)) == DateRange(date(2027, 2, 15), date(2027, 2, 19))
    assert calendar.half_term_for(date(2027, 6, 7)) is None


def test_end_of_term(calendar: SchoolCalendar) -> None:
    assert calendar.end_of_term(date(2026, 11, 24)) == date(2026, 12, 18)
    assert calendar.end_of_term(date(2026, 10, 28)) == date(2026, 12, 18)  # half term is part of the term
    assert calendar.end_of_term(date(2026, 12, 21)) == date(2027, 3, 25)  # in the holidays: the next term's
    assert calendar.end_of_term(date(2027, 7, 25)) is None


def test_school_day_arithmetic(calendar: SchoolCalendar) -> None:
    assert calendar.last_school_day_before(date(2026, 10, 26)) == date(2026, 10, 23)
    assert calendar.first_school_day_from(date(2026, 10, 31)) == date(2026, 11, 2)
    assert calendar.add_school_days(date(2027, 4, 30), 1) == date(2027, 5, 4)  # over the bank holiday
    assert calendar.add_school_days(date(2027, 7, 21), 1) is None


CALENDAR_HEAD = 'name = "Test school"\ntimezone = "Europe/London"\n'
TERM = '\n[[terms]]\nname = "{name}"\nstart = {start}\nend = {end}\n'


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "our-school.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    text = CALENDAR_HEAD + TERM.format(name="Autumn", start="2026-09-03", end="2026-12-17")
    text += '\n[[closures]]\nstart = 2026-11-02\nend = 2026-11-03\nreason = "INSET days"\n'
    calendar = load_calendar(write(tmp_path, text))
    assert calendar.terms[0].half_term is None
    assert not calendar.is_school_day(date(2026, 11, 3))
    assert calendar.is_school_day(date(2026, 11, 4))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"no-such\.toml: no such calendar file"):
        load_calendar(tmp_path / "no-such.toml")


def test_a_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, CALENDAR_HEAD + "\n[[terms]]\nname = Autumn\n")
    with pytest.raises(CalendarError) as caught:
        load_calendar(path)
    assert str(caught.value).startswith(f"{path}, line 5: not valid TOML")
    assert caught.value.line == 5


def test_end_before_start_names_file_and_line(tmp_path: Path) -> None:
    text = CALENDAR_HEAD + TERM.format(name="Autumn", start="2026-09-03", end="2026-12-17")
    text += TERM.format(name="Spring", start="2027-01-05", end="2026-03-26")
    path = write(tmp_path, text)
    with pytest.raises(CalendarError) as caught:
        load_calendar(path)
    assert str(caught.value) == f"{path}, line 12: term “Spring” ends (2026-03-26) before it starts (2027-01-05)"


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        (TERM.format(name="Overlap", start="2026-12-01", end="2027-01-10"), 11, "mustn't overlap"),
        (
            '\n[[terms]]\nname = "Spring"\nstart = 2027-01-05\nend = 2027-03-26\nhalf_term_start = 2027-02-15\n',
            13,
            "has half_term_start but no half_term_end",
        ),
        (
            '\n[[terms]]\nname = "Spring"\nstart = 2027-01-05\nend = 2027-03-26\nhalf_term_start = 2027-04-15\n'
            "half_term_end = 2027-04-19\n",
            13,
            "must fall inside the term",
        ),
        ('\n[[terms]]\nname = "Spring"\nbegin = 2027-01-05\n', 11, "unknown setting “begin”"),
        ('\n[[terms]]\nname = "Spring"\nstart = "soon"\nend = 2027-03-26\n', 11, "must be a date"),
        ('\n[[closures]]\nreason = "INSET"\n', 9, "needs a “date”"),  # the table's header line
    ],
)
def test_bad_entries_name_their_line(tmp_path: Path, extra: str, line: int, message: str) -> None:
    # Lines 1-2: name and timezone; 4-7: the first term; 9 onwards: `extra`.
    text = CALENDAR_HEAD + TERM.format(name="Autumn", start="2026-09-03", end="2026-12-17") + extra
    with pytest.raises(CalendarError, match=message) as caught:
        load_calendar(write(tmp_path, text))
    assert caught.value.line == line
    assert "our-school.toml, line" in str(caught.value)


def test_unknown_time_zone(tmp_path: Path) -> None:
    text = 'name = "Test"\ntimezone = "Europe/Londn"\n' + TERM.format(name="A", start="2026-09-03", end="2026-12-17")
    with pytest.raises(CalendarError, match="line 2: unknown time zone"):
        load_calendar(write(tmp_path, text))
