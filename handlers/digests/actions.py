"""The lead mentor's digest: **Nudge** DMs a mentor whose meeting logs are missing."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError
from handlers.digests.blocks import NUDGE_ACTION, nudge_message
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import say, send_dm


def register(app: App, deps: Deps) -> None:
    @app.action(NUDGE_ACTION)
    def nudge_mentor(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        mentor_id = str(body["actions"][0].get("value", ""))
        try:
            caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), deps.now())
            mentees = deps.roster.mentees_to_nudge(caller, mentor_id)
        except DomainError as exc:
            say(respond, str(exc))
            return
        sent = send_dm(client, mentor_id, nudge_message(user_id, mentees))
        text = f"Nudged <@{mentor_id}>." if sent else f"I couldn't reach <@{mentor_id}>: they may have left Slack."
        say(respond, text)
