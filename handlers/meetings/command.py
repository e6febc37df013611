"""`/meeting [@mentee]` opens the meeting modal; `/meeting cadence @mentee [weekly|fortnightly|twice-a-term]`."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError, InvalidInput
from bot.core.vocabulary import CADENCE_WORDS
from handlers.meetings.blocks import cadence_text, meeting_modal
from handlers.slack import parsing
from handlers.slack.directory import SlackDirectory

MEETING = "/meeting"
USAGE = (
    "Usage: `/meeting @mentee` to log a meeting, or `/meeting cadence @mentee weekly|fortnightly|twice-a-term` "
    "to see or change how often you meet."
)


def open_meeting_modal(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, mentee_id: str | None, trigger_id: str
) -> str | None:
    """Check, then open the modal with the trigger; returns what to tell the user when it can't open."""
    directory = SlackDirectory(client)
    now = deps.now()
    try:
        caller = deps.roster.caller(team_id, user_id, directory, now)
        if mentee_id is None:
            mentee_id = deps.meetings.sole_mentee(caller)
            if mentee_id is None:
                return "Name the mentee you met: `/meeting @mentee`."
        form = deps.meetings.prepare(caller, mentee_id, directory, now)
    except DomainError as exc:
        return str(exc)
    client.views_open(trigger_id=trigger_id, view=meeting_modal(form))
    return None


def register(app: App, deps: Deps) -> None:
    @app.command(MEETING)
    def meeting_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        words = parsing.tokens(command.get("text", ""))
        try:
            if words and words[0].lower() == "cadence":
                _cadence(ack, command, respond, client, deps, words[1:])
                return
            if words and words[0].lower() == "help":
                raise InvalidInput("Here's how to use it.")
            if len(words) > 1:
                raise InvalidInput("Name one mentee.")
            mentee_id = parsing.user_id(words[0], what="a mentee") if words else None
        except InvalidInput as exc:
            ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
            return
        ack()
        problem = open_meeting_modal(
            deps,
            client,
            team_id=command["team_id"],
            user_id=command["user_id"],
            mentee_id=mentee_id,
            trigger_id=command["trigger_id"],
        )
        if problem:
            respond(response_type="ephemeral", replace_original=False, text=problem)


def _cadence(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, deps: Deps, args: list[str]
) -> None:
    if not args or len(args) > 2:
        raise InvalidInput("Name the mentee, then (to change it) weekly, fortnightly or twice-a-term.")
    mentee_id = parsing.user_id(args[0], what="a mentee")
    cadence = None
    if len(args) == 2:
        cadence = CADENCE_WORDS.get(args[1].lower())
        if cadence is None:
            raise InvalidInput(f"“{args[1]}” isn't a cadence: use weekly, fortnightly or twice-a-term.")
    ack()
    directory = SlackDirectory(client)
    now = deps.now()
    try:
        caller = deps.roster.caller(command["team_id"], command["user_id"], directory, now)
        text = cadence_text(deps.meetings.set_cadence(caller, mentee_id, cadence, directory, now))
    except DomainError as exc:
        text = str(exc)
    respond(response_type="ephemeral", replace_original=False, text=text)
