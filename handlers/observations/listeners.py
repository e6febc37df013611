"""/observe and its buttons and modals: `/observe [@teacher]` opens the observation form, `/observe history
@teacher` lists past ones; reflect, read in full, correct, and switching form in the modal; saving
observations, corrections and reflections, then telling the right people.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.directory import Directory
from bot.core.errors import InvalidInput
from bot.core.permissions import Action, require
from bot.observations.service import Recorded
from bot.roster.service import Caller
from handlers.observations import ids
from handlers.observations.blocks import (
    correction_notice,
    history_blocks,
    lead_alert,
    observation_view,
    observer_confirmation,
    reflected_message,
    reflection_notice,
    teacher_message,
)
from handlers.observations.modals import draft_from, observation_modal, read_state, reflection_modal
from handlers.slack import parsing
from handlers.slack.answers import answers, modal_submission
from handlers.slack.context import RefreshHomes
from handlers.slack.modal_first import ModalFirst
from handlers.slack.replies import SLACK_FAILURES, failure_reason, field_errors_for_view, record_id, send_dm
from storage.roster import MenteeKind

log = logging.getLogger(__name__)

USAGE = "Usage: `/observe @teacher` to record an observation, or `/observe history @teacher` to see past ones."


def register(app: App) -> None:
    app.command(ids.OBSERVE)(observe_command)
    app.action(ids.VIEW_ACTION)(view_observation)
    app.action(ids.REFLECT_ACTION)(open_reflection)
    app.action(ids.EDIT_ACTION)(open_correction)
    app.action(ids.FORM_CHOICE_ACTION)(form_chosen)
    app.view(ids.OBSERVE_CALLBACK)(observation_submitted)
    app.view(ids.EDIT_CALLBACK)(correction_submitted)
    app.view(ids.REFLECT_CALLBACK)(reflection_submitted)


# --- /observe ------------------------------------------------------------------------------------------


@answers(opens="Lesson observation")
def observe_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    modal: ModalFirst,
    caller: Callable[[], Caller],
    now: datetime,
    directory: Directory,
    deps: Deps,
) -> None:
    words = parsing.tokens(command.get("text", ""))
    teacher_id: str | None = None
    try:
        if words and words[0].lower() == "history":
            if len(words) != 2:
                raise InvalidInput("Name one teacher.")
            teacher_id, history = parsing.user_id(words[1], what="a teacher"), True
        else:
            if words and words[0].lower() == "help":
                raise InvalidInput("Here's how to use it.")
            teacher_id, history = (parsing.user_id(words[0], what="a teacher") if words else None), False
            if len(words) > 1:
                raise InvalidInput("Name one teacher.")
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    if history:
        assert teacher_id is not None
        modal.not_needed()
        readables = deps.observations.history(caller(), teacher_id, now)
        name = readables[0].name(teacher_id) if readables else teacher_id
        text, blocks = history_blocks(teacher_id, name, readables)
        respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)
        return
    if teacher_id is None:
        require(Action.OBSERVE, caller().standings)
        form = deps.forms.default_for(MenteeKind.ECT)
        view = observation_modal(deps.forms, form, teacher_id=None, today=deps.observations.today(now))
    else:
        prepared = deps.observations.prepare(caller(), teacher_id, directory, now)
        view = observation_modal(deps.forms, prepared.form, teacher_id=teacher_id, today=prepared.today)
    modal.open(view)


# --- buttons: each opens a modal, so a refusal is answered in one ----------------------------------------


@answers(notice="Observation")
def view_observation(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    readable = deps.observations.read(caller(), record_id(body), now)
    modal.open(observation_view(readable))


@answers(notice="Reflection")
def open_reflection(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], deps: Deps
) -> None:
    ack()
    readable = deps.observations.for_reflection(caller(), record_id(body))
    o = readable.observation
    # Pressed inside the observation's modal, it stacks on top of it (ModalFirst pushes).
    modal.open(
        reflection_modal(o.id, o.observed_on, readable.name(o.observer_id), o.reflection, o.reflection_next_steps)
    )


@answers(notice="Observation")
def open_correction(
    ack: Ack, body: dict[str, Any], modal: ModalFirst, caller: Callable[[], Caller], now: datetime, deps: Deps
) -> None:
    ack()
    observation, form = deps.observations.editable(caller(), record_id(body), now)
    view = observation_modal(
        deps.forms,
        form,
        teacher_id=observation.teacher_id,
        today=observation.observed_on,
        draft=draft_from(observation, form),
        edit_of=observation.id,
    )
    modal.open(view)


@answers()
def form_chosen(ack: Ack, body: dict[str, Any], client: WebClient, now: datetime, deps: Deps) -> None:
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
        deps.forms, new_form, teacher_id=teacher_id, today=deps.observations.today(now), draft=draft
    )
    client.views_update(view_id=view["id"], hash=view.get("hash"), view=updated)


# --- modals --------------------------------------------------------------------------------------------


@modal_submission(problem_block=ids.TEACHER, what="an observation", field_block=ids.field_block_id)
def observation_submitted(
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
    form = deps.forms.get(metadata.get("form", ""))
    if form is None:
        ack(
            response_action="errors",
            errors=field_errors_for_view(view, {ids.FORM: "That form is no longer available."}),
        )
        return
    draft = read_state(view["state"]["values"], form, metadata)
    recorded = deps.observations.record(caller(), draft, view["id"], directory, now)
    ack()
    if recorded.created:  # a retry of the same submission tells nobody twice
        _tell_everyone(client, deps, recorded)
        o = recorded.observation
        refresh_homes([o.teacher_id, *recorded.mentor_ids, body["user"]["id"]])


@modal_submission(problem_block=ids.DATE, what="an observation's correction", field_block=ids.field_block_id)
def correction_submitted(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    form = deps.forms.get(metadata.get("form", ""))
    if form is None or not isinstance(metadata.get("edit"), int):
        ack(response_action="errors", errors=field_errors_for_view(view, {ids.DATE: "This form can't be saved."}))
        return
    draft = read_state(view["state"]["values"], form, metadata)
    user_id = body["user"]["id"]
    edited = deps.observations.edit(caller(), metadata["edit"], draft, now, submission_key=view["id"])
    ack()
    if edited.changed:
        text = correction_notice(edited.observation, edited.changed)
        send_dm(client, edited.observation.teacher_id, text)
        send_dm(client, user_id, "Your correction is saved. " + text)
        refresh_homes([edited.observation.teacher_id, user_id])


@modal_submission(problem_block=ids.REFLECTION, what="a reflection")
def reflection_submitted(
    ack: Ack,
    view: dict[str, Any],
    client: WebClient,
    caller: Callable[[], Caller],
    now: datetime,
    deps: Deps,
    refresh_homes: RefreshHomes,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]
    reflection = (values.get(ids.REFLECTION, {}).get(ids.VALUE) or {}).get("value") or ""
    next_steps = (values.get(ids.REFLECTION_NEXT_STEPS, {}).get(ids.VALUE) or {}).get("value")
    recorded = deps.observations.reflect(caller(), int(metadata.get("observation", 0)), reflection, next_steps, now)
    ack()
    o = recorded.observation
    if o.teacher_message_channel and o.teacher_message_ts:
        text, blocks = reflected_message(recorded)
        try:
            client.chat_update(channel=o.teacher_message_channel, ts=o.teacher_message_ts, text=text, blocks=blocks)
        except SLACK_FAILURES as exc:
            log.warning("Could not update the teacher's observation message: %s", failure_reason(exc))
    if recorded.created:  # first reflection: tell the observers and mentors once
        text, blocks = reflection_notice(recorded)
        for reader in _unique([o.observer_id, o.second_observer_id, *recorded.mentor_ids], skip=o.teacher_id):
            send_dm(client, reader, text, blocks)
    refresh_homes([o.teacher_id, *recorded.mentor_ids])


def _unique(user_ids: list[str | None], *, skip: str | None = None) -> list[str]:
    return [i for i in dict.fromkeys(user_ids) if i and i != skip]


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
