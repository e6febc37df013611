"""When a mentor is due a reminder to log a meeting, and making sure each reminder goes out once.

The clock for "a week" is the school's, not the wall calendar's:

* **weekly**: a meeting is due 5 school days after the last one (or after the mentorship started);
  **fortnightly**: 10 school days. Weekends, half terms, holidays and closures in the school calendar
  don't count, so a meeting on the Thursday before half term is next due on the Thursday after it.
  If the last meeting planned the next one ("next meeting" in the modal), that date is used instead.
  The reminder goes on the first school day *after* the due day, so a mentor who meets on the day
  itself is never nagged. Missed again? The next one is due a school week (or fortnight) later, and
  gets its own reminder: one reminder for each missed meeting, never one a day.
* **twice a term**: each term has two halves (either side of its half-term holiday); a mentorship needs
  a meeting in each. With 5 school days of the half left and no meeting logged in it, the mentor is
  reminded.

Reminders are only sent on school days, between 08:00 and 17:00 school time (the scheduler runs every
half hour; `python -m bot reminders run` ignores the hour). Each reminder is keyed (mentorship,
period), where the period names the missed due date (or half); the row is *claimed* (inserted under a
unique constraint) before the DM is sent, so two schedulers, a retry or a manual run never send it
twice. A failed send releases the claim so the next run tries again; a crash between claim and send
loses that one reminder rather than risk a duplicate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot.core.school_calendar import DateRange, SchoolCalendar
from storage.db import Database
from storage.meetings import Meeting, MeetingRepository
from storage.reminders import ReminderRepository, ReminderSent
from storage.roster import MeetingCadence, Mentorship

SEND_FROM = time(8, 0)
SEND_UNTIL = time(17, 0)
SCHOOL_DAYS = {MeetingCadence.WEEKLY: 5, MeetingCadence.FORTNIGHTLY: 10}
LAST_DAYS_OF_HALF = 5  # twice a term: remind when this many school days of the half are left
_MAX_MISSED = 200  # due dates looked through for one mentorship (a school year holds fewer than 40 weeks)


@dataclass(frozen=True)
class MeetingDue:
    due_on: date  # when the meeting was due (weekly/fortnightly/planned) or the half's last school day
    remind_from: date  # the first school day the reminder may go
    period: str  # the idempotency key, with the mentorship
    planned: bool  # the date the last meeting planned for the next one


@dataclass(frozen=True)
class DueReminder:
    team_id: str
    mentorship_id: int
    mentor_id: str
    mentee_id: str
    cadence: MeetingCadence
    period: str
    due_on: date
    last_meeting_on: date | None
    planned: bool = False


def halves(calendar: SchoolCalendar) -> Iterator[tuple[str, DateRange]]:
    """Each term's two halves, named for the reminder key: ("Autumn 2026 (1)", 2 Sep–23 Oct)…"""
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


def meeting_due(
    mentorship: Mentorship, last: Meeting | None, today: date, calendar: SchoolCalendar
) -> MeetingDue | None:
    """The latest meeting that should have happened by `today`, and from when to remind about it.

    None when nothing is due yet (or the calendar doesn't reach far enough to say).
    """
    cadence = mentorship.meeting_cadence
    if cadence not in SCHOOL_DAYS:
        return _twice_a_term_due(last, today, calendar)
    anchor = last.held_on if last is not None else mentorship.start_date
    planned = last is not None and last.next_meeting_on is not None and last.next_meeting_on > last.held_on
    due_day = (
        last.next_meeting_on if planned and last is not None else calendar.add_school_days(anchor, SCHOOL_DAYS[cadence])
    )
    found: MeetingDue | None = None
    for missed in range(_MAX_MISSED):
        if due_day is None:
            break
        remind_from = calendar.first_school_day_from(due_day + timedelta(days=1))
        if remind_from is None or remind_from > today:
            break
        found = MeetingDue(
            due_day, remind_from, f"meeting:{cadence.value}:{due_day.isoformat()}", planned and missed == 0
        )
        due_day = calendar.add_school_days(due_day, SCHOOL_DAYS[cadence])
    return found


