"""`/observe [@teacher]` opens the observation form; `/observe history @teacher` lists past ones."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError, InvalidInput
from bot.core.permissions import Action, require
from handlers.observations.blocks import history_blocks, observation_modal
from handlers.slack import parsing
from handlers.slack.directory import SlackDirectory
from storage.roster import MenteeKind

OBSERVE = "/observe"
USAGE = "Usage: `/observe @teacher` to record an observation, or `/observe history @teacher` to see past ones."


def register(app: App, deps: Deps) -> None:
    @app.command(OBSERVE)
    def observe_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
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
        directory = SlackDirectory(client)
        team_id, now = command["team_id"], deps.now()
        try:
            caller = deps.roster.caller(team_id, command["user_id"], directory, now)
            if history:
                assert teacher_id is not None
                readables = deps.observations.history(caller, teacher_id, now)
                name = readables[0].name(teacher_id) if readables else teacher_id
                text, blocks = history_blocks(teacher_id, name, readables)
                respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)
                return
            if teacher_id is None:
                require(Action.OBSERVE, caller.standings)
                form = deps.forms.default_for(MenteeKind.ECT)
                view = observation_modal(deps.forms, form, teacher_id=None, today=deps.observations.today(now))
            else:
                prepared = deps.observations.prepare(caller, teacher_id, directory, now)
                view = observation_modal(
                    deps.forms,
                    prepared.form,
                    teacher_id=teacher_id,
                    today=prepared.today,
                )
        except DomainError as exc:
            respond(response_type="ephemeral", replace_original=False, text=str(exc))
            return
        client.views_open(trigger_id=command["trigger_id"], view=view)
