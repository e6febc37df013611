"""`/target @mentee <what> [by <when>]` sets a target in plain words; `/target list [@mentee]` shows open ones."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app.bootstrap import Deps
from bot.core.errors import DomainError, InvalidInput
from bot.targets.service import TEXT_LIMIT
from handlers.slack import parsing
from handlers.slack.directory import SlackDirectory
from handlers.targets.blocks import draft_message, target_list_blocks, target_overview_blocks

TARGET = "/target"
EXAMPLE = "/target @ana Use cold calling in every lesson by Monday week"
USAGE = f"Usage: `/target @mentee what they'll do [by when]`, e.g. `{EXAMPLE}`; or `/target list [@mentee]`."

_FIRST_WORD = re.compile(r"^\s*(?:<[^>]*>|\S+)\s*")


def _unescape(text: str) -> str:
    """Slack escapes &, < and > in command text; mentions (<@U…|name>) stay as they are."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _typed(command: dict[str, Any]) -> str:
    """What was typed, quoted back, so nothing has to be typed again."""
    return f"\nYou typed:\n>{TARGET} {command.get('text', '')}"


def register(app: App, deps: Deps) -> None:
    @app.command(TARGET)
    def target_command(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        text = command.get("text", "") or ""
        words = parsing.tokens(text)
        if not words or words[0].lower() == "help":
            ack(response_type="ephemeral", text=USAGE)
            return
        if words[0].lower() == "list":
            _list(ack, command, respond, client, deps, words[1:])
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
        directory = SlackDirectory(client)
        now = deps.now()
        try:
            caller = deps.roster.caller(command["team_id"], command["user_id"], directory, now)
            view = deps.targets.draft(caller, mentee_id, what, directory, now)
        except DomainError as exc:
            respond(response_type="ephemeral", replace_original=False, text=f"{exc}{_typed(command)}")
            return
        reply_text, blocks = draft_message(view)
        respond(response_type="ephemeral", replace_original=False, text=reply_text, blocks=blocks)


def _list(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, deps: Deps, args: list[str]) -> None:
    try:
        if len(args) > 1:
            raise InvalidInput("Name at most one mentee.")
        mentee_id = parsing.user_id(args[0], what="a mentee") if args else None
    except InvalidInput as exc:
        ack(response_type="ephemeral", text=f"{exc}\n{USAGE}")
        return
    ack()
    directory = SlackDirectory(client)
    now = deps.now()
    try:
        caller = deps.roster.caller(command["team_id"], command["user_id"], directory, now)
        if mentee_id is None:
            text, blocks = target_overview_blocks(deps.targets.overview(caller, directory, now))
        else:
            text, blocks = target_list_blocks(deps.targets.listing(caller, mentee_id, directory, now))
    except DomainError as exc:
        respond(response_type="ephemeral", replace_original=False, text=str(exc))
        return
    respond(response_type="ephemeral", replace_original=False, text=text, blocks=blocks)