def _twice_a_term_due(last: Meeting | None, today: date, calendar: SchoolCalendar) -> MeetingDue | None:
    for name, half in halves(calendar):
        if today not in half:
            continue
        if last is not None and last.held_on >= half.start:
            return None  # met in this half already
        school_days = [d for d in _days(half) if calendar.is_school_day(d)]
        if not school_days:
            return None
        remind_from = school_days[max(0, len(school_days) - LAST_DAYS_OF_HALF)]
        if remind_from > today:
            return None
        return MeetingDue(school_days[-1], remind_from, f"meeting:twice_a_term:{name}", planned=False)
    return None


def _days(span: DateRange) -> Iterator[date]:
    day = span.start
    while day <= span.end:
        yield day
        day += timedelta(days=1)


class ReminderService:
    def __init__(self, db: Database, calendar: SchoolCalendar, school_tz: ZoneInfo) -> None:
        self.db = db
        self.calendar = calendar
        self.school_tz = school_tz

    def sending_window_open(self, now: datetime) -> bool:
        local = now.astimezone(self.school_tz)
        return self.calendar.is_school_day(local.date()) and SEND_FROM <= local.time() < SEND_UNTIL

    def due(self, team_id: str, now: datetime, *, any_hour: bool = False) -> list[DueReminder]:
        """Reminders owed now and not yet claimed. None on a non-school day (or, unless any_hour, out of hours)."""
        local = now.astimezone(self.school_tz)
        today = local.date()
        if not self.calendar.is_school_day(today):
            return []
        if not any_hour and not SEND_FROM <= local.time() < SEND_UNTIL:
            return []
        owed: list[DueReminder] = []
        with self.db.unit_of_work() as session:
            reminders = ReminderRepository(session)
            meetings = MeetingRepository(session)
            for mentorship in reminders.live_mentorships(team_id):
                if not mentorship.start_date <= today <= mentorship.end_date:
                    continue
                last = meetings.latest_for_mentorship(mentorship.id)
                due = meeting_due(mentorship, last, today, self.calendar)
                if due is None:
                    continue
                if reminders.claimed(mentorship.id, due.period) is not None:
                    continue
                owed.append(
                    DueReminder(
                        team_id=team_id,
                        mentorship_id=mentorship.id,
                        mentor_id=mentorship.mentor_id,
                        mentee_id=mentorship.mentee_id,
                        cadence=mentorship.meeting_cadence,
                        period=due.period,
                        due_on=due.due_on,
                        last_meeting_on=last.held_on if last else None,
                        planned=due.planned,
                    )
                )
        return owed

    def claim(self, reminder: DueReminder, now: datetime) -> int | None:
        """Take the reminder before sending it: its id, or None when someone else already has."""
        try:
            with self.db.unit_of_work() as session:
                claimed = ReminderRepository(session).add(
                    ReminderSent(
                        team_id=reminder.team_id,
                        mentorship_id=reminder.mentorship_id,
                        period=reminder.period,
                        recipient_id=reminder.mentor_id,
                        claimed_at=now,
                    )
                )
                return claimed.id
        except IntegrityError:
            return None

    def mark_sent(self, team_id: str, claim_id: int, channel: str | None, ts: str | None, now: datetime) -> None:
        with self.db.unit_of_work() as session:
            claimed = ReminderRepository(session).get(team_id, claim_id)
            if claimed is not None:
                claimed.sent_at, claimed.channel, claimed.ts = now, channel, ts

    def release(self, team_id: str, claim_id: int) -> None:
        """The DM failed: let the next run try again."""
        with self.db.unit_of_work() as session:
            repo = ReminderRepository(session)
            claimed = repo.get(team_id, claim_id)
            if claimed is not None and claimed.sent_at is None:
                repo.delete(claimed)
