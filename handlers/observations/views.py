"""Saving observations, corrections and reflections from their modals, then telling the right people."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.bootstrap import Deps
from bot.observations.service import Edited, Recorded
from handlers.home.events import refresh_homes
from handlers.observations.blocks import (
    EDIT_CALLBACK,
    OBSERVE_CALLBACK,
    REFLECT_CALLBACK,
    REFLECTION,
    REFLECTION_NEXT_STEPS,
    VALUE,
    correction_notice,
    field_block_id,
    lead_alert,
    observer_confirmation,
    read_state,
    reflected_message,
    reflection_notice,
    teacher_message,
)
from handlers.slack.directory import SlackDirectory
from handlers.slack.replies import field_errors_for_view, save_or_explain, send_dm

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.view(OBSERVE_CALLBACK)
    def observation_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        form = deps.forms.get(metadata.get("form", ""))
        if form is None:
            ack(
                response_action="errors",
                errors=field_errors_for_view(view, {"form": "That form is no longer available."}),
            )
            return
        draft = read_state(view["state"]["values"], form, metadata)
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()
        user_id = body["user"]["id"]

        def save() -> Recorded:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.observations.record(caller, draft, view["id"], directory, now)

        recorded = save_or_explain(
            ack,
            view,
            save,
            problem_block="teacher",
            what="an observation",
            field_block=field_block_id,
        )
        if recorded is None:
            return
        ack()
        if recorded.created:  # a retry of the same submission tells nobody twice
            _tell_everyone(client, deps, recorded)
            o = recorded.observation
            refresh_homes(deps, client, team_id, [o.teacher_id, *recorded.mentor_ids, user_id])

    @app.view(EDIT_CALLBACK)
    def correction_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        form = deps.forms.get(metadata.get("form", ""))
        if form is None or not isinstance(metadata.get("edit"), int):
            ack(response_action="errors", errors=field_errors_for_view(view, {"date": "This form can't be saved."}))
            return
        draft = read_state(view["state"]["values"], form, metadata)
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()
        user_id = body["user"]["id"]

        def save() -> Edited:
            caller = deps.roster.caller(team_id, user_id, directory, now)
            return deps.observations.edit(caller, metadata["edit"], draft, now)

        edited = save_or_explain(
            ack,
            view,
            save,
            problem_block="date",
            what="an observation's correction",
            field_block=field_block_id,
        )
        if edited is None:
            return
        ack()
        if edited.changed:
            text = correction_notice(edited.observation, edited.changed)
            send_dm(client, edited.observation.teacher_id, text)
            send_dm(client, user_id, "Your correction is saved. " + text)
            refresh_homes(deps, client, team_id, [edited.observation.teacher_id, user_id])

    @app.view(REFLECT_CALLBACK)
    def reflection_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        values = view["state"]["values"]
        reflection = (values.get(REFLECTION, {}).get(VALUE) or {}).get("value") or ""
        next_steps = (values.get(REFLECTION_NEXT_STEPS, {}).get(VALUE) or {}).get("value")
        directory = SlackDirectory(client)
        team_id, now = body["team"]["id"], deps.now()

        def save() -> Recorded:
            caller = deps.roster.caller(team_id, body["user"]["id"], directory, now)
            return deps.observations.reflect(caller, int(metadata.get("observation", 0)), reflection, next_steps, now)

        recorded = save_or_explain(ack, view, save, problem_block=REFLECTION, what="a reflection")
        if recorded is None:
            return
        ack()
        o = recorded.observation
        if o.teacher_message_channel and o.teacher_message_ts:
            text, blocks = reflected_message(recorded)
            try:
                client.chat_update(channel=o.teacher_message_channel, ts=o.teacher_message_ts, text=text, blocks=blocks)
            except SlackApiError as exc:
                log.warning("Could not update the teacher's observation message: %s", exc.response.get("error"))
        if recorded.created:  # first reflection: tell the observers and mentors once
            text, blocks = reflection_notice(recorded)
            for reader in _unique([o.observer_id, o.second_observer_id, *recorded.mentor_ids], skip=o.teacher_id):
                send_dm(client, reader, text, blocks)
        refresh_homes(deps, client, team_id, [o.teacher_id, *recorded.mentor_ids])


def _unique(ids: list[str | None], *, skip: str | None = None) -> list[str]:
    return [i for i in dict.fromkeys(ids) if i and i != skip]


def _tell_everyone(client: WebClient, deps: Deps, recorded: Recorded) -> None:
    o = recorded.observation
    text, blocks = teacher_message(recorded)
    sent = send_dm(client, o.teacher_id, text, blocks)
    if sent and sent.get("channel") and sent.get("ts"):
        deps.observations.remember_teacher_message(o.team_id, o.id, sent["channel"], sent["ts"])
    text, blocks = observer_confirmation(recorded)
    notes = []
    if not sent:
        notes.append(f"I couldn't DM <@{o.teacher_id}>: please let them know it's there.")
    if recorded.needs_lead_attention:
        leads = _unique(list(recorded.lead_ids), skip=None)
        if leads:
            alert_text, alert_blocks = lead_alert(recorded)
            for lead in leads:
                if lead != o.observer_id:
                    send_dm(client, lead, alert_text, alert_blocks)
            notes.append("The lead mentors have been told.")
        else:
            notes.append(
                "There is no lead mentor to tell yet: an admin can add one with `/mentor role add @person lead`."
            )
    if notes:
        blocks = [
            *blocks[:1],
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " ".join(notes)}]},
            *blocks[1:],
        ]
    send_dm(client, o.observer_id, text, blocks)
    if o.second_observer_id and o.second_observer_id != o.observer_id:
        send_dm(
            client,
            o.second_observer_id,
            f"<@{o.observer_id}> named you as second observer of <@{o.teacher_id}>'s lesson on {o.observed_on:%-d %B}.",
            [b for b in blocks if b.get("type") == "actions"] and None,
        )
