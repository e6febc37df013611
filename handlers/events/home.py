"""The App Home tab: for now a welcome and the caller's own guide to the bot."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import DomainError
from bot.slack_client import SlackDirectory
from handlers.blocks.roster import help_blocks


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def app_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = event["user"]
        team_id = body.get("team_id") or event.get("view", {}).get("team_id")
        try:
            caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), deps.now())
        except DomainError:
            return
        view = {"type": "home", "blocks": help_blocks(caller)}
        client.views_publish(user_id=user_id, view=view)
