"""Periodic jobs inside the bot process: meeting reminders, the weekly digests, support plan review reminders
and data retention.

APScheduler's BackgroundScheduler runs the jobs in a thread beside the HTTP server (or Socket Mode).
Reminders and digests go through every workspace in the database, each with that workspace's Slack client
(with one bot token, only the token's own workspace has one; the others are skipped). A workspace whose job
fails is logged and tried again at the next run; it never stops the others. The rules about *whether* a reminder is
due (school days, school hours, the school-aware week) live in `bot.reminders.service`; this module
only decides when to look, and sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.app.digests import digest_tick
from bot.app.logging_setup import log_context
from bot.app.slack_client import NoClient, TokenRefreshFailed, WorkspaceClient
from bot.privacy.service import run_retention
from handlers.coaching.checkback import send_check_backs as send_coaching_check_backs
from handlers.concerns.plan_listeners import send_review_reminders as send_plan_review_reminders
from handlers.concerns.probation import send_midpoint_notices
from handlers.meetings.blocks import reminder_message
from handlers.slack.replies import SLACK_FAILURES, failure_reason, may_have_arrived
from storage.roster import WorkspaceRepository

log = logging.getLogger(__name__)

REMINDER_EVERY = timedelta(minutes=30)
FIRST_RUN_AFTER = timedelta(minutes=1)  # soon after start, so a restart in the day catches up
REMINDER_JOB = "meeting-reminders"
DIGEST_EVERY = timedelta(minutes=5)  # a tick: sends what is due and retries what failed
DIGEST_JOB = "weekly-digests"
PLAN_REVIEW_EVERY = timedelta(minutes=30)
PLAN_REVIEW_JOB = "plan-review-reminders"
MIDPOINT_EVERY = timedelta(hours=1)
MIDPOINT_JOB = "probation-midpoints"
WARNINGS_EVERY = timedelta(hours=1)
WARNINGS_JOB = "early-warnings"
RETENTION_EVERY = timedelta(hours=24)
# Slack refuses a request older than five minutes, and a modal can be saved for as long as it is open: a day is ample.
REQUEST_KEYS_KEPT = timedelta(days=1)
RETENTION_JOB = "data-retention"
REVIEW_REMINDER_JOB = "review-reminders"
PANEL_REMINDER_EVERY = timedelta(hours=1)
PANEL_REMINDER_JOB = "certification-panel-reminders"
REVIEW_REMINDER_HOURS = (8, 17)  # school time: reviewers are reminded in the working day
COACHING_EVERY = timedelta(hours=1)
COACHING_JOB = "coaching-check-backs"


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
        except SLACK_FAILURES as exc:
            failed += 1
            if may_have_arrived(exc):  # a timeout: Slack may have posted it, so it is never sent again
                log.warning(
                    "A meeting reminder to %s may not have arrived (%s); not resending it",
                    reminder.mentor_id,
                    failure_reason(exc),
                )
                continue
            log.warning("Could not send a meeting reminder to %s: %s", reminder.mentor_id, failure_reason(exc))
            deps.reminders.release(team_id, claim)
            continue
        deps.reminders.mark_sent(team_id, claim, response.get("channel"), response.get("ts"), deps.now())
        sent += 1
    if sent or failed:
        log.info("Meeting reminders for %s: %d sent, %d failed", team_id, sent, failed)
    return ReminderReport(sent=sent, already_sent=already, failed=failed)


def workspaces(deps: Deps) -> list[str]:
    """The workspaces a job goes through: every one in the database (token mode: only the token's own has a
    client; the others are skipped), or, in OAuth mode, each installed one that has any records (an uninstalled
    one is not gone through at all, and one installed a moment ago has nothing to do yet)."""
    with deps.db.unit_of_work() as session:
        known = WorkspaceRepository(session).team_ids()
    if deps.slack.oauth:
        installed = set(deps.slack.team_ids())
        return [team_id for team_id in known if team_id in installed]
    return known


@dataclass
class WorkspacesRun:
    """What one run of a job did, workspace by workspace."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # no client: not this token's workspace (token mode)
    failed: dict[str, str] = field(default_factory=dict)  # team id -> why (Slack's error code, or "error")


