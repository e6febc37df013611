"""The lead mentor's digest: **Nudge** DMs a mentor whose meeting logs are missing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.roster.service import Caller
from handlers.digests import ids
from handlers.digests.blocks import mentee_list, nudge_message
from handlers.slack.answers import answers
from handlers.slack.replies import say, send_dm


def register(app: App) -> None:
    app.action(ids.NUDGE_ACTION)(nudge_mentor)


@answers()
def nudge_mentor(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    deps: Deps,
    now: datetime,
) -> None:
    ack()
    mentor_id = str(body["actions"][0].get("value", ""))
    nudge = deps.nudges.claim(caller(), mentor_id, now)
    if not send_dm(client, mentor_id, nudge_message(body["user"]["id"], nudge.mentee_ids)):
        deps.nudges.release(nudge)
        say(respond, f"I couldn't reach <@{mentor_id}>: they may have left Slack.")
        return
    say(respond, f"Nudged <@{mentor_id}> about {mentee_list(nudge.mentee_ids)}.")
