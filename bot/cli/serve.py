"""`python -m bot serve` (and `python -m bot` alone): the Slack app, with its scheduled jobs beside it."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.error import BoltError

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.cli import Exit
from bot.cli.common import ready_database
from bot.observations.forms import FormError, load_forms

log = logging.getLogger("bot")


def run(settings: Settings) -> None:
    from bot.app.slack_app import create_app

    try:
        forms = load_forms(settings.observation_forms_dir)  # a broken form file stops us before anything else
    except FormError as exc:
        raise Exit(f"An observation form is not right: {exc}") from None
    deps = bootstrap(settings, db=ready_database(settings), forms=forms)
    try:
        app = create_app(deps)
    except BoltError as exc:
        raise Exit(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Copy the Bot User OAuth Token again from your "
            "app's OAuth & Permissions page."
        ) from None
    scheduler = _start_scheduler(deps)
    try:
        _listen(settings, app)
    finally:
        scheduler.shutdown(wait=False)


def _start_scheduler(deps: Deps) -> BackgroundScheduler:
    """Periodic jobs (reminders, digests, retention) run in this process, for every workspace in the database."""
    from bot.app.scheduler import build_scheduler

    team_id = deps.slack.token_team()
    scheduler = build_scheduler(deps)
    scheduler.start()
    log.info("Reminders, digests and data retention scheduled for the workspaces in the database (token: %s)", team_id)
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
