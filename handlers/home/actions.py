"""Buttons on the App Home tab: More / Back through a list, and each next step — Log meeting, Observe, Set
target, Add your reflection — opening the same modal its slash command or DM button opens.

A Home button has no response_url, so anything that stops a modal opening is answered in a small modal.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError
from bot.targets.service import DraftView
from handlers.home.blocks import (
    BACK_ACTION,
    LOG_MEETING_ACTION,
    MORE_ACTION,
    OBSERVE_ACTION,
    REFLECT_ACTION,
    SET_TARGET_ACTION,
    TARGET_CALLBACK,
    TARGET_TEXT,
    Pages,
    read_target_text,
    target_modal,
    target_sent_modal,
)
from handlers.home.events import home_service, publish_home
from handlers.meetings.command import open_meeting_modal
from handlers.observations.blocks import observation_modal, reflection_modal
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import notice_modal, record_id, save_or_explain, send_dm
from handlers.targets.blocks import draft_message

log = logging.getLogger(__name__)


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _user_id(value: str) -> str | None:
    """A Slack user id; anything else (a tampered button or modal) is treated as no one."""
    return value if value[:1] in ("U", "W") and value.isalnum() and len(value) <= 32 else None


def _user_value(body: dict[str, Any]) -> str | None:
    return _user_id(_value(body))


def register(app: App, deps: Deps) -> None:
    def caller_of(body: dict[str, Any], client: WebClient) -> Any:
        return deps.roster.caller(body["team"]["id"], body["user"]["id"], SlackDirectory(client), deps.now())

    @app.action(MORE_ACTION)
    @app.action(BACK_ACTION)
    def turn_page(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        publish_home(deps, client, body["team"]["id"], body["user"]["id"], Pages.parse(_value(body)))

    @app.action(LOG_MEETING_ACTION)
    def log_meeting(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        mentee_id = _user_value(body)
        problem = (
            open_meeting_modal(
                deps,
                client,
                team_id=body["team"]["id"],
                user_id=body["user"]["id"],
                mentee_id=mentee_id,
                trigger_id=body["trigger_id"],
            )
            if mentee_id
            else "I can't tell which mentee that was: open the Home tab again."
        )
        if problem:
            client.views_open(trigger_id=body["trigger_id"], view=notice_modal("Log meeting", problem))

    @app.action(OBSERVE_ACTION)
    def observe(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        teacher_id = _user_value(body)
        try:
            if teacher_id is None:
                raise DomainError("I can't tell which teacher that was: open the Home tab again.")
            prepared = deps.observations.prepare(
                caller_of(body, client), teacher_id, SlackDirectory(client), deps.now()
            )
            view = observation_modal(deps.forms, prepared.form, teacher_id=teacher_id, today=prepared.today)
        except DomainError as exc:
            view = notice_modal("Observe", str(exc))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(SET_TARGET_ACTION)
    def set_target(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        mentee_id = _user_value(body)
        try:
            if mentee_id is None:
                raise DomainError("I can't tell which mentee that was: open the Home tab again.")
            mentee = home_service(deps).target_mentee(
                caller_of(body, client), mentee_id, SlackDirectory(client), deps.now()
            )
            view = target_modal(mentee)
        except DomainError as exc:
            view = notice_modal("Set a target", str(exc))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(TARGET_CALLBACK)
    def target_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """The words go through /target's own draft: the date understood and the checks come back to confirm."""
        metadata = json.loads(view.get("private_metadata") or "{}")
        mentee_id = _user_id(str(metadata.get("mentee") or ""))
        if mentee_id is None:
            ack(response_action="errors", errors={TARGET_TEXT: "I can't tell who this target is for: start again."})
            return
        directory = SlackDirectory(client)
        team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()

        def save() -> DraftView:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.targets.draft(caller, mentee_id, read_target_text(view), directory, now)

        draft = save_or_explain(ack, view, save, problem_block=TARGET_TEXT, what="a target from the Home tab")
        if draft is None:
            return
        ack(response_action="update", view=target_sent_modal(mentee_id))
        text, blocks = draft_message(draft)
        if send_dm(client, user_id, text, blocks) is None:
            log.warning("Could not send a Home target draft to its author")

    @app.action(REFLECT_ACTION)
    def reflect(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            readable = deps.observations.for_reflection(caller_of(body, client), record_id(body))
            o = readable.observation
            view = reflection_modal(
                o.id, o.observed_on, readable.name(o.observer_id), o.reflection, o.reflection_next_steps
            )
        except DomainError as exc:
            view = notice_modal("Reflection", str(exc))
        client.views_open(trigger_id=body["trigger_id"], view=view)
