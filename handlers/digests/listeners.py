"""The lead mentor's digest: **Nudge** DMs a mentor whose meeting logs are missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.roster.service import Caller
from handlers.digests import ids
from handlers.digests.blocks import nudge_message
from handlers.slack.answers import answers
from handlers.slack.replies import say, send_dm


def register(app: App) -> None:
    app.action(ids.NUDGE_ACTION)(nudge_mentor)


@answers()
def nudge_mentor(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, caller: Callable[[], Caller], deps: Deps
) -> None:
    ack()
    mentor_id = str(body["actions"][0].get("value", ""))
    mentees = deps.roster.mentees_to_nudge(caller(), mentor_id)
    sent = send_dm(client, mentor_id, nudge_message(body["user"]["id"], mentees))
    text = f"Nudged <@{mentor_id}>." if sent else f"I couldn't reach <@{mentor_id}>: they may have left Slack."
    say(respond, text)