def for_each_workspace(
    deps: Deps, job: Callable[[Deps, WebClient, str], object], what: str, every: timedelta, *, workers: int = 1
) -> WorkspacesRun:
    """Run `job` for every workspace, each with its own client; one workspace's failure is logged (its team id,
    never its token), reported, and never stops the others. With `workers` > 1, that many workspaces at once
    (each with its own client, so each within its own rate limits)."""
    run = WorkspacesRun()

    def one(team_id: str) -> None:
        try:
            client = deps.slack.for_team(team_id)
        except NoClient as exc:
            log.debug("No %s for workspace %s: %s", what, team_id, exc)
            run.skipped.append(team_id)
            return
        except TokenRefreshFailed as exc:
            log.warning(
                "Slack would not refresh the bot's expiring token for workspace %s (%s) in the %s job: skipped, "
                "tried again in %s. If it keeps failing, the school installs mentor-bot again.",
                team_id,
                exc,
                what,
                every,
            )
            run.failed[team_id] = str(exc)
            return
        except Exception:
            log.exception("No Slack client for workspace %s (%s job); it will run again in %s", team_id, what, every)
            run.failed[team_id] = "error"
            return
        try:
            run_once_across_workers(deps, job, client, team_id, what)
        except Exception:
            log.exception("The %s job failed for workspace %s; it will run again in %s", what, team_id, every)
            run.failed[team_id] = "error"
            return
        refused = client.refused if isinstance(client, WorkspaceClient) else None
        if refused is not None:
            log.warning(
                "Workspace %s refused the bot's token (%s) in the %s job: skipped, tried again in %s. It is "
                "removed when Slack tells us of the uninstall; a school that wants it back installs it again.",
                team_id,
                refused,
                what,
                every,
            )
            run.failed[team_id] = refused
            return
        run.done.append(team_id)

    team_ids = workspaces(deps)
    if workers <= 1 or len(team_ids) <= 1:
        for team_id in team_ids:
            one(team_id)
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"{what}-job") as pool:
            list(pool.map(one, team_ids))
    if run.failed:
        log.info(
            "The %s job: %d workspaces done, %d failed (%s)",
            what,
            len(run.done),
            len(run.failed),
            ", ".join(f"{team} {why}" for team, why in sorted(run.failed.items())),
        )
    else:  # the school time read now tells each run's line apart (identical lines are held back in the log)
        at = deps.now().astimezone(deps.settings.tz)
        log.debug("The %s job at %s school time: %d workspaces done", what, f"{at:%Y-%m-%d %H:%M}", len(run.done))
    return run


def run_once_across_workers(
    deps: Deps, job: Callable[[Deps, WebClient, str], object], client: WebClient, team_id: str, what: str
) -> None:
    """Run `job` for the workspace unless another worker is running it right now (PostgreSQL advisory lock).

    Each job also claims every message before sending it, so even without the lock nothing goes twice; the
    lock spares the second worker the work and the claim races.
    """
    with log_context(team_id=team_id), deps.db.job_lock(f"{what}:{team_id}") as mine:
        if not mine:
            log.info("Another worker is running the %s job for workspace %s; skipped here", what, team_id)
            return
        job(deps, client, team_id)


def send_review_reminders(deps: Deps, client: WebClient, team_id: str, *, any_hour: bool = False) -> int:
    """Remind reviewers a week before a review is due and on the day: school days only, once each."""
    from handlers.reviews.wording import reminder_text

    now = deps.now()
    hour = now.astimezone(deps.settings.tz).hour
    if not any_hour and not REVIEW_REMINDER_HOURS[0] <= hour < REVIEW_REMINDER_HOURS[1]:
        return 0
    sent = 0
    for reminder in deps.reviews.claim_reminders(team_id, now):
        try:
            client.chat_postMessage(channel=reminder.recipient_id, text=reminder_text(reminder))
            sent += 1
        except SLACK_FAILURES as exc:  # claimed before sending: never sent twice; one failure never stops the rest
            log.warning("Could not send a review reminder to %s: %s", reminder.recipient_id, failure_reason(exc))
    if sent:
        log.info("Review reminders for %s: %d sent", team_id, sent)
    return sent


def send_panel_reminders(deps: Deps, client: WebClient, team_id: str, *, any_hour: bool = False) -> int:
    """Remind mentors of the next certification panel a month and a week before it: once each (claimed)."""
    from handlers.certification.blocks import panel_reminder_text

    now = deps.now()
    hour = now.astimezone(deps.settings.tz).hour
    if not any_hour and not REVIEW_REMINDER_HOURS[0] <= hour < REVIEW_REMINDER_HOURS[1]:
        return 0
    sent = 0
    for notice in deps.certification.claim_panel_reminders(team_id, now):
        try:
            client.chat_postMessage(channel=notice.mentor_id, text=panel_reminder_text(notice.panel_on, notice.notice))
            sent += 1
        except SLACK_FAILURES as exc:  # the claim is kept either way: a panel reminder is never worth a second copy
            log.warning("Could not send a panel reminder to %s: %s", notice.mentor_id, failure_reason(exc))
    if sent:
        log.info("Certification panel reminders for %s: %d sent", team_id, sent)
    return sent


