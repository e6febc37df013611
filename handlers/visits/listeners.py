"""Peer visits and learning walks in Slack: `/visit @colleague` (the visit modal; the colleague gets a DM and can
reply), `/visit walk` and the Home tab's Record a learning walk (SLT: a well done to each colleague named)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.errors import InvalidInput
from bot.roster.service import Caller
from bot.visits.service import GOOD_PRACTICE, NOTICED, REPLY
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.context import RefreshHomes
from handlers.slack.inputs import read_text
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import record_id, send_dm
from handlers.visits import ids
from handlers.visits.blocks import (
    logged_text,
    read_visit,
    read_walk,
    reply_dm,
    reply_modal,
    visit_modal,
    visited_dm,
    walk_modal,
    walked_text,
    well_done_dm,
)

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/visit @colleague` logs a peer visit to their classroom (never rated; they can reply); "
    "`/visit walk` records a learning walk (SLT)."
)


def register(app: App) -> None:
    app.command(ids.VISIT)(visit_command)
    app.view(ids.VISIT_CALLBACK)(visit_submitted)
    app.action(ids.REPLY)(open_reply)
    app.view(ids.REPLY_CALLBACK)(reply_submitted)
    app.action(ids.RECORD_WALK)(open_walk)
    app.view(ids.WALK_CALLBACK)(walk_submitted)


@answers(opens="Peer visit")
def visit_command(
    ack: Ack,
    command: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    words = parsing.tokens(command.get("text", ""))
    walking = len(words) == 1 and words[0].lower() == ids.WALK_WORD
    try:
        if not walking:
            if len(words) != 1 or words[0].lower() == "help":
                raise InvalidInput("Name the colleague you visited." if not words else "Name one colleague.")
            visited_id = parsing.user_id(words[0], what="a colleague")
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    if walking:
        deps.visits.prepare_walk(caller())
        modal.open(walk_modal(deps.visits.today(now)))
        return
    visited = deps.visits.prepare(caller(), visited_id, directory, now)
    modal.open(visit_modal(visited, deps.visits.today(now)))


@modal_submission(problem_block=NOTICED, what="a peer visit")
def visit_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    draft = read_visit(view["state"]["values"], json.loads(view.get("private_metadata") or "{}"))
    logged = deps.visits.log(caller(), draft, view["id"], now)
    ack()
    if not logged.created:  # a retry of the same Save tells nobody twice
        return
    visit = logged.visit
    send_dm(client, visit.visited_id, *visited_dm(visit))
    send_dm(client, body["user"]["id"], logged_text(visit, logged.received_this_half, logged.half))
    refresh_homes([visit.visited_id, visit.visitor_id])


@answers(notice="Peer visit")
def open_reply(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    visit = deps.visits.prepare_reply(caller(), record_id(body))
    modal.open(reply_modal(visit))


@modal_submission(problem_block=REPLY, what="a reply to a visit")
def reply_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    visit_id = json.loads(view.get("private_metadata") or "{}").get("visit")
    visit, created = deps.visits.reply(
        caller(), visit_id if isinstance(visit_id, int) else 0, read_text(view["state"]["values"], REPLY), now
    )
    ack()
    if created:
        send_dm(client, visit.visitor_id, *reply_dm(visit))


@answers(notice="Learning walk")
def open_walk(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    deps.visits.prepare_walk(caller())
    modal.open(walk_modal(deps.visits.today(now)))


@modal_submission(problem_block=GOOD_PRACTICE, what="a learning walk")
def walk_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    walked = deps.visits.record_walk(caller(), read_walk(view["state"]["values"]), view["id"], directory, now)
    ack()
    thanked = 0
    text, blocks = well_done_dm(walked.walk)
    for thanks_id, user_id in walked.thanks:
        if deps.visits.claim_thanks(walked.walk.team_id, thanks_id, now) and send_dm(client, user_id, text, blocks):
            thanked += 1
    if walked.created:
        send_dm(client, body["user"]["id"], walked_text(walked.walk, thanked))
