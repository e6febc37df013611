"""`python -m bot reminders run`."""

from __future__ import annotations

from bot.app.scheduler import send_due_reminders
from bot.app.settings import Settings
from bot.cli.common import ready_deps, token_workspace
from bot.core.clock import Clock, system_clock


def run(settings: Settings, team_id: str | None, *, clock: Clock | None = None) -> None:
    deps = ready_deps(settings, clock=clock or system_clock)
    token_team = token_workspace(deps, team_id)
    if not deps.calendar.is_school_day(deps.now().astimezone(settings.tz).date()):
        print("Today isn't a school day in the school calendar, so no reminders go out.")
        return
    report = send_due_reminders(deps, deps.slack.for_team(token_team), token_team, any_hour=True)
    print(
        f"Sent {report.sent} meeting reminders"
        + (f" ({report.failed} could not be delivered: see the log)" if report.failed else "")
        + (f"; {report.already_sent} had just been sent by the running bot" if report.already_sent else "")
        + "."
    )