def _panel_reminder_job(deps: Deps) -> None:
    for_each_workspace(deps, send_panel_reminders, "panel reminder", PANEL_REMINDER_EVERY)


def _review_reminder_job(deps: Deps) -> None:
    for_each_workspace(deps, send_review_reminders, "review reminder", REMINDER_EVERY)


def _reminder_job(deps: Deps) -> None:
    for_each_workspace(deps, send_due_reminders, "meeting reminder", REMINDER_EVERY)


def _digest_job(deps: Deps) -> None:
    # Friday afternoon: every school's digests at once, not one school after another (bench/fanout.py).
    for_each_workspace(deps, digest_tick, "digest", DIGEST_EVERY, workers=deps.settings.digest_workers)


def _plan_review_job(deps: Deps) -> None:
    for_each_workspace(deps, send_plan_review_reminders, "plan review reminder", PLAN_REVIEW_EVERY)


def _midpoint_job(deps: Deps) -> None:
    for_each_workspace(deps, send_midpoint_notices, "probation mid-point", MIDPOINT_EVERY)


def raise_early_warnings(deps: Deps, client: WebClient, team_id: str) -> int:
    """Store each new early-warning episode (once) and clear the ones that stopped holding: the lead digest and
    the lead's Home tab read the stored episodes."""
    return len(deps.warnings.refresh(team_id, deps.now()))


def _warnings_job(deps: Deps) -> None:
    for_each_workspace(deps, raise_early_warnings, "early warning", WARNINGS_EVERY)


def _coaching_job(deps: Deps) -> None:
    for_each_workspace(deps, send_coaching_check_backs, "coaching check back", COACHING_EVERY)


def _retention_job(deps: Deps) -> None:
    with deps.db.job_lock(RETENTION_JOB) as mine:
        if mine:
            _retain(deps)
        else:
            log.info("Another worker is running data retention; skipped here")


def _retain(deps: Deps) -> None:
    try:
        report = run_retention(deps, deps.now())
        drafts = deps.targets.purge_expired_drafts(deps.now())
        deps.roster.forget_request_keys(deps.now() - REQUEST_KEYS_KEPT)
        log.info("Data retention: %d people erased, %d expired target drafts removed", len(report.erased), drafts)
    except Exception:
        log.exception("The data retention job failed; it will run again in %s", RETENTION_EVERY)


def scheduled_jobs() -> list[tuple[Callable[[Deps], None], timedelta, str, str]]:
    """Every periodic job: what runs, how often by default, its id and its name."""
    return [
        (_reminder_job, REMINDER_EVERY, REMINDER_JOB, "Meeting reminders"),
        (_review_reminder_job, REMINDER_EVERY, REVIEW_REMINDER_JOB, "Review reminders"),
        (_digest_job, DIGEST_EVERY, DIGEST_JOB, "Weekly digests"),
        (_plan_review_job, PLAN_REVIEW_EVERY, PLAN_REVIEW_JOB, "Support plan review reminders"),
        (_midpoint_job, MIDPOINT_EVERY, MIDPOINT_JOB, "Probation mid-points"),
        (_warnings_job, WARNINGS_EVERY, WARNINGS_JOB, "Early warnings"),
        (_panel_reminder_job, PANEL_REMINDER_EVERY, PANEL_REMINDER_JOB, "Certification panel reminders"),
        (_coaching_job, COACHING_EVERY, COACHING_JOB, "Coaching check backs"),
        (_retention_job, RETENTION_EVERY, RETENTION_JOB, "Data retention"),
    ]


def build_scheduler(deps: Deps, *, start_at: datetime | None = None) -> BackgroundScheduler:
    """A scheduler (not yet started) with the bot's periodic jobs, each going through every workspace.

    Each job runs at its own interval, or every JOBS_EVERY_SECONDS when that is set; the first runs come soon
    after start (a minute, or sooner with JOBS_EVERY_SECONDS), so a restart in the day catches up.
    """
    tz = deps.settings.tz
    every_seconds = deps.settings.jobs_every_seconds
    every = timedelta(seconds=every_seconds) if every_seconds is not None else None
    first = start_at or datetime.now(tz) + min(FIRST_RUN_AFTER, every or FIRST_RUN_AFTER)
    scheduler = BackgroundScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": int(REMINDER_EVERY.total_seconds())},
    )
    for job, default_every, job_id, name in scheduled_jobs():
        seconds = int((every or default_every).total_seconds())
        trigger = IntervalTrigger(seconds=seconds, start_date=first, timezone=tz)
        scheduler.add_job(job, trigger, args=(deps,), id=job_id, name=name)
    return scheduler
