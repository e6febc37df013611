"""`python -m bot serve` (and `python -m bot` alone): the Slack app, with its scheduled jobs beside it."""

from __future__ import annotations

import contextlib
import http.client
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.app.slack_client import SLACK_API_URL, TokenRejected
from bot.cli import Exit
from bot.cli.common import ready_database
from bot.observations.forms import FormError, FormLibrary, load_forms
from storage.db import Database

if TYPE_CHECKING:
    import uvicorn

    from bot.app.home_processes import HomeHelpers

log = logging.getLogger("bot")


def run(settings: Settings, *, workers: int = 1) -> None:
    from bot.app.home_processes import HomeHelpers
    from bot.app.slack_app import create_app
    from bot.app.web import freeze_startup_objects

    if workers > 1:
        _check_several(settings, workers)
    try:
        forms = load_forms(settings.observation_forms_dir)  # a broken form file stops us before anything else
    except FormError as exc:
        raise Exit(f"An observation form is not right: {exc}") from None
    deps = bootstrap(settings, db=ready_database(settings), forms=forms)
    _check_bot_token(settings, deps)
    home_helpers = HomeHelpers(settings, settings.home_build_processes)
    try:
        app = create_app(deps, home_helpers=home_helpers)
    except BoltError as exc:
        raise Exit(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Copy the Bot User OAuth Token again from your "
            "app's OAuth & Permissions page."
        ) from None
    if workers > 1:
        deps.db.dispose()  # each web process opens its own connections after the fork
        _serve_forked(settings, forms, workers)
        return
    home_helpers.start()
    scheduler = _start_scheduler(deps) if settings.scheduler else None
    freeze_startup_objects()
    if scheduler is None:
        log.info("SCHEDULER is off: reminders, digests and data retention are left to `python -m bot worker`")
    try:
        _listen(settings, app, deps, home_helpers)
    finally:
        home_helpers.close()
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _check_several(settings: Settings, workers: int) -> None:
    """Several web processes need a database several processes can write to, and HTTP."""
    if make_url(settings.database_url).get_backend_name() == "sqlite":
        raise Exit(
            f"--workers {workers} needs PostgreSQL: SQLite serves one process (a second would queue on its "
            "write lock). Run one web process (leave out --workers), or set DATABASE_URL to a postgresql:// database."
        )
    if settings.socket_mode:
        raise Exit(
            f"--workers {workers} is for HTTP mode: in Socket Mode (SLACK_APP_TOKEN is set) run one process, "
            "or unset SLACK_APP_TOKEN and give Slack a Request URL."
        )


def _serve_forked(settings: Settings, forms: FormLibrary, workers: int) -> None:
    from bot.app.prefork import listening_socket, serve_forked
    from bot.app.web import SLACK_PATH

    try:
        sock = listening_socket(settings.host, settings.port)
    except OSError as exc:
        raise Exit(f"Could not listen on {settings.host}:{settings.port} ({exc.strerror}): is PORT in use?") from None
    if settings.scheduler:
        log.info(
            "SCHEDULER is on: web process 1 of %d runs reminders, digests and data retention (or set SCHEDULER=off "
            "and run `python -m bot worker`)",
            workers,
        )
    log.info("Listening for Slack on http://%s:%d%s", settings.host, settings.port, SLACK_PATH)

    def child(sock: socket.socket, index: int) -> None:
        from bot.app.home_processes import HomeHelpers
        from bot.app.slack_app import create_app
        from bot.app.web import freeze_startup_objects

        deps = bootstrap(settings, db=Database.from_url(settings.database_url), forms=forms)
        home_helpers = HomeHelpers(settings, settings.home_build_processes)  # each web process its own
        app = create_app(deps, home_helpers=home_helpers)
        home_helpers.start()
        scheduler = _start_scheduler(deps) if settings.scheduler and index == 0 else None
        freeze_startup_objects()
        try:
            _http_server(settings, app, deps, home_helpers).run(sockets=[sock])
        finally:
            home_helpers.close()
            if scheduler is not None:
                scheduler.shutdown(wait=False)

    status = serve_forked(workers, sock, child)
    if status:
        raise Exit("A web process could not start: see the lines above.", code=status)


# A call to Slack that never got an answer: refused, timed out, no route, a broken reply (URLError is an OSError).
_UNREACHABLE = (OSError, http.client.HTTPException)


