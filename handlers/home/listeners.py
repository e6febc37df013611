"""The App Home tab: published when someone opens it; its buttons — More / Back through a list, and each
next step (Log meeting, Observe, Set target, Add your reflection) opening the same modal its slash command
or DM button opens.

A Home button has no response_url, so anything that stops a modal opening is answered in a small modal.
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
from bot.core.directory import Directory
from bot.core.errors import DomainError, FieldErrors
from bot.roster.service import Caller
from handlers.home import ids
from handlers.home.modals import read_target_text, target_modal, target_sent_modal
from handlers.home.pages import Pages
from handlers.home.publishing import HomePublisher
from handlers.meetings.modals import meeting_modal
from handlers.observations.modals import observation_modal, reflection_modal
from handlers.slack.answers import answers, modal_submission
from handlers.slack.modal_first import ModalFirst
from handlers.slack.pacing import AfterAck
from handlers.slack.replies import record_id, send_dm
from handlers.targets.blocks import draft_message

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.action(ids.MORE_ACTION)(turn_page)
    app.action(ids.BACK_ACTION)(turn_page)
    app.action(ids.LOG_MEETING_ACTION)(log_meeting)
    app.action(ids.OBSERVE_ACTION)(observe)
    app.action(ids.SET_TARGET_ACTION)(set_target)
    app.view(ids.TARGET_CALLBACK)(target_submitted)
    app.action(ids.REFLECT_ACTION)(reflect)


def app_home_opened(
    event: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    directory: Directory,
    now: datetime,
    homes: HomePublisher,
    after_ack: AfterAck,
) -> None:
    if event.get("tab", "home") != "home":
        return
    team_id = body.get("team_id") or (event.get("view") or {}).get("team_id")
    user_id = event.get("user")
    if not team_id or not user_id:
        return
    with after_ack.slot():  # Bolt acknowledged the event before this listener ran
        homes.publish(client, directory, team_id, user_id, now)


@answers()
def turn_page(
    ack: Ack, body: dict[str, Any], client: WebClient, directory: Directory, now: datetime, homes: HomePublisher
) -> None:
    ack()
    homes.publish(client, directory, body["team"]["id"], body["user"]["id"], now, Pages.parse(_value(body)))


@answers(notice="Log meeting")
def log_meeting(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    mentee_id = _user_value(body)
    if mentee_id is None:
        raise DomainError("I can't tell which mentee that was: open the Home tab again.")
    form = deps.meetings.prepare(caller(), mentee_id, directory, now)
    modal.open(meeting_modal(form))


@answers(notice="Observe")
def observe(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    ack()
    teacher_id = _user_value(body)
    if teacher_id is None:
        raise DomainError("I can't tell which teacher that was: open the Home tab again.")
    prepared = deps.observations.prepare(caller(), teacher_id, directory, now)
    modal.open(observation_modal(deps.forms, prepared.form, teacher_id=teacher_id, today=prepared.today))


@answers(notice="Set a target")
def set_target(
    ack: Ack,
    body: dict[str, Any],
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    homes: HomePublisher,
) -> None:
    ack()
    mentee_id = _user_value(body)
    if mentee_id is None:
        raise DomainError("I can't tell which mentee that was: open the Home tab again.")
    mentee = homes.service.target_mentee(caller(), mentee_id, directory, now)
    modal.open(target_modal(mentee))


@modal_submission(problem_block=ids.TARGET_TEXT, what="a target from the Home tab")
def target_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    """The words go through /target's own draft: the date understood and the checks come back to confirm."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    mentee_id = _user_id(str(metadata.get("mentee") or ""))
    if mentee_id is None:
        raise FieldErrors({ids.TARGET_TEXT: "I can't tell who this target is for: start again."})
    draft = deps.targets.draft(caller(), mentee_id, read_target_text(view), directory, now, request=view["id"])
    ack(response_action="update", view=target_sent_modal(mentee_id))
    if draft.repeat:
        return  # the same Save again: its draft was sent the first time
    text, blocks = draft_message(draft)
    if send_dm(client, body["user"]["id"], text, blocks) is None:
        log.warning("Could not send a Home target draft to its author")


@answers(notice="Reflection")
def reflect(ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps) -> None:
    ack()
    readable = deps.observations.for_reflection(caller(), record_id(body))
    o = readable.observation
    modal.open(
        reflection_modal(o.id, o.observed_on, readable.name(o.observer_id), o.reflection, o.reflection_next_steps)
    )


def _value(body: dict[str, Any]) -> str:
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def _user_id(value: str) -> str | None:
    """A Slack user id; anything else (a tampered button or modal) is treated as no one."""
    return value if value[:1] in ("U", "W") and value.isalnum() and len(value) <= 32 else None


def _user_value(body: dict[str, Any]) -> str | None:
    return _user_id(_value(body))
