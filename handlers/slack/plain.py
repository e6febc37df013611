"""Block Kit as plain text, for operators' previews in a terminal: people and channels by name, Slack's
`:emoji:` codes as plain symbols, dates and links as their words. The Slack messages themselves are unchanged."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Each emoji code the bot's messages use, as a symbol a terminal shows; any other code is left as it is.
SYMBOLS = {
    ":large_green_circle:": "✓",
    ":warning:": "⚠",
    ":hourglass:": "⌛",
    ":tada:": "★",
    ":wrench:": "⚙",
    ":red_circle:": "✗",
    ":large_yellow_circle:": "◐",
    ":heavy_minus_sign:": "–",
}
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def mentioned(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """The user ids and channel ids written into these texts as <@U…> and <#C…>."""
    users: set[str] = set()
    channels: set[str] = set()
    for text in texts:
        users.update(match.group(1) for match in _USER.finditer(text))
        channels.update(match.group(1) for match in _CHANNEL.finditer(text))
    return users, channels


def plain(text: str, names: Mapping[str, str] | None = None) -> str:
    """Slack mrkdwn as a terminal shows it: `<@U1>` → "@Amy Mentor", `:warning:` → "⚠"."""
    known = names or {}
    text = _USER.sub(lambda m: "@" + (known.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (known.get(m.group(1)) or m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _EMOJI.sub(lambda m: SYMBOLS.get(m.group(0), m.group(0)), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(node: Any) -> str:
    text = str(node.get("text", "")) if isinstance(node, dict) else str(node or "")
    if isinstance(node, dict) and node.get("type") == "mrkdwn":  # typed text was escaped for Slack: show it as typed
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def block_texts(blocks: list[dict[str, Any]]) -> list[str]:
    """Every text in the blocks, as Slack has it (for finding who and which channels they name)."""
    texts: list[str] = []
    for block in blocks:
        texts.append(_text(block.get("text")))
        texts += [_text(f) for f in block.get("fields", [])]
        texts += [_text(e) for e in block.get("elements", [])]
    return texts


def blocks_as_text(blocks: list[dict[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """The blocks as terminal text; `names` maps user and channel ids to the names to show."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = _text(block.get("text"))
            lines += [title, "=" * len(title)]
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"]))
            lines += [_text(f) for f in block.get("fields", [])]
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "button":
                lines.append(f"  [{_text(accessory.get('text'))}]")
        elif kind == "context":
            lines.append("  " + " ".join(_text(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append("  " + " ".join(f"[{_text(e.get('text'))}]" for e in block.get("elements", [])))
        lines.append("")
    return plain("\n".join(lines), names).rstrip() + "\n"
