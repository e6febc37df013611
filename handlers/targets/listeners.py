"""/target and its buttons: `/target @mentee <what> [by <when>]` drafts a target to confirm, `/target list
[@mentee]` shows open ones; the confirm message, Ready for review, Met / Not met / Drop, date and standards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.due_dates import describe
from bot.core.errors import DomainError, InvalidInput
from bot.core.vocabulary import TARGET_STATUS_LABEL as STATUS_LABEL
from bot.roster.service import Caller
from bot.targets.checks import TEXT_LIMIT, standards_text
from handlers.slack import parsing
from handlers.slack.answers import answers
from handlers.slack.context import RefreshHomes
from handlers.slack.replies import say, send_dm
from handlers.targets import ids
from handlers.targets.blocks import (
    CLOSE_ACTIONS,
    closed_notice,
    draft_message,
    mentee_target_message,
    ready_for_review_notice,
    target_list_blocks,
    target_overview_blocks,
)
from storage.targets import Target

log = logging.getLogger(__name__)

EXAMPLE = "/target @ana Use cold calling in every lesson by Monday week"
USAGE = f"Usage: `/target @mentee what they'll do [by when]`, e.g. `{EXAMPLE}`; or `/target list [@mentee]`."

_FIRST_WORD = re.compile(r"^\s*(?:<[^>]*>|\S+)\s*")


def register(app: App) -> None:
    app.command(ids.TARGET)(target_command)
    app.action(ids.DRAFT_CONFIRM)(confirm)
    app.action(ids.DRAFT_DUE)(change_draft_date)
    app.action(ids.DRAFT_STANDARDS)(change_draft_standards)
    for action_id in ids.DRAFT_DATE_BUTTONS:
        app.action(action_id)(pick_draft_date)
    app.action(ids.TARGET_READY)(ready)
    for action_id in CLOSE_ACTIONS:
        app.action(action_id)(close)
    app.action(ids.TARGET_DUE)(change_date)
    app.action(ids.TARGET_STANDARDS)(change_standards)


# --- /target ---------------------------------------------------------------------------------------------


@answers()
def target_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    text = command.get("text", "") or ""
    words = parsing.tokens(text)
    if not words or words[0].lower() == "help":
        ack(response_type="ephemeral", text=USAGE)
        return
    if words[0].lower() == "list":
        _list(ack, respond, caller, now, directory, deps, words[1:])
        return
    try:
        if not parsing.is_user_mention(words[0]):
            raise InvalidInput("Start with the mentee, mentioned with @.")
        mentee_id = parsing.user_id(words[0], what="a mentee")
        what = _unescape(_FIRST_WORD.sub("", text, count=1)).strip()
        if not what:
            raise InvalidInput(f"Say what the target is after <@{mentee_id}>.")
        if len(what) > TEXT_LIMIT:
            raise InvalidInput(
                f"That target is {len(what)} characters long; keep it under {TEXT_LIMIT}, one clear step."
            )
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}{_typed(command)}")
        return
    ack()
    try:
        view = deps.targets.draft(caller(), mentee_id, what, directory, now)
    except DomainError as exc:
        raise DomainError(f"{exc}{_typed(command)}") from exc  # quoted back, so nothing has to be typed again
    reply_text, blocks = draft_message(view)
    respond(response_type="ephemeral", replace_original=False, text=reply_text, blocks=blocks)


def _list(
    ack: Ack,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
    args: list[str],
) -> None:
    try:
        if len(args) > 1:
            raise InvalidInput("Name at most one mentee.")
        mentee_id = parsing.user_id(args[0], what="a mentee") if args else None
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    if mentee_id is None:
        text, blocks = target_overview_blocks(deps.targets.overview(caller(), directory, now))
    else:
        text, blocks = target_list_blocks(deps.targets.listing(caller(), mentee_id, directory, now))
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)


def _unescape(text: str) -> str:
    """Slack escapes &, < and > in command text; mentions (<@U…|name>) stay as they are."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _typed(command: dict[str, Any]) -> str:
    """What was typed, quoted back, so nothing has to be typed again."""
    return f"\nYou typed:\n>{ids.TARGET} {command.get('text', '')}"


# --- the /target confirm message (ephemeral: replaced through its response_url) ---------------------------


