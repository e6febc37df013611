"""Slack's uninstall events (OAuth mode): the workspace's installation is removed, and with it every job there.

`app_uninstalled`: the app was removed from the workspace. `tokens_revoked`: its tokens were revoked (the bot's,
or an installing user's). Either way the stored token is deleted at once, so no job or command uses it again;
the workspace's records stay, under the retention policy (README, "OAuth mode"). Slack sends these events once
the tokens no longer work, so nothing is sent back. In token mode there is no installation to remove: the event
is logged, and the operator removes SLACK_BOT_TOKEN.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.app.bootstrap import Deps

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


def app_uninstalled(context: BoltContext, deps: Deps) -> None:
    removed = deps.slack.uninstalled(enterprise_id=context.enterprise_id, team_id=_installed_team(context))
    log.info(
        "mentor-bot was uninstalled from workspace %s: %s",
        context.team_id or context.enterprise_id,
        "its installation is removed and its jobs stop" if removed else "no installation was stored",
    )


def tokens_revoked(event: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    tokens = event.get("tokens")
    bots = _ids(tokens.get("bot")) if isinstance(tokens, dict) else []
    users = _ids(tokens.get("oauth")) if isinstance(tokens, dict) else []
    removed = deps.slack.tokens_revoked(
        enterprise_id=context.enterprise_id,
        team_id=_installed_team(context),
        bot=bool(bots),
        user_ids=users,
    )
    log.info(
        "Tokens revoked in workspace %s (%d bot, %d user): %s",
        context.team_id or context.enterprise_id,
        len(bots),
        len(users),
        "the bot's installation is removed and its jobs stop" if removed else "nothing the bot uses was stored",
    )


def _installed_team(context: BoltContext) -> str | None:
    """The team id the installation was stored under: none for an Enterprise Grid org-wide install (the event
    names the workspace it came through, but the install, and its removal, is the whole org's)."""
    return None if context.is_enterprise_install else context.team_id


def _ids(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []
