"""Running slash commands as a person does and reading what they see (text and blocks)."""

from __future__ import annotations

from typing import Any

from tests.support.driver import SlackDriver, wait_until
from tests.support.people import mention

__all__ = ["block_text", "mention", "reply_to"]


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, as a person would read it."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(parts)


def reply_to(slack: SlackDriver, command: str, text: str, *, user: str, team_id: str | None = None) -> str:
    """Run a slash command and return the ephemeral reply the user sees (ack or response_url)."""
    before = len(slack.emulator.responses)
    result = slack.command(command, text, user=user, team_id=team_id)
    assert result.status == 200, result.text
    if result.body:
        body = result.json
        assert body["response_type"] == "ephemeral"
        return str(body["text"])
    response = wait_until(lambda: slack.emulator.responses[before:], what="the bot's reply")[0]
    assert response.get("response_type") == "ephemeral"
    return str(response["text"]) + "\n" + block_text(response.get("blocks", []))
