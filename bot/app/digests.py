"""The weekly digests as the scheduler and the CLI run them: when they are due, a run for one workspace,
and the plain-text preview. The exactly-once sending itself is `handlers.digests.delivery`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.digests.service import Week
from handlers.digests.blocks import lead_digest, slt_summary
from handlers.digests.delivery import DeliveryReport, DigestRun
from handlers.slack.plain import blocks_as_text
from storage.digests import DigestDelivery, DigestRepository

log = logging.getLogger(__name__)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def digest_due(now: datetime, deps: Deps) -> Week | None:
    """The week whose digests are due at `now` (school time), or None before this week's send time."""
    settings = deps.settings
    local = now.astimezone(settings.tz)
    weekday = WEEKDAYS.index(settings.digest_day)
    hour, minute = (int(part) for part in settings.digest_time.split(":"))
    week = Week.containing(local.date())
    due_at = datetime.combine(week.monday + timedelta(days=weekday), time(hour, minute), tzinfo=settings.tz)
    return week if local >= due_at else None


def digest_run(deps: Deps, client: WebClient, *, worker: str | None = None) -> DigestRun:
    """A delivery run wired to the shared read model and repositories."""
    return DigestRun(client, builder=deps.digests, repo=DigestRepository(deps.db), roster=deps.roster, worker=worker)


def digest_tick(deps: Deps, client: WebClient, team_id: str) -> None:
    """Once this week's send time has passed, deliver whatever of the week's digests isn't delivered yet."""
    now = deps.now()
    week = digest_due(now, deps)
    if week is None:
        return
    run = digest_run(deps, client)
    if not run.needs_run(team_id, week):
        return
    report = run.run(team_id, week, now)
    if report.sent or report.failed or report.undeliverable:
        log.info(
            "Digests for %s, %s: %d sent, %d failed (retried next tick), %d undeliverable",
            team_id,
            week,
            len(report.sent),
            len(report.failed),
            len(report.undeliverable),
        )


def send_digests(deps: Deps, team_id: str, week: Week, now: datetime) -> DeliveryReport:
    """`digest send`: the week's digests now, each recipient still getting each digest once."""
    return digest_run(deps, deps.slack.client).run(team_id, week, now)


def digest_deliveries(deps: Deps, team_id: str, week: Week) -> Sequence[DigestDelivery]:
    return DigestRepository(deps.db).for_week(team_id, str(week))


def preview_digests(deps: Deps, team_id: str, week: Week) -> list[str]:
    """`digest preview`: the week's lead digest and SLT summary as plain text, sending nothing."""
    lines: list[str] = []
    school = deps.digests.add_warnings(deps.digests.build(team_id, week))
    previous = DigestRepository(deps.db).snapshot(team_id, str(week.previous))
    lines.append(f"Week {week} ({week.monday:%-d %b} – {week.sunday:%-d %b %Y}), workspace {team_id}\n")
    leads = ", ".join(school.lead_ids) or "nobody: no lead mentor is set"
    lines.append(f"LEAD MENTOR DIGEST (to {leads})\n")
    lead = lead_digest(school)
    for number, message in enumerate(lead.messages, start=1):
        if len(lead.messages) > 1:
            lines.append(f"--- message {number} of {len(lead.messages)} ---")
        lines.append(blocks_as_text(message.blocks))
    if lead.overflow_csv is not None:
        lines.append(f"(plus a CSV of all {len(school.mentees)} mentees in the thread)\n")
    lines.append(f"SLT SUMMARY (to {school.slt_channel_id or 'nowhere: no SLT channel is set'})\n")
    previous = previous or deps.digests.build(team_id, week.previous).numbers()
    lines.append(blocks_as_text(slt_summary(school, previous).blocks))
    return lines
