"""The probation mid-point in Slack: the DM SLT get once (sent by the scheduler's job), and Record agreed
actions, whose modal's action points, support and next review date go on the mentee's concern trail."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.concerns.probation import ACTION_POINTS, NEXT_REVIEW, SUPPORT, Midpoint
from bot.core.due_dates import describe
from bot.roster.service import Caller
from handlers.concerns import ids
from handlers.concerns.blocks import _date, _date_element, _input, _plain, _text_element, _value
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.blocks import Block, button, section
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import send_dm

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.RECORD_ACTIONS)(open_agreed_actions)
    app.view(ids.MIDPOINT_CALLBACK)(agreed_actions_submitted)


def midpoint_dm(midpoint: Midpoint) -> tuple[str, list[Block]]:
    text = f"<@{midpoint.mentee_id}> is half way through their probation"
    why = ", ".join(midpoint.reasons)
    blocks: list[Block] = [
        section(
            f":hourglass_flowing_sand: <@{midpoint.mentee_id}> passed the half-way point of their probation on "
            f"{describe(midpoint.midpoint)} (it ends {describe(midpoint.probation_end)}), with {why}. "
            "The policy asks SLT to discuss it and agree action points and support."
        ),
        {
            "type": "actions",
            "block_id": f"{ids.MIDPOINT_BLOCK}:{midpoint.mentee_id}",
            "elements": [button("Record agreed actions", ids.RECORD_ACTIONS, midpoint.mentee_id, "primary")],
        },
    ]
    return text, blocks


def agreed_actions_modal(mentee_id: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ids.MIDPOINT_CALLBACK,
        "title": _plain("Agreed actions", 24),
        "submit": _plain("Save", 24),
        "close": _plain("Cancel", 24),
        "private_metadata": json.dumps({"mentee": mentee_id}),
        "blocks": [
            section(
                f"What SLT agreed for <@{mentee_id}> at the probation mid-point. It is kept on their concern trail."
            ),
            _input(ACTION_POINTS, "Action points", _text_element()),
            _input(SUPPORT, "Support", _text_element(), optional=True),
            _input(NEXT_REVIEW, "Next review date", _date_element(None), hint="A school day after today."),
        ],
    }


def send_midpoint_notices(deps: Deps, client: WebClient, team_id: str) -> int:
    """Tell SLT, once per mentee and probation, by DM; returns how many mid-points were told."""
    told = 0
    for midpoint in deps.probation.due(team_id, deps.now()):
        if not midpoint.slt_ids or not deps.probation.claim(midpoint):
            continue  # no SLT yet: told once someone holds the role; claimed: another run told them
        text, blocks = midpoint_dm(midpoint)
        for user_id in midpoint.slt_ids:
            send_dm(client, user_id, text, blocks)
        told += 1
    return told


@answers(notice="Agreed actions")
def open_agreed_actions(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps
) -> None:
    ack()
    mentee_id = parsing.user_id(f"<@{(body.get('actions') or [{}])[0].get('value') or ''}>", what="a mentee")
    deps.probation.prepare(caller(), mentee_id)
    modal.open(agreed_actions_modal(mentee_id))


@modal_submission(problem_block=ACTION_POINTS, what="the agreed actions")
def agreed_actions_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    mentee_id = str(json.loads(view.get("private_metadata") or "{}").get("mentee") or "")
    values = view["state"]["values"]
    agreed = deps.probation.record(
        caller(),
        mentee_id,
        _value(values, ACTION_POINTS).get("value"),
        _value(values, SUPPORT).get("value"),
        _date(values, NEXT_REVIEW),
        view["id"],
        now,
    )
    ack()
    if agreed.created:
        send_dm(
            client,
            body["user"]["id"],
            f"The agreed actions for <@{mentee_id}> are on their concern trail, next review by "
            f"{describe(agreed.entry.on_date)}."
            if agreed.entry.on_date
            else "The agreed actions are saved.",
        )
        refresh_homes([body["user"]["id"]])
