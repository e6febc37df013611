"""Target interactions: the /target confirm message, Ready for review, Met / Not met / Drop, date and standards."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.core.due_dates import describe
from bot.core.errors import DomainError
from bot.targets.service import STATUS_LABEL, standards_text
from handlers.home.events import refresh_homes
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import say, send_dm
from handlers.targets.blocks import (
    CLOSE_ACTIONS,
    DRAFT_BLOCK,
    DRAFT_CONFIRM,
    DRAFT_DATE_BUTTONS,
    DRAFT_DUE,
    DRAFT_STANDARDS,
    TARGET_DUE,
    TARGET_READY,
    TARGET_STANDARDS,
    closed_notice,
    draft_message,
    mentee_target_message,
    ready_for_review_notice,
)
from storage.targets import Target

log = logging.getLogger(__name__)


def _action(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["actions"][0])


def _draft_key(body: dict[str, Any]) -> str:
    action = _action(body)
    if action.get("value"):
        return str(action["value"])
    return str(action.get("block_id", "")).removeprefix(DRAFT_BLOCK)


def _target_id(body: dict[str, Any]) -> int:
    action = _action(body)
    raw = str(action.get("value") or action.get("block_id", "").rsplit(":", 1)[-1])
    return int(raw) if raw.isdigit() else 0


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


def register(app: App, deps: Deps) -> None:
    # --- the /target confirm message (ephemeral: replaced through its response_url) -------------------
    @app.action(DRAFT_CONFIRM)
    def confirm(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()
        key = _draft_key(body)
        try:
            caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), now)
            confirmed = deps.targets.confirm(caller, key, now)
            view = deps.targets.change_draft(team_id, user_id, key, now)
        except DomainError as exc:
            say(respond, str(exc))
            return
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
            refresh_homes(deps, client, team_id, [target.mentee_id, *confirmed.mentor_ids, user_id])

    @app.action(DRAFT_DUE)
    def change_draft_date(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        day = _selected_date(body)
        if day is None:
            return
        try:
            view = deps.targets.change_draft(
                body["team"]["id"], body["user"]["id"], _draft_key(body), deps.now(), due=day
            )
        except DomainError as exc:
            say(respond, str(exc))
            return
        text, blocks = draft_message(view)
        respond(replace_original=True, text=text, blocks=blocks)

    def pick_draft_date(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """A date button on the draft: this year's or next year's, or a school day either side."""
        ack()
        key, _, raw = str(_action(body).get("value") or "").partition("|")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return
        try:
            view = deps.targets.change_draft(body["team"]["id"], body["user"]["id"], key, deps.now(), due=day)
        except DomainError as exc:
            say(respond, str(exc))
            return
        text, blocks = draft_message(view)
        respond(replace_original=True, text=text, blocks=blocks)

    for action_id in DRAFT_DATE_BUTTONS:
        app.action(action_id)(pick_draft_date)

    @app.action(DRAFT_STANDARDS)
    def change_draft_standards(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        try:
            view = deps.targets.change_draft(
                body["team"]["id"], body["user"]["id"], _draft_key(body), deps.now(), standards=_selected_codes(body)
            )
        except DomainError as exc:
            say(respond, str(exc))
            return
        text, blocks = draft_message(view)
        respond(replace_original=True, text=text, blocks=blocks)

    # --- a saved target --------------------------------------------------------------------------------
    @app.action(TARGET_READY)
    def ready(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, now = body["team"]["id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
            change = deps.targets.mark_ready(caller, _target_id(body), now)
        except DomainError as exc:
            say(respond, str(exc))
            return
        target = change.target
        text, blocks = mentee_target_message(target, change.today)
        _update_message(client, body, respond, text, blocks, "Marked ready for review: your mentor has been told.")
        if change.changed:
            text, blocks = ready_for_review_notice(target, change.today)
            for mentor_id in dict.fromkeys([*change.mentor_ids, target.set_by]):
                if mentor_id != target.mentee_id:
                    send_dm(client, mentor_id, text, blocks)
            refresh_homes(deps, client, team_id, [target.mentee_id, *change.mentor_ids])

    def close_with(action_id: str) -> None:
        status = CLOSE_ACTIONS[action_id]

        @app.action(action_id)
        def close(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            ack()
            team_id, now = body["team"]["id"], deps.now()
            try:
                caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
                change = deps.targets.close(caller, _target_id(body), status, now)
            except DomainError as exc:
                say(respond, str(exc))
                return
            target = change.target
            text, blocks = ready_for_review_notice(target, change.today)
            label = STATUS_LABEL[target.status]
            _update_message(client, body, respond, text, blocks, f"Target marked {label}: {target.text[:200]}")
            if change.changed:
                _refresh_mentee_dm(client, target, change.today)
                send_dm(client, target.mentee_id, closed_notice(target))
                refresh_homes(deps, client, team_id, [target.mentee_id, *change.mentor_ids, caller.user_id])

    for action_id in CLOSE_ACTIONS:
        close_with(action_id)

    @app.action(TARGET_DUE)
    def change_date(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        day = _selected_date(body)
        if day is None:
            return
        team_id, now = body["team"]["id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
            change = deps.targets.change_due(caller, _target_id(body), day, now)
        except DomainError as exc:
            say(respond, str(exc))
            return
        if change.changed:
            _refresh_mentee_dm(client, change.target, change.today)
            say(respond, f"Done: that target is now due {describe(change.target.due_on)}.")

    @app.action(TARGET_STANDARDS)
    def change_standards(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        team_id, now = body["team"]["id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, body["user"]["id"], SlackDirectory(client), now)
            change = deps.targets.set_standards(caller, _target_id(body), _selected_codes(body), now)
        except DomainError as exc:
            say(respond, str(exc))
            return
        if change.changed:
            linked = standards_text(change.target.standards) or "no standard"
            say(respond, f"Done: that target is now linked to {linked}.")
