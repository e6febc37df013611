"""Small Block Kit helpers shared by every message and view builder."""

from __future__ import annotations

import re
from typing import Any

SECTION_LIMIT = 3000  # characters in a section's text
MESSAGE_BLOCK_LIMIT = 50

Block = dict[str, Any]


# The only links kept in what people type: a mention of a person or a channel by its Slack id. Slack shows
# the person's or channel's own name there, whatever label follows the "|", so it cannot be disguised.
_PERSON_OR_CHANNEL = re.compile(r"(<(?:@[UW]|#C)[A-Z0-9]{2,}(?:\|[^<>|]*)?>)")


def user_text(text: str | None, *, slack_escaped: bool = False) -> str:
    """Text a person typed (or a name from their Slack profile), shown in mrkdwn as exactly what they typed.

    `&`, `<` and `>` are escaped, so `<https://evil|Sign off here>` shows as those characters, never as a
    disguised link, and `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` and `<!date…>` notify no one.
    Only a mention of a person or channel by id (`<@U123>`, `<#C123|name>`) stays live. Every builder that puts
    what someone typed into mrkdwn goes through here; plain_text fields need nothing (Slack shows them as is).
    `slack_escaped`: the text is a slash command's, as Slack sends it (`&lt;` for `<`; `@channel` as `<!channel>`).
    """
    if not text:
        return ""
    if slack_escaped:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "".join(
        part if _PERSON_OR_CHANNEL.fullmatch(part) else _escape(part) for part in _PERSON_OR_CHANNEL.split(text)
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(markdown: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(markdown, SECTION_LIMIT)}}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, 150), "emoji": True}}


def context(markdown: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(markdown, 3000)}]}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """A button; `style` is "primary" or "danger"."""
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": truncate(text, 75), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sections_for_lines(lines: list[str], *, limit: int = SECTION_LIMIT) -> list[Block]:
    """Pack lines into as few sections as fit, never splitting a line across two."""
    blocks: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, limit)
        if current and size + len(line) + 1 > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        blocks.append(section("\n".join(current)))
    return blocks
