"""Buttons on observation messages: reflect, read in full, correct; and switching form in the modal."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError
from handlers.observations.blocks import (
    EDIT_ACTION,
    FORM_CHOICE_ACTION,
    REFLECT_ACTION,
    VIEW_ACTION,
    draft_from,
    observation_modal,
    observation_view,
    read_state,
    reflection_modal,
)
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import notice_modal, record_id


def register(app: App, deps: Deps) -> None:
    def caller_of(body: dict[str, Any], client: WebClient) -> Any:
        return deps.roster.caller(body["team"]["id"], body["user"]["id"], SlackDirectory(client), deps.now())

    @app.action(VIEW_ACTION)
    def view_observation(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            readable = deps.observations.read(caller_of(body, client), record_id(body), deps.now())
            view = observation_view(readable)
        except DomainError as exc:
            view = notice_modal("Observation", str(exc))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(REFLECT_ACTION)
    def open_reflection(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            readable = deps.observations.for_reflection(caller_of(body, client), record_id(body))
            o = readable.observation
            view = reflection_modal(
                o.id, o.observed_on, readable.name(o.observer_id), o.reflection, o.reflection_next_steps
            )
        except DomainError as exc:
            view = notice_modal("Reflection", str(exc))
        if body.get("container", {}).get("type") == "view":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(EDIT_ACTION)
    def open_correction(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        try:
            observation, form = deps.observations.editable(caller_of(body, client), record_id(body), deps.now())
            view = observation_modal(
                deps.forms,
                form,
                teacher_id=observation.teacher_id,
                today=observation.observed_on,
                draft=draft_from(observation, form),
                edit_of=observation.id,
            )
        except DomainError as exc:
            view = notice_modal("Observation", str(exc))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(FORM_CHOICE_ACTION)
    def form_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = body["view"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        chosen = (body["actions"][0].get("selected_option") or {}).get("value", "")
        new_form, old_form = deps.forms.get(chosen), deps.forms.get(metadata.get("form", ""))
        if new_form is None or old_form is None:
            return
        # Keep the lesson details already typed; the new form's own fields start empty.
        draft = read_state(view["state"]["values"], old_form, metadata)
        teacher_id = metadata.get("teacher")
        updated = observation_modal(
            deps.forms,
            new_form,
            teacher_id=teacher_id,
            today=deps.observations.today(deps.now()),
            draft=draft,
        )
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)
