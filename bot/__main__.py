"""`python -m bot …`: serve Slack, and the operators' commands. Argument parsing only; the commands are in
`bot/cli/`, one module per command group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.app.settings import SettingsError, load_settings
from bot.cli import Exit

# Commands that use the bot token act in the token's workspace only: --team may be left out, and one naming
# another workspace is refused (bot/cli/common.py `token_workspace`).
TEAM_HELP = "the Slack workspace (team) id, T…; default: the bot token's workspace (another is refused)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="mentor-bot: teacher mentoring in Slack. With no command, serves Slack.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)",
        description=(
            "Serve Slack: the slash commands, buttons, forms and Home tabs, and the scheduled jobs (meeting "
            "reminders, the weekly digests, data retention; with SCHEDULER=off they are left to `worker`). "
            "Connects in Socket Mode when SLACK_APP_TOKEN is set, "
            "otherwise listens for HTTP on PORT (Slack's Request URL is https://<your host>/slack/events). "
            "Applies any pending database migrations first. Settings come from the environment or .env."
        ),
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="HTTP from this many processes on one port (PostgreSQL only; default 1). With SCHEDULER on, only the "
        "first runs the scheduled jobs: better, SCHEDULER=off and one `worker`",
    )
    worker = commands.add_parser(
        "worker",
        help="run the scheduled jobs (reminders, digests, retention) without serving Slack",
        description=(
            "Run the scheduled jobs (meeting and review reminders, the weekly digests, support plan reminders, "
            "probation mid-points, early warnings, data retention) for every workspace, without the web server. "
            "Use it beside web processes started with SCHEDULER=off. Stops cleanly on SIGTERM."
        ),
    )
    worker.add_argument("--once", action="store_true", help="run every job once now, then exit (e.g. from cron)")
    commands.add_parser(
        "migrate",
        help="bring the database schema up to date, then exit",
        description=(
            "Bring the database at DATABASE_URL up to date (every pending migration, each in its own "
            "transaction), then exit. `serve` does this on start too; run it alone before starting several "
            "copies of the bot, or to check an upgrade."
        ),
    )
    roster = commands.add_parser("roster", help="roster tools")
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="ROSTER_COMMAND", required=True)
    importer = roster_commands.add_parser(
        "import",
        help="import mentorships from a CSV file (mentor email, mentee email, mentee kind, start date)",
    )
    importer.add_argument("file", type=Path, help="the CSV file")
    importer.add_argument("--team", help=TEAM_HELP)
    reminders = commands.add_parser("reminders", help="meeting reminders")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", metavar="REMINDERS_COMMAND", required=True)
    run = reminder_commands.add_parser(
        "run", help="send the meeting reminders due today now (on a school day; each is only ever sent once)"
    )
    run.add_argument("--team", help=TEAM_HELP)

    report = commands.add_parser("report", help="a progress review's or assessment's PDF and CSV, written to files")
    report.add_argument("--team", required=True, help="the Slack workspace id, T…")
    report.add_argument("--user", required=True, help="the teacher's Slack user id, U…")
    report.add_argument("--review", help='which review: "term 3", "interim", a review point\'s name (default: latest)')
    report.add_argument("--out", type=Path, default=Path("."), help="the folder to write to (default: here)")
    digest = commands.add_parser("digest", help="the weekly digests: preview, send now, see deliveries")
    digest_commands = digest.add_subparsers(dest="digest_command", metavar="DIGEST_COMMAND", required=True)
    for name, help_text in (
        ("preview", "print this week's digests without sending anything"),
        ("send", "send the week's digests now (each recipient still gets each digest once)"),
        ("status", "show each delivery of the week: sent, failed (retried at the next tick) or undeliverable"),
    ):
        sub = digest_commands.add_parser(name, help=help_text)
        sub.add_argument("--team", help=TEAM_HELP)
        sub.add_argument("--week", help="an ISO week such as 2026-W47 (default: this week)")
    _add_privacy_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        from bot.app.logging_setup import configure_logging
        from bot.app.slack_client import secrets

        configure_logging(settings.log_level, secrets(settings), log_format=settings.log_format)
        command = args.command or "serve"
        if command == "serve":
            from bot.cli import serve

            serve.run(settings, workers=getattr(args, "workers", 1))
        elif command == "worker":
            from bot.cli import worker

            worker.run(settings, once=args.once)
        elif command == "migrate":
            from bot.cli import migrate

            migrate.run(settings)
        elif command == "roster":
            from bot.cli import roster

            roster.import_file(settings, args.file, args.team)
        elif command == "privacy":
            from bot.cli import privacy

            privacy.run(settings, args)
        elif command == "reminders":
            from bot.cli import reminders

            reminders.run(settings, args.team)
        elif command == "digest":
            from bot.cli import digest

            digest.run(settings, args.digest_command, args.team, args.week)
        elif command == "report":
            from bot.cli import report

            report.run(settings, args.team, args.user, args.review, args.out)
        return 0
    except SettingsError as exc:
        print(f"mentor-bot can't start: {exc}", file=sys.stderr)
        return 2
    except Exit as exc:
        print(f"mentor-bot: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, 1 or more (not {text!r})")
    return int(text)


def _add_privacy_parser(commands: Any) -> None:
    privacy = commands.add_parser("privacy", help="UK GDPR tools: export or erase a person's data, apply retention")
    tools = privacy.add_subparsers(dest="privacy_command", metavar="PRIVACY_COMMAND", required=True)
    export = tools.add_parser(
        "export", help="write everything held about a person as JSON, CSV and a readable PDF (files mode 0600)"
    )
    erase = tools.add_parser(
        "erase",
        help="erase a person: their Slack id becomes a pseudonym, their texts and profile are removed; counts stay",
    )
    for tool in (export, erase):
        tool.add_argument("--team", required=True, help="the Slack workspace (team) id, T…")
        tool.add_argument("--user", required=True, help="the person's Slack user id, U…")
    export.add_argument("--out", type=Path, default=Path("."), help="the folder to write to (default: here)")
    erase.add_argument("--yes", action="store_true", help="don't ask for confirmation")
    erase.add_argument(
        "--vacuum",
        action="store_true",
        help="SQLite: also rebuild the database file (VACUUM), clearing old values left in its free space",
    )
    retention = tools.add_parser(
        "retention", help="erase now everyone whose last mentorship ended more than RETENTION_DAYS ago"
    )
    retention.add_argument("--team", help="only this workspace (team) id, T…; default: every workspace")
    retention.add_argument("--dry-run", action="store_true", help="say who would be erased, and change nothing")


if __name__ == "__main__":
    sys.exit(main())
