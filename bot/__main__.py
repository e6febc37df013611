"""`python -m bot …`: serve Slack, and the operators' commands."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        from bot.logging_setup import configure_logging

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

    from bot.app import create_app
    from bot.deps import Deps
    from bot.services.forms import FormError, load_forms

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
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.slack_app_token.get_secret_value()).start()
    else:
        from bot.server import SLACK_PATH, make_server

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

    from bot.clock import system_clock
    from bot.errors import DomainError
    from bot.roster_csv import read_roster_csv
    from bot.services.roster import RosterService
    from bot.slack_client import SlackDirectory, make_web_client

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


if __name__ == "__main__":
    sys.exit(main())
