"""When a mentorship's next meeting is due: ONE rule for every cadence, used by reminders, Home and digests.

Counted in school days (bot/core/school_calendar.py): weekends, half terms, holidays and closures don't count.

* **weekly / fortnightly**: due 5 (10) school days after the last meeting, or after the mentorship started
  when none is logged yet. A meeting on the Thursday before half term is next due on the Thursday after it.
* **twice a term**: at least twice a term means once in each half term (each term splits into two halves
  either side of its half-term holiday). The meeting for a half is due by the half's last school day, and
  is *due soon* in the half's last 5 school days. After a meeting, the next one is due by the end of the
  following half; a mentorship that starts with fewer than 5 school days of its half left owes its first
  meeting in the next half.
* **an agreed date**: a next-meeting date agreed at the last meeting (later than it) is the due date,
  whatever the cadence.

A meeting is **overdue** once its due day has passed with no meeting logged since: `due_on < today`. It
stays overdue until a meeting is logged. If it is missed, the cadence carries on from the missed due date
(a school week, a fortnight, or the next half later): each missed due date is its own `key`, so a reminder
can be sent once for each missed meeting, never once a day.

Reminders go out on the first school day a meeting is due soon when it has a "due soon" window (twice a
term), otherwise on the first school day after the missed due day, so a mentor who meets on the day itself
is never nagged. Beyond the calendar's last term, weekly and fortnightly count calendar weeks instead;
twice a term can't be said (None).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.school_calendar import DateRange, SchoolCalendar
from storage.roster import MeetingCadence

SCHOOL_DAYS = {MeetingCadence.WEEKLY: 5, MeetingCadence.FORTNIGHTLY: 10}
DUE_SOON_SCHOOL_DAYS = 5  # twice a term: the meeting is due soon in the half's last 5 school days
_MAX_MISSED = 200  # due dates looked through for one mentorship (a school year holds fewer than 40 weeks)


@dataclass(frozen=True)
class Half:
    """One half of a term, between its start, its half-term holiday and its end."""

    name: str  # "Autumn 2026 (1)"
    days: DateRange
    soon_from: date  # the first of its last 5 school days
    last_school_day: date


@dataclass(frozen=True)
class MeetingDue:
    due_on: date
    soon_from: date  # from this day the meeting is due soon (the due day itself unless twice a term)
    key: str  # names this due date: "weekly:2026-11-24", "twice_a_term:Autumn 2026 (2)"
    planned: bool = False  # the date agreed at the last meeting

    def overdue(self, today: date) -> bool:
        return self.due_on < today

    def due_soon(self, today: date) -> bool:
        return self.soon_from <= today <= self.due_on


def halves(calendar: SchoolCalendar) -> Iterator[tuple[str, DateRange]]:
    """Each term's two halves: ("Autumn 2026 (1)", 2 Sep–23 Oct)…"""
    for term in calendar.terms:
        if term.half_term is not None:
            first = DateRange(term.start, term.half_term.start - timedelta(days=1))
            second = DateRange(term.half_term.end + timedelta(days=1), term.end)
        else:
            middle = term.start + (term.end - term.start) / 2
            first = DateRange(term.start, middle)
            second = DateRange(middle + timedelta(days=1), term.end)
        yield f"{term.name} (1)", first
        yield f"{term.name} (2)", second


class MeetingCadenceRule:
    """The meeting-due rule over one school calendar (build one per job or screen: it caches school-day sums)."""

    def __init__(self, calendar: SchoolCalendar) -> None:
        self.calendar = calendar
        self._after: dict[tuple[date, int], date | None] = {}
        self.halves: list[Half] = []
        for name, span in halves(calendar):
            school_days = [
                span.start + timedelta(days=n)
                for n in range((span.end - span.start).days + 1)
                if calendar.is_school_day(span.start + timedelta(days=n))
            ]
            if school_days:
                soon = school_days[max(0, len(school_days) - DUE_SOON_SCHOOL_DAYS)]
                self.halves.append(Half(name, span, soon, school_days[-1]))

    def next_due(
        self,
        cadence: MeetingCadence,
        *,
        started_on: date,
        last_held_on: date | None,
        agreed_on: date | None = None,
    ) -> MeetingDue | None:
        """When the next meeting is due (None when the calendar doesn't reach far enough to say)."""
        return next(
            self.due_dates(cadence, started_on=started_on, last_held_on=last_held_on, agreed_on=agreed_on), None
        )

    def due_dates(
        self,
        cadence: MeetingCadence,
        *,
        started_on: date,
        last_held_on: date | None,
        agreed_on: date | None = None,
    ) -> Iterator[MeetingDue]:
        """The next due date, then each one after it should that meeting be missed too."""
        planned = agreed_on is not None and last_held_on is not None and agreed_on > last_held_on
        due: MeetingDue | None
        if planned and agreed_on is not None:
            due = MeetingDue(agreed_on, agreed_on, f"{cadence.value}:{agreed_on.isoformat()}", planned=True)
        elif cadence is MeetingCadence.TWICE_A_TERM:
            due = self._first_half_due(started_on, last_held_on)
        else:
            due = self._days_after(cadence, last_held_on or started_on)
        for _ in range(_MAX_MISSED):
            if due is None:
                return
            yield due
            if cadence is MeetingCadence.TWICE_A_TERM:
                due = self._half_due(next((h for h in self.halves if h.last_school_day > due.due_on), None))
            else:
                due = self._days_after(cadence, due.due_on)

    def remind_from(self, due: MeetingDue) -> date | None:
        """The first school day the mentor is reminded about this due date (None past the calendar's end)."""
        if due.soon_from < due.due_on:
            return self.calendar.first_school_day_from(due.soon_from)
        return self.calendar.first_school_day_from(due.due_on + timedelta(days=1))

    def _days_after(self, cadence: MeetingCadence, anchor: date) -> MeetingDue:
        count = SCHOOL_DAYS[cadence]
        key = (anchor, count)
        if key not in self._after:  # many mentees share a last-meeting day: count the school days once
            self._after[key] = self.calendar.add_school_days(anchor, count)
        day = self._after[key]
        if day is None:  # beyond the calendar's last term: count calendar weeks instead
            day = anchor + timedelta(days=7 * count // 5)
        return MeetingDue(day, day, f"{cadence.value}:{day.isoformat()}")

    def _first_half_due(self, started_on: date, last_held_on: date | None) -> MeetingDue | None:
        if last_held_on is not None:  # met: the next meeting is due in the following half
            return self._half_due(next((h for h in self.halves if h.days.start > last_held_on), None))
        # Not met yet: the half the mentorship starts in, unless fewer than 5 of its school days are left.
        return self._half_due(next((h for h in self.halves if h.soon_from >= started_on), None))

    @staticmethod
    def _half_due(half: Half | None) -> MeetingDue | None:
        if half is None:
            return None
        return MeetingDue(half.last_school_day, half.soon_from, f"{MeetingCadence.TWICE_A_TERM.value}:{half.name}")
