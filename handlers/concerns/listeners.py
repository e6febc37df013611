"""Concerns in Slack: `/concern @mentee`, Raise as a concern (from an observation), the trail, its updates and
its resolution.

A button here may be pressed in a DM or on the Home tab (which has no response_url), so a refusal is answered
in a small modal (`@answers(notice=…)`), pushed on top when the button is itself inside a modal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.concerns.service import HAPPENED, REASON, WHAT_SEEN, Raised
from bot.core.directory import Directory
from bot.core.errors import DomainError, InvalidInput
from bot.core.permissions import Action
from bot.roster.service import Caller
from handlers.concerns import ids, plan_listeners, probation
from handlers.concerns.blocks import (
    add_modal,
    added_notice,
    concern_dm,
    concern_modal,
    discussed_dm,
    raiser_confirmation,
    read_add_state,
    read_concern_state,
    read_resolve_state,
    resolve_modal,
    trail_modal,
)
from handlers.concerns.plan_blocks import plan_modal
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import record_id, send_dm

log = logging.getLogger(__name__)

USAGE = (
    "Usage: `/concern @mentee` opens a form to record a concern about someone you mentor or lead; "
    "`/concern plan @mentee` starts a support plan (lead mentors and SLT)."
)


def register(app: App) -> None:
    app.command(ids.CONCERN)(concern_command)
    app.action(ids.FROM_OBSERVATION)(from_observation)
    app.action(ids.FROM_WARNING)(from_warning)
    app.view(ids.RAISE_CALLBACK)(concern_submitted)
    app.action(ids.VIEW_ACTION)(see_trail)
    app.action(ids.ADD_ACTION)(open_update)
    app.action(ids.RESOLVE_ACTION)(open_resolution)
    app.view(ids.ADD_CALLBACK)(update_submitted)
    app.view(ids.RESOLVE_CALLBACK)(resolution_submitted)
    plan_listeners.register(app)
    probation.register(app)


# --- /concern ---------------------------------------------------------------------------------------------------
@answers(opens="Concern")
def concern_command(
    ack: Ack,
    command: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    words = parsing.tokens(command.get("text", ""))
    planning = bool(words) and words[0].lower() == ids.PLAN_WORD
    if planning:
        words = words[1:]
    try:
        if not words or words[0].lower() == "help" or len(words) > 1:
            raise InvalidInput("Name the person the concern is about." if not words else "Name one person.")
        mentee_id = parsing.user_id(words[0], what="a mentee")
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    if planning:
        modal.open(plan_modal(deps.plans.prepare(caller(), mentee_id, directory, now)))
        return
    form = deps.concerns.prepare(caller(), mentee_id, directory, now)
    modal.open(concern_modal(form))


@answers(notice="Concern")
def from_observation(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    form = deps.concerns.prepare_from_observation(caller(), record_id(body), now)
    modal.open(concern_modal(form))


@answers(notice="Concern")
def from_warning(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    form = deps.concerns.prepare_from_warning(caller(), record_id(body), now)
    modal.open(concern_modal(form))


@modal_submission(problem_block=WHAT_SEEN, what="a concern")
def concern_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = read_concern_state(view["state"]["values"], metadata)
    raised = deps.concerns.raise_concern(caller(), draft, view["id"], directory, now)
    ack()
    if raised.created:  # a retry of the same submission tells nobody twice
        _tell(client, deps, directory, body["user"]["id"], raised, now)
        refresh_homes([body["user"]["id"], raised.concern.mentee_id, *raised.told])


def _tell(client: WebClient, deps: Deps, directory: Directory, user_id: str, raised: Raised, now: datetime) -> None:
    concern = raised.concern
    text, blocks = concern_dm(raised)
    reached = [lead for lead in raised.told if send_dm(client, lead, text, blocks)]
    deps.concerns.told(concern.team_id, concern.id, reached, now)
    send_dm(client, user_id, *raiser_confirmation(raised))
    if concern.discussed_on is not None:
        _tell_mentee(client, deps, directory, concern.team_id, concern.id, concern.mentee_id, now)


# --- the trail --------------------------------------------------------------------------------------------------
@answers(notice="Concern")
def see_trail(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    modal.open(trail_modal(deps.concerns.read(caller(), record_id(body), now)))


@answers(notice="Concern")
def open_update(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    concern = deps.concerns.prepare_entry(caller(), record_id(body), Action.ADD_TO_CONCERN)
    modal.open(add_modal(concern))


@answers(notice="Concern")
def open_resolution(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps
) -> None:
    ack()
    concern = deps.concerns.prepare_entry(caller(), record_id(body), Action.RESOLVE_CONCERN)
    modal.open(resolve_modal(concern))


def _concern_id(view: dict[str, Any]) -> int:
    return int(json.loads(view.get("private_metadata") or "{}").get("concern") or 0)


@modal_submission(problem_block=HAPPENED, what="a concern's update")
def update_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    happened, agreed, discussed_on = read_add_state(view["state"]["values"])
    added = deps.concerns.add(caller(), _concern_id(view), happened, agreed, discussed_on, view["id"], now)
    ack()
    if not added.created:
        return
    user_id = body["user"]["id"]
    send_dm(client, user_id, added_notice(added))
    if added.newly_discussed:
        _tell_mentee(client, deps, directory, added.concern.team_id, added.concern.id, added.concern.mentee_id, now)
    refresh_homes([user_id, added.concern.mentee_id])


@modal_submission(problem_block=REASON, what="a concern's resolution")
def resolution_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    outcome, reason = read_resolve_state(view["state"]["values"])
    added = deps.concerns.resolve(caller(), _concern_id(view), outcome, reason, view["id"], now)
    ack()
    if not added.created:
        return
    user_id = body["user"]["id"]
    send_dm(client, user_id, added_notice(added))
    refresh_homes([user_id, added.concern.mentee_id])


def _tell_mentee(
    client: WebClient, deps: Deps, directory: Directory, team_id: str, concern_id: int, mentee_id: str, now: datetime
) -> None:
    """Once it has been discussed with them, the mentee gets what was recorded (and the read is audited)."""
    try:
        caller = deps.roster.caller(team_id, mentee_id, directory, now)
        view = deps.concerns.read(caller, concern_id, now)
    except DomainError:
        return  # e.g. a private wellbeing concern: it stays with lead mentors and SLT
    text, blocks = discussed_dm(view.concern)
    send_dm(client, mentee_id, text, blocks)
