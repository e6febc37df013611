"""Reading what people type into slash commands, as Slack sends it (with should_escape on)."""

from __future__ import annotations

import re

from bot.core.errors import InvalidInput
from handlers.slack.blocks import user_text

# Slack escapes @mentions as <@U123|name> (or <@U123>) and #channels as <#C123|name>.
_USER = re.compile(r"^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_TOKEN = re.compile(r"<[^>]*>|\S+")


def tokens(text: str) -> list[str]:
    """Split command text into words, keeping each escaped mention whole."""
    return _TOKEN.findall(text or "")


def user_id(token: str, *, what: str = "a person") -> str:
    match = _USER.match(token)
    if match is None:
        hint = " (pick them from the list Slack shows as you type @)" if token.startswith("@") else ""
        raise InvalidInput(
            f"“{user_text(token, slack_escaped=True)}” isn't {what} I can recognise: mention them with @{hint}."
        )
    return match.group(1)


def is_user_mention(token: str) -> bool:
    return _USER.match(token) is not None


def channel_id(token: str) -> str:
    match = _CHANNEL.match(token)
    if match is None:
        raise InvalidInput(f"“{token}” isn't a channel I can recognise: name it with # and pick it from Slack's list.")
    return match.group(1)
