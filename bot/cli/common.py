"""What the commands share: a migrated database, everything built over it, and the token's workspace."""

from __future__ import annotations

import logging

from bot.app.bootstrap import Deps, bootstrap
from bot.app.settings import Settings
from bot.app.slack_client import TokenRejected
from bot.cli import Exit
from bot.core.clock import Clock, system_clock
from bot.observations.forms import FormError, FormLibrary, load_forms
from storage.db import Database, DatabaseUnavailable, safe_url

log = logging.getLogger("bot")


def ready_database(settings: Settings) -> Database:
    """The database, reachable and migrated, or an `Exit` saying what to fix."""
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


def ready_deps(settings: Settings, *, clock: Clock = system_clock) -> Deps:
    """Everything built once over a migrated database, for a command that sends or reads.

    These commands don't show observation forms (only the export's field labels come from them), so a broken
    form file doesn't stop them; `serve` refuses to start with one.
    """
    db = ready_database(settings)
    try:
        forms = load_forms(settings.observation_forms_dir)
    except FormError:
        forms = FormLibrary([])
    return bootstrap(settings, clock=clock, db=db, forms=forms)


def token_workspace(deps: Deps, team_id: str | None) -> str:
    """The bot token's workspace, refusing a --team that is another one.

    OAuth mode: the installation --team names (or the only one installed), refusing a workspace not installed."""
    if deps.slack.oauth:
        return _installed_workspace(deps, team_id)
    try:
        token_team = deps.slack.token_team()
    except TokenRejected as exc:
        raise Exit(f"Slack did not accept SLACK_BOT_TOKEN ({exc}).") from None
    if team_id is not None and token_team != team_id:
        raise Exit(f"SLACK_BOT_TOKEN belongs to workspace {token_team}, not {team_id}: check --team.")
    return token_team


def _installed_workspace(deps: Deps, team_id: str | None) -> str:
    installed = deps.slack.team_ids()
    if team_id is not None:
        if team_id not in installed:
            raise Exit(
                f"mentor-bot is not installed in workspace {team_id}: check --team, or install it at /slack/install."
            )
        return team_id
    if len(installed) == 1:
        return installed[0]
    if not installed:
        raise Exit("mentor-bot is not installed in any workspace yet: install it at /slack/install.")
    names = ", ".join(installed)
    raise Exit(f"mentor-bot is installed in {len(installed)} workspaces: name one with --team ({names}).")
