"""Concerns in Slack: `/concern @mentee`, the Raise-as-a-concern button, the trail, updates and resolution.

Listeners are module-level functions; `register` binds them to the app with the deps they need.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError, InvalidInput
from bot.core.permissions import Action
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
from handlers.concerns.ids import (
    ADD_ACTION,
    ADD_CALLBACK,
    CONCERN,
    FROM_OBSERVATION,
    RAISE_CALLBACK,
    RESOLVE_ACTION,
    RESOLVE_CALLBACK,
    VIEW_ACTION,
)
from handlers.home.events import refresh_homes
from handlers.slack import parsing
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import notice_modal, record_id, save_or_explain, say, send_dm

log = logging.getLogger(__name__)

USAGE = "Usage: `/concern @mentee` opens a form to record a concern about someone you mentor or lead."


def _open(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal from a message or the Home; push it on top when the click came from a modal."""
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _problem(client: WebClient, body: dict[str, Any], respond: Respond, text: str) -> None:
    """Tell the clicker why not: beside the message when there is one, else in a small modal."""
    if body.get("response_url"):
        say(respond, text)
    else:
        _open(client, body, notice_modal("Concern", text))


# --- /concern -------------------------------------------------------------------------------------------------------
def concern_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, *, deps: Deps) -> None:
    words = parsing.tokens(command.get("text", ""))
    try:
        if not words or words[0].lower() == "help" or len(words) > 1:
            raise InvalidInput("Name the person the concern is about." if not words else "Name one person.")
        mentee_id = parsing.user_id(words[0], what="a mentee")
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    directory = SlackDirectory(client)
    now = deps.now()
    try:
        caller = deps.roster.caller(command["team_id"], command["user_id"], directory, now)
        form = deps.concerns.prepare(caller, mentee_id, directory, now)
    except DomainError as exc:
        respond(response_type="ephemeral", replace_original=False, text=str(exc))
        return
    client.views_open(trigger_id=command["trigger_id"], view=concern_modal(form))


def from_observation(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps) -> None:
    ack()
    now = deps.now()
    try:
        caller = deps.roster.caller(body["team"]["id"], body["user"]["id"], SlackDirectory(client), now)
        form = deps.concerns.prepare_from_observation(caller, record_id(body), now)
    except DomainError as exc:
        _problem(client, body, respond, str(exc))
        return
    _open(client, body, concern_modal(form))


def concern_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    draft = read_concern_state(view["state"]["values"], metadata)
    directory = SlackDirectory(client)
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()

    def save() -> Any:
        caller = deps.roster.caller(team_id, user_id, directory, now)
        return deps.concerns.raise_concern(caller, draft, view["id"], directory, now)

    raised = save_or_explain(ack, view, save, problem_block="what_seen", what="a concern")
    if raised is None:
        return
    ack()
    if not raised.created:  # a retry of the same submission tells nobody twice
        return
    text, blocks = concern_dm(raised)
    reached = [lead for lead in raised.told if send_dm(client, lead, text, blocks)]
    deps.concerns.told(team_id, raised.concern.id, reached, now)
    send_dm(client, user_id, *raiser_confirmation(raised))
    if raised.concern.discussed_on is not None:
        _tell_mentee(client, deps, team_id, raised.concern.id, raised.concern.mentee_id)
    refresh_homes(deps, client, team_id, [user_id, raised.concern.mentee_id, *raised.told])


# --- the trail ------------------------------------------------------------------------------------------------------
def see_trail(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, *, deps: Deps) -> None:
    ack()
    now = deps.now()
    try:
        caller = deps.roster.caller(body["team"]["id"], body["user"]["id"], SlackDirectory(client), now)
        view = deps.concerns.read(caller, record_id(body), now)
    except DomainError as exc:
        _problem(client, body, respond, str(exc))
        return
    _open(client, body, trail_modal(view))


def open_entry(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond,
    *,
    deps: Deps,
    action: Action,
    build: Callable[[Any], dict[str, Any]],
) -> None:
    ack()
    now = deps.now()
    try:
        caller = deps.roster.caller(body["team"]["id"], body["user"]["id"], SlackDirectory(client), now)
        concern = deps.concerns.prepare_entry(caller, record_id(body), action)
    except DomainError as exc:
        _problem(client, body, respond, str(exc))
        return
    _open(client, body, build(concern))


def entry_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, *, deps: Deps, resolving: bool
) -> None:
    concern_id = int(json.loads(view.get("private_metadata") or "{}").get("concern") or 0)
    team_id, user_id, now = body["team"]["id"], body["user"]["id"], deps.now()
    values = view["state"]["values"]

    def save() -> Any:
        caller = deps.roster.caller(team_id, user_id, SlackDirectory(client), now)
        if resolving:
            outcome, reason = read_resolve_state(values)
            return deps.concerns.resolve(caller, concern_id, outcome, reason, view["id"], now)
        happened, agreed, discussed_on = read_add_state(values)
        return deps.concerns.add(caller, concern_id, happened, agreed, discussed_on, view["id"], now)

    added = save_or_explain(
        ack, view, save, problem_block="reason" if resolving else "happened", what="a concern's trail"
    )
    if added is None:
        return
    ack()
    if not added.created:
        return
    send_dm(client, user_id, added_notice(added))
    if added.newly_discussed:
        _tell_mentee(client, deps, team_id, added.concern.id, added.concern.mentee_id)
    refresh_homes(deps, client, team_id, [user_id, added.concern.mentee_id])


def _tell_mentee(client: WebClient, deps: Deps, team_id: str, concern_id: int, mentee_id: str) -> None:
    """Once it has been discussed with them, the mentee gets what was recorded (and the read is audited)."""
    now = deps.now()
    try:
        caller = deps.roster.caller(team_id, mentee_id, SlackDirectory(client), now)
        view = deps.concerns.read(caller, concern_id, now)
    except DomainError:
        return  # e.g. a private wellbeing concern: it stays with lead mentors and SLT
    text, blocks = discussed_dm(view.concern)
    send_dm(client, mentee_id, text, blocks)


def register(app: App, deps: Deps) -> None:
    """Bind the listeners, each given the deps (H1's middleware will put them in Bolt's context instead)."""

    @app.command(CONCERN)
    def _concern(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        concern_command(ack, command, respond, client, deps=deps)

    @app.action(FROM_OBSERVATION)
    def _from_observation(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        from_observation(ack, body, client, respond, deps=deps)

    @app.view(RAISE_CALLBACK)
    def _submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        concern_submitted(ack, body, view, client, deps=deps)

    @app.action(VIEW_ACTION)
    def _see(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        see_trail(ack, body, client, respond, deps=deps)

    @app.action(ADD_ACTION)
    def _add(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        open_entry(ack, body, client, respond, deps=deps, action=Action.ADD_TO_CONCERN, build=add_modal)

    @app.action(RESOLVE_ACTION)
    def _resolve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        open_entry(ack, body, client, respond, deps=deps, action=Action.RESOLVE_CONCERN, build=resolve_modal)

    @app.view(ADD_CALLBACK)
    def _added(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        entry_submitted(ack, body, view, client, deps=deps, resolving=False)

    @app.view(RESOLVE_CALLBACK)
    def _resolved(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        entry_submitted(ack, body, view, client, deps=deps, resolving=True)