@answers()
def confirm(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    ack()
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    key = _draft_key(body)
    confirmed = deps.targets.confirm(caller(), key, now)
    view = deps.targets.change_draft(team_id, user_id, key, now)
    text, blocks = draft_message(view)
    respond(replace_original=True, text=text, blocks=blocks)
    if confirmed.created:  # a second click (or Slack's retry) sends nothing twice
        target = confirmed.target
        text, blocks = mentee_target_message(target, view.today)
        sent = send_dm(client, target.mentee_id, text, blocks)
        if sent and sent.get("channel") and sent.get("ts"):
            deps.targets.remember_mentee_message(team_id, target.id, sent["channel"], sent["ts"])
        else:
            say(respond, f"I couldn't DM <@{target.mentee_id}>: please tell them about the new target.")
        refresh_homes([target.mentee_id, *confirmed.mentor_ids, user_id])


@answers()
def change_draft_date(ack: Ack, body: dict[str, Any], respond: Respond, now: datetime, deps: Deps) -> None:
    ack()
    day = _selected_date(body)
    if day is None:
        return
    view = deps.targets.change_draft(body["team"]["id"], body["user"]["id"], _draft_key(body), now, due=day)
    text, blocks = draft_message(view)
    respond(replace_original=True, text=text, blocks=blocks)


@answers()
def pick_draft_date(ack: Ack, body: dict[str, Any], respond: Respond, now: datetime, deps: Deps) -> None:
    """A date button on the draft: this year's or next year's, or a school day either side."""
    ack()
    key, _, raw = str(_action(body).get("value") or "").partition("|")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return
    view = deps.targets.change_draft(body["team"]["id"], body["user"]["id"], key, now, due=day)
    text, blocks = draft_message(view)
    respond(replace_original=True, text=text, blocks=blocks)


@answers()
def change_draft_standards(ack: Ack, body: dict[str, Any], respond: Respond, now: datetime, deps: Deps) -> None:
    ack()
    view = deps.targets.change_draft(
        body["team"]["id"], body["user"]["id"], _draft_key(body), now, standards=_selected_codes(body)
    )
    text, blocks = draft_message(view)
    respond(replace_original=True, text=text, blocks=blocks)


# --- a saved target ----------------------------------------------------------------------------------------


@answers()
def ready(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    ack()
    change = deps.targets.mark_ready(caller(), _target_id(body), now)
    target = change.target
    text, blocks = mentee_target_message(target, change.today)
    _update_message(client, body, respond, text, blocks, "Marked ready for review: your mentor has been told.")
    if change.changed:
        text, blocks = ready_for_review_notice(target, change.today)
        for mentor_id in dict.fromkeys([*change.mentor_ids, target.set_by]):
            if mentor_id != target.mentee_id:
                send_dm(client, mentor_id, text, blocks)
        refresh_homes([target.mentee_id, *change.mentor_ids])


@answers()
def close(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    """Met, Not met or Drop: which one is the button's action_id."""
    ack()
    status = CLOSE_ACTIONS[_action(body)["action_id"]]
    change = deps.targets.close(caller(), _target_id(body), status, now)
    target = change.target
    text, blocks = ready_for_review_notice(target, change.today)
    label = STATUS_LABEL[target.status]
    _update_message(client, body, respond, text, blocks, f"Target marked {label}: {target.text[:200]}")
    if change.changed:
        _refresh_mentee_dm(client, target, change.today)
        send_dm(client, target.mentee_id, closed_notice(target))
        refresh_homes([target.mentee_id, *change.mentor_ids, caller().user_id])


@answers()
def change_date(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
) -> None:
    ack()
    day = _selected_date(body)
    if day is None:
        return
    change = deps.targets.change_due(caller(), _target_id(body), day, now)
    if change.changed:
        _refresh_mentee_dm(client, change.target, change.today)
        say(respond, f"Done: that target is now due {describe(change.target.due_on)}.")


@answers()
def change_standards(
    ack: Ack, body: dict[str, Any], respond: Respond, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    change = deps.targets.set_standards(caller(), _target_id(body), _selected_codes(body), now)
    if change.changed:
        linked = standards_text(change.target.standards) or "no standard"
        say(respond, f"Done: that target is now linked to {linked}.")


# --- reading the payload, updating messages ---------------------------------------------------------------


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["actions"][0])


def _draft_key(body: dict[str, Any]) -> str:
    action = _action(body)
    if action.get("value"):
        return str(action["value"])
    return str(action.get("block_id", "")).removeprefix(ids.DRAFT_BLOCK)


def _target_id(body: dict[str, Any]) -> int:
    action = _action(body)
    raw = str(action.get("value") or action.get("block_id", "").rsplit(":", 1)[-1])
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0  # as replies.record_id


def _selected_date(body: dict[str, Any]) -> date | None:
    raw = _action(body).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _selected_codes(body: dict[str, Any]) -> list[str]:
    return [o["value"] for o in _action(body).get("selected_options") or [] if isinstance(o, dict)]


def _update_message(
    client: WebClient, body: dict[str, Any], respond: Respond, text: str, blocks: list[dict[str, Any]], fallback: str
) -> None:
    """Replace the message the button was on: a DM by chat.update, an ephemeral one through its response_url."""
    container = body.get("container") or {}
    if container.get("is_ephemeral") or not container.get("message_ts"):
        say(respond, fallback)
        return
    try:
        client.chat_update(channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("Could not update a target message: %s", exc.response.get("error"))
        say(respond, fallback)


def _refresh_mentee_dm(client: WebClient, target: Target, today: date) -> None:
    if not (target.mentee_message_channel and target.mentee_message_ts):
        return
    text, blocks = mentee_target_message(target, today)
    try:
        client.chat_update(channel=target.mentee_message_channel, ts=target.mentee_message_ts, text=text, blocks=blocks)
    except SlackApiError as exc:
        log.warning("Could not update the mentee's target message: %s", exc.response.get("error"))
