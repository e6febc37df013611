"""When a mentor is due a reminder to log a meeting, and making sure each reminder goes out once.

When a meeting is due, for every cadence, is bot/core/cadence.py: the rule Home and the digests use too.
The reminder goes on the first school day *after* a missed due day (so a mentor who meets on the day itself
is never nagged), or, twice a term, as the half's meeting becomes due soon (its last 5 school days). Missed
again? The next due date gets its own reminder: one reminder for each missed meeting, never one a day.

Reminders are only sent on school days, between 08:00 and 17:00 school time (the scheduler runs every
half hour; `python -m bot reminders run` ignores the hour). Each reminder is keyed (mentorship,
period), where the period names the missed due date (or half); the row is *claimed* (inserted under a
unique constraint) before the DM is sent, so two schedulers, a retry or a manual run never send it
twice. A send Slack refused releases the claim so the next run tries again; a send that timed out keeps
it (Slack may have posted it), and a crash between claim and send loses that one reminder, rather than
risk a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.cadence import MeetingCadenceRule
from bot.core.school_calendar import SchoolCalendar
from storage.db import Conflict, Database
from storage.meetings import Meeting, MeetingRepository
from storage.reminders import ReminderRepository, ReminderSent
from storage.roster import MeetingCadence, Mentorship

SEND_FROM = time(8, 0)
SEND_UNTIL = time(17, 0)


@dataclass(frozen=True)
class ReminderDue:
    due_on: date  # when the meeting was (or, twice a term, is) due
    remind_from: date  # the first school day the reminder may go
    period: str  # the idempotency key, with the mentorship
    planned: bool  # the date the last meeting planned for the next one
    overdue: bool  # the mentorship's meeting is overdue (its next due date has passed)


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
    overdue: bool = True  # the mentorship's meeting is overdue (bot/core/cadence.py)
    early: bool = False  # sent before `due_on`: twice a term, as the half's meeting becomes due soon


def meeting_due(
    mentorship: Mentorship, last: Meeting | None, today: date, calendar: SchoolCalendar | MeetingCadenceRule
) -> ReminderDue | None:
    """The latest due date (bot/core/cadence.py) whose reminder may go by `today`, if any.

    None when nothing is due yet (or the calendar doesn't reach far enough to say).
    """
    rule = calendar if isinstance(calendar, MeetingCadenceRule) else MeetingCadenceRule(calendar)
    found: ReminderDue | None = None
    overdue = False
    dues = rule.due_dates(
        mentorship.meeting_cadence,
        started_on=mentorship.start_date,
        last_held_on=last.held_on if last is not None else None,
        agreed_on=last.next_meeting_on if last is not None else None,
    )
    for missed, due in enumerate(dues):
        if missed == 0:  # the next meeting's due date: passed, or (twice a term) only due soon
            overdue = due.overdue(today)
        remind_from = rule.remind_from(due)
        if remind_from is None or remind_from > today:
            break
        found = ReminderDue(due.due_on, remind_from, f"meeting:{due.key}", due.planned, overdue)
    return found


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
        rule = MeetingCadenceRule(self.calendar)
        with self.db.unit_of_work() as session:
            reminders = ReminderRepository(session)
            meetings = MeetingRepository(session)
            for mentorship in reminders.live_mentorships(team_id):
                if not mentorship.start_date <= today <= mentorship.end_date:
                    continue
                last = meetings.latest_for_mentorship(mentorship.id)
                due = meeting_due(mentorship, last, today, rule)
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
                        overdue=due.overdue,
                        early=due.due_on >= today,
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
        except Conflict:
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
