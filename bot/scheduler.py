"""Periodic jobs inside the bot process: for now, meeting reminders every half hour.

APScheduler's BackgroundScheduler runs the jobs in a thread beside the HTTP server (or Socket Mode).
A job that fails is logged and tried again at its next run. The rules about *whether* a reminder is
due (school days, school hours, the school-aware week) live in `bot.services.reminders`; this module
only decides when to look, and sends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from handlers.blocks.meetings import reminder_message

log = logging.getLogger(__name__)

REMINDER_EVERY = timedelta(minutes=30)
FIRST_RUN_AFTER = timedelta(minutes=1)  # soon after start, so a restart in the day catches up
REMINDER_JOB = "meeting-reminders"


@dataclass(frozen=True)
class ReminderReport:
    sent: int
    already_sent: int  # claimed by another run between looking and claiming
    failed: int


def send_due_reminders(deps: Deps, client: WebClient, team_id: str, *, any_hour: bool = False) -> ReminderReport:
    """Send every reminder owed now, each claimed before it is sent so none goes twice."""
    now = deps.now()
    sent = already = failed = 0
    for reminder in deps.reminders.due(team_id, now, any_hour=any_hour):
        claim = deps.reminders.claim(reminder, now)
        if claim is None:
            already += 1
            continue
        text, blocks = reminder_message(reminder)
        try:
            response = client.chat_postMessage(channel=reminder.mentor_id, text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("Could not send a meeting reminder to %s: %s", reminder.mentor_id, exc.response.get("error"))
            deps.reminders.release(team_id, claim)
            failed += 1
            continue
        deps.reminders.mark_sent(team_id, claim, response.get("channel"), response.get("ts"), deps.now())
        sent += 1
    if sent or failed:
        log.info("Meeting reminders for %s: %d sent, %d failed", team_id, sent, failed)
    return ReminderReport(sent=sent, already_sent=already, failed=failed)


def _reminder_job(deps: Deps, client: WebClient, team_id: str) -> None:
    try:
        send_due_reminders(deps, client, team_id)
    except Exception:
        log.exception("The meeting reminder job failed; it will run again in %s", REMINDER_EVERY)


def build_scheduler(
    deps: Deps, client: WebClient, team_id: str, *, start_at: datetime | None = None
) -> BackgroundScheduler:
    """A scheduler (not yet started) with the bot's periodic jobs for one workspace."""
    tz = deps.settings.tz
    first = start_at or datetime.now(tz) + FIRST_RUN_AFTER
    scheduler = BackgroundScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(REMINDER_EVERY.total_seconds())},
    )
    scheduler.add_job(
        _reminder_job,
        IntervalTrigger(seconds=int(REMINDER_EVERY.total_seconds()), start_date=first, timezone=tz),
        args=(deps, client, team_id),
        id=REMINDER_JOB,
        name="Meeting reminders",
    )
    return scheduler