@contextlib.contextmanager
def _quiet_slack_client() -> Iterator[None]:
    """slack_sdk logs each failed try with a traceback; at start-up we say what went wrong in one line instead."""
    loggers = [logging.getLogger(name) for name in ("slack_sdk", "slack_bolt")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _unreachable(settings: Settings, exc: BaseException) -> Exit:
    reason = getattr(exc, "reason", None) or exc
    where = settings.slack_api_url or SLACK_API_URL
    fix = (
        "check SLACK_API_URL (leave it unset to use Slack itself)"
        if settings.slack_api_url
        else "check this machine's internet connection, proxy and firewall (HTTPS to slack.com)"
    )
    return Exit(f"Could not reach Slack at {where} ({reason}): {fix}.")


def _check_bot_token(settings: Settings, deps: Deps) -> None:
    """Slack is reachable and takes the bot token, or one line saying which setting to fix.

    OAuth mode has no token to check: each workspace's is checked as it is used, and a refused one is reported."""
    if deps.slack.oauth:
        return
    try:
        with _quiet_slack_client():
            deps.slack.token_team()
    except TokenRejected as exc:
        raise Exit(
            f"Slack did not accept SLACK_BOT_TOKEN ({exc}). Copy the Bot User OAuth Token again from your "
            "app's OAuth & Permissions page."
        ) from None
    except _UNREACHABLE as exc:
        raise _unreachable(settings, exc) from None


def _start_scheduler(deps: Deps) -> BackgroundScheduler:
    """Periodic jobs (reminders, digests, retention) run in this process, for every workspace in the database."""
    from bot.app.scheduler import build_scheduler

    scheduler = build_scheduler(deps)
    scheduler.start()
    if deps.slack.oauth:
        installed = len(deps.slack.team_ids())
        log.info("Reminders, digests and data retention scheduled for each installed workspace (%d now)", installed)
    else:
        team_id = deps.slack.token_team()
        log.info(
            "Reminders, digests and data retention scheduled for the workspaces in the database (token: %s)", team_id
        )
    return scheduler


def _http_server(settings: Settings, app: App, deps: Deps, home_helpers: HomeHelpers) -> uvicorn.Server:
    from bot.app.web import make_server

    routes = []
    if settings.oauth:
        from bot.app.oauth import INSTALL_PATH, install_routes

        routes = install_routes(app, settings)
        log.info("OAuth mode: schools install mentor-bot at http://%s:%d%s", settings.host, settings.port, INSTALL_PATH)
    return make_server(
        app,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        health_check=deps.db.health_problem,
        routes=routes,
        on_stop=[home_helpers.close],
    )


def _listen(settings: Settings, app: App, deps: Deps, home_helpers: HomeHelpers) -> None:
    if settings.slack_app_token is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        log.info("Connecting to Slack in Socket Mode")
        handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
        _connect_socket_mode(settings, handler)
        block_until_stopped()
    else:
        from bot.app.web import SLACK_PATH

        log.info("Listening for Slack on http://%s:%d%s", settings.host, settings.port, SLACK_PATH)
        _http_server(settings, app, deps, home_helpers).run()


def _connect_socket_mode(settings: Settings, handler: Any) -> None:
    """Open the Socket Mode connection and say honestly whether it is up; a token Slack refuses stops start-up.

    Bolt's own `start()` logs "Bolt app is running!" even when the connection failed (the client then retries
    every 10 seconds), so the bot connects itself and says which it is.
    """
    socket_client = handler.client  # the Socket Mode client, not a Web API client
    errors: list[Exception] = []
    socket_client.on_error_listeners.append(errors.append)
    try:
        with _quiet_slack_client():
            handler.connect()
    except SlackApiError as exc:
        error = exc.response.get("error")
        raise Exit(
            f"Slack did not accept SLACK_APP_TOKEN ({error}). Create an App-Level Token with the connections:write "
            "scope on your app's Basic Information page and copy it (xapp-…) again; check that Socket Mode is on."
        ) from None
    except _UNREACHABLE as exc:
        raise _unreachable(settings, exc) from None
    if socket_client.is_connected():
        log.info("Connected to Slack in Socket Mode: mentor-bot is running")
    else:
        why = f"{type(errors[-1]).__name__}: {errors[-1]}" if errors else "the connection did not open"
        log.warning(
            "Not connected to Slack: the Socket Mode connection could not be opened (%s). Nothing will be "
            "answered until it is; retrying every 10 seconds. Check that this machine may open WebSocket "
            "(wss://) connections to Slack.",
            why,
        )


def block_until_stopped() -> None:
    """Keep the process serving until it is stopped (Ctrl+C or SIGTERM)."""
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stopped.set())
    stopped.wait()
