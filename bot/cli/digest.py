"""`python -m bot digest preview|send|status`."""

from __future__ import annotations

from bot.app.digests import digest_deliveries, preview_digests, send_digests
from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_deps
from bot.core.clock import system_clock
from bot.digests.service import Week


def run(settings: Settings, action: str, team_id: str, week_text: str | None) -> None:
    now = system_clock()
    try:
        week = Week.parse(week_text) if week_text else Week.containing(now.astimezone(settings.tz).date())
    except ValueError as exc:
        raise Exit(str(exc), code=2) from None
    deps = ready_deps(settings)
    if action == "preview":
        for line in preview_digests(deps, team_id, week):
            print(line)
    elif action == "send":
        report = send_digests(deps, team_id, week, now)
        print(
            f"Week {week}: sent {len(report.sent)}, already sent {len(report.already_sent)}, "
            f"being sent by another worker {len(report.busy)}, failed {len(report.failed)} "
            f"(retried at the next tick), undeliverable {len(report.undeliverable)}."
        )
        for label in report.failed + report.undeliverable:
            print(f"  not delivered: {label}")
    else:
        rows = digest_deliveries(deps, team_id, week)
        if not rows:
            print(f"No digest deliveries for {team_id} in {week} yet.")
        for row in rows:
            when = f"{row.sent_at:%a %-d %b %H:%M}" if row.sent_at else ""
            error = f" ({row.last_error})" if row.last_error else ""
            status = f"{row.status.value:<14} attempts {row.attempts} {when}{error}"
            print(f"{row.kind.value:<13} {row.recipient:<40} {status}")
