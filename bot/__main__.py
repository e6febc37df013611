"""`python -m bot …`: serve Slack, and the operators' commands."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.app.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from slack_bolt import App

    from bot.app.bootstrap import Deps
    from bot.core.clock import Clock
    from storage.db import Database

log = logging.getLogger("bot")


class Exit(Exception):
    """Stop with one clear line and a non-zero status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="mentor-bot: teacher mentoring in Slack. With no command, serves Slack.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="serve Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)")
    commands.add_parser("migrate", help="bring the database schema up to date, then exit")
    roster = commands.add_parser("roster", help="roster tools")
    roster_commands = roster.add_subparsers(dest="roster_command", metavar="ROSTER_COMMAND", required=True)
    importer = roster_commands.add_parser(
        "import",
        help="import mentorships from a CSV file (mentor email, mentee email, mentee kind, start date)",
    )
    importer.add_argument("file", type=Path, help="the CSV file")
    importer.add_argument("--team", required=True, help="the Slack workspace (team) id, T…")
    reminders = commands.add_parser("reminders", help="meeting reminders")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", metavar="REMINDERS_COMMAND", required=True)
    run = reminder_commands.add_parser(
        "run", help="send the meeting reminders due today now (on a school day; each is only ever sent once)"
    )
    run.add_argument("--team", help="the Slack workspace (team) id, T…; default: the bot token's workspace")

    digest = commands.add_parser("digest", help="the weekly digests: preview, send now, see deliveries")
    digest_commands = digest.add_subparsers(dest="digest_command", metavar="DIGEST_COMMAND", required=True)
    for name, help_text in (
        ("preview", "print this week's digests without sending anything"),
        ("send", "send the week's digests now (each recipient still gets each digest once)"),
        ("status", "show each delivery of the week: sent, failed (retried at the next tick) or undeliverable"),
    ):
        sub = digest_commands.add_parser(name, help=help_text)
        sub.add_argument("--team", required=True, help="the Slack workspace (team) id, T…")
        sub.add_argument("--week", help="an ISO week such as 2026-W47 (default: this week)")
    _add_privacy_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        from bot.app.logging_setup import configure_logging

        configure_logging(
            settings.log_level,
            [
                settings.slack_bot_token.get_secret_value(),
                settings.slack_signing_secret.get_secret_value(),
                settings.slack_app_token.get_secret_value() if settings.slack_app_token else "",
            ],
        )
        command = args.command or "serve"
        if command == "serve":
            serve(settings)
        elif command == "migrate":
            migrate(settings)
        elif command == "roster":
            roster_import(settings, args.file, args.team)
        elif command == "privacy":
            privacy(settings, args)
        elif command == "reminders":
            reminders_run(settings, args.team)
        elif command == "digest":
            digest(settings, args.digest_command, args.team, args.week)
        return 0
    except SettingsError as exc:
        print(f"mentor-bot can't start: {exc}", file=sys.stderr)
        return 2
    except Exit as exc:
        print(f"mentor-bot: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


def _ready_database(settings: Settings) -> Database:
    from storage.db import Database, DatabaseUnavailable, safe_url

    db = Database.from_url(settings.database_url)
    try:
        db.wait_until_reachable()
        applied = db.migrate()
    except DatabaseUnavailable as exc:
        raise Exit(str(exc)) from None
    except Exception as exc:
        raise Exit(
            f"Could not bring the database at {safe_url(db.engine.url)} up to date: {exc}. "
            "Nothing was half-applied; fix the cause and run `python -m bot migrate`."
        ) from None
    if applied:
        log.info("Database migrated: applied %s", ", ".join(applied))
    return db


def migrate(settings: Settings) -> None:
    _ready_database(settings)
    print("The database is up to date.")


def serve(settings: Settings) -> None:
    from slack_bolt.error import BoltError

    from bot.app.bootstrap import Deps
    from bot.app.slack_app import create_app
    from bot.observations.forms import FormError, load_forms

    try:
        forms = load_forms(settings.observation_forms_dir)  # a broken form file stops us before anything else
    except FormError as exc:
        raise Exit(f"An observation form is not right: {exc}") from None
    deps = Deps(settings=settings, db=_ready_database(settings), preloaded_forms=forms)
    try:
        app = create_app(deps)
    except BoltError as exc:
        raise Exit(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Copy the Bot User OAuth Token again from your "
            "app's OAuth & Permissions page."
        ) from None
    scheduler = _start_scheduler(deps, app)
    try:
        _listen(settings, app)
    finally:
        scheduler.shutdown(wait=False)


def _start_scheduler(deps: Deps, app: App) -> BackgroundScheduler:
    """Periodic jobs (reminders, digests, retention) run in this process, for the token's workspace."""
    from bot.app.scheduler import build_scheduler

    team_id = str(app.client.auth_test()["team_id"])
    scheduler = build_scheduler(deps, app.client, team_id)
    scheduler.start()
    log.info("Reminders, digests and data retention scheduled for workspace %s", team_id)
    return scheduler


def _listen(settings: Settings, app: App) -> None:
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    else:
        from bot.app.web import SLACK_PATH, make_server

        log.info("Listening for Slack on http://%s:%d%s", settings.host, settings.port, SLACK_PATH)
        make_server(
            app,
            signing_secret=settings.slack_signing_secret.get_secret_value(),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
        ).run()


def roster_import(settings: Settings, file: Path, team_id: str) -> None:
    from slack_sdk.errors import SlackApiError

    from bot.app.slack_client import make_web_client
    from bot.core.clock import system_clock
    from bot.core.errors import DomainError
    from bot.roster.csv_import import read_roster_csv
    from bot.roster.service import RosterService
    from handlers.slack.directory import SlackDirectory

    try:
        rows = read_roster_csv(file)  # every bad line is reported before anything is stored
    except DomainError as exc:
        raise Exit(str(exc)) from None
    db = _ready_database(settings)
    client = make_web_client(settings)
    try:
        token_team = client.auth_test().get("team_id")
    except SlackApiError as exc:
        raise Exit(f"Slack did not accept SLACK_BOT_TOKEN ({exc.response.get('error')}).") from None
    if token_team != team_id:
        raise Exit(f"SLACK_BOT_TOKEN belongs to workspace {token_team}, not {team_id}: check --team.")
    try:
        report = RosterService(db).import_rows(team_id, rows, SlackDirectory(client), system_clock())
    except DomainError as exc:
        raise Exit(str(exc)) from None
    print(f"Imported {report.created} mentorships ({report.unchanged} already there, left as they were).")


def reminders_run(settings: Settings, team_id: str | None, *, clock: Clock | None = None) -> None:
    from slack_sdk.errors import SlackApiError

    from bot.app.bootstrap import Deps
    from bot.app.scheduler import send_due_reminders
    from bot.app.slack_client import make_web_client
    from bot.core.clock import system_clock

    db = _ready_database(settings)
    client = make_web_client(settings)
    try:
        token_team = str(client.auth_test().get("team_id"))
    except SlackApiError as exc:
        raise Exit(f"Slack did not accept SLACK_BOT_TOKEN ({exc.response.get('error')}).") from None
    if team_id is not None and token_team != team_id:
        raise Exit(f"SLACK_BOT_TOKEN belongs to workspace {token_team}, not {team_id}: check --team.")
    deps = Deps(settings=settings, db=db, clock=clock or system_clock)
    if not deps.calendar.is_school_day(deps.now().astimezone(settings.tz).date()):
        print("Today isn't a school day in the school calendar, so no reminders go out.")
        return
    report = send_due_reminders(deps, client, token_team, any_hour=True)
    print(
        f"Sent {report.sent} meeting reminders"
        + (f" ({report.failed} could not be delivered: see the log)" if report.failed else "")
        + (f"; {report.already_sent} had just been sent by the running bot" if report.already_sent else "")
        + "."
    )


def digest(settings: Settings, action: str, team_id: str, week_text: str | None) -> None:
    from bot.app.bootstrap import Deps
    from bot.core.clock import system_clock
    from bot.digests.service import DigestBuilder, Week
    from handlers.digests.blocks import lead_digest, slt_summary
    from handlers.slack.plain import blocks_as_text
    from storage.digests import DigestRepository

    now = system_clock()
    try:
        week = Week.parse(week_text) if week_text else Week.containing(now.astimezone(settings.tz).date())
    except ValueError as exc:
        raise Exit(str(exc), code=2) from None
    deps = Deps(settings=settings, db=_ready_database(settings))
    if action == "preview":
        builder = DigestBuilder(deps.db, deps.calendar)
        school = builder.build(team_id, week)
        previous = DigestRepository(deps.db).snapshot(team_id, str(week.previous))
        print(f"Week {week} ({week.monday:%-d %b} – {week.sunday:%-d %b %Y}), workspace {team_id}\n")
        leads = ", ".join(school.lead_ids) or "nobody: no lead mentor is set"
        print(f"LEAD MENTOR DIGEST (to {leads})\n")
        lead = lead_digest(school)
        for number, message in enumerate(lead.messages, start=1):
            if len(lead.messages) > 1:
                print(f"--- message {number} of {len(lead.messages)} ---")
            print(blocks_as_text(message.blocks))
        if lead.overflow_csv is not None:
            print(f"(plus a CSV of all {len(school.mentees)} mentees in the thread)\n")
        print(f"SLT SUMMARY (to {school.slt_channel_id or 'nowhere: no SLT channel is set'})\n")
        previous = previous or builder.build(team_id, week.previous).numbers()
        print(blocks_as_text(slt_summary(school, previous).blocks))
    elif action == "send":
        from bot.app.slack_client import make_web_client
        from handlers.digests.delivery import DigestRun

        report = DigestRun(deps, make_web_client(settings)).run(team_id, week, now)
        print(
            f"Week {week}: sent {len(report.sent)}, already sent {len(report.already_sent)}, "
            f"being sent by another worker {len(report.busy)}, failed {len(report.failed)} "
            f"(retried at the next tick), undeliverable {len(report.undeliverable)}."
        )
        for label in report.failed + report.undeliverable:
            print(f"  not delivered: {label}")
    else:
        rows = DigestRepository(deps.db).for_week(team_id, str(week))
        if not rows:
            print(f"No digest deliveries for {team_id} in {week} yet.")
        for row in rows:
            when = f"{row.sent_at:%a %-d %b %H:%M}" if row.sent_at else ""
            error = f" ({row.last_error})" if row.last_error else ""
            status = f"{row.status.value:<14} attempts {row.attempts} {when}{error}"
            print(f"{row.kind.value:<13} {row.recipient:<40} {status}")


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
    retention = tools.add_parser(
        "retention", help="erase now everyone whose last mentorship ended more than RETENTION_DAYS ago"
    )
    retention.add_argument("--team", help="only this workspace (team) id, T…; default: every workspace")
    retention.add_argument("--dry-run", action="store_true", help="say who would be erased, and change nothing")


def _slack_id(value: str | None, kind: str, flag: str) -> None:
    if value is not None and not re.fullmatch(r"[A-Z0-9]{3,32}", value):
        raise Exit(f"{flag} {value!r} isn't a Slack {kind} id: they look like {kind[0].upper()}0123ABCD.", code=2)


def privacy(settings: Settings, args: argparse.Namespace) -> None:
    from bot.core.clock import system_clock
    from bot.privacy import service as gdpr

    _slack_id(args.team, "team", "--team")
    _slack_id(getattr(args, "user", None), "user", "--user")
    db = _ready_database(settings)
    now = system_clock()
    try:
        if args.privacy_command == "export":
            _privacy_export(settings, db, args.team, args.user, args.out, now)
        elif args.privacy_command == "erase":
            _privacy_erase(db, args.team, args.user, now, confirmed=args.yes)
        else:
            report = gdpr.erase_expired(db, now, settings.retention_days, team_id=args.team, dry_run=args.dry_run)
            if report.cutoff is None:
                print("RETENTION_DAYS is 0: records are kept for ever, so nobody was erased.")
                return
            verb = "Would erase" if args.dry_run else "Erased"
            print(
                f"{verb} {len(report.erased)} people whose last mentorship ended before "
                f"{report.cutoff:%-d %B %Y} (RETENTION_DAYS={report.retention_days})"
                + (f": now {', '.join(report.pseudonyms)}." if report.erased and not args.dry_run else ".")
            )
    except (gdpr.RegistryIncomplete, ValueError) as exc:
        raise Exit(str(exc)) from None


def _privacy_export(settings: Settings, db: Database, team_id: str, user_id: str, out: Path, now: datetime) -> None:
    from bot.observations.forms import FormError, load_forms
    from bot.privacy import service as gdpr

    try:
        forms = load_forms(settings.observation_forms_dir)
    except FormError:
        forms = None  # only the PDF's field labels come from the forms
    data = gdpr.export_person(db, team_id, user_id, now)
    if not data.count:
        raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
    try:
        paths = gdpr.write_export(data, out, forms=forms, tz=settings.tz)
    except OSError as exc:
        raise Exit(f"Could not write the export to {out}: {exc.strerror or exc}.") from None
    print(f"Exported {data.count} records about {user_id} (readable by you only, mode 0600):")
    for path in paths:
        print(f"  {path.resolve()}")
    print("They may name other people (mentors, observers): check them before passing them on.")


def _privacy_erase(db: Database, team_id: str, user_id: str, now: datetime, *, confirmed: bool) -> None:
    from bot.privacy import service as gdpr

    if not confirmed:
        plan = gdpr.preview_erasure(db, team_id, user_id, now)
        if not plan.found:
            raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
        print(f"Erasing {user_id} in workspace {team_id} will:")
        for line in plan.describe():
            print(f"  {line}")
        print("Their Slack id becomes a pseudonym (UERASED…) everywhere; counts of observations, meetings and")
        print("targets stay. This can't be undone.")
        try:
            answer = input("Type ERASE to go ahead: ")
        except EOFError:
            print()
            answer = ""
        if answer.strip() != "ERASE":
            raise Exit("Nothing was changed.")
    report = gdpr.erase_person(db, team_id, user_id, now)
    if not report.found:
        raise Exit(f"Nothing is held about {user_id} in workspace {team_id}: check --team and --user.")
    print("Changed:")
    for line in report.describe():
        print(f"  {line}")
    print(f"Erased. Their records now carry the pseudonym {report.pseudonym}; the audit log says so.")


if __name__ == "__main__":
    sys.exit(main())
