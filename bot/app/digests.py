"""The weekly digests as the scheduler and the CLI run them: when they are due, a run for one workspace,
and the plain-text preview. The exactly-once sending itself is `handlers.digests.delivery`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.app.slack_client import NoClient
from bot.core.words import counted
from bot.digests.service import Week
from handlers.digests.blocks import lead_digest, slt_summary
from handlers.digests.delivery import DeliveryReport, DigestRun
from handlers.slack.directory import SlackDirectory
from handlers.slack.plain import block_texts, blocks_as_text, mentioned
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
    return DigestRun(
        client,
        builder=deps.digests,
        repo=DigestRepository(deps.db),
        roster=deps.roster,
        reviews=deps.reviews,
        worker=worker,
        certification=deps.certification,
    )


def digest_tick(deps: Deps, client: WebClient, team_id: str) -> None:
    """Tell the admins once what the digests are missing (no lead mentor, no SLT channel); then, once this
    week's send time has passed, deliver whatever of the week's digests isn't delivered yet."""
    now = deps.now()
    run = digest_run(deps, client)
    told = run.tell_admins_what_is_missing(team_id, now)
    if told.sent:
        log.info("Told the admins of %s what the digests are missing (%d DMs)", team_id, len(told.sent))
    week = digest_due(now, deps)
    if week is None:
        return
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
    return digest_run(deps, deps.slack.for_team(team_id)).run(team_id, week, now)


def digest_deliveries(deps: Deps, team_id: str, week: Week) -> Sequence[DigestDelivery]:
    return DigestRepository(deps.db).for_week(team_id, str(week))


def preview_digests(deps: Deps, team_id: str, week: Week) -> list[str]:
    """`digest preview`: the week's lead digest and SLT summary as plain text, sending nothing. People and
    channels are shown by name (stored names, else Slack's), emoji codes as plain symbols."""
    school = deps.digests.add_coaching(deps.digests.add_warnings(deps.digests.build(team_id, week)))
    previous = DigestRepository(deps.db).snapshot(team_id, str(week.previous))
    previous = previous or deps.digests.build(team_id, week.previous).numbers()
    friday = week.monday + timedelta(days=4)
    behind = deps.certification.behind_on_training(team_id, friday)
    lead = lead_digest(school, deps.reviews.due_for_digest(team_id, friday), behind)
    slt = slt_summary(school, previous)
    users, channels = mentioned(text for m in [*lead.messages, slt] for text in block_texts(m.blocks))
    users.update(school.lead_ids)
    channels.update([school.slt_channel_id] if school.slt_channel_id else [])
    names = _names(deps, team_id, users, channels)

    lines = [f"Week {week} ({week.monday:%-d %b} – {week.sunday:%-d %b %Y}), workspace {team_id}\n"]
    leads = ", ".join(f"@{names.get(lead, lead)}" for lead in school.lead_ids) or "nobody: no lead mentor is set"
    lines.append(f"LEAD MENTOR DIGEST (to {leads})\n")
    for number, message in enumerate(lead.messages, start=1):
        if len(lead.messages) > 1:
            lines.append(f"--- message {number} of {len(lead.messages)} ---")
        lines.append(blocks_as_text(message.blocks, names))
    if lead.overflow_csv is not None:
        lines.append(f"(plus a CSV of all {counted(len(school.mentees), 'mentee')} in the thread)\n")
    channel = school.slt_channel_id
    to = f"#{names.get(channel, channel)}" if channel else "nowhere: no SLT channel is set"
    lines.append(f"SLT SUMMARY (to {to})\n")
    lines.append(blocks_as_text(slt.blocks, names))
    return lines


def _names(deps: Deps, team_id: str, users: set[str], channels: set[str]) -> dict[str, str]:
    """Names for a terminal: people as the bot stored them, else as Slack says; channels as Slack says.
    Anyone Slack can't tell us about stays an id."""
    names = deps.roster.names(team_id, users)
    try:
        client = deps.slack.for_team(team_id)
    except NoClient:
        return names
    directory = SlackDirectory(client)
    for user_id in sorted(users - names.keys()):
        try:
            found = directory.user(user_id)
        except SlackApiError:
            continue
        if found is not None:
            names[user_id] = found.real_name or found.name
    for channel_id in sorted(channels):
        try:
            names[channel_id] = str(client.conversations_info(channel=channel_id)["channel"]["name"])
        except (SlackApiError, KeyError, TypeError):
            continue
    return names
